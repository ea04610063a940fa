package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device parity of options the per-family tests leave out: one weight per element (not per column)
 * for binary_cross_entropy and bce_with_logits (with pos_weight), softmax cross-entropy with an
 * ignore_index naming a real class (0 and 3) under class weights, both smoothing conventions and
 * -inf masks, kl_div with {@code log_target} under every reduction, and the large shape 512 x 50,000
 * for mse, huber and both multi-class hinge variants (softmax-CE's is in
 * {@link SoftmaxCrossEntropyParityTest}).
 *
 * <p>Tolerances: each loss's own, from its family's test (see {@code docs/GPU.md}, "Parity
 * tolerances"): {@link ElementwiseParityTest#TOL} for the element-wise losses and multi-class hinge,
 * {@link SoftmaxCrossEntropyParityTest#TOL} for softmax-CE, {@link RegressionParityTest#TOL} for the
 * regression losses. The large shapes sum 2.56e7 terms, where a float32 tree sum stays within
 * ~1e-6 relative, inside those tolerances.
 */
class OptionCoverageParityTest {
    private static final Reduction[] REDUCTIONS = {Reduction.MEAN, Reduction.SUM, Reduction.NONE};
    private static final int LARGE_ROWS = 512;
    private static final int LARGE_CLASSES = 50_000;
    private static Tensor largeX;
    private static Tensor largeY;

    private static void everyReduction(LossEngine device, Loss loss, Parity.Tol tol, Tensor... in) {
        for (Reduction red : REDUCTIONS) {
            Parity.check(device, loss.reduction(red), tol, in);
        }
    }

    /** Element weights of {@code n} entries, about one in six exactly 0 (such an element contributes exactly 0). */
    private static float[] elementWeights(RandomTensors r, int n) {
        float[] w = ElementwiseParityTest.positive(r, n);
        for (int i = 0; i < n; i += 6) {
            w[i] = 0f;
        }
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void binaryCrossEntropyWithOneWeightPerElement(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(41);
        for (int[] s : new int[][] {{1, 1}, {3, 7}, {64, 33}}) {
            int n = s[0] * s[1];
            float[] w = elementWeights(r, n);
            everyReduction(device, Losses.binaryCrossEntropy().weight(w), ElementwiseParityTest.TOL,
                    r.uniform(0.01, 0.99, s[0], s[1]), r.uniform(0, 1, s[0], s[1]));
            Tensor x = r.normal(3, s[0], s[1]);
            Tensor y = r.uniform(0, 1, s[0], s[1]);
            float[] pw = ElementwiseParityTest.positive(r, s[1]);
            for (Loss loss : List.of(Losses.bceWithLogits().weight(w), Losses.bceWithLogits().weight(w).posWeight(2.5f),
                    Losses.bceWithLogits().weight(w).posWeight(pw))) {
                everyReduction(device, loss, ElementwiseParityTest.TOL, x, y);
            }
        }
        // masked and extreme logits under per-element weights and pos_weight
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {-inf, inf, -inf, 1e4f, -1e4f, 0f}, 2, 3);
        Tensor y = Tensor.of(new float[] {0f, 1f, 1f, 0f, 1f, 0.5f}, 2, 3);
        float[] w = {1f, 0f, 2f, 0.5f, 3f, 0f};
        Parity.check(device, Losses.bceWithLogits().weight(w).posWeight(1.5f, 2f, 0.5f).reduction(Reduction.NONE),
                ElementwiseParityTest.TOL, x, y);
        Parity.check(device, Losses.binaryCrossEntropy().weight(w).reduction(Reduction.NONE), ElementwiseParityTest.TOL,
                Tensor.of(new float[] {0f, 1f, 0f, 1f, 0.5f, 0.25f}, 2, 3), y);
        // a weight count that is neither the last dimension nor the element count: the CPU's refusal
        Parity.sameRefusal(device, Losses.binaryCrossEntropy().weight(new float[] {1f, 2f}), r.uniform(0.1, 0.9, 2, 3),
                r.uniform(0, 1, 2, 3));
    }

    /** Logits with the entries at (i * 7 + j) % 5 == 0 masked to -inf, except the label's own. */
    private static Tensor maskedExceptLabel(RandomTensors r, int[] labels, int c) {
        Tensor z = r.normal(2, labels.length, c);
        float[] a = z.floatArrayOrNull();
        for (int i = 0; i < labels.length; i++) {
            for (int j = 0; j < c; j++) {
                if ((i * 7 + j) % 5 == 0 && j != labels[i]) {
                    a[i * c + j] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return z;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void softmaxCrossEntropyWithARealClassAsIgnoreIndex(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(43);
        for (int[] s : new int[][] {{5, 4}, {37, 10}, {20, 300}, {4, 5000}}) {
            int n = s[0];
            int c = s[1];
            float[] w = ElementwiseParityTest.positive(r, c);
            for (long ignore : new long[] {0, 3}) {
                int[] y = new int[n];
                long[] y64 = new long[n];
                for (int i = 0; i < n; i++) {
                    // about one row in three names the ignored class
                    y[i] = r.nextInt(3) == 0 ? (int) ignore : r.nextInt(c);
                    y64[i] = y[i];
                }
                Tensor z = maskedExceptLabel(r, y, c);
                SoftmaxCrossEntropy base = Losses.softmaxCrossEntropy().ignoreIndex(ignore);
                for (SoftmaxCrossEntropy loss : List.of(base, base.classWeights(w), base.classWeights(w).labelSmoothing(0.1),
                        base.classWeights(w).labelSmoothing(0.2, SmoothingConvention.OFF_TARGET),
                        base.labelSmoothing(0.3, SmoothingConvention.OFF_TARGET))) {
                    everyReduction(device, loss, SoftmaxCrossEntropyParityTest.TOL, z, Tensor.ofInts(y, n));
                    Parity.check(device, loss, SoftmaxCrossEntropyParityTest.TOL, z, Tensor.ofLongs(y64, n));
                }
            }
        }
        // ignore_index 3: a row whose (ignored) target is masked costs nothing; a masked target elsewhere costs +inf;
        // -100 is then an ordinary out-of-range label, refused as on the CPU
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor z = Tensor.of(new float[] {1f, 2f, 0f, ninf, ninf, 1f, 0.5f, 2f, 3f, -1f, 0f, 1f}, 3, 4);
        Tensor y = Tensor.ofInts(new int[] {3, 0, 2}, 3);
        SoftmaxCrossEntropy loss = Losses.softmaxCrossEntropy().ignoreIndex(3).classWeights(new float[] {1f, 2f, 0.5f, 4f});
        for (Reduction red : new Reduction[] {Reduction.NONE, Reduction.SUM}) {
            Parity.check(device, loss.labelSmoothing(0.1).reduction(red), SoftmaxCrossEntropyParityTest.TOL, z, y);
            Parity.check(device, loss.labelSmoothing(0.1, SmoothingConvention.OFF_TARGET).reduction(red),
                    SoftmaxCrossEntropyParityTest.TOL, z, y);
        }
        Parity.sameRefusal(device, loss, z, Tensor.ofInts(new int[] {3, -100, 2}, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void klDivWithLogTargetUnderEveryReduction(Backend backend) {
        ElementwiseParityTest.run(backend, List.of(Losses.klDiv().logTarget(true)), ElementwiseParityTest.TOL,
                (s, r) -> new Tensor[] {r.normal(1, s), r.normal(1, s)});
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(47);
        for (long[] s : ElementwiseParityTest.SHAPES) {
            Parity.check(device, Losses.klDiv().logTarget(true).reduction(Reduction.BATCHMEAN), ElementwiseParityTest.TOL,
                    r.normal(1, s), r.normal(1, s));
        }
        // a log target of -inf is probability 0: exactly 0 even against x = -inf
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {ninf, -1f, 0.5f, -2f}, 2, 2);
        Tensor t = Tensor.of(new float[] {ninf, ninf, -0.3f, 0f}, 2, 2);
        for (Reduction red : Reduction.values()) {
            Parity.check(device, Losses.klDiv().logTarget(true).reduction(red), ElementwiseParityTest.TOL, x, t);
        }
    }

    /** The 512 x 50,000 inputs, made once (uniform: cheaper to draw than normal) and shared by the large cases. */
    private static synchronized Tensor[] large() {
        if (largeX == null) {
            RandomTensors r = new RandomTensors(53);
            largeX = r.uniform(-4, 4, LARGE_ROWS, LARGE_CLASSES);
            largeY = r.uniform(-3, 3, LARGE_ROWS, LARGE_CLASSES);
        }
        return new Tensor[] {largeX, largeY};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void mseLarge(Backend backend) {
        Parity.check(DeviceEngines.open(backend), Losses.mse(), RegressionParityTest.TOL, large());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void huberLarge(Backend backend) {
        Parity.check(DeviceEngines.open(backend), Losses.huber().reduction(Reduction.SUM), RegressionParityTest.TOL, large());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void multiclassHingeLarge(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        Tensor y = new RandomTensors(59).indices(LARGE_ROWS, LARGE_CLASSES);
        List<MulticlassHinge> losses = new ArrayList<>();
        for (MulticlassHinge.Variant v : MulticlassHinge.Variant.values()) {
            losses.add(Losses.multiclassHinge().variant(v));
        }
        for (MulticlassHinge loss : losses) {
            Parity.check(device, loss, ElementwiseParityTest.TOL, large()[0], y);
        }
    }
}
