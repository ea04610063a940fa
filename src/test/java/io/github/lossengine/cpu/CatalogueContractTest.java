package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.ValidInputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every loss of the catalogue promises on the CPU backend, whatever its formula: the caller's
 * inputs are never written, N = 0 behaves as the README's Usage section documents, a call repeated
 * gives the same bits, and one engine shared by several threads gives the bits of a lone call.
 */
class CatalogueContractTest extends CpuEngineFixture {
    private static final int THREADS = 4;
    private static final int CALLS_PER_THREAD = 200;

    static Stream<String> names() {
        return Losses.names().stream();
    }

    /** The reductions a loss takes: BATCHMEAN only for kl_div. */
    private static List<Reduction> reductions(Loss loss) {
        List<Reduction> out = new ArrayList<>(List.of(Reduction.NONE, Reduction.SUM, Reduction.MEAN));
        if (loss.name().equals("kl_div")) {
            out.add(Reduction.BATCHMEAN);
        }
        return out;
    }

    /** Every element's raw bits (float32 as its int bits, integers as they are), to compare storage exactly. */
    private static String contents(Tensor t) {
        long[] v = new long[(int) t.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.dtype() == DType.FLOAT32 ? Float.floatToRawIntBits(t.getFloat(i)) : t.getLong(i);
        }
        return t + Arrays.toString(v);
    }

    private static Tensor[] gradientBuffers(Loss loss, Tensor[] in) {
        Tensor[] g = new Tensor[in.length];
        for (int k = 0; k < in.length; k++) {
            if (loss.differentiable(k)) {
                float[] a = new float[(int) in[k].size()];
                Arrays.fill(a, Float.NaN);
                g[k] = Tensor.of(a, in[k].shape());
            }
        }
        return g;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void inputsAreNeverModified(String name) {
        Tensor[] in = ValidInputs.of(name, 5, 4, 3.0, 11);
        String[] before = Arrays.stream(in).map(CatalogueContractTest::contents).toArray(String[]::new);
        for (Reduction r : reductions(Losses.byName(name))) {
            Loss loss = Losses.byName(name).reduction(r);
            LossResult computed = engine.compute(loss, in);
            Tensor[] grads = gradientBuffers(loss, in);
            LossResult into = engine.computeInto(loss, in, grads);
            engine.evaluate(loss, in);
            for (int k = 0; k < in.length; k++) {
                assertEquals(before[k], contents(in[k]), name + " " + r + ": input " + k + " (" + loss.inputNames().get(k) + ") changed");
            }
            assertArrayEquals(rawBits(loss, computed, in.length), rawBits(loss, into, in.length),
                    name + " " + r + ": computeInto gives compute's bits");
            for (int k = 0; k < in.length; k++) {
                if (grads[k] != null) {
                    assertEquals(contents(computed.gradient(k)), contents(grads[k]), name + " " + r + ": caller buffer " + k);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void emptyInputsAsTheReadmeDocuments(String name) {
        // README, Usage: "Empty inputs: SUM gives 0, NONE an empty tensor; MEAN and BATCHMEAN refuse them (0/0)."
        Tensor[] in = ValidInputs.of(name, 0, 3, 1.0, 5);
        Loss base = Losses.byName(name);
        for (Tensor t : in) {
            assertEquals(0, t.size(), name + ": test input " + t + " is empty");
        }
        LossResult sum = engine.compute(base.reduction(Reduction.SUM), in);
        assertEquals(0L, Double.doubleToRawLongBits(sum.value()), name + ": SUM of nothing is +0.0, got " + sum.value());
        LossResult none = engine.compute(base.reduction(Reduction.NONE), in);
        assertEquals(0, none.values().size(), name + ": NONE gives an empty tensor");
        for (int k = 0; k < in.length; k++) {
            if (base.differentiable(k)) {
                assertEquals(0, sum.gradient(k).size(), name + ": empty gradient " + k);
            }
        }
        for (Reduction r : reductions(base)) {
            if (r == Reduction.MEAN || r == Reduction.BATCHMEAN) {
                Loss loss = base.reduction(r);
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.compute(loss, in),
                        name + " " + r + " of nothing is refused");
                assertTrue(e.getMessage().contains("empty"), e.getMessage());
            }
        }
    }

    /** Every bit of a result, as one array: the value (or every per-element value), then every gradient. */
    private static long[] rawBits(Loss loss, LossResult r, int arity) {
        List<Tensor> parts = new ArrayList<>();
        if (loss.reduction() == Reduction.NONE) {
            parts.add(r.values());
        }
        for (int k = 0; k < arity; k++) {
            if (loss.differentiable(k)) {
                parts.add(r.gradient(k));
            }
        }
        long n = 1;
        for (Tensor t : parts) {
            n += t.size();
        }
        long[] out = new long[(int) n];
        out[0] = loss.reduction() == Reduction.NONE ? 0 : Double.doubleToRawLongBits(r.value());
        int at = 1;
        for (Tensor t : parts) {
            for (long i = 0; i < t.size(); i++) {
                out[at++] = Float.floatToRawIntBits(t.getFloat(i));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void repeatedCallsGiveTheSameBits(String name) {
        Tensor[] in = ValidInputs.of(name, 129, 256, 3.0, 23);
        for (Reduction r : reductions(Losses.byName(name))) {
            Loss loss = Losses.byName(name).reduction(r);
            assertArrayEquals(rawBits(loss, engine.compute(loss, in), in.length), rawBits(loss, engine.compute(loss, in), in.length),
                    name + " " + r + ": the same call twice");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void oneEngineSharedByThreadsGivesTheBitsOfALoneCall(String name) throws Exception {
        // 129 x 256 elements: more than one chunk of work per call (Chunking.TARGET_ELEMENTS), so the engine's own
        // worker threads take part while the callers' threads run concurrently
        Tensor[] in = ValidInputs.of(name, 129, 256, 3.0, 29);
        Loss loss = Losses.byName(name);
        long[] lone = rawBits(loss, engine.compute(loss, in), in.length);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                tasks.add(() -> {
                    int differing = 0;
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        differing += Arrays.equals(lone, rawBits(loss, engine.compute(loss, in), in.length)) ? 0 : 1;
                    }
                    return differing;
                });
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                assertEquals(0, f.get(), name + ": concurrent calls whose bits differ from a lone call's, of " + CALLS_PER_THREAD);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
