package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compute} with softmax cross-entropy's z-loss, softcap and normaliser, {@code --lse-out},
 * and the JSON fields {@code denominator} and {@code z_loss}: equal to the engine's result on the
 * same inputs; refusals exit 2 naming the parameter and the value.
 */
class TrainingOptionsCliTest {
    @TempDir
    Path dir;

    private static final float[] Z = {2, 1, 0.1f, 0.5f, 2.5f, -1, 0, 0, 3, 40, -40, 1};
    private static final long[] Y = {0, -100, 2, 1};

    private Path write(String name, byte[] bytes) throws IOException {
        return NpyBytes.write(dir.resolve(name), bytes);
    }

    @Test
    void theIssuesCommandLineWorksAndMatchesTheEngine() throws IOException {
        Path z = write("z.npy", NpyBytes.f4(Z, 4, 3));
        Path y = write("y.npy", NpyBytes.i8(Y, 4));
        Path g = dir.resolve("g.npy");
        Path lse = dir.resolve("lse.npy");
        CliRunner.Result r = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--backend", "cpu",
                "--param", "z_loss=1e-4", "--param", "softcap=30", "--param", "normalizer=1000",
                "--input", z.toString(), "--target", y.toString(), "--grad-out", g.toString(), "--lse-out", lse.toString());
        assertEquals(0, r.status(), r.toString());
        SoftmaxCrossEntropy loss = Losses.softmaxCrossEntropy().zLoss(1e-4).softcap(30).normalizer(1000);
        LossResult expected;
        try (LossEngine e = LossEngine.create(Backend.CPU)) {
            expected = e.compute(loss, Tensor.of(Z.clone(), 4, 3), Tensor.ofLongs(Y.clone()));
        }
        Map<String, Object> json = JsonReader.object(r.outLines().get(0));
        assertEquals(expected.value(), ((Number) json.get("loss")).doubleValue(), 1e-12);
        assertEquals(3.0, ((Number) json.get("denominator")).doubleValue());
        assertEquals(expected.zLoss(), ((Number) json.get("z_loss")).doubleValue(), 1e-15);
        assertTrue(expected.zLoss() > 0);
        assertArrayEquals(expected.gradient().toFloatArray(), Npy.read(g).tensor().toFloatArray());
        float[] l = Npy.read(lse).tensor().toFloatArray();
        assertArrayEquals(expected.logSumExp().toFloatArray(), l);
        assertTrue(Float.isNaN(l[1]), "ignored row");
    }

    @Test
    void f2FilesAreFloat16AndDtypeBf16RoundsOnReading() throws IOException {
        short[] half = new short[Z.length];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 * Z.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Z.length; i++) {
            half[i] = io.github.lossengine.HalfFloats.floatToFloat16(Z[i]);
            b.putShort(half[i]);
        }
        Path z16 = write("z16.npy", NpyBytes.file(1, NpyBytes.dict("<f2", false, 4, 3), b.array()));
        Path z32 = write("z.npy", NpyBytes.f4(Z, 4, 3));
        Path y = write("y.npy", NpyBytes.i8(Y, 4));
        Path g = dir.resolve("g.npy");
        SoftmaxCrossEntropy ce = Losses.softmaxCrossEntropy().softcap(30);
        try (LossEngine e = LossEngine.create(Backend.CPU)) {
            CliRunner.Result r = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--backend", "cpu",
                    "--param", "softcap=30", "--input", z16.toString(), "--target", y.toString(), "--grad-out", g.toString());
            assertEquals(0, r.status(), r.toString());
            LossResult fp16 = e.compute(ce, Tensor.ofFloat16(half, 4, 3), Tensor.ofLongs(Y.clone()));
            Map<String, Object> json = JsonReader.object(r.outLines().get(0));
            assertEquals("float16", json.get("dtype"));
            assertEquals(fp16.value(), ((Number) json.get("loss")).doubleValue(), 1e-12);
            assertArrayEquals(fp16.gradient().toFloatArray(), Npy.read(g).tensor().toFloatArray());

            CliRunner.Result bf = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--backend", "cpu",
                    "--param", "softcap=30", "--dtype", "bf16", "--input", z32.toString(), "--target", y.toString());
            assertEquals(0, bf.status(), bf.toString());
            short[] bits = new short[Z.length];
            for (int i = 0; i < Z.length; i++) {
                bits[i] = io.github.lossengine.HalfFloats.floatToBFloat16(Z[i]);
            }
            LossResult bf16 = e.evaluate(ce, Tensor.ofBFloat16(bits, 4, 3), Tensor.ofLongs(Y.clone()));
            Map<String, Object> j2 = JsonReader.object(bf.outLines().get(0));
            assertEquals("bfloat16", j2.get("dtype"));
            assertTrue(String.valueOf(j2.get("dtype_note")).contains("rounded to bfloat16"), j2.toString());
            assertEquals(bf16.value(), ((Number) j2.get("loss")).doubleValue(), 1e-12);
            double f32 = e.evaluate(ce, Tensor.of(Z.clone(), 4, 3), Tensor.ofLongs(Y.clone())).value();
            assertTrue(Math.abs(f32 - bf16.value()) > 1e-6, "the rounding changed the inputs");
            CliRunner.Result bad = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--dtype", "int8",
                    "--input", z32.toString(), "--target", y.toString());
            assertEquals(2, bad.status());
            assertTrue(bad.err().contains("--dtype int8"), bad.err());
        }
    }

    @Test
    void benchTakesTheDtypeAndTheNewOptions() {
        for (String d : new String[] {"bf16", "fp16", "fp32"}) {
            CliRunner.Result r = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--backend", "cpu", "--rows", "8",
                    "--classes", "300", "--dtype", d, "--param", "z_loss=1e-4", "--param", "softcap=30",
                    "--param", "normalizer=1000", "--json", "--iterations", "2", "--warmup", "0", "--warmup-seconds", "0");
            assertEquals(0, r.status(), r.toString());
            Map<String, Object> json = JsonReader.object(r.outLines().get(0));
            assertEquals(Map.of("bf16", "bfloat16", "fp16", "float16", "fp32", "float32").get(d), json.get("dtype"));
            long bytes = ((Number) json.get("bytes")).longValue();
            assertEquals(8 * 300 * (d.equals("fp32") ? 8 : 4) + 8 * 4, bytes, "16-bit logits and gradient: half the bytes");
        }
        CliRunner.Result focal = CliRunner.run("bench", "--loss", "focal", "--backend", "cpu", "--elements", "64",
                "--dtype", "bf16", "--iterations", "1", "--warmup", "0", "--warmup-seconds", "0");
        assertEquals(2, focal.status(), focal.toString());
        assertTrue(focal.err().contains("BFLOAT16"), focal.err());
    }

    @Test
    void badValuesExitTwoNamingTheParameter() throws IOException {
        Path z = write("z.npy", NpyBytes.f4(Z, 4, 3));
        Path y = write("y.npy", NpyBytes.i8(Y, 4));
        String[][] bad = {{"normalizer=0", "normalizer"}, {"normalizer=NaN", "normalizer"}, {"normalizer=-3", "normalizer"},
                {"normalizer=Infinity", "normalizer"}, {"softcap=0", "softcap"}, {"softcap=-1", "softcap"},
                {"z_loss=-1e-4", "z_loss"}};
        for (String[] b : bad) {
            CliRunner.Result r = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--backend", "cpu",
                    "--param", b[0], "--input", z.toString(), "--target", y.toString());
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().contains("--param " + b[1] + ":"), r.err());
            String value = b[0].substring(b[0].indexOf('=') + 1);
            assertTrue(r.err().contains(Double.toString(Double.parseDouble(value))), r.err());
        }
        CliRunner.Result sum = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--backend", "cpu",
                "--param", "normalizer=10", "--reduction", "sum", "--input", z.toString(), "--target", y.toString());
        assertEquals(2, sum.status(), sum.toString());
        CliRunner.Result mse = CliRunner.run("compute", "--loss", "mse", "--backend", "cpu",
                "--input", z.toString(), "--target", z.toString(), "--lse-out", dir.resolve("x.npy").toString());
        assertEquals(2, mse.status(), mse.toString());
        assertTrue(mse.err().contains("--lse-out"), mse.err());
        assertFalse(Files.exists(dir.resolve("x.npy")));
    }
}
