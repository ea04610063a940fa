package io.github.lossengine.demo;

import java.util.Locale;

/** Numbers as the captions and the results table show them, independent of the default locale. */
final class NumberText {
    private NumberText() {
    }

    /** {@code v} with {@code decimals} digits after the point. */
    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A whole number without a point, anything else as {@link #fixed} with up to 4 decimals trimmed. */
    static String compact(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = fixed(v, 4);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** {@code v} with 3 significant digits, in scientific notation when very small or large. */
    static String significant(double v) {
        double a = Math.abs(v);
        if (v != 0 && (a < 1e-3 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
