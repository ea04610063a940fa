package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The accuracy {@link FloatMath} documents, against {@link Math}'s double functions, over dense
 * sweeps of each domain, and the exact special values (0, ±inf, NaN, subnormals, the bounds of
 * {@code exp}). The vector twin is checked element for element through the kernels' tests.
 */
class FloatMathTest {

    private static void assertWithin(double ulps, double abs, float got, double exact, String what) {
        double tol = ulps * Math.ulp((float) exact) + abs;
        assertTrue(Math.abs(got - exact) <= tol, () -> what + ": " + got + " against " + exact);
    }

    private static void sweep(float from, float to, int steps, double ulps, double abs,
                              java.util.function.Function<Float, Float> f, DoubleUnaryOperator exact, String name) {
        for (int i = 0; i <= steps; i++) {
            float x = from + (to - from) * i / steps;
            assertWithin(ulps, abs, f.apply(x), exact.applyAsDouble(x), name + "(" + x + ")");
        }
    }

    @Test
    void exponentialsAreWithinTwoUlp() {
        sweep(-87.3f, 0f, 200_000, 2, 0, FloatMath::exp, Math::exp, "exp");
        sweep(-87.3f, 88.72f, 200_000, 2, 0, FloatMath::expAny, Math::exp, "expAny");
        // n = 128: just below ln FLT_MAX, finite (a single 2^n would overflow)
        assertWithin(2, 0, FloatMath.expAny(88.7f), Math.exp(88.7f), "expAny(88.7)");
        assertTrue(Float.isFinite(FloatMath.expAny(88.72f)));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.expAny(88.73f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.expAny(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.expAny(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(FloatMath.expAny(Float.NaN)));
    }

    @Test
    void expm1KeepsSmallArgumentsExactly() {
        sweep(0f, 88f, 200_000, 2, 0, FloatMath::expm1, Math::expm1, "expm1");
        for (float x = 1e-30f; x < 0.35f; x *= 1.37f) {
            assertWithin(2, 0, FloatMath.expm1(x), Math.expm1(x), "expm1(" + x + ")");
        }
        assertEquals(0f, FloatMath.expm1(0f));
        assertTrue(Float.isNaN(FloatMath.expm1(Float.NaN)));
    }

    @Test
    void logIsWithinOneUlpIncludingSubnormals() {
        for (int bits = 1; bits < 0x7f800000; bits += 4099) {     // every binade, subnormals included
            float x = Float.intBitsToFloat(bits);
            assertWithin(1, 0, FloatMath.log(x), Math.log(x), "log(" + x + ")");
        }
        sweep(0.5f, 2f, 200_000, 1, 0, FloatMath::log, Math::log, "log");
        assertEquals(0f, FloatMath.log(1f));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(0f));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(-0f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.log(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(FloatMath.log(-1f)));
        assertTrue(Float.isNaN(FloatMath.log(Float.NEGATIVE_INFINITY)));
        assertTrue(Float.isNaN(FloatMath.log(Float.NaN)));
    }

    @Test
    void log1pIsWithinTwoUlp() {
        sweep(-0.999f, 1e4f, 200_000, 2, 0, FloatMath::log1p, Math::log1p, "log1p");
        for (float u = 1e-30f; u < 1; u *= 1.37f) {
            assertWithin(2, 0, FloatMath.log1p(u), Math.log1p(u), "log1p(" + u + ")");
            assertWithin(2, 0, FloatMath.log1p(-u), Math.log1p(-u), "log1p(" + -u + ")");
            float w = 1f + u;
            assertWithin(2, 0, FloatMath.log1p(u, w, 1f / w), Math.log1p(u), "log1p(" + u + ", w, 1/w)");
        }
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log1p(-1f));
        assertEquals(0f, FloatMath.log1p(0f));
        assertTrue(Float.isNaN(FloatMath.log1p(Float.NaN)));
    }
}
