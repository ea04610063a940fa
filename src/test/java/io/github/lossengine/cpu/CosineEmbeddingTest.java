package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** Cosine embedding loss: orthogonal and parallel vectors by hand, a double reference with finite differences, refused inputs. */
class CosineEmbeddingTest extends EmbeddingLossTest {
    private static final int N = 12;
    private static final int D = 3;
    private static final double EPS = 1e-12;

    private static Tensor label(float y) {
        return Tensor.of(new float[] {y}, 1);
    }

    @Test
    void orthogonalVectors() {
        // cos = 0: similar pair 1 - 0 = 1, gradient -(d cos / d x1) = -x2 / (|x1| |x2|) = (0, -1)
        LossResult similar = engine.compute(Losses.cosineEmbedding(), row(1, 0), row(0, 1), label(1));
        assertEquals(1.0, similar.value(), 1e-12);
        assertArrayEquals(new float[] {0, -1}, similar.gradient(0).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {-1, 0}, similar.gradient(1).toFloatArray(), 1e-7f);
        // dissimilar pair, margin 0: max(0, 0 - 0) = 0 at the kink; clamp_min passes the gradient d cos / d x
        LossResult dissimilar = engine.compute(Losses.cosineEmbedding(), row(1, 0), row(0, 1), Tensor.ofInts(new int[] {-1}, 1));
        assertEquals(0.0, dissimilar.value(), 0);
        assertArrayEquals(new float[] {0, 1}, dissimilar.gradient(0).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {1, 0}, dissimilar.gradient(1).toFloatArray(), 1e-7f);
        // below the margin: loss and gradient 0
        LossResult below = engine.compute(Losses.cosineEmbedding().margin(0.5), row(1, 0), row(0, 1), label(-1));
        assertEquals(0.0, below.value(), 0);
        assertArrayEquals(new float[] {0, 0}, below.gradient(0).toFloatArray());
    }

    @Test
    void parallelAndOppositeVectors() {
        // (1, 2) and (2, 4): cos = 10 / sqrt(5 * 20) = 1 (up to EPS): similar 0, dissimilar with margin 0.5 -> 0.5
        assertEquals(0.0, engine.evaluate(Losses.cosineEmbedding(), row(1, 2), row(2, 4), label(1)).value(), 1e-12);
        assertEquals(0.5, engine.evaluate(Losses.cosineEmbedding().margin(0.5), row(1, 2), row(2, 4), label(-1)).value(), 1e-12);
        // opposite: cos = -1, similar pair loss 2
        assertEquals(2.0, engine.evaluate(Losses.cosineEmbedding(), row(1, 2), row(-2, -4), label(1)).value(), 1e-12);
        // at cos = 1 the gradient vanishes: x2 / (|x1||x2|) - cos x1 / |x1|^2 = (2, 4)/10 - (1, 2)/5 = 0
        LossResult r = engine.compute(Losses.cosineEmbedding(), row(1, 2), row(2, 4), label(1));
        assertArrayEquals(new float[] {0, 0}, r.gradient(0).toFloatArray(), 1e-7f);
    }

    @Test
    void angleOfSixtyDegreesByHand() {
        // x1 = (1, 0), x2 = (1, sqrt 3): cos = 1/2; y = -1, margin 0.2 -> 0.3
        // d cos / d x1 = x2 / 2 - cos x1 / 1 = (0.5, sqrt3/2) - (0.5, 0) = (0, sqrt3/2)
        float s3 = (float) Math.sqrt(3);
        LossResult r = engine.compute(Losses.cosineEmbedding().margin(0.2), row(1, 0), row(1, s3), label(-1));
        assertEquals(0.3, r.value(), 1e-7);
        assertArrayEquals(new float[] {0, s3 / 2}, r.gradient(0).toFloatArray(), 1e-6f);
    }

    @Test
    void zeroVectorGivesCosineZeroAndFiniteGradient() {
        // EPS keeps the denominator positive: cos = 0, loss 1, gradient -x2 / sqrt(EPS (|x2|^2 + EPS)) (large, finite)
        LossResult r = engine.compute(Losses.cosineEmbedding(), row(0, 0), row(3, 4), label(1));
        assertEquals(1.0, r.value(), 0);
        double denom = Math.sqrt(EPS * (25 + EPS));
        assertEquals(-3 / denom, r.gradient(0).getFloat(0), 3 / denom * 1e-6);
        assertEquals(-4 / denom, r.gradient(0).getFloat(1), 4 / denom * 1e-6);
        assertTrue(Float.isFinite(r.gradient(0).getFloat(1)));
        assertArrayEquals(new float[] {0, 0}, r.gradient(1).toFloatArray(), 0f);
    }

