package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** Contrastive loss: the seed's formula by hand, a double reference with finite differences, refused inputs. */
class ContrastiveTest extends EmbeddingLossTest {
    private static final int N = 8;
    private static final int D = 5;

    @Test
    void threeFourFiveTriangleBySeedFormula() {
        // D = ||(3, 4) - (0, 0)|| = 5 (eps 0): similar 1/2 D^2 = 12.5; dissimilar 1/2 max(0, m - D)^2 = 0.5 (m 6), 0 (m 4)
        Tensor x1 = row(3, 4);
        Tensor x2 = row(0, 0);
        Contrastive c = Losses.contrastive().eps(0);
        LossResult similar = engine.compute(c, x1, x2, Tensor.of(new float[] {0}));
        assertEquals(12.5, similar.value(), 1e-12);
        // d/dx1 of 1/2 D^2 is x1 - x2, and dx2 = -dx1
        assertArrayEquals(new float[] {3, 4}, similar.gradient(0).toFloatArray());
        assertArrayEquals(new float[] {-3, -4}, similar.gradient(1).toFloatArray());

        LossResult near = engine.compute(c.margin(6), x1, x2, Tensor.ofInts(new int[] {1}));
        assertEquals(0.5, near.value(), 1e-12);
        // -(m - D) (x1 - x2) / D = -(1) (3, 4) / 5
        assertArrayEquals(new float[] {-0.6f, -0.8f}, near.gradient(0).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {0.6f, 0.8f}, near.gradient(1).toFloatArray(), 1e-7f);

        LossResult far = engine.compute(c.margin(4), x1, x2, Tensor.ofLongs(new long[] {1}));
        assertEquals(0.0, far.value(), 0);
        assertArrayEquals(new float[] {0, 0}, far.gradient(0).toFloatArray());
        assertArrayEquals(new float[] {0, 0}, far.gradient(1).toFloatArray());
    }

    @Test
    void epsIsAddedToEachCoordinateDifference() {
        // pairwise_distance: ||x1 - x2 + eps||; with eps 0.5, (3, 4) - (0, 0) + 0.5 = (3.5, 4.5)
        LossResult r = engine.compute(Losses.contrastive().eps(0.5), row(3, 4), row(0, 0), Tensor.of(new float[] {0}));
        assertEquals(0.5 * (3.5 * 3.5 + 4.5 * 4.5), r.value(), 1e-12);
        assertArrayEquals(new float[] {3.5f, 4.5f}, r.gradient(0).toFloatArray());
    }

