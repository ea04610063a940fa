package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device parity of softmax cross-entropy and nll against the CPU backend, every option: class
 * indices (int32 and int64) and probability targets, label smoothing under both conventions, class
 * weights, ignore_index, the all-ignored policies, -inf masks (some classes, the target class, a
 * whole row), logits of +-1e4, NaN and +inf logits; shapes from 1x1 to 512x50,000; refusals with the
 * CPU's message.
 *
 * <p>Tolerance {@code rel 2e-5, abs 1e-6}: the device sums a row's C terms in float32 (tree
 * reduction, relative error ~log2(C) ulp) and computes {@code p_k W - w_k q_k} in float32, which
 * cancels where the prediction fits the target (absolute error ~1 ulp of the row's largest entry,
 * covered by the max-relative term).
 */
class SoftmaxCrossEntropyParityTest {
    static final Parity.Tol TOL = new Parity.Tol(2e-5, 1e-6);

    /** Logits with some entries masked to -inf (about one in {@code every}). */
    static Tensor masked(RandomTensors r, int n, int c, int every, double sigma) {
        Tensor z = r.normal(sigma, n, c);
        float[] a = z.floatArrayOrNull();
        for (int i = 0; i < a.length; i++) {
            if (r.nextInt(every) == 0) {
                a[i] = Float.NEGATIVE_INFINITY;
            }
        }
        return z;
    }