    private static double cosine(double[] x1, double[] x2, int i) {
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int j = 0; j < D; j++) {
            dot += x1[i * D + j] * x2[i * D + j];
            a += x1[i * D + j] * x1[i * D + j];
            b += x2[i * D + j] * x2[i * D + j];
        }
        return dot / Math.sqrt((a + EPS) * (b + EPS));
    }

    /** The reference: the per-pair losses. */
    private static double[] rows(double[][] in, double margin) {
        double[] out = new double[N];
        for (int i = 0; i < N; i++) {
            double cos = cosine(in[0], in[1], i);
            out[i] = in[2][i] == 1 ? 1 - cos : Math.max(0, cos - margin);
        }
        return out;
    }

    @Test
    void matchesReferenceAndFiniteDifferencesForEveryOption() {
        RandomTensors rnd = new RandomTensors(31);
        Tensor x1 = rnd.uniform(-2, 2, N, D);
        Tensor x2 = rnd.uniform(-2, 2, N, D);
        double[][] xs = GradientCheck.toDouble(x1, x2);
        for (double margin : new double[] {0, 0.3, -0.4}) {
            // labels alternate, but a dissimilar pair within 0.01 of the margin kink becomes similar
            int[] y = new int[N];
            int active = 0;
            int inactive = 0;
            for (int i = 0; i < N; i++) {
                double inner = cosine(xs[0], xs[1], i) - margin;
                y[i] = i % 2 == 1 && Math.abs(inner) > 0.01 ? -1 : 1;
                if (y[i] == -1) {
                    active += inner > 0 ? 1 : 0;
                    inactive += inner > 0 ? 0 : 1;
                }
            }
            assertTrue(active > 0 && inactive > 0, "test data: dissimilar pairs on both sides of the margin");
            Tensor intLabels = Tensor.ofInts(y, N);
            float[] fy = new float[N];
            for (int i = 0; i < N; i++) {
                fy[i] = y[i];
            }
            for (Tensor labels : new Tensor[] {intLabels, Tensor.of(fy, N)}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    CosineEmbedding loss = Losses.cosineEmbedding().margin(margin).reduction(r);
                    LossResult res = GradientCheck.check(engine, loss,
                            GradientCheck.reduced(r, N, N, in -> rows(in, margin)), x1, x2, labels);
                    if (r == Reduction.NONE) {
                        assertArrayEquals(new long[] {N}, res.values().shape());
                    }
                }
            }
        }
    }

    @Test
    void reductionsAgreeAndInputsAreUntouched() {
        RandomTensors rnd = new RandomTensors(2);
        assertReductionsAgree(Losses.cosineEmbedding().margin(0.1), rnd.normal(1, N, D), rnd.normal(1, N, D), rnd.signs(N));
    }

    @Test
    void nanPropagatesToItsRowOnly() {
        Tensor x1 = Tensor.of(new float[] {Float.NaN, 1, 1, 0}, 2, 2);
        Tensor x2 = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        LossResult r = engine.compute(Losses.cosineEmbedding().reduction(Reduction.NONE), x1, x2, Tensor.of(new float[] {-1, 1}, 2));
        assertTrue(Float.isNaN(r.values().getFloat(0)));
        assertEquals(1f, r.values().getFloat(1), 1e-7f);
        assertTrue(Float.isNaN(r.gradient(0).getFloat(1)) && Float.isNaN(r.gradient(1).getFloat(0)));
        assertEquals(-1f, r.gradient(0).getFloat(3), 1e-7f);
    }

    @Test
    void refusesLabelsOtherThanPlusMinusOne() {
        Tensor x = Tensor.of(new float[6], 3, 2);
        assertRefused(Losses.cosineEmbedding(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[] {1, -1, 0}, 3)}, "y[2] = 0", "-1", "+1");
        assertRefused(Losses.cosineEmbedding(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.ofLongs(new long[] {2, 1, 1}, 3)}, "y[0] = 2");
        assertRefused(Losses.cosineEmbedding(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[] {1, 0.99f, 1}, 3)}, "y[1] = 0.99");
    }

    @Test
    void refusesShapeMismatchesAndWrongTypes() {
        Tensor x = Tensor.of(new float[6], 3, 2);
        Tensor y = Tensor.of(new float[] {1, 1, 1}, 3);
        assertRefused(Losses.cosineEmbedding(), "x2",
                new Tensor[] {x, Tensor.of(new float[6], 2, 3), y}, "[2, 3]", "[3, 2]");
        assertRefused(Losses.cosineEmbedding(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[] {1, 1, 1, 1}, 4)}, "[4]", "[3, 2]");
        assertRefused(Losses.cosineEmbedding(), "x1",
                new Tensor[] {Tensor.ofInts(new int[6], 3, 2), Tensor.of(new float[6], 3, 2), y}, "float32", "INT32");
        assertRefused(Losses.cosineEmbedding(), "x1",
                new Tensor[] {Tensor.of(new float[6], 1, 3, 2), Tensor.of(new float[6], 1, 3, 2), y}, "[N, D]", "[1, 3, 2]");
    }
}
