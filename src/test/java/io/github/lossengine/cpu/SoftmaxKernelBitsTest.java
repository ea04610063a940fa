package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatKernels#max} and {@link FloatKernels#expSum}, the two kernels of softmax
 * cross-entropy's first pass, and {@link FloatKernels#smoothedRow}, its label-smoothing pass, give the same bits on the Vector API kernels (which this test JVM
 * enables) as on the scalar kernels, for ranges of every length from 0 to past three blocks of
 * {@link FloatKernels#BLOCK} (whole blocks, a last block of whole vectors, ragged tails), at odd
 * offsets, with and without the output row, and with {@code -inf} (masked), NaN, very negative and
 * signed-zero entries, with and without class weights. The vector kernels keep several running
 * maxima and call the scalar tail once after the last block; these are the cases that would show a
 * changed order or a lost tail.
 */
class SoftmaxKernelBitsTest {
    private static final int MAX_LENGTH = 3 * FloatKernels.BLOCK + 37;

    /** The Vector API kernels, which this test JVM must have selected (else the comparison would be vacuous). */
    private static FloatKernels vectorKernels() {
        assertTrue(KernelSelection.active().vectorised(), KernelSelection.active().line());
        return KernelSelection.kernels();
    }

    @Test
    void maxAndExpSumAreTheScalarKernelsBitsOnEveryLengthAndOffset() {
        FloatKernels v = vectorKernels();
        FloatKernels s = new ScalarKernels();
        Random rnd = new Random(41);
        float[] z = new float[MAX_LENGTH + 16];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (rnd.nextGaussian() * 6);
        }
        z[5] = Float.NEGATIVE_INFINITY;
        z[600] = Float.NEGATIVE_INFINITY;
        z[777] = -200f;
        z[1100] = -0f;
        int checked = 0;
        for (int from : new int[] {0, 3, 13}) {
            for (int len = 0; len <= MAX_LENGTH; len += len < 70 ? 1 : 29) {
                int to = from + len;
                float m = s.max(z, from, to);
                assertEquals(Float.floatToRawIntBits(m), Float.floatToRawIntBits(v.max(z, from, to)),
                        "max of [" + from + ", " + to + ")");
                if (m == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                float[] outS = new float[len + 5];
                float[] outV = new float[len + 5];
                double ss = s.expSum(z, from, to, m, outS, 5);
                double sv = v.expSum(z, from, to, m, outV, 5);
                assertEquals(Double.doubleToRawLongBits(ss), Double.doubleToRawLongBits(sv),
                        "expSum of [" + from + ", " + to + "): " + ss + " scalar, " + sv + " vector");
                assertArrayEquals(outS, outV, "exp(z - m) of [" + from + ", " + to + ")");
                assertEquals(Double.doubleToRawLongBits(ss), Double.doubleToRawLongBits(v.expSum(z, from, to, m, null, 0)),
                        "expSum without output of [" + from + ", " + to + ")");
                checked++;
            }
        }
        assertTrue(checked > 200, checked + " ranges");
    }

    @Test
    void aNaNWinsTheMaximumAndTheSum() {
        FloatKernels v = vectorKernels();
        FloatKernels s = new ScalarKernels();
        float[] z = new float[2 * FloatKernels.BLOCK + 11];
        for (int i = 0; i < z.length; i++) {
            z[i] = i % 17 - 8f;
        }
        for (int at : new int[] {0, 9, 40, 700, z.length - 1}) {
            float[] a = z.clone();
            a[at] = Float.NaN;
            assertTrue(Float.isNaN(v.max(a, 0, a.length)), "NaN at " + at);
            assertTrue(Float.isNaN(s.max(a, 0, a.length)), "NaN at " + at);
            assertTrue(Double.isNaN(v.expSum(a, 0, a.length, 8f, null, 0)), "NaN at " + at);
        }
    }

    @Test
    void smoothedRowIsTheScalarKernelsBitsOnEveryLengthAndOffset() {
        FloatKernels v = vectorKernels();
        FloatKernels s = new ScalarKernels();
        Random rnd = new Random(43);
        int n = MAX_LENGTH + 16;
        float[] z = new float[n];
        float[] g0 = new float[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (rnd.nextGaussian() * 4);
            g0[i] = rnd.nextFloat();
            w[i] = 0.25f + rnd.nextFloat();
        }
        z[2] = Float.NEGATIVE_INFINITY;
        z[530] = Float.NEGATIVE_INFINITY;
        z[1300] = Float.NEGATIVE_INFINITY;
        int checked = 0;
        for (int from : new int[] {0, 5}) {
            for (int len = 0; len + from <= MAX_LENGTH; len += len < 40 ? 1 : 31) {
                for (float[] weights : new float[][] {null, w}) {
                    double[] sumsS = new double[2];
                    double[] sumsV = new double[2];
                    float[] gS = g0.clone();
                    float[] gV = g0.clone();
                    s.smoothedRow(z, from, gS, from + 3, weights, from + 1, len, 0.7f, 0.01f, 9f, sumsS);
                    v.smoothedRow(z, from, gV, from + 3, weights, from + 1, len, 0.7f, 0.01f, 9f, sumsV);
                    String where = "[" + from + ", " + (from + len) + ")" + (weights == null ? "" : " weighted");
                    assertEquals(Double.doubleToRawLongBits(sumsS[0]), Double.doubleToRawLongBits(sumsV[0]), "distance of " + where);
                    assertEquals(Double.doubleToRawLongBits(sumsS[1]), Double.doubleToRawLongBits(sumsV[1]), "weight of " + where);
                    assertArrayEquals(gS, gV, "gradient of " + where);
                    v.smoothedRow(z, from, null, 0, weights, from + 1, len, 0f, 0f, 9f, sumsV);
                    assertEquals(Double.doubleToRawLongBits(sumsS[0]), Double.doubleToRawLongBits(sumsV[0]), "distance without gradient of " + where);
                    checked++;
                }
            }
        }
        assertTrue(checked > 150, checked + " ranges");
    }
}