    /** Random probability rows (sum 1) of shape [n, c]. */
    static Tensor probabilities(RandomTensors r, int n, int c) {
        float[] p = new float[n * c];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < c; j++) {
                p[i * c + j] = (float) r.nextDouble();
                s += p[i * c + j];
            }
            for (int j = 0; j < c; j++) {
                p[i * c + j] /= (float) s;
            }
        }
        return Tensor.of(p, n, c);
    }

    static float[] weights(RandomTensors r, int c) {
        float[] w = new float[c];
        for (int j = 0; j < c; j++) {
            w[j] = (float) (0.25 + 2 * r.nextDouble());
        }
        return w;
    }

    /** The option combinations every case runs under. */
    static List<SoftmaxCrossEntropy> variants(int c, RandomTensors r) {
        SoftmaxCrossEntropy base = Losses.softmaxCrossEntropy();
        float[] w = weights(r, c);
        List<SoftmaxCrossEntropy> out = new ArrayList<>();
        out.add(base);
        out.add(base.labelSmoothing(0.1));
        out.add(base.labelSmoothing(0.2, SmoothingConvention.OFF_TARGET));
        out.add(base.classWeights(w));
        out.add(base.classWeights(w).labelSmoothing(0.15));
        out.add(base.classWeights(w).labelSmoothing(0.3, SmoothingConvention.OFF_TARGET));
        return out;
    }

    /** Class indices with about one row in five set to ignore_index (-100) when {@code ignore}. */
    static Tensor labels(RandomTensors r, int n, int c, boolean ignore) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = ignore && r.nextInt(5) == 0 ? -100 : r.nextInt(c);
        }
        return Tensor.ofInts(y, n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void softmaxCrossEntropy(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(11);
        int[][] shapes = {{1, 1}, {1, 7}, {4, 3}, {37, 10}, {70, 300}, {3, 5000}};
        for (int[] s : shapes) {
            int n = s[0];
            int c = s[1];
            List<Tensor[]> cases = new ArrayList<>();
            cases.add(new Tensor[] {r.normal(3, n, c), labels(r, n, c, true)});
            cases.add(new Tensor[] {masked(r, n, c, 4, 2), labels(r, n, c, false)});
            cases.add(new Tensor[] {r.normal(1e4, n, c), labels(r, n, c, false)});
            cases.add(new Tensor[] {r.normal(2, n, c), probabilities(r, n, c)});
            cases.add(new Tensor[] {masked(r, n, c, 3, 2), probabilities(r, n, c)});
            for (SoftmaxCrossEntropy loss : variants(c, r)) {
                for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (Tensor[] in : cases) {
                        Parity.check(device, loss.reduction(red), TOL, in);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void softmaxCrossEntropyEdgeCases(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        float ninf = Float.NEGATIVE_INFINITY;
        // row 0: target class masked (+inf loss); row 1: every class masked; row 2: ordinary; row 3: NaN; row 4: +inf
        Tensor z = Tensor.of(new float[] {ninf, 1f, 2f, ninf, ninf, ninf, 0.5f, ninf, 3f, 1f, Float.NaN, 0f,
                Float.POSITIVE_INFINITY, 0f, 1f}, 5, 3);
        Tensor y = Tensor.ofLongs(new long[] {0, 1, 2, 0, 1}, 5);
        for (SoftmaxCrossEntropy loss : variants(3, new RandomTensors(3))) {
            for (Reduction red : new Reduction[] {Reduction.NONE, Reduction.SUM}) {
                Parity.check(device, loss.reduction(red), TOL, z, y);
            }
        }
        // all rows ignored: each policy; ERROR refused with the CPU's message
        Tensor z2 = new RandomTensors(5).normal(1, 4, 6);
        Tensor ignoredAll = Tensor.ofInts(new int[] {-100, -100, -100, -100}, 4);
        Parity.check(device, Losses.softmaxCrossEntropy(), TOL, z2, ignoredAll);
        LossResult nan = Parity.check(device, Losses.softmaxCrossEntropy().allIgnored(AllIgnoredPolicy.NAN), TOL, z2, ignoredAll);
        assertTrue(Double.isNaN(nan.value()));
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy().allIgnored(AllIgnoredPolicy.ERROR), z2, ignoredAll);
        // invalid inputs: the same exception as the CPU, no gradient written
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy(), z2, Tensor.ofInts(new int[] {0, 6, 1, -1}, 4));
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy(), z2, Tensor.ofInts(new int[] {0, 1, 2}, 3));
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy(), z2, Tensor.of(new float[] {0, 1, 2, 3}, 4));
        Tensor badP = probabilities(new RandomTensors(2), 4, 6);
        badP.floatArrayOrNull()[13] = -0.5f;
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy(), z2, badP);
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy().classWeights(new float[] {1, 2}), z2, Tensor.ofInts(new int[] {0, 1, 2, 3}, 4));
        Parity.sameRefusal(device, Losses.softmaxCrossEntropy(), Tensor.of(new float[0], 0, 6), Tensor.ofInts(new int[0], 0));
    }

    /**
     * Confident rows, whose loss and target gradient are tiny (down to ~1e-12): each is matched
     * element by element to 2e-5 of its own size, not of the row's largest entry. In float32 the
     * row's sum of exponentials 1 + 4e-9 rounds to 1, a loss of 0 (the seeds' [10, -10, -10]);
     * the kernels keep the sum less the maximum's own 1, so log1p and expm1 keep those digits.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void confidentRowsKeepTheirTinyLossAndGradient(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        Tensor seeds = Tensor.of(new float[] {10f, -10f, -10f}, 1, 3);
        LossResult far = Parity.check(device, Losses.softmaxCrossEntropy(), TOL, seeds, Tensor.ofInts(new int[] {0}, 1));
        assertRelative(Math.log1p(2 * Math.exp(-20)), far.value(), "loss of [10, -10, -10]");
        RandomTensors r = new RandomTensors(29);
        for (int c : new int[] {3, 40, 1000, 5000}) {
            int n = 48;
            Tensor z = r.normal(1, n, c);
            float[] a = z.floatArrayOrNull();
            int[] y = new int[n];
            float[] onehot = new float[n * c];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(c);
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    max = Math.max(max, a[i * c + j]);
                }
                // the target leads by 3 to 35: losses from ~1e-1 down to ~1e-13 times the class count
                a[i * c + y[i]] = max + 3 + 32f * i / (n - 1);
                onehot[i * c + y[i]] = 1f;
            }
            Tensor[][] targets = {{z, Tensor.ofInts(y, n)}, {z, Tensor.of(onehot, n, c)}};
            for (Tensor[] in : targets) {
                for (SoftmaxCrossEntropy loss : new SoftmaxCrossEntropy[] {
                        Losses.softmaxCrossEntropy(), Losses.softmaxCrossEntropy().classWeights(weights(r, c))}) {
                    LossResult ref = DeviceEngines.cpu().compute(loss.reduction(Reduction.NONE), in);
                    LossResult dev = Parity.check(device, loss.reduction(Reduction.NONE), TOL, in);
                    String what = loss + " on " + n + "x" + c + " confident rows";
                    assertElementsRelative(ref.values().toFloatArray(), dev.values().toFloatArray(), "values of " + what);
                    assertElementsRelative(ref.gradient().toFloatArray(), dev.gradient().toFloatArray(), "gradient of " + what);
                }
            }
        }
    }

    /**
     * Within 2e-5 of the value itself, plus 1e-15: the CPU's fused path forms log(1 + tiny) in
     * double, which is exact to ~2e-16 (the device's float32 log1p of the excess is finer still).
     */
    private static void assertRelative(double expected, double actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 2e-5 * Math.abs(expected) + 1e-15,
                what + ": expected " + expected + ", device " + actual);
    }

    private static void assertElementsRelative(float[] ref, float[] dev, String what) {
        assertEquals(ref.length, dev.length, what);
        for (int i = 0; i < ref.length; i++) {
            assertRelative(ref[i], dev[i], what + ", element " + i);
        }
    }

    /** The large-vocabulary shape: 512 rows of 50,000 classes (two reads of the logits, one write of the gradient). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void softmaxCrossEntropyLargeVocabulary(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(13);
        int n = 512;
        int c = 50_000;
        Tensor z = r.normal(4, n, c);
        Tensor y = labels(r, n, c, true);
        LossResult dev = Parity.check(device, Losses.softmaxCrossEntropy().labelSmoothing(0.1), TOL, z, y);
        assertEquals(backend, dev.backend());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void nll(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(17);
        for (int[] s : new int[][] {{1, 1}, {5, 4}, {64, 100}, {9, 3000}}) {
            int n = s[0];
            int c = s[1];
            Tensor x = io.github.lossengine.testing.ValidInputs.logSoftmax(r.normal(2, n, c), n, c);
            Tensor y = labels(r, n, c, true);
            float[] w = weights(r, c);
            w[0] = 0;
            Tensor plain = labels(r, n, c, false);
            for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                Parity.check(device, Losses.nll().reduction(red), TOL, x, y);
                Parity.check(device, Losses.nll().classWeights(w).reduction(red), TOL, x, y);
                // ignore_index naming a real class
                Parity.check(device, Losses.nll().ignoreIndex(0).reduction(red), TOL, x, plain);
            }
        }
        Tensor x = io.github.lossengine.testing.ValidInputs.logSoftmax(r.normal(1, 3, 4), 3, 4);
        Tensor all = Tensor.ofInts(new int[] {-100, -100, -100}, 3);
        Parity.check(device, Losses.nll(), TOL, x, all);
        Parity.check(device, Losses.nll().allIgnored(AllIgnoredPolicy.NAN), TOL, x, all);
        Parity.sameRefusal(device, Losses.nll().allIgnored(AllIgnoredPolicy.ERROR), x, all);
        Parity.sameRefusal(device, Losses.nll(), x, Tensor.ofInts(new int[] {0, 4, 1}, 3));
    }
}
