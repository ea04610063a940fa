package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.HalfFloats;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bulk bfloat16 conversions of the fused kernels (vectorised in the test JVM) against
 * {@link HalfFloats}, element by element: every one of the 65,536 patterns widened, and rounding
 * of random floats, ties, ±Inf, NaN and Float.MAX_VALUE, with lengths that leave vector tails; the
 * widening with the maximum taken on the 16-bit patterns against {@link Math#max} on the floats.
 */
class BFloat16KernelsTest {

    @Test
    void bulkConversionsMatchTheScalarOnes() {
        FloatKernels k = KernelSelection.kernels();
        assertTrue(KernelSelection.active().vectorised(), KernelSelection.active().line());
        short[] all = new short[65536 + 3];
        for (int h = 0; h < all.length; h++) {
            all[h] = (short) h;
        }
        float[] wide = new float[all.length - 1];
        k.widenBFloat16(all, 1, wide, wide.length);
        for (int j = 0; j < wide.length; j++) {
            assertEquals(Float.floatToRawIntBits(HalfFloats.bfloat16ToFloat(all[1 + j])), Float.floatToRawIntBits(wide[j]));
        }
        Random r = new Random(3);
        float[] f = new float[10_007];
        for (int j = 0; j < f.length; j++) {
            int kind = r.nextInt(6);
            f[j] = switch (kind) {
                case 0 -> Float.intBitsToFloat(r.nextInt());
                case 1 -> Float.intBitsToFloat((r.nextInt() & 0xffff0000) | 0x8000); // a tie
                case 2 -> new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                    -0f, Float.MIN_VALUE, Float.intBitsToFloat(0x7f800001)}[r.nextInt(7)];
                default -> (float) r.nextGaussian() * 10;
            };
        }
        short[] out = new short[f.length + 5];
        k.roundBFloat16(f, out, 5, f.length);
        for (int j = 0; j < f.length; j++) {
            short want = HalfFloats.floatToBFloat16(f[j]);
            assertEquals(want, out[5 + j], "element " + j + " = " + f[j]);
        }
    }

    /**
     * widenMaxBFloat16 (the maximum taken as ordered integers on the patterns, 16 at a time): the
     * same widened values and the same maximum as {@code Math.max} over them, for every offset and
     * length up to 70 (vector bodies and tails), on runs of negatives, of -inf and signed zeros,
     * with a NaN anywhere (the maximum is NaN), and over all 65,536 patterns but the NaNs.
     */
    @Test
    void widenMaxTakesTheMaximumOnThePatterns() {
        FloatKernels k = KernelSelection.kernels();
        Random r = new Random(5);
        short[][] pools = {
            {(short) 0xff80, (short) 0x8000, 0x0000, (short) 0xff80}, // -inf, -0, +0
            {(short) 0xbf80, (short) 0xc000, (short) 0xff7f, (short) 0x8001}, // negatives only
            {0x3f80, (short) 0xbf80, 0x7f7f, (short) 0xff7f, 0x0001, 0x7f80}, // +inf and finite
        };
        for (short[] pool : pools) {
            for (int n = 0; n <= 70; n++) {
                for (int nan = -1; nan < Math.min(n, 40); nan += 13) {
                    short[] src = new short[n + 3];
                    for (int j = 0; j < src.length; j++) {
                        src[j] = pool[r.nextInt(pool.length)];
                    }
                    if (nan >= 0) {
                        src[3 + nan] = (short) (r.nextBoolean() ? 0x7fc1 : 0xff81); // NaN of either sign
                    }
                    checkWidenMax(k, src, 3, n);
                }
            }
        }
        short[] all = new short[65536 - 2 * 127];
        int at = 0;
        for (int h = 0; h < 65536; h++) {
            if ((h & 0x7fff) <= 0x7f80) {
                all[at++] = (short) h;
            }
        }
        checkWidenMax(k, all, 0, all.length);
        checkWidenMax(k, all, 0, 32768 - 127); // the non-negative patterns: +inf last
    }

    private static void checkWidenMax(FloatKernels k, short[] src, int from, int n) {
        float[] dst = new float[n + 2];
        float got = k.widenMaxBFloat16(src, from, dst, 2, n);
        float want = Float.NEGATIVE_INFINITY;
        float[] wide = new float[n + 2];
        for (int j = 0; j < n; j++) {
            wide[2 + j] = HalfFloats.bfloat16ToFloat(src[from + j]);
            want = Math.max(want, wide[2 + j]);
        }
        assertArrayEquals(wide, dst, "widened, n = " + n);
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), "maximum of n = " + n + ": " + want + " vs " + got);
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(new ScalarKernels().widenMaxBFloat16(src, from,
                new float[n], 0, n)), "the scalar kernel");
    }
}
