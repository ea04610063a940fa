package io.github.lossengine.cli;

import static io.github.lossengine.cli.ComputeCommandTest.d;
import static io.github.lossengine.cli.ComputeCommandTest.f4;
import static io.github.lossengine.cli.ComputeCommandTest.i4;
import static io.github.lossengine.cli.ComputeCommandTest.i8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.LossEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lossengine compute} error paths: each exits with status 2, prints exactly one line on
 * stderr naming the flag and the offending index or value, no stack trace, nothing on stdout, and
 * leaves no gradient file (nor temporary file) behind.
 */
class ComputeErrorsTest {
    @TempDir
    Path dir;

    private Path file(String name, ComputeCommandTest.Arr a) throws IOException {
        return NpyBytes.write(dir.resolve(name), a.bytes());
    }

    private Path floats23() throws IOException {
        return file("x23.npy", f4(d(1, 2, 3, 4, 5, 6), 2, 3));
    }

    /** Runs {@code compute} with {@code --grad-out g.npy} appended unless the arguments name gradients themselves. */
    private CliRunner.Result compute(String... args) {
        List<String> all = new ArrayList<>(List.of("compute"));
        all.addAll(List.of(args));
        if (!all.contains("--grad-out")) {
            all.add("--grad-out");
            all.add(dir.resolve("g.npy").toString());
        }
        return CliRunner.run(all.toArray(new String[0]));
    }

