package io.github.lossengine.cpu;

/**
 * The float32 transcendental functions of the fused CPU kernels, in plain IEEE operations: the one
 * place where their constants and operation sequences are written. {@code VectorMath} (the Vector
 * API twin, in {@code src/main/vector}) performs the same operations lane by lane, in the same
 * order, so that an element's value is the same bits on both paths.
 *
 * <p>No library {@code exp} or {@code log} is used: their last bit may differ between the
 * interpreter and compiled code, which would make a result depend on JIT timing. Multiply-adds are
 * fused ({@link Math#fma}, exactly rounded, hence the same in every execution mode) where HotSpot
 * uses FMA instructions ({@link #FMA}, decided once per JVM), and unfused otherwise (where
 * {@code Math.fma} would be emulated slowly).
 *
 * <p>Accuracy (float32, measured against double in {@code FloatMathTest}): {@link #exp} and
 * {@link #expAny} within 2 ulp, {@link #expm1} within 2 ulp plus {@code 1e-7} absolute,
 * {@link #log} within 1 ulp, {@link #log1p} within 2 ulp. Stateless and thread-safe.
 */
final class FloatMath {
    /** Whether multiply-adds are fused ({@code -XX:+UseFMA}, HotSpot's default where the CPU has FMA). */
    static final boolean FMA = fastFma();

    /** {@code ln 2} split for range reduction (Cephes): {@code LN2_HI + LN2_LO}. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** {@code ln 2} rounded to float32. */
    static final float LN2 = 0.6931472f;
    static final float LOG2E = 1.44269504088896341f;
    /** {@code 1.5 * 2^23}: adding it rounds to an integer held in the low mantissa bits. */
    static final float ROUNDER = 12582912f;
    /** The bits of {@link #ROUNDER}: subtracted from a rounded value's bits, they leave the integer. */
    static final int ROUNDER_BITS = 0x4b400000;
    /** Below this {@link #exp} returns exactly 0 (its result would be subnormal). */
    static final float EXP_UNDERFLOW = -87.3f;
    /** Above this {@link #expAny} returns {@code +inf} ({@code ln FLT_MAX} rounded down). */
    static final float EXP_OVERFLOW = 88.72283f;
    /**
     * A degree-4 polynomial for {@code (e^r - 1 - r) / r^2} on {@code |r| <= ln2 / 2}, highest power
     * first: a minimax fit of the relative error of {@code e^r} (3e-9 with these coefficients exact,
     * far below float32's 6e-8 half ulp), one degree less than Cephes' {@code expf}, which is a
     * multiply-add fewer in the softmax kernels' exp loop. In a float32 simulation of {@link #exp}'s
     * operations at 4 million arguments in {@code [-87.3, 0]}, its largest error against double was
     * 0.99 ulp (with Cephes' polynomial: 0.996); {@code FloatMathTest} checks 2 ulp.
     */
    static final float P0 = 1.3814610429108143e-3f;
    static final float P1 = 8.368710055947304e-3f;
    static final float P2 = 4.166838899254799e-2f;
    static final float P3 = 1.666652113199234e-1f;
    static final float P4 = 4.999999403953552e-1f;
    /** The bits of {@code sqrt(1/2)}: {@link #log} reduces its argument to {@code [sqrt(1/2), sqrt(2))}. */
    static final int SQRT_HALF_BITS = 0x3f3504f3;
    /** {@code 2^23}, which lifts a subnormal argument of {@link #log} into the normal range. */
    static final float TWO_23 = 8388608f;
    /** Cephes {@code logf} polynomial, highest power first. */
    static final float L0 = 7.0376836292e-2f;
    static final float L1 = -1.1514610310e-1f;
    static final float L2 = 1.1676998740e-1f;
    static final float L3 = -1.2420140846e-1f;
    static final float L4 = 1.4249322787e-1f;
    static final float L5 = -1.6668057665e-1f;
    static final float L6 = 2.0000714765e-1f;
    static final float L7 = -2.4999993993e-1f;
    static final float L8 = 3.3333331174e-1f;

    private FloatMath() {
    }

    /** {@code a b + c}, fused where {@link #FMA}. */
    static float fma(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }

    /** The rounded {@code x log2(e)} plus {@link #ROUNDER}: the integer {@code n} of {@code e^x = 2^n e^r} in its low bits. */
    private static float rounded(float x) {
        return fma(x, LOG2E, ROUNDER);
    }

    /** {@code e^r - 1} for the reduced argument {@code r = x - n ln2} of {@code x}, {@code |r| <= ln2 / 2}. */
    private static float expm1Reduced(float x, float n) {
        float r = fma(n, -LN2_HI, x);
        r = fma(n, -LN2_LO, r);
        float p = fma(P0, r, P1);
        p = fma(p, r, P2);
        p = fma(p, r, P3);
        p = fma(p, r, P4);
        return fma(p, r * r, r);
    }

