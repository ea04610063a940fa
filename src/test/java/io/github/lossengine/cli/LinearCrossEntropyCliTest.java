package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.HalfTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compute --loss linear_cross_entropy} with its own flags ({@code --linear-weight},
 * {@code --linear-bias}, {@code --grad-linear-weight-out}, {@code --grad-linear-bias-out}) and
 * {@code bench --loss linear_cross_entropy --hidden D}: results equal to the engine's, refusals that
 * start with the flag at fault and leave no output file; {@code --dtype bf16|fp16} rounds hidden,
 * the weight and the bias and gives the engine's 16-bit result.
 */
class LinearCrossEntropyCliTest {
    @TempDir
    Path dir;

    private final float[] hidden = {0.5f, -1f, 2f, 0.3f, -0.7f, 1.2f, 0.9f, 0.1f};
    private final float[] weight = {1f, 0.5f, -0.5f, 2f, 0.1f, -0.3f};
    private final float[] bias = {0.1f, -0.2f, 0.3f};
    private final long[] labels = {2, 0, -100, 1};

    private List<String> args(String... more) throws IOException {
        List<String> a = new ArrayList<>(List.of("compute", "--loss", "linear_cross_entropy", "--backend", "cpu",
                "--input", NpyBytes.write(dir.resolve("h.npy"), NpyBytes.f4(hidden, 4, 2)).toString(),
                "--linear-weight", NpyBytes.write(dir.resolve("w.npy"), NpyBytes.f4(weight, 3, 2)).toString(),
                "--target", NpyBytes.write(dir.resolve("y.npy"), NpyBytes.i8(labels, 4)).toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static CliRunner.Result run(List<String> args) {
        return CliRunner.run(args.toArray(new String[0]));
    }

    @Test
    void valueAndTheThreeGradientsAreTheEngines() throws IOException {
        Path b = NpyBytes.write(dir.resolve("b.npy"), NpyBytes.f4(bias, 3));
        Path dh = dir.resolve("dh.npy");
        Path dw = dir.resolve("dw.npy");
        Path db = dir.resolve("db.npy");
        CliRunner.Result r = run(args("--linear-bias", b.toString(), "--param", "label_smoothing=0.1",
                "--grad-out", dh.toString(), "--grad-linear-weight-out", dw.toString(), "--grad-linear-bias-out",
                db.toString()));
        assertEquals(0, r.status(), r.toString());
        Map<String, Object> json = JsonReader.object(r.outLines().get(0));
        Tensor[] in = {Tensor.of(hidden, 4, 2), Tensor.of(weight, 3, 2), Tensor.ofLongs(labels, 4), Tensor.of(bias, 3)};
        LossResult expected;
        try (LossEngine engine = LossEngine.create(Backend.CPU)) {
            expected = engine.compute(Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1), in);
        }
        assertEquals(expected.value(), (Double) json.get("loss"));
        assertEquals("linear_cross_entropy", json.get("name"));
        assertEquals(3.0, (Double) json.get("denominator"), "three rows not ignored");
        assertArrayEquals(expected.gradient(0).toFloatArray(), Npy.read(dh).tensor().toFloatArray());
        assertArrayEquals(expected.gradient(1).toFloatArray(), Npy.read(dw).tensor().toFloatArray());
        assertArrayEquals(expected.gradient(3).toFloatArray(), Npy.read(db).tensor().toFloatArray());
        assertArrayEquals(new long[] {3, 2}, Npy.read(dw).shape());
        assertEquals(3, ((List<?>) json.get("gradients")).size());
    }

    @Test
    void dtypeRoundsHiddenTheWeightAndTheBiasAndGivesTheEnginesSixteenBitResult() throws IOException {
        Path b = NpyBytes.write(dir.resolve("b.npy"), NpyBytes.f4(bias, 3));
        for (String name : new String[] {"bf16", "fp16"}) {
            DType dtype = name.equals("bf16") ? DType.BFLOAT16 : DType.FLOAT16;
            Path dh = dir.resolve("dh-" + name + ".npy");
            Path dw = dir.resolve("dw-" + name + ".npy");
            Path db = dir.resolve("db-" + name + ".npy");
            CliRunner.Result r = run(args("--linear-bias", b.toString(), "--dtype", name, "--param", "z_loss=1e-3",
                    "--grad-out", dh.toString(), "--grad-linear-weight-out", dw.toString(), "--grad-linear-bias-out",
                    db.toString()));
            assertEquals(0, r.status(), r.toString());
            Map<String, Object> json = JsonReader.object(r.outLines().get(0));
            Tensor[] in = HalfTensors.round(new Tensor[] {Tensor.of(hidden, 4, 2), Tensor.of(weight, 3, 2),
                Tensor.ofLongs(labels, 4), Tensor.of(bias, 3)}, dtype);
            LossResult expected;
            try (LossEngine engine = LossEngine.create(Backend.CPU)) {
                expected = engine.compute(Losses.linearCrossEntropy().bias(true).zLoss(1e-3), in);
            }
            assertEquals(dtype == DType.BFLOAT16 ? "bfloat16" : "float16", json.get("dtype"), json.toString());
            assertEquals(expected.value(), (Double) json.get("loss"), name);
            // the 16-bit gradients, written as <f4 (widened exactly)
            assertEquals(dtype, expected.gradient(1).dtype());
            assertArrayEquals(expected.gradient(0).toFloatArray(), Npy.read(dh).tensor().toFloatArray(), name + " dH");
            assertArrayEquals(expected.gradient(1).toFloatArray(), Npy.read(dw).tensor().toFloatArray(), name + " dW");
            assertArrayEquals(expected.gradient(3).toFloatArray(), Npy.read(db).tensor().toFloatArray(), name + " db");
        }
        CliRunner.Result bench = CliRunner.run("bench", "--loss", "linear_cross_entropy", "--rows", "16", "--hidden", "8",
                "--classes", "40", "--backend", "cpu", "--dtype", "bf16", "--warmup", "1", "--warmup-seconds", "0",
                "--iterations", "2", "--json");
        assertEquals(0, bench.status(), bench.toString());
        assertEquals("bfloat16", JsonReader.object(bench.outLines().get(0)).get("dtype"), bench.toString());
    }

    private void assertRefused(List<String> args, String start, String... fragments) {
        CliRunner.Result r = run(args);
        assertEquals(2, r.status(), r.toString());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("lossengine compute: " + start), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + line + "' lacks '" + f + "'");
        }
        assertFalse(Files.exists(dir.resolve("dh.npy")), "no gradient written on a refusal");
    }

