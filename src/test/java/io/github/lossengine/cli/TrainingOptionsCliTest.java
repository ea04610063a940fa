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
