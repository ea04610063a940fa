package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.fused;
import static io.github.lossengine.cpu.FusedAssertions.logits;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.FusedAssertions.Subject;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.KlDiv;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused binary_cross_entropy, bce_with_logits, focal and kl_div against their
 * double-precision references (values and gradients, every reduction and option, weights per element
 * and per column, pos_weight), at their edges (probabilities 0 and 1, logits ±inf, NaN, ±1e4, zero
 * targets), refusals with nothing written, the two kernel implementations element for
 * element, and the same bits on 1, 2 and 3 threads. Inputs are [rows, 37]: per-column weights whose
 * column falls anywhere in a block.
 */
class FusedProbabilityLossesTest {
    private static final int COLUMNS = 37;

    static float[] weights(Random rnd, int n, boolean zeros) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = zeros && i % 7 == 3 ? 0f : 0.25f + 2 * rnd.nextFloat();
        }
        return w;
    }

    static List<Subject<?>> subjects(Reduction r, int n, Random rnd) {
        List<Subject<?>> s = new ArrayList<>();
        BinaryCrossEntropy bce = new BinaryCrossEntropy().reduction(r);
        s.add(new Subject<>(bce, new BinaryCrossEntropyCpu(), new FusedBinaryCrossEntropy()));
        s.add(new Subject<>(bce.weight(weights(rnd, n, true)), new BinaryCrossEntropyCpu(), new FusedBinaryCrossEntropy()));
        s.add(new Subject<>(bce.weight(weights(rnd, COLUMNS, true)), new BinaryCrossEntropyCpu(),
                new FusedBinaryCrossEntropy()));
        BceWithLogits logits = new BceWithLogits().reduction(r);
        s.add(new Subject<>(logits, new BceWithLogitsCpu(), new FusedBceWithLogits()));
        s.add(new Subject<>(logits.posWeight(3f).weight(weights(rnd, n, true)), new BceWithLogitsCpu(),
                new FusedBceWithLogits()));
        s.add(new Subject<>(logits.posWeight(weights(rnd, COLUMNS, true)).weight(weights(rnd, COLUMNS, false)),
                new BceWithLogitsCpu(), new FusedBceWithLogits()));
        for (double[] ga : new double[][] {{2, 0.25}, {0, 0.25}, {1, -1}, {0.5, 0.75}, {3.5, 0.1}}) {
            s.add(new Subject<>(new Focal(r, ga[0], ga[1]), new FocalCpu(), new FusedFocal()));
        }
        return s;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (int rows : new int[] {1, 2711}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    cases.add(Arguments.of(k, rows, r));
                }
            }
        }
        return cases.stream();
    }

    /** Logits, probabilities in [0, 1] with the ends 0 and 1, targets in [0, 1] with 0, 1, 1/2. */
    static Tensor[] inputs(int rows, long seed) {
        Random rnd = new Random(seed);
        int n = rows * COLUMNS;
        float[] x = logits(rnd, rows, COLUMNS, 3.0);
        float[] p = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = i % 11 == 0 ? 0f : i % 11 == 1 ? 1f : rnd.nextFloat();
            y[i] = i % 3 == 0 ? 0f : i % 3 == 1 ? 1f : i % 5 == 0 ? 0.5f : rnd.nextFloat();
        }
        p[2] = 1e-30f;
        p[3] = 1 - 1e-7f;
        return new Tensor[] {Tensor.of(x, rows, COLUMNS), Tensor.of(p, rows, COLUMNS), Tensor.of(y, rows, COLUMNS)};
    }

    /** The inputs of {@code s}: probabilities for binary_cross_entropy, logits for the others. */
    static Tensor[] of(Subject<?> s, Tensor[] in) {
        return new Tensor[] {s.loss() instanceof BinaryCrossEntropy ? in[1] : in[0], in[2]};
    }

    @ParameterizedTest(name = "{0} rows={1} {2}")
    @MethodSource("cases")
    void logisticLossesMatchTheReference(FloatKernels k, int rows, Reduction r) {
        Tensor[] in = inputs(rows, rows);
        for (Subject<?> s : subjects(r, rows * COLUMNS, new Random(rows))) {
            s.assertMatchesReference(k, of(s, in));
        }
    }

    @ParameterizedTest(name = "{0} rows={1} {2}")
    @MethodSource("cases")
    void klDivMatchesTheReference(FloatKernels k, int rows, Reduction r) {
        Random rnd = new Random(rows + 1);
        int n = rows * COLUMNS;
        float[] x = logits(rnd, rows, COLUMNS, 1.5);        // kl_div's log-probabilities
        float[] t = new float[n];
        float[] logT = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 6 == 0 ? 0f : rnd.nextFloat();
            logT[i] = i % 9 == 0 ? Float.NEGATIVE_INFINITY : (float) (rnd.nextGaussian() * 3);
        }
        x[1] = Float.NEGATIVE_INFINITY;                 // kl_div: -inf log-probability, zero target (t[0] = 0)
        x[0] = Float.NEGATIVE_INFINITY;
        long[] shape = {rows, COLUMNS};
        Tensor xt = Tensor.of(x, shape);
        Reduction kr = r == Reduction.SUM ? Reduction.BATCHMEAN : r;
        new Subject<>(new KlDiv(kr, false), new KlDivCpu(), new FusedKlDiv()).assertMatchesReference(k, xt,
                Tensor.of(t, shape));
        new Subject<>(new KlDiv(kr, true), new KlDivCpu(), new FusedKlDiv()).assertMatchesReference(k, xt,
                Tensor.of(logT, shape));
    }

    /** Logits ±inf, NaN, ±1e4, ±100, ±88 (where exp underflows float32), 0, against targets 0, 1, 1/2, 0.3. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void logitEdgesMatchTheReference(FloatKernels k) {
        float[] xs = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e4f, -1e4f, 100, -100, 88, -88,
            87.5f, -87.5f, 0, -0f, 20, -20, 1e-8f};
        float[] ys = {0, 1, 0.5f, 0.3f};
        int rows = 4;
        int n = rows * COLUMNS;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = xs[i % xs.length];
            y[i] = ys[(i / xs.length) % ys.length];
        }
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM}) {
            for (Subject<?> s : subjects(r, n, new Random(3))) {
                if (!(s.loss() instanceof BinaryCrossEntropy)) {
                    s.assertMatchesReference(k, Tensor.of(x, rows, COLUMNS), Tensor.of(y, rows, COLUMNS));
                }
            }
        }
    }

    /** Probabilities 0 and 1 cost at most 100 (PyTorch's log clamp); a perfect prediction costs +0. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void bceClampsTheLogAtTheEnds(FloatKernels k) {
        float[] p = {0, 1, 0, 1, 0.5f, 1e-30f, 0, 1, 0, 1, 0, 1};
        float[] y = {1, 0, 0, 1, 0.5f, 1, 1, 0, 0, 1, 0.5f, 0.5f};
        LossResult r = fused(new BinaryCrossEntropy().reduction(Reduction.NONE), new FusedBinaryCrossEntropy(), k,
                FusedAssertions.TWO, new Tensor[] {Tensor.of(p), Tensor.of(y)}, new Tensor[] {Tensor.zeros(12), null});
        float[] v = r.values().toFloatArray();
        assertEquals(100f, v[0]);
        assertEquals(100f, v[1]);
        assertEquals(0f, v[2]);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v[3]), "+0");
        assertEquals(Math.log(2), v[4], 1e-7);
        assertEquals(50f, v[10]);
        new Subject<>(new BinaryCrossEntropy().reduction(Reduction.NONE), new BinaryCrossEntropyCpu(),
                new FusedBinaryCrossEntropy()).assertMatchesReference(k, Tensor.of(p), Tensor.of(y));
    }

    @Test
    void vectorAndScalarKernelsGiveTheSameElements() {
        FloatKernels v = KernelSelection.kernels();
        FloatKernels s = new ScalarKernels();
        Tensor[] in = inputs(113, 5);
        for (Subject<?> subject : subjects(Reduction.NONE, 113 * COLUMNS, new Random(5))) {
            subject.assertSameElements(v, s, of(subject, in));
        }
        new Subject<>(new KlDiv(Reduction.NONE, false), new KlDivCpu(), new FusedKlDiv())
                .assertSameElements(v, s, new Tensor[] {in[0], in[1]});
        new Subject<>(new KlDiv(Reduction.NONE, true), new KlDivCpu(), new FusedKlDiv())
                .assertSameElements(v, s, new Tensor[] {in[1], in[0]});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void resultsAreTheSameBitsOnOneTwoAndThreeThreads(FloatKernels k) {
        int rows = 8111;
        Tensor[] in = inputs(rows, 9);
        for (Subject<?> s : subjects(Reduction.MEAN, rows * COLUMNS, new Random(9))) {
            s.assertSameBits(k, of(s, in));
        }
        new Subject<>(new KlDiv(), new KlDivCpu(), new FusedKlDiv()).assertSameBits(k, new Tensor[] {in[0], in[1]});
    }

    @Test
    void refusesWhatTheReferenceRefusesAndWritesNothing() {
        int n = 100_003;
        float[] ok = new float[n];
        float[] bad = new float[n];
        bad[70_001] = 1.5f;
        bad[90_000] = Float.NaN;
        float[] nan = new float[n];
        nan[5] = Float.NaN;
        float[] negative = new float[n];
        negative[80_000] = -2f;
        Subject<?>[] logistic = {
            new Subject<>(new BinaryCrossEntropy(), new BinaryCrossEntropyCpu(), new FusedBinaryCrossEntropy()),
            new Subject<>(new BceWithLogits(), new BceWithLogitsCpu(), new FusedBceWithLogits()),
            new Subject<>(new Focal(), new FocalCpu(), new FusedFocal())};
        for (Subject<?> s : logistic) {
            s.assertSameRefusal(Tensor.of(ok), Tensor.of(bad));
            s.assertSameRefusal(Tensor.of(ok), Tensor.of(nan));
        }
        logistic[0].assertSameRefusal(Tensor.of(bad), Tensor.of(ok));
        new Subject<>(new BinaryCrossEntropy().weight(new float[] {1, 2}), new BinaryCrossEntropyCpu(),
                new FusedBinaryCrossEntropy()).assertSameRefusal(Tensor.of(ok), Tensor.of(ok));
        new Subject<>(new BceWithLogits().posWeight(1, 2), new BceWithLogitsCpu(), new FusedBceWithLogits())
                .assertSameRefusal(Tensor.of(ok), Tensor.of(ok));
        new Subject<>(new KlDiv(), new KlDivCpu(), new FusedKlDiv()).assertSameRefusal(Tensor.of(ok), Tensor.of(negative));
        float[] inf = new float[n];
        inf[7] = Float.POSITIVE_INFINITY;
        new Subject<>(new KlDiv(), new KlDivCpu(), new FusedKlDiv()).assertSameRefusal(Tensor.of(ok), Tensor.of(inf));
    }
}