    /** {@code 2^k} for an integer {@code k} in {@code [-126, 127]}. */
    private static float pow2(int k) {
        return Float.intBitsToFloat((k + 127) << 23);
    }

    /**
     * {@code e^x} for {@code x <= 0} (and NaN) within 2 ulp: exactly 0 below {@link #EXP_UNDERFLOW}
     * and for {@code -inf}, NaN for NaN. {@code (e^r - 1) 2^n + 2^n} in one multiply-add, which is
     * {@code ((e^r - 1) + 1) 2^n} (a power of two scales exactly) except where the result is
     * subnormal, there rounded once instead of twice.
     */
    static float exp(float x) {
        float t = rounded(x);
        float n = t - ROUNDER;
        float p2 = pow2(Float.floatToRawIntBits(t) - ROUNDER_BITS);
        float e = fma(expm1Reduced(x, n), p2, p2);
        return x < EXP_UNDERFLOW ? 0f : e;
    }

    /**
     * {@code e^x} for any {@code x} within 2 ulp: exactly 0 below {@link #EXP_UNDERFLOW},
     * {@code +inf} above {@link #EXP_OVERFLOW}, NaN for NaN. {@code 2^n} is applied in two halves,
     * so that {@code n = 128} (just below the overflow bound) stays finite.
     */
    static float expAny(float x) {
        float t = rounded(x);
        float n = t - ROUNDER;
        int k = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        int h = k >> 1;
        float e = ((expm1Reduced(x, n) + 1f) * pow2(h)) * pow2(k - h);
        return x < EXP_UNDERFLOW ? 0f : x > EXP_OVERFLOW ? Float.POSITIVE_INFINITY : e;
    }

    /**
     * {@code e^x - 1} for {@code 0 <= x <= 88} (and NaN): {@code (e^r - 1) 2^n + (2^n - 1)}, which is
     * the polynomial itself, without cancellation, for {@code |x| <= ln2 / 2} ({@code n = 0}).
     */
    static float expm1(float x) {
        float t = rounded(x);
        float n = t - ROUNDER;
        float p2 = pow2(Float.floatToRawIntBits(t) - ROUNDER_BITS);
        return fma(expm1Reduced(x, n), p2, p2 - 1f);
    }

    /**
     * {@code ln x} within 1 ulp: {@code -inf} at {@code ±0}, {@code +inf} at {@code +inf}, NaN below 0
     * and for NaN; subnormal arguments are exact. Cephes' {@code logf} on {@code x = 2^k (1 + m)} with
     * {@code 1 + m} in {@code [sqrt(1/2), sqrt(2))}.
     */
    static float log(float x) {
        boolean subnormal = x < Float.MIN_NORMAL;
        float xs = subnormal ? x * TWO_23 : x;
        int bits = Float.floatToRawIntBits(xs);
        int k = (bits - SQRT_HALF_BITS) >> 23;
        float m = Float.intBitsToFloat(bits - (k << 23)) - 1f;
        float fk = (float) k - (subnormal ? 23f : 0f);
        float z = m * m;
        float p = fma(L0, m, L1);
        p = fma(p, m, L2);
        p = fma(p, m, L3);
        p = fma(p, m, L4);
        p = fma(p, m, L5);
        p = fma(p, m, L6);
        p = fma(p, m, L7);
        p = fma(p, m, L8);
        float y = (p * m) * z;
        y = fma(fk, LN2_LO, y);
        y = fma(-0.5f, z, y);
        float r = fma(fk, LN2_HI, m + y);
        if (!(x > 0f)) {
            return x == 0f ? Float.NEGATIVE_INFINITY : Float.NaN;
        }
        return x == Float.POSITIVE_INFINITY ? x : r;
    }

    /**
     * {@code ln(1 + u)} for finite {@code u >= -1} (and NaN): {@code ln w + (u - (w - 1)) / w} with
     * {@code w = 1 + u}, the correction term restoring what rounding {@code w} lost; {@code -inf}
     * at {@code u = -1}.
     */
    static float log1p(float u) {
        float w = 1f + u;
        float c = u - (w - 1f);
        return log(w) + (c == 0f ? 0f : c / w);
    }

    /** {@code log1p} where {@code w = 1 + u} and {@code 1 / w} are already at hand ({@code 1 <= w}). */
    static float log1p(float u, float w, float inverseW) {
        return fma(u - (w - 1f), inverseW, log(w));
    }

    /** Whether HotSpot uses FMA instructions ({@code -XX:+UseFMA}, on by default where the CPU has them). */
    private static boolean fastFma() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hs = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return hs != null && Boolean.parseBoolean(hs.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
