package io.github.lossengine.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one JSON object on one line, fields in insertion order.
 *
 * <p>Numbers are written with the shortest decimal text that reads back as the same double (so a
 * float32 value is exact). The output is strict JSON: a non-finite value is written {@code null},
 * and the object ends with a {@code "nonfinite"} object naming each such field with what it was,
 * {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"} (for an array, the count of each kind:
 * {@code {"loss": {"NaN": 1}}}). Not thread-safe.
 */
final class JsonObject {
    private final StringBuilder sb = new StringBuilder("{");
    private final Map<String, String> nonfinite = new LinkedHashMap<>();

    /** A string field. */
    JsonObject put(String name, String value) {
        return raw(name, string(value));
    }

    /** A number field. */
    JsonObject put(String name, double value) {
        if (!Double.isFinite(value)) {
            nonfinite.put(name, string(kind(value)));
        }
        return raw(name, number(value));
    }

    /** An array of numbers; non-finite ones are counted by kind in {@code "nonfinite"}. */
    JsonObject put(String name, double[] values) {
        StringBuilder a = new StringBuilder("[");
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            a.append(i == 0 ? "" : ", ").append(number(values[i]));
            if (!Double.isFinite(values[i])) {
                kinds.merge(kind(values[i]), 1, Integer::sum);
            }
        }
        if (!kinds.isEmpty()) {
            StringBuilder counts = new StringBuilder("{");
            kinds.forEach((k, n) -> counts.append(counts.length() > 1 ? ", " : "").append(string(k)).append(": ").append(n));
            nonfinite.put(name, counts.append('}').toString());
        }
        return raw(name, a.append(']').toString());
    }

    private static String kind(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }

    /** An integer field. */
    JsonObject put(String name, long value) {
        return raw(name, Long.toString(value));
    }

    /** An array of integers, e.g. a shape. */
    JsonObject put(String name, long[] values) {
        return raw(name, array(values));
    }

    /** A field whose value is already JSON text (an array, a nested object). */
    JsonObject raw(String name, String json) {
        if (sb.length() > 1) {
            sb.append(", ");
        }
        sb.append(string(name)).append(": ").append(json);
        return this;
    }

    @Override
    public String toString() {
        if (nonfinite.isEmpty()) {
            return sb + "}";
        }
        StringBuilder note = new StringBuilder("{");
        nonfinite.forEach((k, v) -> note.append(note.length() > 1 ? ", " : "").append(string(k)).append(": ").append(v));
        return sb + (sb.length() > 1 ? ", " : "") + string("nonfinite") + ": " + note + "}}";
    }

    /** A JSON array of integers. */
    static String array(long[] values) {
        StringBuilder a = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            a.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return a.append(']').toString();
    }

    /** A JSON string literal. */
    static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    /**
     * The shortest decimal text that parses back to exactly {@code v} (always with a fraction or an
     * exponent, so it reads as a float), or {@code null} for NaN and the infinities.
     *
     * <p>{@link Double#toString(double)} round-trips but, before Java 19, sometimes carries one or two
     * digits more than needed; shorter roundings of the exact value are tried first.
     */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return "null";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(v);
        BigDecimal best = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        for (int p = best.precision() - 1; p >= 1; p--) {
            BigDecimal r = roundTrip(exact, v, p);
            if (r == null) {
                break;
            }
            best = r.stripTrailingZeros();
        }
        return format(best);
    }

    /**
     * The {@code p}-digit decimal nearest to {@code v} among the two that bracket it (rounded down and
     * up) that reads back as {@code v}, or {@code null} when neither does.
     */
    private static BigDecimal roundTrip(BigDecimal exact, double v, int p) {
        BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
        BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
        boolean downOk = down.doubleValue() == v;
        boolean upOk = up.doubleValue() == v;
        if (downOk && upOk) {
            return exact.subtract(down).compareTo(up.subtract(exact)) <= 0 ? down : up;
        }
        return downOk ? down : upOk ? up : null;
    }

    /** {@code 0.001} to {@code 9999999.0} in plain notation, otherwise {@code d.dddE±n}. */
    private static String format(BigDecimal d) {
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String sign = d.signum() < 0 ? "-" : "";
        if (exponent >= -3 && exponent < 7) {
            String plain = d.toPlainString();
            return plain.indexOf('.') >= 0 ? plain : plain + ".0";
        }
        String mantissa = digits.length() == 1 ? digits + ".0" : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "E" + exponent;
    }
}
