package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.logits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.FusedAssertions.Subject;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.Nll;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused nll against its double-precision reference: values and gradients for every reduction,
 * with and without class weights (one of them 0) and ignore_index, on the Vector API and the scalar
 * kernels; NaN and ±inf log-probabilities, every row ignored under each {@link AllIgnoredPolicy},
 * refusals with the reference's message and nothing written, the same bits on 1, 2 and 3 threads and
 * through a whole {@link io.github.lossengine.LossEngine} of 1 and 2 threads, and every float32
 * storage kind on the fused path with the array's bits.
 */
class FusedRowLossesTest extends CpuEngineFixture {
    private static final int CLASSES = 37;

    static List<Subject<Nll>> subjects(Reduction r) {
        float[] w = FusedAssertions.positive(new Random(3), CLASSES);
        w[5] = 0;
        List<Subject<Nll>> s = new ArrayList<>();
        for (Nll nll : new Nll[] {new Nll(), new Nll().classWeights(w), new Nll().ignoreIndex(2),
            new Nll().classWeights(w).ignoreIndex(7), new Nll().ignoreIndex(-1).allIgnored(AllIgnoredPolicy.NAN)}) {
            s.add(new Subject<>(nll.reduction(r), new NllCpu(), new FusedNll()));
        }
        return s;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (int rows : new int[] {1, 13, 5003}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (Subject<Nll> s : subjects(r)) {
                        cases.add(Arguments.of(k, rows, s));
                    }
                }
            }
        }
        return cases.stream();
    }

    /** Log-probabilities (any floats will do for nll) and targets hitting classes 2, 5 (weight 0) and 7 often. */
    static Tensor[] inputs(int rows, long seed) {
        Random rnd = new Random(seed);
        float[] x = logits(rnd, rows, CLASSES, 3.0);
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = i % 4 == 0 ? new int[] {2, 5, 7}[i / 4 % 3] : rnd.nextInt(CLASSES);
        }
        if (rows > 3) {
            y[3] = -1;
        }
        return new Tensor[] {Tensor.of(x, rows, CLASSES), Tensor.ofLongs(y, rows)};
    }

    /** {@code in} with the target -1 (row 3) replaced by class 0. */
    static Tensor[] inRange(Tensor[] in) {
        long[] y = new long[(int) in[1].size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(0, in[1].getLong(i));
        }
        return new Tensor[] {in[0], Tensor.ofLongs(y, y.length)};
    }

    @ParameterizedTest(name = "{0} rows={1} {2}")
    @MethodSource("cases")
    void nllMatchesTheReference(FloatKernels k, int rows, Subject<Nll> s) {
        Tensor[] in = inputs(rows, rows * 31L);
        if (s.loss().ignoreIndex() != -1) {
            in = inRange(in); // -1 is out of range unless it is ignore_index
        }
        s.assertMatchesReference(k, in);
        if (s.loss().reduction() != Reduction.NONE) {
            s.assertSameBits(k, in);
        }
    }

    /** NaN, ±inf and FLT_MAX at targets (with a weight above 1: overflow) and elsewhere; int32 targets. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void nllEdgesMatchTheReference(FloatKernels k) {
        float[] x = new float[6 * 3];
        float[] at = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -Float.MAX_VALUE, -0f, 1e-30f};
        int[] y = {0, 1, 2, 0, 1, 2};
        for (int i = 0; i < 6; i++) {
            x[i * 3 + y[i]] = at[i];
            x[i * 3 + (y[i] + 1) % 3] = Float.NaN;
        }
        float[] w = {2f, 0.5f, 1f};
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
            for (Nll nll : new Nll[] {new Nll(), new Nll().classWeights(w), new Nll().classWeights(new float[] {0, 1, 1})}) {
                new Subject<>(nll.reduction(r), new NllCpu(), new FusedNll())
                        .assertMatchesReference(k, Tensor.of(x, 6, 3), Tensor.ofInts(y, 6));
            }
        }
    }

    /** Every row ignored (or of weight 0): the policy's 0 or NaN, all-zero gradients, as the reference. */
    @Test
    void allRowsIgnored() {
        Tensor x = Tensor.of(logits(new Random(1), 4, 3, 1.0), 4, 3);
        Tensor y = Tensor.ofLongs(new long[] {-100, -100, 1, -100}, 4);
        for (AllIgnoredPolicy p : new AllIgnoredPolicy[] {AllIgnoredPolicy.ZERO, AllIgnoredPolicy.NAN}) {
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                Nll nll = new Nll().classWeights(new float[] {1, 0, 1}).allIgnored(p).reduction(r);
                LossResult ref = new Subject<>(nll, new NllCpu(), new FusedNll())
                        .assertMatchesReference(KernelSelection.kernels(), x, y);
                LossResult got = FusedAssertions.fused(nll, new FusedNll(), KernelSelection.kernels(),
                        FusedAssertions.TWO, new Tensor[] {x, y}, new Tensor[] {Tensor.zeros(4, 3), null});
                assertArrayEquals(new float[12], got.gradient().toFloatArray(), "no gradient");
                if (r == Reduction.MEAN) {
                    assertEquals(Double.doubleToLongBits(ref.value()), Double.doubleToLongBits(got.value()), p + " mean");
                    assertEquals(p == AllIgnoredPolicy.NAN, Double.isNaN(got.value()));
                }
            }
        }
    }

    /** Bad shapes, dtypes, weights, indices and the ERROR policy: the reference's message, nothing written. */
    @Test
    void refusesAsTheReference() {
        Tensor x = Tensor.of(logits(new Random(2), 4, 3, 1.0), 4, 3);
        Subject<Nll> s = new Subject<>(new Nll(), new NllCpu(), new FusedNll());
        s.assertSameRefusal(x, Tensor.ofLongs(new long[] {0, 1, 3, 2}, 4));
        s.assertSameRefusal(x, Tensor.ofInts(new int[] {0, -5, 1, 2}, 4));
        s.assertSameRefusal(x, Tensor.ofLongs(new long[] {0, 1, 2}, 3));
        s.assertSameRefusal(x, Tensor.of(new float[] {0, 1, 2, 0}));
        s.assertSameRefusal(x, Tensor.ofLongs(new long[] {0, 1, 2, 0}, 2, 2));
        s.assertSameRefusal(Tensor.of(new float[0], 2, 0), Tensor.ofLongs(new long[] {0, 0}, 2));
        new Subject<>(new Nll().classWeights(new float[] {1, 2}), new NllCpu(), new FusedNll())
                .assertSameRefusal(x, Tensor.ofLongs(new long[] {0, 1, 1, 0}, 4));
        new Subject<>(new Nll().allIgnored(AllIgnoredPolicy.ERROR), new NllCpu(), new FusedNll())
                .assertSameRefusal(x, Tensor.ofLongs(new long[] {-100, -100, -100, -100}, 4));
        new Subject<>(new Nll().reduction(Reduction.MEAN), new NllCpu(), new FusedNll())
                .assertSameRefusal(Tensor.of(new float[0], 0, 3), Tensor.ofLongs(new long[0], 0));
    }

    /** Through the engine: the fused result on 1 and 2 threads is the same bits, and close to the reference. */
    @Test
    void sameBitsOnEnginesOfOneAndTwoThreads() {
        Tensor[] in = inRange(inputs(70_001, 9));
        Nll nll = new Nll().classWeights(FusedAssertions.positive(new Random(4), CLASSES));
        try (CpuBackend one = new CpuBackend(1); CpuBackend two = new CpuBackend(2)) {
            Tensor g1 = Tensor.zeros(in[0].shape());
            Tensor g2 = Tensor.zeros(in[0].shape());
            LossResult a = one.compute(nll, in, new Tensor[] {g1, null});
            LossResult b = two.compute(nll, in, new Tensor[] {g2, null});
            assertEquals(Double.doubleToLongBits(a.value()), Double.doubleToLongBits(b.value()));
            assertArrayEquals(g1.toFloatArray(), g2.toFloatArray());
            double ref = new NllCpu().compute(nll, in, new Tensor[] {null, null}).value();
            FusedAssertions.assertValueClose(ref, a.value(), FusedAssertions.VALUE_ABS, "nll through the engine");
        }
    }

    /**
     * Every float32 storage kind (a range of a bigger array, a heap buffer slice, direct buffers of both
     * byte orders) for the log-probabilities and the gradient runs the fused path itself and gives the
     * array call's bits; the array around a gradient's range is not written.
     */
    @Test
    void everyStorageGivesTheArraysBits() {
        Tensor[] in = inRange(inputs(5003, 5));
        Nll nll = new Nll().classWeights(FusedAssertions.positive(new Random(6), CLASSES)).ignoreIndex(2);
        float[] x = in[0].toFloatArray();
        try (CpuBackend cpu = new CpuBackend(2)) {
            Tensor ga = Tensor.zeros(in[0].shape());
            LossResult a = cpu.compute(nll, in, new Tensor[] {ga, null});
            for (var kind : StorageKindsTest.kinds(x, in[0].shape()).entrySet()) {
                for (String gKind : StorageKindsTest.kinds(new float[1], 1).keySet()) {
                    float[] big = new float[x.length + 10];
                    java.util.Arrays.fill(big, 12345.5f);
                    Tensor gb = StorageKindsTest.gradient(gKind, big, x.length, in[0].shape());
                    float[] stale = new float[x.length];
                    java.util.Arrays.fill(stale, 7f);
                    gb.write(0, stale, 0, x.length); // every entry is written: none keeps this
                    Tensor[] ins = {kind.getValue(), in[1]};
                    Tensor[] grads = {gb, null};
                    assertTrue(new FusedNll().accepts(nll, ins, grads), kind.getKey() + " taken by the fused path");
                    LossResult b = cpu.compute(nll, ins, grads);
                    String what = "log-probabilities: " + kind.getKey() + ", gradient: " + gKind;
                    assertEquals(Double.doubleToLongBits(a.value()), Double.doubleToLongBits(b.value()), what);
                    assertArrayEquals(ga.toFloatArray(), gb.toFloatArray(), what);
                    if (gKind.equals("range of an array")) {
                        for (int j : new int[] {0, 6, big.length - 3, big.length - 1}) {
                            assertEquals(12345.5f, big[j], what + ": the array around the gradient's range, at " + j);
                        }
                    }
                }
            }
        }
        assertFalse(new FusedNll().accepts(nll, new Tensor[] {Tensor.ofBFloat16(new short[6], 2, 3), in[1]},
                new Tensor[] {null, null}), "16-bit log-probabilities: the reference");
    }
}
