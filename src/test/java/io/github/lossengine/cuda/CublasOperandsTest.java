package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The operand mapping of the cuBLAS calls, run through a column-major GEMM reference written here
 * (cuBLAS's semantics: {@code C = alpha op(A) op(B) + beta C}) on the row-major buffers and compared
 * with the three row-major products computed directly.
 */
class CublasOperandsTest {
    private static final int ROWS = 3;
    private static final int D = 4;
    private static final int V = 5;

    /** Column-major {@code C = op(A) op(B) + beta C} with cuBLAS's argument meanings. */
    private static void gemmColumnMajor(CublasOperands.Call c, float[] a, float[] b, float[] out) {
        for (int j = 0; j < c.n(); j++) {
            for (int i = 0; i < c.m(); i++) {
                double s = 0;
                for (int p = 0; p < c.k(); p++) {
                    float x = c.transa() == CublasOperands.OP_N ? a[i + p * c.lda()] : a[p + i * c.lda()];
                    float y = c.transb() == CublasOperands.OP_N ? b[p + j * c.ldb()] : b[j + p * c.ldb()];
                    s += (double) x * y;
                }
                out[i + j * c.ldc()] = (float) (s + c.beta() * out[i + j * c.ldc()]);
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(7) - 3; // small integers: every sum is exact in float
        }
        return x;
    }

    private final Random rnd = new Random(12);
    private final float[] h = random(rnd, ROWS * D);
    private final float[] w = random(rnd, V * D);
    private final float[] dz = random(rnd, ROWS * V);
    private final Map<CublasOperands.Operand, float[]> buffers = Map.of(CublasOperands.Operand.HIDDEN, h,
            CublasOperands.Operand.WEIGHT, w, CublasOperands.Operand.DZ, dz);

    private float[] run(CublasOperands.Call c, float[] out) {
        gemmColumnMajor(c, buffers.get(c.a()), buffers.get(c.b()), out);
        return out;
    }

    @Test
    void logitsAreHTimesWTransposed() {
        float[] want = new float[ROWS * V];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < V; j++) {
                for (int p = 0; p < D; p++) {
                    want[i * V + j] += h[i * D + p] * w[j * D + p];
                }
            }
        }
        assertArrayEquals(want, run(CublasOperands.logits(ROWS, D, V), new float[ROWS * V]));
    }

    @Test
    void hiddenGradientIsDzTimesW() {
        float[] want = new float[ROWS * D];
        for (int i = 0; i < ROWS; i++) {
            for (int p = 0; p < D; p++) {
                for (int j = 0; j < V; j++) {
                    want[i * D + p] += dz[i * V + j] * w[j * D + p];
                }
            }
        }
        assertArrayEquals(want, run(CublasOperands.hiddenGradient(ROWS, D, V), new float[ROWS * D]));
    }

    @Test
    void weightGradientAccumulatesDzTransposedTimesH() {
        float[] before = random(rnd, V * D);
        float[] want = before.clone();
        for (int j = 0; j < V; j++) {
            for (int p = 0; p < D; p++) {
                for (int i = 0; i < ROWS; i++) {
                    want[j * D + p] += dz[i * V + j] * h[i * D + p];
                }
            }
        }
        assertArrayEquals(want, run(CublasOperands.weightGradient(ROWS, D, V), before.clone()));
    }
}
