package io.github.lossengine.cpu;

/**
 * Double-precision {@code exp} and {@code log} in plain IEEE operations (no fused multiply-adds, no
 * library call), for the fused kernels whose terms cancel in float32 ({@link LikelihoodKernels}):
 * the same bits in the interpreter and in compiled code, on every JVM. Range reduction by
 * {@code ln 2} (fdlibm's split constants), then {@code e^r} by its Taylor polynomial to degree 13 on
 * {@code |r| <= ln2 / 2}, and {@code ln m} by {@code 2 atanh((m - 1) / (m + 1))} to degree 19 on
 * {@code m} in {@code [sqrt(1/2), sqrt(2))}: within a few ulp of double, far below float32's
 * resolution (measured in {@code DoubleMathTest}). {@code VectorDoubleMath} performs the same
 * operations lane by lane (with the constants here), so a lane is the bits this class gives.
 * Stateless and thread-safe.
 */
final class DoubleMath {
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    static final double LOG2E = 1.44269504088896338700e+00;
    static final double SQRT2 = 1.41421356237309504880;
    /** Above this {@code e^x} overflows double; at or below {@link #EXP_UNDERFLOW} it is 0. */
    static final double EXP_OVERFLOW = 709.782712893384;
    static final double EXP_UNDERFLOW = -745.1332191019412;
    static final double TWO_54 = 18014398509481984.0;
    /** The Taylor coefficients of {@code e^r}, {@code 1 / k!} for {@code k = 13, 12, ..., 2}, in Horner order. */
    static final double E13 = 1.0 / 6227020800.0;
    static final double E12 = 1.0 / 479001600.0;
    static final double E11 = 1.0 / 39916800.0;
    static final double E10 = 1.0 / 3628800.0;
    static final double E9 = 1.0 / 362880.0;
    static final double E8 = 1.0 / 40320.0;
    static final double E7 = 1.0 / 5040.0;
    static final double E6 = 1.0 / 720.0;
    static final double E5 = 1.0 / 120.0;
    static final double E4 = 1.0 / 24.0;
    static final double E3 = 1.0 / 6.0;
    /** The coefficients of {@code atanh(s) / s - 1} in {@code z = s^2}, {@code 1 / (2k + 1)} for {@code k = 9, 8, ..., 1}. */
    static final double A19 = 1.0 / 19;
    static final double A17 = 1.0 / 17;
    static final double A15 = 1.0 / 15;
    static final double A13 = 1.0 / 13;
    static final double A11 = 1.0 / 11;
    static final double A9 = 1.0 / 9;
    static final double A7 = 1.0 / 7;
    static final double A5 = 1.0 / 5;
    static final double A3 = 1.0 / 3;

    private DoubleMath() {
    }

    /** {@code e^x}: {@code +inf} above ~709.78, 0 below ~-745.13 and for {@code -inf}, NaN for NaN. */
    static double exp(double x) {
        if (!(x > EXP_UNDERFLOW)) {
            return x != x ? x : 0.0;
        }
        if (x > EXP_OVERFLOW) {
            return Double.POSITIVE_INFINITY;
        }
        double n = Math.rint(x * LOG2E);
        double r = (x - n * LN2_HI) - n * LN2_LO;
        double p = E13;
        p = p * r + E12;
        p = p * r + E11;
        p = p * r + E10;
        p = p * r + E9;
        p = p * r + E8;
        p = p * r + E7;
        p = p * r + E6;
        p = p * r + E5;
        p = p * r + E4;
        p = p * r + E3;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        return Math.scalb(p, (int) n);
    }

    /** {@code ln w}: {@code -inf} at {@code ±0}, {@code +inf} at {@code +inf}, NaN below 0 and for NaN. */
    static double log(double w) {
        if (!(w > 0) || w == Double.POSITIVE_INFINITY) {
            return w == 0 ? Double.NEGATIVE_INFINITY : w != w || w < 0 ? Double.NaN : w;
        }
        int k = 0;
        if (w < Double.MIN_NORMAL) {
            w *= TWO_54;
            k = -54;
        }
        int e = Math.getExponent(w);
        double m = Math.scalb(w, -e);
        k += e;
        if (m > SQRT2) {
            m *= 0.5;
            k++;
        }
        double s = (m - 1) / (m + 1);
        double z = s * s;
        double p = A19;
        p = p * z + A17;
        p = p * z + A15;
        p = p * z + A13;
        p = p * z + A11;
        p = p * z + A9;
        p = p * z + A7;
        p = p * z + A5;
        p = p * z + A3;
        double logM = 2 * s + 2 * s * z * p;
        return k * LN2_HI + (logM + k * LN2_LO);
    }
}