    private void assertRefused(CliRunner.Result r, String... fragments) throws IOException {
        assertEquals(2, r.status(), r.toString());
        assertEquals("", r.out(), "nothing on stdout");
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), "exactly one line on stderr: " + r.err());
        String line = lines.get(0);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' missing from: " + line);
        }
        assertFalse(r.err().contains("at io.github"), "no stack trace: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        try (Stream<Path> s = Files.list(dir)) {
            List<String> outputs = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("g") || n.endsWith(".tmp")).collect(Collectors.toList());
            assertEquals(List.of(), outputs, "no gradient or temporary file written");
        }
    }

    @Test
    void missingFile() throws IOException {
        String missing = dir.resolve("nope.npy").toString();
        assertRefused(compute("--loss", "mse", "--input", floats23().toString(), "--target", missing), "--target", missing);
    }

    @Test
    void notAnNpyFile() throws IOException {
        Path txt = Files.writeString(dir.resolve("a.txt"), "1,2,3\n", StandardCharsets.US_ASCII);
        assertRefused(compute("--loss", "mse", "--input", txt.toString(), "--target", floats23().toString()),
                "--input", txt.toString(), "magic");
    }

    @Test
    void bigEndianArray() throws IOException {
        Path big = NpyBytes.write(dir.resolve("big.npy"), NpyBytes.file(1, NpyBytes.dict(">f4", false, 2, 3), new byte[24]));
        assertRefused(compute("--loss", "mse", "--input", floats23().toString(), "--target", big.toString()),
                "--target", "big-endian", ">f4");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"<u2", "|b1", "<u4", "|i1", "<c8"})
    void unsupportedDtype(String descr) throws IOException {
        // a well-formed [2, 3] array of that dtype: only the dtype is wrong
        Path odd = NpyBytes.write(dir.resolve("odd.npy"), NpyBytes.file(1, NpyBytes.dict(descr, false, 2, 3),
                new byte[6 * Integer.parseInt(descr.substring(2))]));
        assertRefused(compute("--loss", "mse", "--input", floats23().toString(), "--target", odd.toString()),
                "--target", odd.toString(), "'" + descr + "'");
        assertRefused(compute("--loss", "mse", "--input", odd.toString(), "--target", floats23().toString()),
                "--input", odd.toString(), "'" + descr + "'");
    }

    @Test
    void fortranOrderArray() throws IOException {
        Path fortran = NpyBytes.write(dir.resolve("fortran.npy"), NpyBytes.file(1, NpyBytes.dict("<f4", true, 2, 3), new byte[24]));
        assertRefused(compute("--loss", "mse", "--input", fortran.toString(), "--target", floats23().toString()),
                "--input", fortran.toString(), "Fortran");
        Path weight = NpyBytes.write(dir.resolve("w.npy"), NpyBytes.file(1, NpyBytes.dict("<f4", true, 3, 2), new byte[24]));
        assertRefused(compute("--loss", "softmax_cross_entropy", "--input", floats23().toString(),
                "--target", file("t.npy", i4(d(0, 1), 2)).toString(), "--weight", weight.toString()),
                "--weight", "Fortran");
    }

    @Test
    void truncatedArray() throws IOException {
        byte[] good = f4(d(1, 2, 3, 4, 5, 6), 2, 3).bytes();
        Path cut = NpyBytes.write(dir.resolve("cut.npy"), Arrays.copyOf(good, good.length - 3));
        assertRefused(compute("--loss", "mse", "--input", cut.toString(), "--target", floats23().toString()),
                "--input", "truncated");
    }

    @Test
    void shapeMismatch() throws IOException {
        Path t = file("t.npy", f4(d(1, 2, 3, 4, 5, 6), 3, 2));
        assertRefused(compute("--loss", "mse", "--input", floats23().toString(), "--target", t.toString()),
                "--target", "[3, 2]");
    }

    @Test
    void emptyInputWithMean() throws IOException {
        Path e = file("e.npy", f4(d(), 0));
        assertRefused(compute("--loss", "mse", "--input", e.toString(), "--target", e.toString()), "--input", "empty");
    }

    @Test
    void classIndexOutOfRange() throws IOException {
        Path t = file("t.npy", i8(d(0, 7), 2));
        assertRefused(compute("--loss", "softmax_cross_entropy", "--input", floats23().toString(), "--target", t.toString()),
                "--target[1] = 7");
    }

    @Test
    void nllIndexOutOfRange() throws IOException {
        Path t = file("t.npy", i4(d(-3, 0), 2));
        assertRefused(compute("--loss", "nll", "--input", floats23().toString(), "--target", t.toString()),
                "--target[0] = -3");
    }

    @Test
    void labelNotPlusMinusOne() throws IOException {
        Path x = file("x.npy", f4(d(0.5, -1, 2), 3));
        Path y = file("y.npy", f4(d(1, 0.5, -1), 3));
        assertRefused(compute("--loss", "hinge", "--input", x.toString(), "--target", y.toString()), "--target[1] = 0.5");
    }

    @Test
    void probabilityOutsideUnitInterval() throws IOException {
        Path p = file("p.npy", f4(d(0.5, 1.5), 2));
        Path y = file("y.npy", f4(d(1, 0), 2));
        assertRefused(compute("--loss", "binary_cross_entropy", "--input", p.toString(), "--target", y.toString()),
                "--input[1] = 1.5");
    }

    @Test
    void contrastiveLabelNamesTheThirdInput() throws IOException {
        Path x = file("x.npy", f4(d(1, 2, 3, 4), 2, 2));
        Path y = file("y.npy", i8(d(0, 2), 2));
        assertRefused(compute("--loss", "contrastive", "--input", x.toString(), "--target", x.toString(),
                "--target2", y.toString()), "--target2", "[1] = 2");
    }

    @Test
    void negativeVariance() throws IOException {
        Path v = file("v.npy", f4(d(1, 1, -0.5, 1, 1, 1), 2, 3));
        assertRefused(compute("--loss", "gaussian_nll", "--input", floats23().toString(), "--target", floats23().toString(),
                "--target2", v.toString()), "--target2", "-0.5");
    }

    @Test
    void unknownLoss() throws IOException {
        assertRefused(compute("--loss", "msee", "--input", floats23().toString(), "--target", floats23().toString()),
                "--loss", "msee", "softmax_cross_entropy");
    }

    @Test
    void unknownParameterListsTheKnownOnes() throws IOException {
        assertRefused(compute("--loss", "huber", "--param", "gamma=2", "--input", floats23().toString(),
                "--target", floats23().toString()), "--param gamma", "huber", "delta");
        assertRefused(compute("--loss", "mse", "--param", "margin=2", "--input", floats23().toString(),
                "--target", floats23().toString()), "--param margin", "none");
    }

    @Test
    void malformedParameterValues() throws IOException {
        String x = floats23().toString();
        assertRefused(compute("--loss", "huber", "--param", "delta=abc", "--input", x, "--target", x), "--param delta", "abc");
        assertRefused(compute("--loss", "huber", "--param", "delta=-1", "--input", x, "--target", x), "--param delta", "-1");
        assertRefused(compute("--loss", "huber", "--param", "delta", "--input", x, "--target", x), "--param delta", "key=value");
        assertRefused(compute("--loss", "huber", "--param", "delta=1", "--param", "delta=2", "--input", x, "--target", x),
                "--param delta", "more than once");
        assertRefused(compute("--loss", "softmax_cross_entropy", "--param", "smoothing=sideways", "--input", x, "--target", x),
                "--param smoothing", "sideways", "uniform", "off_target");
        assertRefused(compute("--loss", "softmax_cross_entropy", "--param", "label_smoothing=1.5", "--input", x, "--target", x),
                "--param label_smoothing", "1.5");
        assertRefused(compute("--loss", "multiclass_hinge", "--param", "p=3", "--input", x, "--target", x), "--param p", "3");
        assertRefused(compute("--loss", "bce_with_logits", "--param", "pos_weight=1,x", "--input", x, "--target", x),
                "--param pos_weight", "'x'");
        assertRefused(compute("--loss", "bce_with_logits", "--param", "pos_weight=1,-2", "--input", x, "--target", x),
                "--param pos_weight[1] = -2");
        assertRefused(compute("--loss", "triplet", "--param", "swap=maybe", "--input", x, "--target", x, "--target2", x),
                "--param swap", "maybe");
    }

    @Test
    void missingAndExtraInputs() throws IOException {
        String x = floats23().toString();
        assertRefused(compute("--loss", "mse", "--input", x), "--target", "missing");
        assertRefused(compute("--loss", "triplet", "--input", x, "--target", x), "--target2", "missing");
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--target2", x), "--target2", "2 inputs");
        assertRefused(compute("--loss", "mse", "--target", x), "--input");
        assertRefused(compute("--input", x, "--target", x), "--loss");
    }

    @Test
    void gradientTheLossDoesNotHave() throws IOException {
        String x = floats23().toString();
        String g = dir.resolve("g.npy").toString();
        String g2 = dir.resolve("g2.npy").toString();
        String g3 = dir.resolve("g3.npy").toString();
        assertRefused(compute("--loss", "contrastive", "--input", x, "--target", x, "--target2", x,
                "--grad-out", g, "--grad3-out", g3), "--grad3-out", "y");
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--grad-out", g, "--grad2-out", g2),
                "--grad2-out", "target");
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--grad-out", g, "--grad3-out", g3),
                "--grad3-out", "no input 3");
        assertRefused(compute("--loss", "triplet", "--input", x, "--target", x, "--target2", x,
                "--grad-out", g, "--grad2-out", g), "--grad2-out", "same file");
    }

    @Test
    void gradientIntoAMissingDirectory() throws IOException {
        String x = floats23().toString();
        String g = dir.resolve("no-such-dir").resolve("g.npy").toString();
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--grad-out", g), "--grad-out", "no-such-dir");
    }

    @Test
    void weightWhereTheLossHasNone() throws IOException {
        String x = floats23().toString();
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--weight", x), "--weight", "mse");
    }

    @Test
    void classWeightsMustBeOneDimensional() throws IOException {
        Path t = file("t.npy", i4(d(0, 1), 2));
        assertRefused(compute("--loss", "softmax_cross_entropy", "--input", floats23().toString(), "--target", t.toString(),
                "--weight", floats23().toString()), "--weight", "[2, 3]");
    }

    @Test
    void negativeWeight() throws IOException {
        Path t = file("t.npy", i4(d(0, 1), 2));
        Path w = file("w.npy", f4(d(1, -2, 1), 3));
        assertRefused(compute("--loss", "softmax_cross_entropy", "--input", floats23().toString(), "--target", t.toString(),
                "--weight", w.toString()), "--weight[1] = -2");
    }

    @Test
    void badReduction() throws IOException {
        String x = floats23().toString();
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--reduction", "average"), "--reduction", "average");
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--reduction", "batchmean"), "--reduction", "batchmean");
    }

    @Test
    void unknownBackend() throws IOException {
        String x = floats23().toString();
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--backend", "tpu"), "--backend", "tpu");
    }

    @Test
    void unavailableBackend() throws IOException {
        boolean unavailable;
        try {
            LossEngine.create(Backend.CUDA).close();
            unavailable = false;
        } catch (BackendUnavailableException e) {
            unavailable = true;
        }
        Assumptions.assumeTrue(unavailable, "CUDA is available here");
        String x = floats23().toString();
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--backend", "cuda"), "--backend cuda", "unavailable");
    }

    @Test
    void unknownOptionIsAUsageError() throws IOException {
        String x = floats23().toString();
        assertRefused(compute("--loss", "mse", "--input", x, "--target", x, "--frobnicate"), "--frobnicate");
    }

    /** Issue 10, defect 11: a header NumPy refuses (a key twice) is refused, not read as its first key says. */
    @Test
    void duplicateHeaderKeys() throws IOException {
        Path twice = NpyBytes.write(dir.resolve("twice.npy"), NpyBytes.file(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'shape': (3, 2), }", new byte[24]));
        // before: read as [2, 3] (the first 'shape'), exit 0; NumPy reads it as [3, 2]
        assertRefused(compute("--loss", "mse", "--input", floats23().toString(), "--target", twice.toString()),
                "--target", twice.toString(), "'shape' is given twice");
    }

    /** Issue 10, defect 12: shapes that overflow are refused with exit 2, never "internal error". */
    @Test
    void shapesThatOverflow() throws IOException {
        Path huge = NpyBytes.write(dir.resolve("huge.npy"), NpyBytes.file(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", new byte[0]));
        // before: ArithmeticException, "internal error", exit 1
        assertRefused(compute("--loss", "mse", "--input", huge.toString(), "--target", floats23().toString()),
                "--input", huge.toString(), "more than 2^63 elements");
        Path wide = NpyBytes.write(dir.resolve("wide.npy"), NpyBytes.file(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2147483648), }", new byte[0]));
        assertRefused(compute("--loss", "softmax_cross_entropy", "--input", wide.toString(), "--target",
                file("t0.npy", i4(d(), 0)).toString()), "--input", "dimension 1 = 2147483648");
        String x = floats23().toString();
        Path labels = file("t.npy", i4(d(0, 1), 2));
        // before: ArithmeticException from Math.toIntExact, "internal error", exit 1
        assertRefused(compute("--loss", "multiclass_hinge", "--param", "p=2147483648", "--input", x, "--target",
                labels.toString()), "--param p", "2147483648");
    }
}
