package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LinearCrossEntropy} on the CPU against the unfused double-precision reference (linear, then
 * cross-entropy): value, per-row values and the gradients with respect to hidden, the weight and the
 * bias, for every option and reduction, with and without bias, in chunks of 1, 7 and all rows.
 */
class LinearCrossEntropyTest extends CpuEngineFixture {
    static final int N = 37;
    static final int D = 19;
    static final int V = 131;

    /** The option sets of the cross-entropy that apply to index targets. */
    static List<Object[]> options() {
        float[] classWeights = new float[V];
        for (int c = 0; c < V; c++) {
            classWeights[c] = 0.25f + (c % 5) * 0.5f;
        }
        List<Object[]> o = new ArrayList<>();
        o.add(new Object[] {"plain", (UnaryOperator<LinearCrossEntropy>) l -> l});
        o.add(new Object[] {"smoothing uniform", (UnaryOperator<LinearCrossEntropy>) l -> l.labelSmoothing(0.1)});
        o.add(new Object[] {"smoothing off_target", (UnaryOperator<LinearCrossEntropy>) l -> l.labelSmoothing(0.2,
                SmoothingConvention.OFF_TARGET)});
        o.add(new Object[] {"ignore_index 7", (UnaryOperator<LinearCrossEntropy>) l -> l.ignoreIndex(7)});
        o.add(new Object[] {"class weights", (UnaryOperator<LinearCrossEntropy>) l -> l.classWeights(classWeights)});
        o.add(new Object[] {"z_loss", (UnaryOperator<LinearCrossEntropy>) l -> l.zLoss(1e-2)});
        o.add(new Object[] {"softcap", (UnaryOperator<LinearCrossEntropy>) l -> l.softcap(3.0)});
        o.add(new Object[] {"everything", (UnaryOperator<LinearCrossEntropy>) l -> l.labelSmoothing(0.05)
                .classWeights(classWeights).zLoss(1e-3).softcap(4.0)});
        return o;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Object[] o : options()) {
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                for (boolean bias : new boolean[] {false, true}) {
                    out.add(Arguments.of(o[0], o[1], r, bias));
                }
            }
        }
        @SuppressWarnings("unchecked")
        UnaryOperator<LinearCrossEntropy> normalizer = l -> l.normalizer(50);
        out.add(Arguments.of("normalizer", normalizer, Reduction.MEAN, true));
        out.add(Arguments.of("normalizer", normalizer, Reduction.MEAN, false));
        return out.stream();
    }

    /** hidden [n, d], weight [v, d], targets with every 5th row ignored (-100), and bias [v] when asked. */
    static Tensor[] inputs(int n, int d, int v, boolean bias, long seed) {
        RandomTensors r = new RandomTensors(seed);
        Tensor h = r.normal(1.0, n, d);
        Tensor w = r.normal(0.5, v, d);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 5 == 3 ? -100 : r.nextInt(v);
        }
        Tensor target = Tensor.ofLongs(t, n);
        return bias ? new Tensor[] {h, w, target, r.normal(0.3, v)} : new Tensor[] {h, w, target};
    }

    @ParameterizedTest(name = "{0} {2} bias={3}")
    @MethodSource("cases")
    void matchesTheUnfusedReference(String name, UnaryOperator<LinearCrossEntropy> option, Reduction r, boolean bias) {
        Tensor[] in = inputs(N, D, V, bias, 11);
        LinearCrossEntropy base = option.apply(Losses.linearCrossEntropy().reduction(r).bias(bias));
        long ignore = base.ce().ignoreIndex();
        if (ignore != -100) {
            long[] t = new long[N];
            for (int i = 0; i < N; i++) {
                t[i] = in[2].getLong(i) == -100 ? ignore : in[2].getLong(i);
            }
            in[2] = Tensor.ofLongs(t, N);
        }
        UnfusedLinearCrossEntropy ref = UnfusedLinearCrossEntropy.of(base, in);
        for (int chunk : new int[] {1, 7, N}) {
            LinearCrossEntropy loss = base.chunkRows(chunk);
            LossResult got = engine.compute(loss, in);
            String what = name + " " + r + " bias=" + bias + " chunk=" + chunk;
            assertResult(what, ref, got, r, bias);
        }
    }

    static void assertResult(String what, UnfusedLinearCrossEntropy ref, LossResult got, Reduction r, boolean bias) {
        if (r == Reduction.NONE) {
            float[] expected = ref.ce().values().toFloatArray();
            float[] actual = got.values().toFloatArray();
            assertEquals(expected.length, actual.length, what);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 2e-5 * Math.max(1, Math.abs(expected[i])), what + " values[" + i + "]");
            }
        } else {
            assertEquals(ref.value(), got.value(), 2e-5 * Math.max(1, Math.abs(ref.value())), what + " value");
        }
        assertClose(what + " dL/dhidden", ref.dh(), got.gradient(0).toFloatArray());
        assertClose(what + " dL/dweight", ref.dw(), got.gradient(1).toFloatArray());
        if (bias) {
            assertClose(what + " dL/dbias", ref.db(), got.gradient(3).toFloatArray());
        }
        assertEquals(ref.ce().denominator(), got.denominator(), 1e-9, what + " denominator");
        assertEquals(ref.ce().zLoss(), got.zLoss(), 2e-5 * Math.max(1, Math.abs(ref.ce().zLoss())), what + " z-loss part");
    }

    /** Every entry within 1e-4 of the largest |reference| entry (float32 sums over D and V terms). */
    static void assertClose(String what, double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": entries");
        double largest = 0;
        for (double e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        assertTrue(largest > 0, what + ": an all-zero reference checks nothing");
        double tol = 1e-4 * largest;
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void ignoredRowsHaveAnExactlyZeroHiddenGradient() {
        Tensor[] in = inputs(N, D, V, true, 12);
        LossResult got = engine.compute(Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).chunkRows(7), in);
        float[] dh = got.gradient(0).toFloatArray();
        int ignored = 0;
        for (int i = 0; i < N; i++) {
            boolean isIgnored = in[2].getLong(i) == -100;
            ignored += isIgnored ? 1 : 0;
            for (int p = 0; p < D; p++) {
                float g = dh[i * D + p];
                if (isIgnored) {
                    assertEquals(0, Float.floatToRawIntBits(g), "row " + i + " is ignored: dh[" + i + ", " + p + "] = " + g);
                } else if (g != 0) {
                    ignored += 0;
                }
            }
        }
        assertTrue(ignored > 0, "the inputs have ignored rows");
        assertTrue(Math.abs(dh[0]) > 0, "a row that counts has a gradient");
    }

    @Test
    void allIgnoredFollowsThePolicy() {
        Tensor[] in = inputs(6, D, V, false, 13);
        Tensor all = Tensor.ofLongs(new long[] {-100, -100, -100, -100, -100, -100}, 6);
        Tensor[] ignored = {in[0], in[1], all};
        LossResult zero = engine.compute(Losses.linearCrossEntropy(), ignored);
        assertEquals(0.0, zero.value());
        for (float g : zero.gradient(1).toFloatArray()) {
            assertEquals(0f, g, "dW of an all-ignored batch");
        }
        LossResult nan = engine.compute(Losses.linearCrossEntropy().allIgnored(AllIgnoredPolicy.NAN), ignored);
        assertTrue(Double.isNaN(nan.value()), "NAN policy: " + nan.value());
    }

    @Test
    void gradientsAreBitwiseReproducibleAndIndependentOfTheThreadCount() {
        Tensor[] in = inputs(64, 33, 300, true, 14);
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).chunkRows(16).zLoss(1e-3);
        LossResult a = engine.compute(loss, in);
        LossResult b = engine.compute(loss, in);
        try (io.github.lossengine.LossEngine one = io.github.lossengine.LossEngine.builder()
                .backend(io.github.lossengine.Backend.CPU).threads(1).build()) {
            LossResult c = one.compute(loss, in);
            for (int g : new int[] {0, 1, 3}) {
                assertArrayEquals(a.gradient(g).toFloatArray(), b.gradient(g).toFloatArray(), "run to run, gradient " + g);
                assertArrayEquals(a.gradient(g).toFloatArray(), c.gradient(g).toFloatArray(), "2 threads vs 1, gradient " + g);
            }
            assertEquals(a.value(), c.value(), 0.0, "value, 2 threads vs 1");
        }
    }

    @Test
    void theReferencePathWithoutVectorKernelsAgrees() {
        Tensor[] in = inputs(N, D, V, true, 15);
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).chunkRows(5);
        UnfusedLinearCrossEntropy ref = UnfusedLinearCrossEntropy.of(loss, in);
        Tensor[] g = {Tensor.zeros(N, D), Tensor.zeros(V, D), null, Tensor.zeros(V)};
        try (CpuBackend scalar = new CpuBackend(1, null)) {
            LossResult got = scalar.compute(loss, in, g);
            assertResult("reference path", ref, got, Reduction.MEAN, true);
        }
    }

    @Test
    void evaluateGivesTheSameValueWithoutGradients() {
        Tensor[] in = inputs(N, D, V, false, 16);
        LinearCrossEntropy loss = Losses.linearCrossEntropy().chunkRows(7);
        assertEquals(engine.compute(loss, in).value(), engine.evaluate(loss, in).value(), 0.0);
    }

    @Test
    void computeIntoWritesEveryEntryOfTheCallersBuffers() {
        Tensor[] in = inputs(N, D, V, true, 17);
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).chunkRows(4);
        float[] dh = filled(N * D);
        float[] dw = filled(V * D);
        float[] db = filled(V);
        engine.computeInto(loss, in, Tensor.of(dh, N, D), Tensor.of(dw, V, D), null, Tensor.of(db, V));
        LossResult fresh = engine.compute(loss, in);
        assertArrayEquals(fresh.gradient(0).toFloatArray(), dh);
        assertArrayEquals(fresh.gradient(1).toFloatArray(), dw);
        assertArrayEquals(fresh.gradient(3).toFloatArray(), db);
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 42f);
        return a;
    }

    @Test
    void theDefaultChunkComesFromTheWorkspaceBound() {
        LinearCrossEntropy loss = Losses.linearCrossEntropy();
        assertEquals(512, loss.rowsPerChunk(8192, 256, 32768), "64 MiB / (32768 x 4 B)");
        assertEquals(2048, loss.rowsPerChunk(16384, 4096, 32768), "hidden (256 MiB) is larger than 64 MiB");
        assertEquals(10, loss.rowsPerChunk(10, 4, 5), "never more than N");
        assertEquals(1, loss.maxWorkspaceBytes(1).rowsPerChunk(10, 1, 1000), "at least one row");
        assertEquals(7, loss.chunkRows(7).rowsPerChunk(100, 4, 5));
    }
}
