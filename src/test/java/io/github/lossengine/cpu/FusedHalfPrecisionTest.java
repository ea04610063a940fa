package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.GRAD_ABS;
import static io.github.lossengine.cpu.FusedAssertions.ONE;
import static io.github.lossengine.cpu.FusedAssertions.THREE;
import static io.github.lossengine.cpu.FusedAssertions.VALUE_ABS;
import static io.github.lossengine.cpu.FusedAssertions.assertClose;
import static io.github.lossengine.cpu.FusedAssertions.assertValueClose;
import static io.github.lossengine.cpu.FusedAssertions.assertValuesClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.cpu.FusedAssertions.Subject;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.KlDiv;
import io.github.lossengine.loss.LogCosh;
import io.github.lossengine.loss.Mae;
import io.github.lossengine.loss.MarginRanking;
import io.github.lossengine.loss.Mse;
import io.github.lossengine.loss.PoissonNll;
import io.github.lossengine.loss.SmoothL1;
import io.github.lossengine.loss.SquaredHinge;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 inputs and gradients ({@code short[]} and {@link ShortBuffer}) on the fused
 * element-wise kernels: exactly the float32 fused result on the widened inputs (the value, every
 * element's value, and the gradient rounded once to nearest even), the same bits with the Vector API
 * kernels and the scalar ones and on one and three threads, within the 16-bit tolerance of the
 * double reference (a NaN prediction included: it reaches the loss as there), and the reference's
 * refusals of bad labels.
 */
class FusedHalfPrecisionTest {
    /** More than one block and a partial last one; 2-D so that per-column parameters apply. */
    private static final int ROWS = 37;
    private static final int COLUMNS = 29;

    /** What an operand holds: Gaussian, positive, probabilities (with 0 and 1), signs (±1). */
    enum Kind { GAUSSIAN, POSITIVE, PROBABILITY, SIGN }

    record Case(Subject<?> subject, Kind x, Kind y) {
        @Override
        public String toString() {
            return subject.toString();
        }
    }

    static List<Case> cases(Reduction r) {
        List<Case> c = new ArrayList<>();
        c.add(new Case(new Subject<>(new Mse(r), new MseCpu(), new FusedMse()), Kind.GAUSSIAN, Kind.GAUSSIAN));
        c.add(new Case(new Subject<>(new Mae().reduction(r), new MaeCpu(), new FusedMae()), Kind.GAUSSIAN, Kind.GAUSSIAN));
        c.add(new Case(new Subject<>(new Huber(r, 0.7), new HuberCpu(), new FusedHuber()), Kind.GAUSSIAN, Kind.GAUSSIAN));
        c.add(new Case(new Subject<>(new SmoothL1(r, 0.5), new SmoothL1Cpu(), new FusedSmoothL1()), Kind.GAUSSIAN,
                Kind.GAUSSIAN));
        c.add(new Case(new Subject<>(new LogCosh().reduction(r), new LogCoshCpu(), new FusedLogCosh()), Kind.GAUSSIAN,
                Kind.GAUSSIAN));
        c.add(new Case(new Subject<>(new Hinge(r, 1), new HingeCpu(), new FusedHinge()), Kind.GAUSSIAN, Kind.SIGN));
        c.add(new Case(new Subject<>(new SquaredHinge(r, 0.5), new SquaredHingeCpu(), new FusedSquaredHinge()),
                Kind.GAUSSIAN, Kind.SIGN));
        c.add(new Case(new Subject<>(new BinaryCrossEntropy().reduction(r), new BinaryCrossEntropyCpu(),
                new FusedBinaryCrossEntropy()), Kind.PROBABILITY, Kind.PROBABILITY));
        c.add(new Case(new Subject<>(new BceWithLogits().reduction(r).posWeight(2f), new BceWithLogitsCpu(),
                new FusedBceWithLogits()), Kind.GAUSSIAN, Kind.PROBABILITY));
        c.add(new Case(new Subject<>(new Focal(r, 2, 0.25), new FocalCpu(), new FusedFocal()), Kind.GAUSSIAN,
                Kind.PROBABILITY));
        c.add(new Case(new Subject<>(new KlDiv(r, false), new KlDivCpu(), new FusedKlDiv()), Kind.GAUSSIAN,
                Kind.PROBABILITY));
        c.add(new Case(new Subject<>(new PoissonNll().reduction(r), new PoissonNllCpu(), new FusedPoissonNll()),
                Kind.GAUSSIAN, Kind.POSITIVE));
        return c;
    }

    static Stream<Arguments> arguments() {
        List<Arguments> a = new ArrayList<>();
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.NONE}) {
            for (Case c : cases(r)) {
                for (DType d : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
                    a.add(Arguments.of(c, d, r));
                }
            }
        }
        return a.stream();
    }

    static short[] bits(Random rnd, Kind kind, int n, DType d) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            float v = switch (kind) {
                case GAUSSIAN -> i == 5 ? Float.NaN : (float) (rnd.nextGaussian() * 2);
                case POSITIVE -> i % 9 == 0 ? 0f : 3 * rnd.nextFloat();
                case PROBABILITY -> i % 7 == 0 ? 0f : i % 7 == 1 ? 1f : rnd.nextFloat();
                case SIGN -> rnd.nextBoolean() ? 1f : -1f;
            };
            s[i] = HalfFloats.round(d, v);
        }
        return s;
    }

    static float[] widen(short[] s, DType d) {
        float[] f = new float[s.length];
        Tensor t = half(s, d, false);
        t.read(0, f, 0, f.length);
        return f;
    }

    static Tensor half(short[] s, DType d, boolean buffer) {
        if (buffer) {
            ShortBuffer b = ShortBuffer.wrap(s);
            return d == DType.BFLOAT16 ? Tensor.ofBFloat16(b, ROWS, COLUMNS) : Tensor.ofFloat16(b, ROWS, COLUMNS);
        }
        return d == DType.BFLOAT16 ? Tensor.ofBFloat16(s, ROWS, COLUMNS) : Tensor.ofFloat16(s, ROWS, COLUMNS);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("arguments")
    void halfInputsGiveTheFloat32ResultOnTheWidenedValues(Case c, DType d, Reduction r) {
        check(c.subject(), c, d);
    }

    private static <L extends Loss> void check(Subject<L> s, Case c, DType d) {
        int n = ROWS * COLUMNS;
        Random rnd = new Random(n + c.toString().hashCode());
        short[] x = bits(rnd, c.x(), n, d);
        short[] y = bits(rnd, c.y(), n, d);
        Tensor[] wide = {Tensor.of(widen(x, d), ROWS, COLUMNS), Tensor.of(widen(y, d), ROWS, COLUMNS)};
        FloatKernels vector = KernelSelection.kernels();
        LossResult f32 = s.fused().compute(s.loss(), wide, new Tensor[] {Tensor.zeros(ROWS, COLUMNS), null}, vector,
                THREE);
        float[] g32 = f32.gradient().toFloatArray();
        LossResult ref = s.reference().compute(s.loss(), new Tensor[] {half(x, d, false), half(y, d, false)},
                new Tensor[] {Tensor.zeros(d, ROWS, COLUMNS), null});
        for (FloatKernels k : new FloatKernels[] {vector, new ScalarKernels()}) {
            for (boolean buffer : new boolean[] {false, true}) {
                for (WorkerPool pool : new WorkerPool[] {ONE, THREE}) {
                    String what = s + " " + d + (buffer ? " ShortBuffer" : " short[]") + " on " + k.description()
                            + ", " + pool.threads() + " threads";
                    Tensor[] in = {half(x, d, buffer), half(y, d, buffer)};
                    Tensor[] grads = {Tensor.zeros(d, ROWS, COLUMNS), null};
                    assertTrue(s.fused().accepts(s.loss(), in, grads), what + ": the fused path takes it");
                    LossResult got = s.fused().compute(s.loss(), in, grads, k, pool);
                    if (f32.values() != null) {
                        assertArrayEquals(f32.values().toFloatArray(), got.values().toFloatArray(), what + ": values");
                    } else {
                        assertEquals(Double.doubleToRawLongBits(f32.value()), Double.doubleToRawLongBits(got.value()),
                                what + ": value");
                    }
                    assertRoundedOnce(g32, grads[0], d, what + ": gradient");
                    assertCloseToReference(ref, got, d, what);
                }
            }
        }
    }

    /**
     * Every element of the 16-bit gradient {@code got} is {@code want}'s float32 element rounded once to
     * nearest even, bit for bit, a NaN's sign included (the vector and scalar kernels compute
     * {@code margin - y x} in the same form, so a NaN keeps its sign on both).
     */
    private static void assertRoundedOnce(float[] want, Tensor got, DType d, String what) {
        short[] bits = got.shortArrayOrNull();
        for (int i = 0; i < want.length; i++) {
            assertEquals(HalfFloats.round(d, want[i]), bits[i], what + " element " + i);
        }
    }

    /** Within the reference's tolerance for the value; the gradient within one 16-bit rounding of it. */
    private static void assertCloseToReference(LossResult ref, LossResult got, DType d, String what) {
        if (ref.values() != null) {
            assertValuesClose(ref.values().toFloatArray(), got.values().toFloatArray(), VALUE_ABS, what);
        } else {
            assertValueClose(ref.value(), got.value(), VALUE_ABS, what);
        }
        float[] rg = ref.gradient().toFloatArray();
        float[] fg = got.gradient().toFloatArray();
        double max = 0;
        for (float v : rg) {
            max = Float.isFinite(v) ? Math.max(max, Math.abs(v)) : max;
        }
        double rel = d == DType.BFLOAT16 ? 0x1p-8 : 0x1p-11; // half an ulp of the 16-bit format's significand
        for (int i = 0; i < rg.length; i++) {
            int at = i;
            assertClose(rg[i], fg[i], 2 * rel * Math.abs(rg[i]) + GRAD_ABS * max + 0x1p-24,
                    () -> what + ": gradient " + at);
        }
    }

    /** A bad label is refused as the reference refuses it, and nothing is written. */
    @Test
    void badLabelsAreRefusedAsTheReferenceDoes() {
        int n = ROWS * COLUMNS;
        for (DType d : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            short[] x = bits(new Random(1), Kind.GAUSSIAN, n, d);
            short[] y = bits(new Random(2), Kind.SIGN, n, d);
            y[600] = HalfFloats.round(d, 0.5f);
            Hinge loss = new Hinge();
            Tensor[] in = {half(x, d, false), half(y, d, true)};
            Tensor ga = Tensor.zeros(d, ROWS, COLUMNS);
            Tensor gb = Tensor.zeros(d, ROWS, COLUMNS);
            InvalidInputException want = assertThrows(InvalidInputException.class,
                    () -> new HingeCpu().compute(loss, in, new Tensor[] {ga, null}));
            InvalidInputException got = assertThrows(InvalidInputException.class,
                    () -> new FusedHinge().compute(loss, in, new Tensor[] {gb, null}, KernelSelection.kernels(), THREE));
            assertEquals(want.getMessage(), got.getMessage());
            assertArrayEquals(new short[n], gb.shortArrayOrNull(), "nothing written");
        }
    }

    /** margin_ranking on 16-bit operands: the float32 call's bits on the widened values, gradients rounded once. */
    @Test
    void marginRankingOnHalfInputs() {
        int n = ROWS * COLUMNS;
        for (DType d : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            Random rnd = new Random(7);
            short[] a = bits(rnd, Kind.GAUSSIAN, n, d);
            short[] b = bits(rnd, Kind.GAUSSIAN, n, d);
            short[] y = bits(rnd, Kind.SIGN, n, d);
            MarginRanking loss = new MarginRanking(Reduction.SUM, 0.25);
            FusedMarginRanking fused = new FusedMarginRanking();
            Tensor[] g32 = {Tensor.zeros(ROWS, COLUMNS), Tensor.zeros(ROWS, COLUMNS)};
            LossResult want = fused.compute(loss, new Tensor[] {Tensor.of(widen(a, d), ROWS, COLUMNS),
                Tensor.of(widen(b, d), ROWS, COLUMNS), Tensor.of(widen(y, d), ROWS, COLUMNS)}, g32,
                    KernelSelection.kernels(), ONE);
            for (FloatKernels k : new FloatKernels[] {KernelSelection.kernels(), new ScalarKernels()}) {
                Tensor[] in = {half(a, d, false), half(b, d, true), half(y, d, false)};
                Tensor[] g = {Tensor.zeros(d, ROWS, COLUMNS), Tensor.zeros(d, ROWS, COLUMNS)};
                assertTrue(fused.accepts(loss, in, g));
                LossResult got = fused.compute(loss, in, g, k, THREE);
                assertEquals(Double.doubleToRawLongBits(want.value()), Double.doubleToRawLongBits(got.value()));
                for (int e = 0; e < 2; e++) {
                    assertRoundedOnce(g32[e].toFloatArray(), g[e], d, d + " gradient " + e + " on " + k.description());
                }
                LossResult ref = new MarginRankingCpu().compute(loss, in, new Tensor[] {Tensor.zeros(d, ROWS, COLUMNS),
                    Tensor.zeros(d, ROWS, COLUMNS)});
                assertValueClose(ref.value(), got.value(), VALUE_ABS, "margin_ranking " + d);
            }
        }
    }
}
