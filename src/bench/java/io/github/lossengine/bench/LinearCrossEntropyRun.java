package io.github.lossengine.bench;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * linear_cross_entropy at the shape (N 4096, D 1024, V 32768, float32, forward and the
 * gradients of hidden and weight, MEAN), one contestant per JVM (bench/compare.sh starts them):
 * {@code lossengine} (on the library's own class path, OpenBLAS included) or {@code torch} (libtorch
 * through DJL, {@link LinearCrossEntropyTorch}).
 *
 * <pre>
 *   LinearCrossEntropyRun time   --contestant C --threads T --iterations K --out F   (medians; check samples)
 *   LinearCrossEntropyRun memory --contestant C --threads T --out F                   (one call's peak extra RSS)
 *   LinearCrossEntropyRun report --results DIR                                        (markdown table)
 * </pre>
 * Inputs from a fixed seed: hidden uniform with variance 1, weight uniform with variance 1/D (logits
 * of variance about 1), uniform class indices. Each contestant prints the hash of the inputs as it
 * holds them (libtorch's read back from its tensors), the loss, and every 4099th element of both
 * gradients; the report checks the hashes are equal and gives the largest gradient difference.
 *
 * <p>Memory: after the inputs exist and a small warm-up call has loaded the native libraries, the
 * process's resident set is read ({@code VmRSS}), its high-water mark reset ({@code 5} written to
 * {@code /proc/self/clear_refs}), one full call made (lossengine allocates its gradient buffers
 * inside that window, libtorch allocates its own), and {@code VmHWM} read: extra = VmHWM - VmRSS
 * before. The gradients themselves (144 MiB) are counted on both sides.
 */
public final class LinearCrossEntropyRun {
    static final int N = 4096;
    static final int D = 1024;
    static final int V = 32768;
    static final int SAMPLE_STRIDE = 4099;

    /** The inputs of a size. */
    record Inputs(int n, int d, int v, float[] h, float[] w, long[] t) {
        static Inputs of(int n, int d, int v, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] h = new float[n * d];
            float[] w = new float[v * d];
            long[] t = new long[n];
            double sh = Math.sqrt(3);
            double sw = Math.sqrt(3.0 / d);
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) ((r.nextDouble() * 2 - 1) * sh);
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((r.nextDouble() * 2 - 1) * sw);
            }
            for (int i = 0; i < n; i++) {
                t[i] = r.nextInt(v);
            }
            return new Inputs(n, d, v, h, w, t);
        }

        static long hash(float[] h, float[] w, long[] t) {
            return 31L * (31L * Arrays.hashCode(h) + Arrays.hashCode(w)) + Arrays.hashCode(t);
        }
    }

    /** One step's outcome. */
    record Outcome(double loss, float[] dh, float[] dw) {
    }

    /** A contestant: its description, the hash of its inputs as it holds them, and a step. */
    interface Contestant extends AutoCloseable {
        String description();

        long inputHash();

        /** One forward and backward; with {@code check}, the gradients as Java arrays too. */
        Outcome step(boolean check);

        @Override
        void close();
    }

    static Contestant open(String name, Inputs in, int threads) {
        if (name.equals("lossengine")) {
            return new LossEngineSide(in, threads);
        }
        if (name.equals("torch")) {
            return new LinearCrossEntropyTorch(in);
        }
        throw new IllegalArgumentException("contestant " + name);
    }

    /** lossengine: computeInto with gradient buffers allocated once. */
    static final class LossEngineSide implements Contestant {
        private final LossEngine engine;
        private final Tensor[] inputs;
        private final Tensor[] grads;
        private final float[] dh;
        private final float[] dw;
        private final Inputs in;

        LossEngineSide(Inputs in, int threads) {
            this.in = in;
            engine = LossEngine.builder().backend(Backend.CPU).threads(threads).build();
            inputs = new Tensor[] {Tensor.of(in.h(), in.n(), in.d()), Tensor.of(in.w(), in.v(), in.d()), Tensor.ofLongs(in.t(), in.n())};
            dh = new float[in.n() * in.d()];
            dw = new float[in.v() * in.d()];
            grads = new Tensor[] {Tensor.of(dh, in.n(), in.d()), Tensor.of(dw, in.v(), in.d()), null};
        }

        @Override
        public String description() {
            return "lossengine " + engine.backend().detail();
        }

        @Override
        public long inputHash() {
            return Inputs.hash(in.h(), in.w(), in.t());
        }

        @Override
        public Outcome step(boolean check) {
            LossResult r = engine.computeInto(Losses.linearCrossEntropy(), inputs, grads);
            return new Outcome(r.value(), dh, dw);
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String contestant = "lossengine";
        int threads = 2;
        int iterations = 5;
        Path out = null;
        Path results = null;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--contestant" -> contestant = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--iterations" -> iterations = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                case "--results" -> results = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        switch (mode) {
            case "time" -> time(contestant, threads, iterations, out);
            case "memory" -> memory(contestant, threads, out);
            case "report" -> System.out.print(LinearCrossEntropyReport.markdown(results));
            default -> throw new IllegalArgumentException(mode);
        }
    }

    private static void time(String name, int threads, int iterations, Path out) throws IOException {
        Inputs in = Inputs.of(N, D, V, 0x5EED);
        try (Contestant c = open(name, in, threads)) {
            Outcome first = c.step(true);  // warm-up and the check
            List<Double> ms = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int i = 0; i < iterations; i++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                c.step(false);
                ms.add((System.nanoTime() - t0) / 1e6);
                cpu.add((os.getProcessCpuTime() - c0) / 1e6);
            }
            StringBuilder j = new StringBuilder();
            j.append("{\"mode\":\"time\",\"contestant\":\"").append(name).append("\",\"description\":")
                    .append(quote(c.description())).append(",\"threads\":").append(threads)
                    .append(",\"load\":").append(quote(load())).append(",\"input_hash\":").append(c.inputHash())
                    .append(",\"loss\":").append(first.loss()).append(",\"ms\":").append(ms).append(",\"cpu_ms\":").append(cpu)
                    .append(",\"dh\":").append(Arrays.toString(sample(first.dh()))).append(",\"dw\":")
                    .append(Arrays.toString(sample(first.dw()))).append("}\n");
            Files.writeString(out, j.toString());
            System.err.printf(Locale.ROOT, "%s: median %.0f ms of %s (load %s)%n", name, median(ms), ms, load());
        }
    }

    private static void memory(String name, int threads, Path out) throws IOException {
        // load the native libraries and the JIT on a small problem first
        Inputs small = Inputs.of(64, 32, 4096, 1);
        try (Contestant c = open(name, small, threads)) {
            c.step(false);
        }
        Inputs in = Inputs.of(N, D, V, 0x5EED);
        long before;
        long peak;
        Supplier<Contestant> make = () -> open(name, in, threads);
        if (name.equals("lossengine")) {
            // the gradient buffers are allocated inside the window, as libtorch's are
            System.gc();
            before = status("VmRSS");
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            try (Contestant c = make.get()) {
                c.step(false);
                peak = status("VmHWM");
            }
        } else {
            try (Contestant c = make.get()) {   // copies the inputs into libtorch tensors
                System.gc();
                before = status("VmRSS");
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                c.step(false);
                peak = status("VmHWM");
            }
        }
        String j = String.format(Locale.ROOT, "{\"mode\":\"memory\",\"contestant\":\"%s\",\"threads\":%d,\"load\":%s,"
                + "\"rss_before_kib\":%d,\"hwm_kib\":%d,\"extra_mib\":%.1f}%n", name, threads, quote(load()), before, peak,
                (peak - before) / 1024.0);
        Files.writeString(out, j);
        System.err.print(j);
    }

    static float[] sample(float[] a) {
        float[] s = new float[(a.length + SAMPLE_STRIDE - 1) / SAMPLE_STRIDE];
        for (int i = 0; i < s.length; i++) {
            s[i] = a[i * SAMPLE_STRIDE];
        }
        return s;
    }

    static double median(List<Double> ms) {
        double[] s = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A field of /proc/self/status, in KiB. */
    static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(field + " not in /proc/self/status");
    }

    static String load() {
        try {
            String[] l = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return l[0] + " " + l[1] + " " + l[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
