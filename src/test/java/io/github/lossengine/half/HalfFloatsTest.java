package io.github.lossengine.half;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.HalfFloats;
import org.junit.jupiter.api.Test;

/**
 * The float32 conversions of bfloat16 and IEEE binary16, against every one of the 65,536 bit
 * patterns: widening against an independent formula, narrowing round trips, and rounding of every
 * midpoint between neighbours (ties to even) and of the floats just beside it; NaN, ±Inf,
 * overflow and subnormals.
 */
class HalfFloatsTest {

    /** binary16 by its definition, in double. */
    static double half(int h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        double v;
        if (exp == 0x1f) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = mant * Math.pow(2, -24);
        } else {
            v = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
        }
        return sign == 1 ? -v : v;
    }

    @Test
    void float16WidensExactlyForEveryPattern() {
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloats.float16ToFloat((short) h);
            double expected = half(h);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(f), "NaN pattern " + Integer.toHexString(h));
                assertEquals((h >>> 15) == 1, (Float.floatToRawIntBits(f) >>> 31) == 1, "NaN sign");
            } else {
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(f), Integer.toHexString(h));
            }
        }
    }

    @Test
    void float16NarrowsEveryPatternBackAndNaNStaysNaN() {
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloats.float16ToFloat((short) h);
            short back = HalfFloats.floatToFloat16(f);
            if (Float.isNaN(f)) {
                int b = back & 0xffff;
                assertTrue((b & 0x7c00) == 0x7c00 && (b & 0x3ff) != 0, "NaN stays NaN: " + Integer.toHexString(h));
                assertEquals(h & 0x8000, b & 0x8000);
            } else {
                assertEquals(h, back & 0xffff, Integer.toHexString(h));
            }
        }
    }

    /** Rounds every midpoint between neighbours a = h, b = h + 1 (same sign, both finite), and the floats beside it. */
    @Test
    void float16RoundsToNearestEvenAtEveryMidpoint() {
        for (int sign = 0; sign <= 0x8000; sign += 0x8000) {
            for (int m = 0; m < 0x7c00; m++) {
                int h = sign | m;
                double a = half(h);
                double b = m + 1 == 0x7c00 ? (sign == 0 ? 65536.0 : -65536.0) : half(h + 1);
                float mid = (float) ((a + b) / 2);
                assertEquals((a + b) / 2, mid, 0.0, "midpoint exact in float32");
                int even = (m & 1) == 0 ? h : h + 1;
                check(even, mid, "tie at " + Integer.toHexString(h));
                float toA = sign == 0 ? Math.nextDown(mid) : Math.nextUp(mid);
                float toB = sign == 0 ? Math.nextUp(mid) : Math.nextDown(mid);
                check(h, toA, "below the midpoint of " + Integer.toHexString(h));
                check(h + 1, toB, "above the midpoint of " + Integer.toHexString(h));
            }
        }
        check(0x7c00, Float.POSITIVE_INFINITY, "+inf");
        check(0xfc00, Float.NEGATIVE_INFINITY, "-inf");
        check(0x7c00, Float.MAX_VALUE, "overflow");
        check(0x0000, Float.MIN_VALUE, "below half the smallest subnormal");
        check(0x8000, -0.0f, "-0");
    }

    private static void check(int expected, float f, String what) {
        int got = HalfFloats.floatToFloat16(f) & 0xffff;
        if (got != expected) {
            fail(what + ": " + f + " gave " + Integer.toHexString(got) + ", expected " + Integer.toHexString(expected));
        }
    }

    @Test
    void bfloat16IsTheTopHalfAndRoundsToNearestEven() {
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloats.bfloat16ToFloat((short) h);
            assertEquals(h << 16, Float.floatToRawIntBits(f));
            short back = HalfFloats.floatToBFloat16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.bfloat16ToFloat(back)), "NaN stays NaN " + Integer.toHexString(h));
                assertEquals(h & 0x8000, back & 0x8000);
                continue;
            }
            assertEquals(h, back & 0xffff, Integer.toHexString(h));
            int exp = (h >>> 7) & 0xff;
            if (exp == 0xff || ((h + 1) & 0x7f80) == 0x7f80 && ((h + 1) & 0x7f) != 0) {
                continue;
            }
            // the midpoint with the next pattern (same sign; 0x7f7f's neighbour is inf), and beside it
            int midBits = (h << 16) + 0x8000;
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, HalfFloats.floatToBFloat16(Float.intBitsToFloat(midBits)) & 0xffff, "tie " + Integer.toHexString(h));
            assertEquals(h, HalfFloats.floatToBFloat16(Float.intBitsToFloat(midBits - 1)) & 0xffff);
            assertEquals(h + 1, HalfFloats.floatToBFloat16(Float.intBitsToFloat(midBits + 1)) & 0xffff);
        }
        assertEquals(0x7f80, HalfFloats.floatToBFloat16(Float.MAX_VALUE) & 0xffff, "Float.MAX_VALUE rounds to +inf");
    }
}
