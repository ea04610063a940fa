package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.TWO;
import static io.github.lossengine.cpu.FusedAssertions.logits;
import static io.github.lossengine.cpu.FusedAssertions.positive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.KlDiv;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.LogCosh;
import io.github.lossengine.loss.Mae;
import io.github.lossengine.loss.Mse;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.SquaredHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PoissonNll;
import io.github.lossengine.loss.SmoothL1;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of {@link FloatKernels}: every fused loss, with every option, gives the same bits on
 * the Vector API kernels (which this test JVM enables) and on the scalar kernels, for the loss
 * value (every reduction), the per-element values and every gradient. Inputs are long enough for
 * several blocks of {@link FloatKernels#BLOCK}, several chunks of work and ragged tails, and carry
 * the edge values each loss has (masked logits, NaN, ends of ranges).
 *
 * <p>The contract holds where the vector kernels run {@link 8} float lanes (CPUs
 * with 256-bit vectors or wider); on a CPU whose widest vectors are 128 bits the sums differ in the
 * last bits, and this test says so instead of passing vacuously.
 */
class VectorScalarBitsTest {

    /** One fused loss with one set of options, built for a reduction, and its inputs. */
    record Case(String name, Function<Reduction, Loss> loss, FusedLoss<?> fused, Tensor[] in) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void theVectorKernelsRunTheContractsLaneCount() {
        FloatKernels v = KernelSelection.kernels();
        assertTrue(KernelSelection.active().vectorised(), KernelSelection.active().line());
        assertTrue(v.description().contains("(" + FloatKernels.LANES + " float lanes"),
                "the bitwise contract needs " + FloatKernels.LANES + " lanes; this CPU runs " + v.description());
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        Random rnd = new Random(14);
        int n = 40_003;
        Tensor[] pair = pair(rnd, n);
        c.add(new Case("mse", r -> new Mse(r), new FusedMse(), pair));
        c.add(new Case("mae", r -> new Mae().reduction(r), new FusedMae(), pair));
        c.add(new Case("huber 0.3", r -> new Huber(r, 0.3), new FusedHuber(), pair));
        c.add(new Case("smooth_l1 0.25", r -> new SmoothL1(r, 0.25), new FusedSmoothL1(), pair));
        c.add(new Case("smooth_l1 0", r -> new SmoothL1(r, 0.0), new FusedSmoothL1(), pair));
        c.add(new Case("log_cosh", r -> new LogCosh().reduction(r), new FusedLogCosh(), pair));
        float[] edges = pair[0].toFloatArray();
        edges[7] = Float.NaN;
        edges[4000] = Float.POSITIVE_INFINITY;
        edges[4001] = Float.NEGATIVE_INFINITY;
        Tensor[] withEdges = {Tensor.of(edges), pair[1]};
        c.add(new Case("mse NaN and infinities", r -> new Mse(r), new FusedMse(), withEdges));
        c.add(new Case("huber NaN and infinities", r -> new Huber(r, 1.0), new FusedHuber(), withEdges));
        c.add(new Case("log_cosh NaN and infinities", r -> new LogCosh().reduction(r), new FusedLogCosh(), withEdges));
        float[] signs = new float[n];
        for (int i = 0; i < n; i++) {
            signs[i] = rnd.nextBoolean() ? 1f : -1f;
        }
        Tensor[] hinge = {pair[0], Tensor.of(signs)};
        c.add(new Case("hinge", r -> new Hinge().reduction(r), new FusedHinge(), hinge));
        c.add(new Case("hinge margin 0.5", r -> new Hinge().reduction(r).margin(0.5), new FusedHinge(), hinge));
        c.add(new Case("squared_hinge", r -> new SquaredHinge().reduction(r), new FusedSquaredHinge(), hinge));
        c.add(new Case("squared_hinge margin 0.5", r -> new SquaredHinge(r, 0.5), new FusedSquaredHinge(), hinge));
        // views at different offsets of larger arrays (predictions at 5, targets at 3): the kernels' offset forms
        Tensor[] views = {view(pair[0], 5), view(pair[1], 3)};
        c.add(new Case("mse offset views", r -> new Mse(r), new FusedMse(), views));
        c.add(new Case("huber 0.3 offset views", r -> new Huber(r, 0.3), new FusedHuber(), views));
        c.add(new Case("mae offset views", r -> new Mae().reduction(r), new FusedMae(), views));
        c.add(new Case("log_cosh offset views", r -> new LogCosh().reduction(r), new FusedLogCosh(), views));
        Tensor[] hingeViews = {view(pair[0], 5), view(hinge[1], 3)};
        c.add(new Case("hinge offset views", r -> new Hinge().reduction(r), new FusedHinge(), hingeViews));
        c.add(new Case("squared_hinge offset views", r -> new SquaredHinge().reduction(r), new FusedSquaredHinge(),
                hingeViews));

        Tensor[] prob = FusedProbabilityLossesTest.inputs(1009, 5);
        int cols = (int) prob[0].shape()[1];
        float[] w = positive(rnd, (int) prob[0].size());
        float[] colW = positive(rnd, cols);
        c.add(new Case("bce", r -> new BinaryCrossEntropy().reduction(r), new FusedBinaryCrossEntropy(),
                new Tensor[] {prob[1], prob[2]}));
        c.add(new Case("bce weights", r -> new BinaryCrossEntropy().reduction(r).weight(w),
                new FusedBinaryCrossEntropy(), new Tensor[] {prob[1], prob[2]}));
        c.add(new Case("bce_with_logits", r -> new BceWithLogits().reduction(r), new FusedBceWithLogits(),
                new Tensor[] {prob[0], prob[2]}));
        c.add(new Case("bce_with_logits pos_weight weights",
                r -> new BceWithLogits().reduction(r).posWeight(colW).weight(w), new FusedBceWithLogits(),
                new Tensor[] {prob[0], prob[2]}));
        for (double[] ga : new double[][] {{2, 0.25}, {0, 0.25}, {1, -1}, {3.5, 0.1}}) {
            c.add(new Case("focal " + ga[0] + " " + ga[1], r -> new Focal(r, ga[0], ga[1]), new FusedFocal(),
                    new Tensor[] {prob[0], prob[2]}));
        }
        c.add(new Case("kl_div", r -> new KlDiv(r, false), new FusedKlDiv(), new Tensor[] {prob[0], prob[2]}));
        c.add(new Case("kl_div log_target", r -> new KlDiv(r, true), new FusedKlDiv(),
                new Tensor[] {prob[0], prob[0]}));
        float[] counts = new float[n];
        float[] rates = new float[n];
        for (int i = 0; i < n; i++) {
            counts[i] = rnd.nextInt(6);
            rates[i] = i % 17 == 0 ? 0f : rnd.nextFloat() * 4;
        }
        for (boolean logInput : new boolean[] {true, false}) {
            for (boolean full : new boolean[] {true, false}) {
                Tensor x = logInput ? pair[0] : Tensor.of(rates);
                c.add(new Case("poisson_nll log_input=" + logInput + " full=" + full,
                        r -> new PoissonNll().reduction(r).logInput(logInput).full(full), new FusedPoissonNll(),
                        new Tensor[] {x, Tensor.of(counts)}));
            }
        }
        float[] var = positive(rnd, n);
        var[3] = 0f;
        for (boolean full : new boolean[] {true, false}) {
            c.add(new Case("gaussian_nll full=" + full, r -> new GaussianNll().reduction(r).full(full),
                    new FusedGaussianNll(), new Tensor[] {pair[0], pair[1], Tensor.of(var)}));
        }

        Tensor[] nll = FusedRowLossesTest.inputs(5003, 3);
        for (Case s : nllCases(nll)) {
            c.add(s);
        }
        Tensor[] rows = classRows(rnd, 67, 3001, false);
        Tensor[] masked = classRows(rnd, 9, 5003, true);
        float[] cw = positive(rnd, 3001);
        for (MulticlassHinge.Variant v : MulticlassHinge.Variant.values()) {
            for (int p : new int[] {1, 2}) {
                c.add(new Case("multiclass_hinge " + v + " p=" + p,
                        r -> new MulticlassHinge().reduction(r).variant(v).p(p), new FusedMulticlassHinge(), rows));
                c.add(new Case("multiclass_hinge " + v + " p=" + p + " weights",
                        r -> new MulticlassHinge().reduction(r).variant(v).p(p).margin(0.7).classWeights(cw),
                        new FusedMulticlassHinge(), rows));
            }
        }
        for (Tensor[] in : List.of(rows, masked)) {
            int classes = (int) in[0].shape()[1];
            float[] weights = positive(rnd, classes);
            String shape = in[0].shape()[0] + "x" + classes;
            List<Function<SoftmaxCrossEntropy, SoftmaxCrossEntropy>> options = List.of(
                    ce -> ce,
                    ce -> ce.classWeights(weights),
                    ce -> ce.labelSmoothing(0.15),
                    ce -> ce.labelSmoothing(0.15, SmoothingConvention.OFF_TARGET),
                    ce -> ce.labelSmoothing(0.1).classWeights(weights).ignoreIndex(2),
                    ce -> ce.labelSmoothing(0.1, SmoothingConvention.OFF_TARGET).classWeights(weights),
                    ce -> ce.zLoss(1e-3).labelSmoothing(0.05),
                    ce -> ce.softcap(15).classWeights(weights),
                    ce -> ce.reduction() == Reduction.MEAN ? ce.normalizer(1000).labelSmoothing(0.2) : ce.labelSmoothing(0.2));
            for (int o = 0; o < options.size(); o++) {
                Function<SoftmaxCrossEntropy, SoftmaxCrossEntropy> f = options.get(o);
                c.add(new Case("softmax_cross_entropy " + shape + " options " + o,
                        r -> f.apply(new SoftmaxCrossEntropy().reduction(r)), new FusedSoftmaxCrossEntropy(), in));
            }
        }
        for (DType half : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            float[] z = masked[0].toFloatArray();
            short[] bits = new short[z.length];
            for (int i = 0; i < z.length; i++) {
                bits[i] = HalfFloats.round(half, z[i]);
            }
            long[] shape = masked[0].shape();
            Tensor zh = half == DType.BFLOAT16 ? Tensor.ofBFloat16(bits, shape) : Tensor.ofFloat16(bits, shape);
            c.add(new Case("softmax_cross_entropy " + half + " logits and gradient",
                    r -> new SoftmaxCrossEntropy().reduction(r).labelSmoothing(0.1), new FusedSoftmaxCrossEntropy(),
                    new Tensor[] {zh, masked[1]}));
            c.add(new Case("softmax_cross_entropy " + half + " softcap",
                    r -> new SoftmaxCrossEntropy().reduction(r).softcap(20), new FusedSoftmaxCrossEntropy(),
                    new Tensor[] {zh, masked[1]}));
        }
        Tensor[] linear = linear(rnd, 37, 70, 1001);
        c.add(new Case("linear_cross_entropy", r -> new LinearCrossEntropy().reduction(r).chunkRows(16),
                new LinearCrossEntropyCpu(), linear));
        c.add(new Case("linear_cross_entropy bias smoothing", r -> new LinearCrossEntropy().bias(true)
                .reduction(r).labelSmoothing(0.1).chunkRows(16), new LinearCrossEntropyCpu(),
                new Tensor[] {linear[0], linear[1], linear[2], Tensor.of(logits(rnd, 1, 1001, 1.0))}));
        return c.stream().map(Arguments::of);
    }

    private static List<Case> nllCases(Tensor[] in) {
        List<Case> c = new ArrayList<>();
        int classes = (int) in[0].shape()[1];
        float[] w = positive(new Random(8), classes);
        c.add(new Case("nll", r -> new Nll().reduction(r).ignoreIndex(-1), new FusedNll(), in));
        c.add(new Case("nll weights", r -> new Nll().reduction(r).ignoreIndex(-1).classWeights(w), new FusedNll(), in));
        return c;
    }

    private static Tensor[] linear(Random rnd, int rows, int hidden, int classes) {
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(classes);
        }
        return new Tensor[] {Tensor.of(logits(rnd, rows, hidden, 1.0), rows, hidden),
            Tensor.of(logits(rnd, classes, hidden, 0.2), classes, hidden), Tensor.ofInts(y)};
    }

    /** {@code t}'s values as a {@link Tensor#ofRange} view at {@code offset} of a larger array (NaN around it). */
    private static Tensor view(Tensor t, int offset) {
        float[] big = new float[(int) t.size() + offset + 9];
        java.util.Arrays.fill(big, Float.NaN);
        t.read(0, big, offset, (int) t.size());
        return Tensor.ofRange(big, offset, t.shape());
    }

    private static Tensor[] pair(Random rnd, int n) {
        float[] x = logits(rnd, 1, n, 2.0);
        float[] y = logits(rnd, 1, n, 2.0);
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    /** Logits with targets; with {@code masks}, every third logit {@code -inf} (targets stay open) and a NaN row. */
    private static Tensor[] classRows(Random rnd, int rows, int classes, boolean masks) {
        float[] z = logits(rnd, rows, classes, 3.0);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(classes);
        }
        if (masks) {
            for (int i = 0; i < z.length; i += 3) {
                z[i] = Float.NEGATIVE_INFINITY;
            }
            for (int i = 0; i < rows; i++) {
                z[i * classes + y[i]] = 1f;
            }
            z[2 * classes + 11] = Float.NaN;
        }
        y[1] = 2;
        return new Tensor[] {Tensor.of(z, rows, classes), Tensor.ofInts(y)};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void vectorAndScalarKernelsGiveTheSameBits(Case c) {
        FloatKernels v = KernelSelection.kernels();
        FloatKernels s = new ScalarKernels();
        List<Reduction> reductions = new ArrayList<>(List.of(Reduction.NONE, Reduction.SUM, Reduction.MEAN));
        if (c.loss().apply(Reduction.MEAN) instanceof KlDiv) {
            reductions.add(Reduction.BATCHMEAN);
        }
        for (Reduction r : reductions) {
            Loss loss = c.loss().apply(r);
            LossResult a = run(loss, (FusedLoss) c.fused(), v, c.in());
            LossResult b = run(loss, (FusedLoss) c.fused(), s, c.in());
            String what = c + " " + r;
            if (r == Reduction.NONE) {
                assertArrayEquals(b.values().toFloatArray(), a.values().toFloatArray(), what + " values");
            } else {
                assertEquals(Double.doubleToLongBits(b.value()), Double.doubleToLongBits(a.value()),
                        () -> what + ": scalar " + b.value() + ", vector " + a.value());
            }
            for (int i = 0; i < c.in().length; i++) {
                if (hasGradient(loss, i)) {
                    assertArrayEquals(b.gradient(i).toFloatArray(), a.gradient(i).toFloatArray(),
                            what + " gradient " + i);
                }
            }
        }
    }

    /** The inputs whose gradients the fused paths compute: the prediction's, the variance's of gaussian_nll, the linear layer's. */
    private static boolean hasGradient(Loss loss, int i) {
        if (loss instanceof LinearCrossEntropy) {
            return i != 2;
        }
        return i == 0 || (i == 2 && loss instanceof GaussianNll);
    }

    private static <L extends Loss> LossResult run(L loss, FusedLoss<L> fused, FloatKernels k, Tensor[] in) {
        Tensor[] grads = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            grads[i] = hasGradient(loss, i) ? Tensor.zeros(in[i].dtype(), in[i].shape()) : null;
        }
        assertTrue(fused.accepts(loss, in, grads), loss + " takes the fused path");
        return fused.compute(loss, in, grads, k, TWO);
    }
}