    @Test
    void dissimilarPairAtZeroDistanceHasZeroGradient() {
        // D = 0: loss 1/2 m^2, and the gradient (whose direction is undefined) is 0
        Tensor x = row(1, -2, 3);
        LossResult r = engine.compute(Losses.contrastive().eps(0).margin(2), x, row(1, -2, 3), Tensor.of(new float[] {1}));
        assertEquals(2.0, r.value(), 0);
        assertArrayEquals(new float[] {0, 0, 0}, r.gradient(0).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0}, r.gradient(1).toFloatArray());
    }

    /** The reference: per pair, in double, from the seed's formula with PyTorch's pairwise_distance. */
    private static double[] rows(double[][] in, double margin, double eps) {
        double[] out = new double[N];
        for (int i = 0; i < N; i++) {
            double dist = distance(in[0], in[1], i, eps);
            double y = in[2][i];
            out[i] = (1 - y) * 0.5 * dist * dist + y * 0.5 * Math.pow(Math.max(0, margin - dist), 2);
        }
        return out;
    }

    private static double distance(double[] x1, double[] x2, int i, double eps) {
        double q = 0;
        for (int j = 0; j < D; j++) {
            double v = x1[i * D + j] - x2[i * D + j] + eps;
            q += v * v;
        }
        return Math.sqrt(q);
    }

    @Test
    void matchesReferenceAndFiniteDifferencesForEveryOption() {
        RandomTensors rnd = new RandomTensors(11);
        Tensor x1 = rnd.uniform(-1, 1, N, D);
        Tensor x2 = rnd.uniform(-1, 1, N, D);
        double[][] xs = GradientCheck.toDouble(x1, x2);
        for (double margin : new double[] {0.5, 1.0, 2.5}) {
            for (double eps : new double[] {0, 1e-6, 0.1}) {
                // labels alternate 0 / 1, but a dissimilar pair within 0.02 of the margin kink becomes similar
                float[] y = new float[N];
                int active = 0;
                int inactive = 0;
                for (int i = 0; i < N; i++) {
                    double dist = distance(xs[0], xs[1], i, eps);
                    y[i] = i % 2 == 1 && Math.abs(margin - dist) > 0.02 && dist > 0.02 ? 1 : 0;
                    if (y[i] == 1) {
                        active += dist < margin ? 1 : 0;
                        inactive += dist < margin ? 0 : 1;
                    }
                }
                if (margin == 2.5) {
                    assertTrue(active > 0, "test data: a dissimilar pair inside the margin");
                } else if (margin == 0.5) {
                    assertTrue(inactive > 0, "test data: a dissimilar pair beyond the margin");
                }
                Tensor labels = Tensor.of(y, N);
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    Contrastive loss = Losses.contrastive().margin(margin).eps(eps).reduction(r);
                    LossResult res = GradientCheck.check(engine, loss,
                            GradientCheck.reduced(r, N, N, in -> rows(in, margin, eps)), x1, x2, labels);
                    if (r == Reduction.NONE) {
                        assertArrayEquals(new long[] {N}, res.values().shape());
                    }
                }
            }
        }
    }

    @Test
    void reductionsAgreeAndInputsAreUntouched() {
        RandomTensors rnd = new RandomTensors(5);
        Tensor y = Tensor.ofInts(new int[] {0, 1, 1, 0, 1, 0, 0, 1}, N);
        assertReductionsAgree(Losses.contrastive().margin(2), rnd.normal(1, N, D), rnd.normal(1, N, D), y);
    }

    @Test
    void nanPropagatesAndInfiniteDistanceIsHandledPerLabel() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        Tensor x1 = Tensor.of(new float[] {nan, 1, 3, 4}, 2, 2);
        Tensor x2 = Tensor.of(new float[] {0, 0, 0, 0}, 2, 2);
        LossResult r = engine.compute(Losses.contrastive().eps(0).reduction(Reduction.NONE), x1, x2,
                Tensor.of(new float[] {1, 0}, 2));
        assertTrue(Float.isNaN(r.values().getFloat(0)));
        assertEquals(12.5f, r.values().getFloat(1));
        assertTrue(Float.isNaN(r.gradient(0).getFloat(0)) && Float.isNaN(r.gradient(0).getFloat(1)));
        assertEquals(3f, r.gradient(0).getFloat(2));
        assertTrue(Double.isNaN(engine.evaluate(Losses.contrastive(), x1, x2, Tensor.of(new float[] {1, 0}, 2)).value()));
        // infinite distance: a similar pair costs +inf, a dissimilar one 0 with gradient exactly 0
        Tensor far = Tensor.of(new float[] {inf, 1}, 1, 2);
        Tensor origin = Tensor.of(new float[] {0, 0}, 1, 2);
        assertEquals(Double.POSITIVE_INFINITY, engine.evaluate(Losses.contrastive(), far, origin, Tensor.of(new float[] {0}, 1)).value());
        LossResult dissimilar = engine.compute(Losses.contrastive(), far, origin, Tensor.of(new float[] {1}, 1));
        assertEquals(0.0, dissimilar.value(), 0);
        assertArrayEquals(new float[] {0, 0}, dissimilar.gradient(0).toFloatArray());
    }

    @Test
    void emptyBatch() {
        Tensor e = Tensor.of(new float[0], 0, 3);
        Tensor y = Tensor.of(new float[0], 0);
        assertEquals(0.0, engine.compute(Losses.contrastive().reduction(Reduction.SUM), e, e, y).value(), 0);
        assertEquals(0, engine.compute(Losses.contrastive().reduction(Reduction.NONE), e, e, y).values().size());
        assertThrows(InvalidInputException.class, () -> engine.compute(Losses.contrastive(), e, e, y));
    }

    @Test
    void refusesLabelsOutsideZeroOne() {
        Tensor x = Tensor.of(new float[6], 3, 2);
        assertRefused(Losses.contrastive(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[] {0, 1, -1}, 3)}, "y[2] = -1", "0", "1");
        assertRefused(Losses.contrastive(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.ofInts(new int[] {2, 1, 0}, 3)}, "y[0] = 2");
        assertRefused(Losses.contrastive(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[] {1, 0.5f, 0}, 3)}, "y[1] = 0.5");
        assertRefused(Losses.contrastive(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[] {1, 0, Float.NaN}, 3)}, "y[2] = NaN");
    }

    @Test
    void refusesShapeMismatchesAndWrongTypes() {
        Tensor x = Tensor.of(new float[6], 3, 2);
        Tensor y = Tensor.of(new float[3], 3);
        assertRefused(Losses.contrastive(), "x2",
                new Tensor[] {x, Tensor.of(new float[8], 4, 2), y}, "[4, 2]", "[3, 2]");
        assertRefused(Losses.contrastive(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[2], 2)}, "[2]", "[3, 2]");
        assertRefused(Losses.contrastive(), "y",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[3], 3, 1)}, "[3, 1]");
        assertRefused(Losses.contrastive(), "x1",
                new Tensor[] {Tensor.of(new float[2], 2), Tensor.of(new float[2], 2), Tensor.of(new float[1], 1)}, "[N, D]", "[2]");
        assertRefused(Losses.contrastive(), "x2",
                new Tensor[] {x, Tensor.ofInts(new int[6], 3, 2), y}, "float32", "INT32");
    }
}
