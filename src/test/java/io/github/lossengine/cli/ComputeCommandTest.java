package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.SmoothingConvention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lossengine compute} in-process: every loss of the catalogue (value and gradients equal to
 * the engine's on the same inputs, with options and weights set through the command line), hand
 * computed values for mse, softmax_cross_entropy and hinge, and the output format.
 */
class ComputeCommandTest {
    private static LossEngine engine;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** One test array: a dtype as NumPy names it, values, and the shape written to the file. */
    record Arr(String descr, double[] values, long... shape) {
        byte[] bytes() {
            int n = values.length;
            switch (descr) {
                case "<f4": {
                    float[] f = new float[n];
                    for (int i = 0; i < n; i++) {
                        f[i] = (float) values[i];
                    }
                    return NpyBytes.f4(f, shape);
                }
                case "<f8":
                    return NpyBytes.f8(values, shape);
                case "<i4":
                    return NpyBytes.i4(Arrays.stream(values).mapToInt(v -> (int) v).toArray(), shape);
                default:
                    return NpyBytes.i8(Arrays.stream(values).mapToLong(v -> (long) v).toArray(), shape);
            }
        }

        /** The tensor the tool should build: class indices kept as integers when asked, float32 otherwise. */
        Tensor tensor(boolean keepIndices) {
            long[] s = shape.length == 0 ? new long[] {1} : shape;
            if (keepIndices && descr.equals("<i4")) {
                return Tensor.ofInts(Arrays.stream(values).mapToInt(v -> (int) v).toArray(), s);
            }
            if (keepIndices && descr.equals("<i8")) {
                return Tensor.ofLongs(Arrays.stream(values).mapToLong(v -> (long) v).toArray(), s);
            }
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return Tensor.of(f, s);
        }

        float[] floats() {
            return tensor(false).toFloatArray();
        }
    }

    static Arr f4(double[] v, long... shape) {
        return new Arr("<f4", v, shape);
    }

    static Arr f8(double[] v, long... shape) {
        return new Arr("<f8", v, shape);
    }

    static Arr i4(double[] v, long... shape) {
        return new Arr("<i4", v, shape);
    }

    static Arr i8(double[] v, long... shape) {
        return new Arr("<i8", v, shape);
    }

    static double[] d(double... v) {
        return v;
    }

    /**
     * One loss on the command line: {@code expected} is the same loss built with the Java API (options,
     * weights and reduction), {@code params} the {@code --param} arguments that should build it.
     */
    record Case(Loss expected, List<String> params, Arr weight, boolean indexTarget, Arr... inputs) {
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    private static void add(Case c) {
        CASES.put(c.expected().name(), c);
    }

    static {
        Arr w3 = f4(d(1, 2, 0.5), 3);
        add(new Case(Losses.softmaxCrossEntropy().labelSmoothing(0.1, SmoothingConvention.OFF_TARGET).ignoreIndex(-1)
                .classWeights(w3.floats()),
                List.of("label_smoothing=0.1", "smoothing=off_target", "ignore_index=-1", "all_ignored=zero"), w3, true,
                f4(d(2, 1, 0.1, 0.5, 2.5, -1, 0, 0, 3), 3, 3), i8(d(0, -1, 2), 3)));
        add(new Case(Losses.nll().allIgnored(AllIgnoredPolicy.NAN).classWeights(w3.floats()).reduction(Reduction.SUM),
                List.of("all_ignored=nan", "ignore_index=-100"), w3, true,
                f8(d(Math.log(0.7), Math.log(0.2), Math.log(0.1), Math.log(0.1), Math.log(0.6), Math.log(0.3)), 2, 3),
                i4(d(0, 2), 2)));
        Arr w2 = f4(d(1, 2), 2);
        add(new Case(Losses.binaryCrossEntropy().weight(w2.floats()), List.of(), w2, false,
                f4(d(0.9, 0.2, 0.4, 0.7), 2, 2), i8(d(1, 0, 0, 1), 2, 2)));
        Arr w2b = f4(d(0.5, 1), 2);
        add(new Case(Losses.bceWithLogits().posWeight(2f, 0.5f).weight(w2b.floats()), List.of("pos_weight=2,0.5"), w2b, false,
                f4(d(1.5, -0.3, 0.2, -2), 2, 2), f8(d(1, 0, 0.5, 1), 2, 2)));
        add(new Case(Losses.mse().reduction(Reduction.SUM), List.of(), null, false,
                f4(d(1, 2, 3, 4, 5, 6), 2, 3), f8(d(1.5, 2, 2.25, 4, 7, 6.5), 2, 3)));
        add(new Case(Losses.mae(), List.of(), null, false,
                f4(d(1, -2, 3, 4.5), 4), f4(d(0.5, -2.5, 3.25, 4), 4)));
        add(new Case(Losses.huber().delta(0.5), List.of("delta=0.5"), null, false,
                f4(d(2.4, 0, 1.3, -2), 2, 2), f4(d(3, 0.1, 1, 0.5), 2, 2)));
        add(new Case(Losses.smoothL1().beta(0.5), List.of("beta=0.5"), null, false,
                f4(d(2.4, 0, 1.3, -2), 4), f4(d(3, 0.1, 1, 0.5), 4)));
        add(new Case(Losses.logCosh().reduction(Reduction.NONE), List.of(), null, false,
                f4(d(2.4, 0, 1.3, -2, 5, 0.25), 3, 2), i4(d(3, 0, 1, 0, -1, 2), 3, 2)));
        add(new Case(Losses.klDiv().logTarget(false).reduction(Reduction.BATCHMEAN), List.of("log_target=false"), null, false,
                f4(d(Math.log(0.2), Math.log(0.3), Math.log(0.5), Math.log(0.6), Math.log(0.3), Math.log(0.1)), 2, 3),
                f4(d(0.1, 0.6, 0.3, 0.5, 0.25, 0.25), 2, 3)));
        add(new Case(Losses.hinge().margin(1), List.of("margin=1"), null, false,
                f4(d(0.2, -0.7, -1.1, 0.5), 4), i4(d(-1, -1, -1, 1), 4)));
        add(new Case(Losses.squaredHinge().margin(0.5), List.of("margin=0.5"), null, false,
                f4(d(0.2, -0.7, -1.1, 0.1), 4), i8(d(-1, -1, -1, 1), 4)));
        add(new Case(Losses.multiclassHinge().variant(MulticlassHinge.Variant.CRAMMER_SINGER).p(2).margin(1.5)
                .classWeights(w3.floats()), List.of("variant=crammer_singer", "p=2", "margin=1.5"), w3, true,
                f4(d(10, 8, 8, 1, 2, 0.5), 2, 3), i8(d(0, 1), 2)));
        add(new Case(Losses.contrastive().margin(2).eps(1e-6), List.of("margin=2", "eps=1e-6"), null, false,
                f4(d(0.1, 0.2, 1, -1), 2, 2), f4(d(0.3, -0.1, 0.5, 0.5), 2, 2), i8(d(0, 1), 2)));
        add(new Case(Losses.triplet().margin(0.5).p(2).swap(true), List.of("margin=0.5", "p=2", "swap=true"), null, false,
                f4(d(0.1, 0.2, 0.3, 1, 0, -1), 2, 3), f4(d(0.2, 0.1, 0.4, 0.8, 0.3, -1.2), 2, 3),
                f4(d(-0.5, 0.6, 0, 0.9, 0.1, -0.7), 2, 3)));
        add(new Case(Losses.focal().gamma(1.5).alpha(0.3), List.of("gamma=1.5", "alpha=0.3"), null, false,
                f4(d(1.2, -0.4, -2, 0.7), 4), i4(d(1, 0, 1, 0), 4)));
        add(new Case(Losses.poissonNll().logInput(true).full(true), List.of("log_input=true", "full=true"), null, false,
                f4(d(0.1, -0.5, 1.2), 3), i4(d(1, 0, 3), 3)));
        add(new Case(Losses.gaussianNll().full(true).eps(1e-6), List.of("full=true", "eps=1e-6"), null, false,
                f4(d(0.5, 1, -1, 2), 2, 2), f8(d(0.7, 0.4, -1.5, 2), 2, 2), f4(d(0.5, 2), 2, 1)));
        add(new Case(Losses.cosineEmbedding().margin(0.2), List.of("margin=0.2"), null, false,
                f4(d(1, 0.5, -0.2, 0.3, 0.3, 0.9), 2, 3), f4(d(0.8, 0.1, 0.1, -0.5, 0.2, 0.4), 2, 3), i4(d(1, -1), 2)));
        add(new Case(Losses.marginRanking().margin(0.1), List.of("margin=0.1"), null, false,
                f4(d(0.5, -0.2, 1), 3), f4(d(0.1, 0.4, 1.05), 3), i8(d(1, -1, 1), 3)));
        // hidden [3, 2], weight [3, 2], targets, bias [3]: --input, --linear-weight, --target, --linear-bias
        add(new Case(Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).zLoss(0.01).classWeights(w3.floats())
                .chunkRows(2), List.of("label_smoothing=0.1", "z_loss=0.01", "chunk_rows=2"), w3, true,
                f4(d(0.5, -1, 2, 0.3, -0.7, 1.2), 3, 2), f8(d(1, 0.5, -0.5, 2, 0.1, -0.3), 3, 2), i8(d(2, -100, 0), 3),
                f4(d(0.1, -0.2, 0.3), 3)));
    }

    static Stream<String> lossNames() {
        return Losses.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossNames")
    void everyLossMatchesTheEngine(String name) throws IOException {
        Case c = CASES.get(name);
        assertNotNull(c, "no command-line test case for " + name);
        Loss loss = c.expected();
        List<String> args = new ArrayList<>(List.of("compute", "--loss", name, "--backend", "cpu",
                "--reduction", loss.reduction().name().toLowerCase(Locale.ROOT)));
        for (String p : c.params()) {
            args.add("--param");
            args.add(p);
        }
        Tensor[] tensors = new Tensor[c.inputs().length];
        for (int i = 0; i < c.inputs().length; i++) {
            args.add(InputFlags.inputFlags(loss)[i]);
            args.add(NpyBytes.write(dir.resolve("in" + i + ".npy"), c.inputs()[i].bytes()).toString());
            tensors[i] = c.inputs()[i].tensor(loss.inputNames().get(i).equals("target") && c.indexTarget());
        }
        if (c.weight() != null) {
            args.add("--weight");
            args.add(NpyBytes.write(dir.resolve("w.npy"), c.weight().bytes()).toString());
        }
        Path[] grads = new Path[tensors.length];
        for (int k = 0; k < tensors.length; k++) {
            if (loss.differentiable(k)) {
                grads[k] = dir.resolve("grad" + k + ".npy");
                args.add(InputFlags.gradFlags(loss)[k]);
                args.add(grads[k].toString());
            }
        }

        CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.err(), "stderr");
        assertEquals(1, r.outLines().size(), "one JSON line");
        Map<String, Object> json = JsonReader.object(r.outLines().get(0));

        LossResult expected = engine.compute(loss, tensors);
        assertEquals(name, json.get("name"));
        assertEquals("cpu", json.get("backend"));
        assertEquals(loss.reduction().name().toLowerCase(Locale.ROOT), json.get("reduction"));
        if (loss.reduction() == Reduction.NONE) {
            Tensor values = expected.values();
            List<Double> want = new ArrayList<>();
            for (long i = 0; i < values.size(); i++) {
                want.add(values.getDouble(i));
            }
            assertEquals(want, json.get("loss"));
        } else {
            assertEquals(expected.value(), (Double) json.get("loss"));
        }
        int written = 0;
        for (int k = 0; k < grads.length; k++) {
            if (grads[k] == null) {
                continue;
            }
            written++;
            Npy.NpyArray g = Npy.read(grads[k]);
            assertEquals("<f4", g.descr());
            assertArrayEquals(c.inputs()[k].shape(), g.shape(), "gradient " + k + " has its input's shape");
            assertArrayEquals(expected.gradient(k).toFloatArray(), g.tensor().toFloatArray(), "gradient " + k);
        }
        assertEquals(written, ((List<?>) json.get("gradients")).size());
    }

    private CliRunner.Result compute(String loss, Arr input, Arr target, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("compute", "--loss", loss, "--backend", "cpu",
                "--input", NpyBytes.write(dir.resolve("a.npy"), input.bytes()).toString(),
                "--target", NpyBytes.write(dir.resolve("b.npy"), target.bytes()).toString()));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(new String[0]));
    }

    private static Map<String, Object> json(CliRunner.Result r) {
        assertEquals(0, r.status(), r.toString());
        assertEquals(1, r.outLines().size(), r.toString());
        return JsonReader.object(r.outLines().get(0));
    }

    @Test
    void mseByHand() throws IOException {
        Path g = dir.resolve("g.npy");
        Map<String, Object> j = json(compute("mse", f4(d(1, 2, 3, 4), 4), f8(d(1.5, 2, 1, 4), 4), "--grad-out", g.toString()));
        // (0.25 + 0 + 4 + 0) / 4, exactly representable
        assertEquals(1.0625, (Double) j.get("loss"));
        assertArrayEquals(new float[] {-0.25f, 0, 1, 0}, Npy.read(g).tensor().toFloatArray(), 1e-7f);
        Map<String, Object> sum = json(compute("mse", f4(d(1, 2, 3, 4), 4), f8(d(1.5, 2, 1, 4), 4), "--reduction", "sum"));
        assertEquals(4.25, (Double) sum.get("loss"));
    }

    @Test
    void softmaxCrossEntropyByHand() throws IOException {
        // seed example: probabilities 0.7 / 0.2 / 0.1 for the true class 0 give -log 0.7 ~ 0.357
        double[] z = {Math.log(0.7), Math.log(0.2), Math.log(0.1), 2, 1, 0.1};
        int[] y = {0, 2};
        Path g = dir.resolve("g.npy");
        Map<String, Object> j = json(compute("softmax_cross_entropy", f4(z, 2, 3), i4(d(0, 2), 2),
                "--grad-out", g.toString()));
        double total = 0;
        double[] grad = new double[6];
        for (int row = 0; row < 2; row++) {
            double[] zr = new double[3];
            for (int c = 0; c < 3; c++) {
                zr[c] = (float) z[3 * row + c];
            }
            double norm = Math.exp(zr[0]) + Math.exp(zr[1]) + Math.exp(zr[2]);
            total += -Math.log(Math.exp(zr[y[row]]) / norm);
            for (int c = 0; c < 3; c++) {
                grad[3 * row + c] = (Math.exp(zr[c]) / norm - (c == y[row] ? 1 : 0)) / 2;
            }
        }
        assertEquals(total / 2, (Double) j.get("loss"), 1e-6);
        assertEquals(0.357, -Math.log(0.7), 1e-3, "the seed's value");
        float[] got = Npy.read(g).tensor().toFloatArray();
        for (int i = 0; i < 6; i++) {
            assertEquals(grad[i], got[i], 1e-6, "gradient " + i);
        }
        Map<String, Object> none = json(compute("softmax_cross_entropy", f4(z, 2, 3), i8(d(0, 2), 2), "--reduction", "none"));
        assertEquals(-Math.log(0.7), (Double) ((List<?>) none.get("loss")).get(0), 1e-6);
    }

    @Test
    void softmaxCrossEntropyWithProbabilityTargets() throws IOException {
        // targets [N, C] of probabilities (float64 in the file) instead of class indices, with label smoothing
        double[] z = {2, 1, 0.1, 0.5, 2.5, -1};
        double[] p = {0.7, 0.2, 0.1, 0, 0.25, 0.75};
        double eps = 0.1;
        Path g = dir.resolve("g.npy");
        Map<String, Object> j = json(compute("softmax_cross_entropy", f4(z, 2, 3), f8(p, 2, 3),
                "--param", "label_smoothing=" + eps, "--grad-out", g.toString()));
        float[] got = Npy.read(g).tensor().toFloatArray();

        Loss loss = Losses.softmaxCrossEntropy().labelSmoothing(eps);
        LossResult expected = engine.compute(loss, f4(z, 2, 3).tensor(false), f8(p, 2, 3).tensor(false));
        assertEquals(expected.value(), (Double) j.get("loss"), "the engine's value");
        assertArrayEquals(expected.gradient().toFloatArray(), got, "the engine's gradient");
        // by hand: q = (1 - eps) p + eps / C; loss = mean_i -sum_k q_k log softmax_k; gradient (softmax - q) / N
        double total = 0;
        for (int row = 0; row < 2; row++) {
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                norm += Math.exp(z[3 * row + c]);
            }
            for (int c = 0; c < 3; c++) {
                double q = (1 - eps) * (float) p[3 * row + c] + eps / 3;
                double soft = Math.exp(z[3 * row + c]) / norm;
                total -= q * Math.log(soft);
                assertEquals((soft - q) / 2, got[3 * row + c], 1e-6, "gradient " + row + ", " + c);
            }
        }
        assertEquals(total / 2, (Double) j.get("loss"), 1e-6 * total);
    }

    @Test
    void hingeSeedExample() throws IOException {
        // seed: label -1, scores 0.2 / -0.7 / -1.1 give hinge losses 1.2 / 0.3 / 0
        Map<String, Object> j = json(compute("hinge", f4(d(0.2, -0.7, -1.1), 3), i4(d(-1, -1, -1), 3), "--reduction", "none"));
        List<?> losses = (List<?>) j.get("loss");
        assertEquals(3, losses.size());
        assertEquals(1.2, (Double) losses.get(0), 1e-6);
        assertEquals(0.3, (Double) losses.get(1), 1e-6);
        assertEquals(0.0, (Double) losses.get(2), 0.0);
        assertEquals(List.of(3.0), j.get("loss_shape"));
        Map<String, Object> mean = json(compute("hinge", f4(d(0.2, -0.7, -1.1), 3), f8(d(-1, -1, -1), 3)));
        assertEquals(0.5, (Double) mean.get("loss"), 1e-6);
    }

    @Test
    void outputLineDescribesTheRun() throws IOException {
        Path g = dir.resolve("g.npy");
        Map<String, Object> j = json(compute("l1", f4(d(1, 2, 3, 4, 5, 6), 2, 3), f4(d(0, 2, 3, 4, 5, 9), 2, 3),
                "--grad-out", g.toString()));
        assertEquals("mae", j.get("name"), "l1 is an alias of mae");
        assertEquals(List.of(List.of(2.0, 3.0), List.of(2.0, 3.0)), j.get("input_shapes"));
        Map<?, ?> grad = (Map<?, ?>) ((List<?>) j.get("gradients")).get(0);
        assertEquals("--grad-out", grad.get("flag"));
        assertEquals(g.toString(), grad.get("file"));
        assertEquals(List.of(2.0, 3.0), grad.get("shape"));
        assertEquals((1 + 3.0) / 6, (Double) j.get("loss"), 1e-7);
    }

    @Test
    void nonFiniteLossesAreNullWithANoteInStrictJson() throws IOException {
        Map<String, Object> nan = json(compute("mse", f4(d(Double.NaN, 1), 2), f4(d(0, 1), 2)));
        assertTrue(nan.containsKey("loss"));
        assertNull(nan.get("loss"));
        assertEquals(Map.of("loss", "NaN"), nan.get("nonfinite"));
        Map<String, Object> inf = json(compute("mae", f4(d(Double.POSITIVE_INFINITY, 1), 2), f4(d(0, 1), 2),
                "--reduction", "none"));
        assertEquals(java.util.Arrays.asList(null, 0.0), inf.get("loss"));
        assertEquals(Map.of("loss", Map.of("Infinity", 1.0)), inf.get("nonfinite"));
        Map<String, Object> finite = json(compute("mse", f4(d(2, 1), 2), f4(d(0, 1), 2)));
        assertFalse(finite.containsKey("nonfinite"), "no note when the loss is finite");
    }

    @Test
    void scalarInputsGiveScalarGradients() throws IOException {
        Path g = dir.resolve("g.npy");
        Map<String, Object> j = json(compute("mse", f8(d(2)), f8(d(3.5)), "--grad-out", g.toString()));
        assertEquals(2.25, (Double) j.get("loss"));
        Npy.NpyArray a = Npy.read(g);
        assertArrayEquals(new long[0], a.shape());
        assertEquals(-3f, a.tensor().getFloat(0));
    }

    @Test
    void verboseKeepsStdoutToTheJsonLine() throws IOException {
        Path a = NpyBytes.write(dir.resolve("a.npy"), f4(d(1, 2), 2).bytes());
        CliRunner.Result r = CliRunner.run("--verbose", "compute", "--loss", "mse", "--input", a.toString(), "--target", a.toString());
        assertEquals(0, (Double) json(r).get("loss"));
        assertEquals("", r.err());
    }

    @Test
    void existingGradientFileIsReplaced() throws IOException {
        Path g = Files.writeString(dir.resolve("g.npy"), "old contents");
        json(compute("mse", f4(d(1, 2), 2), f4(d(0, 2), 2), "--grad-out", g.toString()));
        assertArrayEquals(new float[] {1, 0}, Npy.read(g).tensor().toFloatArray());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("a.npy", "b.npy", "g.npy"),
                    s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()), "no temporary files left");
        }
    }
}