    @Test
    void badInputsAndFlagsAreRefusedNamingTheFlag() throws IOException {
        String dh = dir.resolve("dh.npy").toString();
        Path wrongD = NpyBytes.write(dir.resolve("w3.npy"), NpyBytes.f4(new float[9], 3, 3));
        List<String> a = args("--grad-out", dh);
        a.set(a.indexOf("--linear-weight") + 1, wrongD.toString());
        assertRefused(a, "--linear-weight", "D = 3 differs from hidden's D = 2");
        Path badY = NpyBytes.write(dir.resolve("y9.npy"), NpyBytes.i8(new long[] {2, 9, 0, 1}, 4));
        a = args("--grad-out", dh);
        a.set(a.indexOf("--target") + 1, badY.toString());
        assertRefused(a, "--target[1] = 9", "out of range [0, 3)");
        Path shortBias = NpyBytes.write(dir.resolve("b2.npy"), NpyBytes.f4(new float[2], 2));
        assertRefused(args("--linear-bias", shortBias.toString(), "--grad-out", dh), "--linear-bias", "[V] = [3]");
        assertRefused(args("--grad-linear-bias-out", dir.resolve("db.npy").toString(), "--grad-out", dh),
                "--grad-linear-bias-out", "no input 4");
        assertRefused(args("--target2", dir.resolve("h.npy").toString()), "--target2", "--linear-weight");
        assertRefused(args("--grad2-out", dh), "--grad2-out", "--grad-linear-weight-out");
        List<String> mse = new ArrayList<>(List.of("compute", "--loss", "mse", "--input", dir.resolve("h.npy").toString(),
                "--target", dir.resolve("h.npy").toString(), "--linear-weight", dir.resolve("w.npy").toString()));
        assertRefused(mse, "--linear-weight", "only linear_cross_entropy");
        a = args("--grad-out", dh);
        a.remove(a.indexOf("--linear-weight") + 1);
        a.remove("--linear-weight");
        assertRefused(a, "--linear-weight: missing", "[hidden, linear_weight, target]");
    }

    @Test
    void infoSaysWhichGemmTheFusedLossUsesOnCuda() {
        CliRunner.Result r = CliRunner.run("info");
        assertEquals(0, r.status(), r.toString());
        String line = r.outLines().stream().filter(l -> l.startsWith("cublas: ")).findFirst().orElse("");
        assertTrue(line.endsWith("linear_cross_entropy uses the built-in GEMM kernel")
                || line.contains("found; linear_cross_entropy uses cuBLAS on CUDA when libJCublas2 loads"), r.out());
        CliRunner.Result json = CliRunner.run("info", "--json");
        assertTrue(JsonReader.object(json.outLines().get(0)).get("cublas").toString().startsWith("cublas: "), json.out());
    }

    @Test
    void benchTakesTheHiddenSize() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "linear_cross_entropy", "--rows", "16", "--hidden", "8",
                "--classes", "40", "--backend", "cpu", "--warmup", "1", "--warmup-seconds", "0", "--iterations", "2",
                "--json");
        assertEquals(0, r.status(), r.toString());
        Map<String, Object> json = JsonReader.object(r.outLines().get(0));
        assertEquals("linear_cross_entropy", json.get("loss"));
        assertEquals(8.0, ((Number) json.get("hidden")).doubleValue());
        assertEquals(40.0, ((Number) json.get("classes")).doubleValue());
        CliRunner.Result missing = CliRunner.run("bench", "--loss", "linear_cross_entropy", "--rows", "16",
                "--classes", "40", "--backend", "cpu");
        assertEquals(2, missing.status(), missing.toString());
        assertTrue(missing.errLines().get(0).startsWith("lossengine bench: --hidden: missing"), missing.toString());
        CliRunner.Result other = CliRunner.run("bench", "--loss", "mse", "--elements", "16", "--hidden", "8",
                "--backend", "cpu");
        assertEquals(2, other.status(), other.toString());
        assertTrue(other.errLines().get(0).startsWith("lossengine bench: --hidden 8: only linear_cross_entropy"), other.toString());
    }
}
