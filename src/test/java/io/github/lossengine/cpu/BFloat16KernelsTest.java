package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.HalfFloats;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bulk bfloat16 conversions of the fused kernels (vectorised in the test JVM) against
 * {@link HalfFloats}, element by element: every one of the 65,536 patterns widened, and rounding
 * of random floats, ties, ±Inf, NaN and Float.MAX_VALUE, with lengths that leave vector tails.
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
}
