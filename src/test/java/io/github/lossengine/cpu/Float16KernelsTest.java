package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.HalfFloats;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bulk binary16 conversions of the fused kernels (vectorised in the test JVM) against
 * {@link HalfFloats}, bit for bit: every one of the 65,536 patterns widened; rounding of every
 * half's value, every midpoint between neighbouring halves (ties to even), the values next to each
 * midpoint, the subnormal and overflow boundaries, NaN payloads, and random floats, with lengths
 * that leave vector tails.
 */
class Float16KernelsTest {

    @Test
    void everyPatternWidensExactly() {
        FloatKernels k = KernelSelection.kernels();
        assertTrue(KernelSelection.active().vectorised(), KernelSelection.active().line());
        short[] all = new short[65536 + 5];
        for (int h = 0; h < all.length; h++) {
            all[h] = (short) h;
        }
        float[] wide = new float[all.length - 2];
        k.widenFloat16(all, 2, wide, wide.length);
        for (int j = 0; j < wide.length; j++) {
            assertEquals(Float.floatToRawIntBits(HalfFloats.float16ToFloat(all[2 + j])), Float.floatToRawIntBits(wide[j]),
                    "pattern 0x" + Integer.toHexString(all[2 + j] & 0xffff));
        }
    }

    @Test
    void roundingMatchesTheScalarConversion() {
        FloatKernels k = KernelSelection.kernels();
        float[] f = new float[65536 * 4 + 4099];
        int at = 0;
        for (int h = 0; h < 65536; h++) {
            float v = HalfFloats.float16ToFloat((short) h);
            float next = HalfFloats.float16ToFloat((short) (h + 1));
            f[at++] = v;
            if (Float.isFinite(v) && Float.isFinite(next) && (h & 0x7fff) != 0x7bff && h != 0x7fff && h != 0xffff) {
                float mid = (float) (((double) v + next) / 2); // exact: halves have 11 significant bits
                f[at++] = mid;
                f[at++] = Math.nextUp(mid);
                f[at++] = Math.nextDown(mid);
            } else {
                f[at++] = Float.intBitsToFloat(0x7f800000 | (h << 4)); // NaN payloads (or +inf for h = 0)
                f[at++] = Float.intBitsToFloat(0xff800001 + h);
                f[at++] = 65519.996f + h;
            }
        }
        float[] edges = {65504f, 65519.99f, 65520f, 0x1p-14f, Math.nextDown(0x1p-14f), 0x1p-24f, 0x1p-25f,
            Math.nextUp(0x1p-25f), Math.nextDown(0x1p-25f), Float.MIN_VALUE, Float.MAX_VALUE, -0f, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Random r = new Random(11);
        while (at < f.length) {
            int kind = r.nextInt(3);
            f[at++] = kind == 0 ? edges[r.nextInt(edges.length)] : kind == 1 ? Float.intBitsToFloat(r.nextInt())
                    : (float) (r.nextGaussian() * Math.pow(2, r.nextInt(40) - 28));
        }
        short[] out = new short[f.length + 3];
        k.roundFloat16(f, out, 3, f.length);
        for (int j = 0; j < f.length; j++) {
            assertEquals(HalfFloats.floatToFloat16(f[j]), out[3 + j], "element " + j + " = " + f[j] + " (0x"
                    + Integer.toHexString(Float.floatToRawIntBits(f[j])) + ")");
        }
    }
}
