package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lossengine bench}: argument handling and the shape of its output, on small sizes. No
 * assertion on the times themselves (they depend on the machine), only that they are there and
 * consistent (min <= median, positive).
 */
class BenchCommandTest {

    @Test
    void jsonIsOneObjectPerLineWithTheFieldsAcceptanceChecksRead() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--rows", "8", "--classes", "100",
                "--backend", "cpu", "--threads", "2", "--warmup", "1", "--warmup-seconds", "0.2", "--iterations", "4", "--json");
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.err());
        assertEquals(1, r.outLines().size(), r.out());
        Map<String, Object> o = JsonReader.object(r.outLines().get(0));
        assertEquals("softmax_cross_entropy", o.get("loss"));
        assertEquals("cpu", o.get("backend"));
        assertEquals(8.0, o.get("rows"));
        assertEquals(100.0, o.get("classes"));
        assertEquals(800.0, o.get("elements"));
        assertEquals(2.0, o.get("threads"));
        assertEquals(4.0, o.get("iterations"));
        // warm-up runs for at least --warmup calls and --warmup-seconds: far more than 1 call of 800 logits in 0.2 s
        assertTrue((Double) o.get("warmup") > 1, o.toString());
        assertEquals(List.of(8.0, 100.0), o.get("shape"));
        double median = (Double) o.get("median_ms");
        double min = (Double) o.get("min_ms");
        assertTrue(min > 0 && min <= median, o.toString());
        // 800 logits read, 800 gradients written, 8 int32 labels
        assertEquals(4.0 * 800 * 2 + 4 * 8, o.get("bytes"));
        assertTrue((Double) o.get("copy_gbps") > 0, o.toString());
        assertEquals(Boolean.TRUE, o.get("resident"));
        assertTrue(o.get("device").toString().contains("2 threads"), o.toString());
    }

    static List<String> catalogue() {
        return List.copyOf(Losses.names());
    }

    @ParameterizedTest
    @MethodSource("catalogue")
    void everyLossOfTheCatalogueRunsOnValidGeneratedInputs(String name) {
        Loss loss = Losses.byName(name);
        boolean rows = BenchInputs.ROW_LOSSES.contains(name);
        boolean linear = name.equals("linear_cross_entropy");
        String[] size = linear ? new String[] {"--rows", "6", "--hidden", "4", "--classes", "5"}
                : rows ? new String[] {"--rows", "6", "--classes", "5"} : new String[] {"--elements", "30"};
        String[] args = concat(new String[] {"bench", "--loss", name, "--backend", "cpu", "--warmup", "0", "--warmup-seconds", "0",
            "--iterations", "1", "--json"}, size);
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.status(), r.toString());
        Map<String, Object> o = JsonReader.object(r.out().trim());
        assertEquals(loss.name(), o.get("loss"));
        // the generated inputs are valid for the loss: a direct call accepts them
        try (LossEngine engine = LossEngine.create()) {
            Tensor[] in = linear ? new BenchInputs(1).linearHead(6, 4, 5)
                    : new BenchInputs(1).of(loss, rows ? new long[] {6, 5} : new long[] {30});
            assertTrue(Double.isFinite(engine.compute(loss, in).values().getFloat(0)), name);
        }
    }

    @Test
    void textOutputNamesTheLossTheBackendAndTheCopyBandwidth() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "mse", "--elements", "1000", "--backend", "cpu",
                "--threads", "1", "--iterations", "2", "--warmup-seconds", "0");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("lossengine bench: mse 1000 elements, backend cpu, 1 thread"), r.out());
        assertTrue(r.out().contains("forward+backward"), r.out());
        assertTrue(r.out().contains("memory copy, same run"), r.out());
        assertTrue(r.out().contains("2 timed calls after 3 warm-up calls"), r.out());
        // the reference moves what mse moves: two arrays of the gradient's size read, one written
        assertTrue(r.out().contains("STREAM add (d = a + b) of heap float arrays on 1 thread, 2 x 3.9 KiB read, 3.9 KiB written"),
                r.out());
        CliRunner.Result ce = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--rows", "4", "--classes", "256",
                "--backend", "cpu", "--threads", "1", "--iterations", "2", "--warmup-seconds", "0");
        assertTrue(ce.out().contains("System.arraycopy of heap float arrays on 1 thread, 4.0 KiB read + written"), ce.out());
    }

    @Test
    void elementWiseLossesAlsoTakeRowsAndClasses() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "hinge", "--rows", "3", "--classes", "7", "--json",
                "--iterations", "1", "--backend", "cpu");
        assertEquals(0, r.status(), r.toString());
        Map<String, Object> o = JsonReader.object(r.out().trim());
        assertEquals(21.0, o.get("elements"));
        assertEquals(List.of(3.0, 7.0), o.get("shape"));
    }

    @Test
    void parametersReachTheLoss() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--rows", "4", "--classes", "9",
                "--param", "label_smoothing=0.1", "--iterations", "1", "--json", "--backend", "cpu");
        assertEquals(0, r.status(), r.toString());
        CliRunner.Result bad = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--rows", "4", "--classes", "9",
                "--param", "label_smoothing=2", "--backend", "cpu");
        assertEquals(2, bad.status(), bad.toString());
        assertTrue(bad.err().contains("label_smoothing"), bad.err());
    }

    @Test
    void badArgumentsEndWithStatusTwoAndOneLineNamingTheFlag() {
        String[][] cases = {
            {"--loss", "nope", "--elements", "3"},
            {"--loss", "softmax_cross_entropy", "--elements", "10"},
            {"--loss", "softmax_cross_entropy", "--rows", "4"},
            {"--loss", "softmax_cross_entropy", "--classes", "4"},
            {"--loss", "mse"},
            {"--loss", "mse", "--elements", "10", "--rows", "2", "--classes", "5"},
            {"--loss", "mse", "--elements", "0"},
            {"--loss", "mse", "--elements", "-3"},
            {"--loss", "mse", "--elements", "10", "--threads", "0"},
            {"--loss", "mse", "--elements", "10", "--iterations", "0"},
            {"--loss", "mse", "--elements", "10", "--warmup", "-1"},
            {"--loss", "mse", "--elements", "10", "--warmup-seconds", "-0.5"},
            {"--loss", "mse", "--elements", "10", "--backend", "tpu"},
            {"--loss", "mse", "--rows", "100000", "--classes", "100000"},
            {"--loss", "mse", "--elements", "2000000000"},
        };
        String[] flags = {"--loss", "--elements", "--classes", "--rows", "--elements", "--elements", "--elements",
            "--elements", "--threads", "--iterations", "--warmup", "--warmup-seconds", "--backend", "--rows", "--elements"};
        for (int i = 0; i < cases.length; i++) {
            CliRunner.Result r = CliRunner.run(concat(new String[] {"bench"}, cases[i]));
            assertEquals(2, r.status(), String.join(" ", cases[i]) + ": " + r);
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(flags[i]), String.join(" ", cases[i]) + " should name " + flags[i] + ": " + r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void anUnavailableBackendIsRefusedWithItsReason() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "mse", "--elements", "10", "--backend", "cuda");
        // a GPU owner's machine runs it; here (no CUDA provider or no driver) it names the reason
        if (r.status() == 0) {
            assertDeviceResident("cuda", "cuMemcpyDtoD");
        } else {
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().contains("--backend cuda"), r.err());
        }
    }

    @Test
    void openClBenchKeepsTheInputsOnTheDeviceAndTimesTheDevicesCopy() {
        CliRunner.Result r = CliRunner.run("bench", "--loss", "mse", "--elements", "10", "--backend", "opencl",
                "--iterations", "1", "--warmup-seconds", "0");
        if (r.status() != 0) {
            // CI installs PoCL: there the OpenCL path must run
            assertFalse("true".equals(System.getenv("CI")), "CI must run the OpenCL bench: " + r);
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().contains("--backend opencl"), r.err());
            Assumptions.assumeTrue(false, "no OpenCL platform here: " + r.err().strip());
        }
        assertDeviceResident("opencl", "clEnqueueCopyBuffer");
    }

    /** A device backend's bench: inputs resident, a positive copy bandwidth from the device's own copy call. */
    private static void assertDeviceResident(String backend, String copyCall) {
        CliRunner.Result json = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--rows", "64", "--classes",
                "300", "--backend", backend, "--iterations", "3", "--warmup-seconds", "0.1", "--json");
        assertEquals(0, json.status(), json.toString());
        Map<String, Object> o = JsonReader.object(json.out().trim());
        assertEquals(backend, o.get("backend"));
        assertEquals(Boolean.TRUE, o.get("resident"), o.toString());
        assertTrue((Double) o.get("copy_gbps") > 0, o.toString());
        double median = (Double) o.get("median_ms");
        assertTrue((Double) o.get("min_ms") > 0 && (Double) o.get("min_ms") <= median, o.toString());
        CliRunner.Result text = CliRunner.run("bench", "--loss", "mse", "--elements", "100000", "--backend", backend,
                "--iterations", "2", "--warmup-seconds", "0");
        assertEquals(0, text.status(), text.toString());
        assertTrue(text.out().contains(copyCall), text.out());
        // mse moves 12 bytes per element (input, target, gradient); the copy reads and writes half of that each
        assertTrue(text.out().contains("585.9 KiB read + written"), text.out());
        assertFalse(text.out().contains("includes the host transfers"), text.out());
    }

    @Test
    void helpListsTheFlagsAndTheTopCommandListsBench() {
        CliRunner.Result r = CliRunner.run("bench", "--help");
        assertEquals(0, r.status());
        for (String flag : List.of("--loss", "--rows", "--classes", "--elements", "--backend", "--threads", "--json",
                "--warmup", "--iterations", "--param")) {
            assertTrue(r.out().contains(flag), flag);
        }
        assertTrue(CliRunner.run("--help").out().contains("bench"));
        assertFalse(r.out().contains("${"), r.out());
    }

    @Test
    void inputsBeyondAHeapArrayAreTiledForTheDevicesAndRefusedOnTheCpu() {
        assertEquals(1, BenchCommand.repeats(new long[] {4096, 32768}, false), "the CPU's inputs are heap arrays");
        assertEquals(8, BenchCommand.repeats(new long[] {4096, 32768}, true), "a device assembles them from 512-row tiles");
        assertEquals(128, BenchCommand.repeats(new long[] {16384, 131072}, true), "2^31 logits: tiles of 128 rows, 64 MiB");
        assertEquals(0, BenchCommand.repeats(new long[] {16384, 131072}, false), "no heap array holds 2^31 elements");
        assertEquals(1, BenchCommand.repeats(new long[] {1000, 100}, true), "small enough to generate whole");
        assertEquals(1, BenchCommand.repeats(new long[] {16777259}, true), "a prime count has no tile: generated whole");
        CliRunner.Result cpu = CliRunner.run("bench", "--loss", "softmax_cross_entropy", "--rows", "16384", "--classes", "131072",
                "--backend", "cpu");
        assertEquals(2, cpu.status(), cpu.toString());
        assertTrue(cpu.err().contains("--rows x --classes: 2147483648 elements; the cpu backend computes on heap arrays")
                && cpu.err().contains("--backend cuda or opencl"), cpu.err());
    }

    @Test
    void bytesMovedCountsInputsReadAndGradientsWritten() {
        Loss ce = Losses.softmaxCrossEntropy();
        Tensor[] in = {Tensor.zeros(2, 3), Tensor.ofLongs(new long[] {0, 1})};
        assertEquals(6 * 4 + 6 * 4 + 2 * 8, BenchCommand.bytesMoved(ce, in));
        Tensor[] mse = {Tensor.zeros(5), Tensor.zeros(5)};
        assertEquals(5 * 4 * 3, BenchCommand.bytesMoved(Losses.mse(), mse));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
