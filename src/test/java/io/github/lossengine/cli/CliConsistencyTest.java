package io.github.lossengine.cli;

import static io.github.lossengine.cli.ComputeCommandTest.d;
import static io.github.lossengine.cli.ComputeCommandTest.f4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI says the same thing the same way: input numbers, refusals of an output path, --threads. */
class CliConsistencyTest {
    @TempDir
    Path dir;

    private static String helpLine(String help, String flag) {
        return help.lines().filter(l -> l.trim().startsWith(flag + "=")).findFirst().orElse("");
    }

    @Test
    void inputsAreNumberedFromOneInHelpAndInErrors() throws Exception {
        String help = CliRunner.run("compute", "--help").out();
        assertTrue(helpLine(help, "--input").contains("Input 1:"), help);
        assertTrue(helpLine(help, "--target").contains("Input 2:"), help);
        assertTrue(helpLine(help, "--target2").contains("Input 3 "), help);
        assertTrue(helpLine(help, "--grad2-out").contains("input 2."), help);

        Path logits = NpyBytes.write(dir.resolve("x.npy"), f4(d(1, 2, 3, 4), 2, 2).bytes());
        Path labels = NpyBytes.write(dir.resolve("y.npy"), ComputeCommandTest.i4(d(0, 1), 2).bytes());
        CliRunner.Result r = CliRunner.run("compute", "--loss", "softmax_cross_entropy", "--input", logits.toString(),
                "--target", labels.toString(), "--grad2-out", dir.resolve("g.npy").toString());
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("(input 2, --target)"), r.err());
    }

    @Test
    void demoOntoAnExistingFileExitsTwoWithOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "mine");
        CliRunner.Result r = CliRunner.run("demo", "--out", file.toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(List.of("lossengine demo: --out " + file + ": is a file, not a folder"), r.errLines());
        assertEquals("", r.out());
        assertEquals("mine", Files.readString(file), "left alone");
    }

    @Test
    void versionPrintsWhatDashDashVersionPrints() {
        CliRunner.Result v = CliRunner.run("version");
        assertEquals(0, v.status(), v.toString());
        assertEquals(CliRunner.run("--version").out(), v.out());
        assertEquals(List.of("lossengine " + Main.Version.version(), "Java " + System.getProperty("java.version")),
                v.outLines());
    }

    @Test
    void listNamesEveryLossWithItsOptions() {
        CliRunner.Result r = CliRunner.run("list");
        assertEquals(0, r.status(), r.toString());
        assertEquals(io.github.lossengine.Losses.names().size(), r.outLines().size(), r.out());
        assertTrue(r.outLines().contains("huber  inputs [input, target]  params delta  aliases huber_loss"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("softmax_cross_entropy  inputs [")
                && l.contains("label_smoothing") && l.endsWith("--weight  aliases cross_entropy")), r.out());
        assertTrue(r.outLines().contains("mse  inputs [input, target]  params none  aliases mse_loss"), r.out());
        assertTrue(r.outLines().contains("mae  inputs [input, target]  params none  aliases l1, l1_loss"), r.out());
        assertTrue(r.outLines().contains("log_cosh  inputs [input, target]  params none"), "no aliases: " + r.out());
    }

    @Test
    void pytorchNamesAreAliasesAndAnUnknownNameGetsADidYouMean() throws Exception {
        Path x = NpyBytes.write(dir.resolve("x.npy"), f4(d(1, 2, 3), 3).bytes());
        Path y = NpyBytes.write(dir.resolve("y.npy"), f4(d(1, 1, 1), 3).bytes());
        CliRunner.Result alias = CliRunner.run("compute", "--loss", "mse_loss", "--input", x.toString(),
                "--target", y.toString());
        assertEquals(0, alias.status(), alias.toString());
        CliRunner.Result canonical = CliRunner.run("compute", "--loss", "mse", "--input", x.toString(),
                "--target", y.toString());
        assertEquals(canonical.out(), alias.out(), "the same loss, reported by its catalogue name");
        assertTrue(alias.out().contains("\"loss\": 1.6666"), alias.out());

        CliRunner.Result typo = CliRunner.run("compute", "--loss", "mse_los", "--input", x.toString(),
                "--target", y.toString());
        assertEquals(2, typo.status(), typo.toString());
        assertEquals(1, typo.errLines().size(), typo.err());
        assertTrue(typo.err().contains("unknown loss 'mse_los'; did you mean mse_loss or mse?"), typo.err());
    }

    @Test
    void computeTakesThreads() throws Exception {
        Path a = NpyBytes.write(dir.resolve("a.npy"), f4(d(1, 2, 3, 4), 2, 2).bytes());
        Path b = NpyBytes.write(dir.resolve("b.npy"), f4(d(1.5, 2, 1, 4), 2, 2).bytes());
        CliRunner.Result one = CliRunner.run("compute", "--loss", "mse", "--input", a.toString(), "--target", b.toString(),
                "--backend", "cpu", "--threads", "1");
        assertEquals(0, one.status(), one.toString());
        assertEquals(1.0625, (Double) JsonReader.object(one.out().trim()).get("loss"));
        CliRunner.Result zero = CliRunner.run("compute", "--loss", "mse", "--input", a.toString(), "--target", b.toString(),
                "--threads", "0");
        assertEquals(2, zero.status(), zero.toString());
        assertEquals(List.of("lossengine compute: --threads 0: must be >= 1"), zero.errLines());
    }
}
