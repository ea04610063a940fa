package io.github.lossengine.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.LossEngine;
import io.github.lossengine.cpu.BenchBackends;
import io.github.lossengine.spi.Benchmarking;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * One fork of the side-by-side comparison: for each case, the same inputs for every contestant,
 * each one's result checked against lossengine's double-precision reference before it is timed,
 * then timed (warm-up, then samples), one contestant at a time so that only one holds its copies of
 * the data. Writes one JSON object per line: the machine, then one per case and contestant.
 *
 * <p>Usage: {@code Comparison --threads T --out FILE [--cases id,id] [--max-samples S] [--budget SECONDS]
 * [--backends cpu,opencl,cuda]}; a backend that does not open here is recorded as not measured, with
 * the reason.
 * Run by bench/compare.sh, which sets the peers' thread variables and merges the forks.
 */
public final class Comparison {
    private static final Gson GSON = new Gson();

    private final int threads;
    private final int maxSamples;
    private final double budgetSeconds;
    private final List<Backend> backends;
    private final List<String> only;
    private final PrintWriter out;

    private Comparison(int threads, int maxSamples, double budgetSeconds, List<Backend> backends, List<String> only,
                       PrintWriter out) {
        this.threads = threads;
        this.maxSamples = maxSamples;
        this.budgetSeconds = budgetSeconds;
        this.backends = backends;
        this.only = only;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        String outFile = null;
        List<Case> cases = Case.ALL;
        int maxSamples = 15;
        double budget = 12;
        List<Backend> backends = List.of(Backend.CPU);
        List<String> only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads":
                    threads = Integer.parseInt(args[++i]);
                    break;
                case "--out":
                    outFile = args[++i];
                    break;
                case "--cases":
                    cases = new ArrayList<>();
                    for (String n : args[++i].split(",")) {
                        cases.add(Case.byName(n));
                    }
                    break;
                case "--max-samples":
                    maxSamples = Integer.parseInt(args[++i]);
                    break;
                case "--budget":
                    budget = Double.parseDouble(args[++i]);
                    break;
                case "--backends":
                    backends = new ArrayList<>();
                    for (String b : args[++i].split(",")) {
                        backends.add(Backend.parse(b, "--backends"));
                    }
                    break;
                case "--only":
                    only = List.of(args[++i].split(","));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        try (PrintWriter w = Jsonl.open(outFile)) {
            Comparison c = new Comparison(threads, maxSamples, budget, available(backends, w), only, w);
            c.machine();
            for (Case k : cases) {
                c.run(k);
            }
        }
        System.exit(0);
    }

    /**
     * The backends that open on this machine; each one that does not is left out, with a record of
     * why (e.g. no CUDA driver), so the report says what was not measured instead of a failed row.
     */
    private static List<Backend> available(List<Backend> asked, PrintWriter w) {
        List<Backend> ok = new ArrayList<>();
        for (Backend b : asked) {
            try (LossEngine e = LossEngine.builder().backend(b).threads(1).build()) {
                ok.add(b);
            } catch (BackendUnavailableException e) {
                JsonObject r = new JsonObject();
                r.addProperty("type", "unavailable");
                r.addProperty("backend", b.id());
                r.addProperty("reason", e.getMessage());
                w.println(GSON.toJson(r));
                System.err.println("not measured: " + e.getMessage());
            }
        }
        return ok;
    }

    private void machine() throws IOException {
        JsonObject m = new JsonObject();
        m.addProperty("type", "machine");
        m.addProperty("cpu", cpuModel());
        m.addProperty("processors", Runtime.getRuntime().availableProcessors());
        m.addProperty("threads", threads);
        m.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.addProperty("kernels", BenchBackends.kernels());
        m.addProperty("memory_gib", totalMemoryGib());
        m.addProperty("load_start", load());
        m.addProperty("thp", "THP_MEM_ALLOC_ENABLE=" + System.getenv().getOrDefault("THP_MEM_ALLOC_ENABLE", "(unset)")
                + " for libtorch's allocations; the kernel's transparent_hugepage/enabled: " + thpMode());
        emit(m);
    }

    private void run(Case c) throws Exception {
        System.err.printf(Locale.ROOT, "== %s (load %.2f)%n", c, load());
        Case.Data data = c.generate();
        BackendContestant reference = new BackendContestant("reference", "lossengine double reference, 1 thread",
                BenchBackends.reference(1), data);
        Contestant.Outcome ref = reference.runForCheck();
        List<String> ids = new ArrayList<>();
        List<Supplier<Contestant>> all = new ArrayList<>();
        for (Backend b : backends) {
            ids.add(LossEngineContestant.id(b));
            all.add(() -> new LossEngineContestant(data, b, threads));
        }
        ids.add("lossengine-scalar");
        all.add(() -> new BackendContestant("lossengine-scalar", "lossengine fused, scalar kernels (no Vector API), "
                + threads + " threads", BenchBackends.fusedScalar(threads), data));
        ids.add("reference");
        all.add(() -> reference);
        ids.add("scalar-loop");
        all.add(() -> new ScalarLoopContestant(data, threads));
        ids.add("torch-autograd");
        all.add(() -> new TorchContestant(data, TorchContestant.Mode.AUTOGRAD));
        if (TorchContestant.supports(c, TorchContestant.Mode.EXPLICIT)) {
            ids.add("torch-explicit");
            all.add(() -> new TorchContestant(data, TorchContestant.Mode.EXPLICIT));
        }
        if (Nd4jContestant.supports(c)) {
            ids.add("nd4j");
            all.add(() -> new Nd4jContestant(data, threads));
        }
        for (int i = 0; i < all.size(); i++) {
            if (only == null || only.contains(ids.get(i))) {
                measure(c, ids.get(i), all.get(i), ref);
                System.gc();
            }
        }
        reference.close();
        if (only == null || only.contains("copy")) {
            copy(c);
        }
    }

    private void measure(Case c, String id, Supplier<Contestant> make, Contestant.Outcome ref) {
        JsonObject r = new JsonObject();
        r.addProperty("type", "result");
        r.addProperty("case", c.id());
        r.addProperty("contestant", id);
        r.addProperty("elements", c.elements());
        r.addProperty("bytes", c.bytesMoved());
        Contestant k = null;
        try {
            k = make.get();
            r.addProperty("description", k.description());
            Contestant.Outcome o = k.runForCheck();
            String problem = check(ref, o);
            r.addProperty("value", o.value());
            r.addProperty("reference_value", ref.value());
            r.addProperty("max_gradient_error", maxError(ref.gradient(), o.gradient()));
            // a result that differs is timed all the same; the report shows the difference next to the time
            r.addProperty("check", problem == null ? "ok" : problem);
            double[] samples = time(k, maxSamples, budgetSeconds);
            r.add("samples_ms", GSON.toJsonTree(samples));
            double[] sorted = samples.clone();
            Arrays.sort(sorted);
            r.addProperty("median_ms", median(sorted));
            r.addProperty("min_ms", sorted[0]);
            System.err.printf(Locale.ROOT, "  %-18s median %.3f ms%s%n", k.id(), r.get("median_ms").getAsDouble(),
                    problem == null ? "" : " (" + problem + ")");
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            r.addProperty("check", "failed to run: " + e);
            System.err.println("  failed: " + e);
        } finally {
            if (k != null && !id.equals("reference")) {
                k.close();
            }
        }
        r.addProperty("load", load());
        emit(r);
    }

    /**
     * Warm-up: at least 1 s and 3 calls (1 call when a call takes more than 1 s), at most 50; then
     * samples until {@code maxSamples} or the budget, at least 5 (3 for calls over 1 s).
     */
    static double[] time(Contestant k, int maxSamples, double budgetSeconds) {
        long warm = System.nanoTime();
        int calls = 0;
        while (calls < 50 && (System.nanoTime() - warm < 1e9 || calls < 3)) {
            long t0 = System.nanoTime();
            k.run();
            calls++;
            if (System.nanoTime() - t0 > 1e9) {
                break;
            }
        }
        boolean slow = (System.nanoTime() - warm) / calls > 1e9;
        int least = slow ? 3 : 5;
        List<Double> s = new ArrayList<>();
        long start = System.nanoTime();
        while (s.size() < maxSamples && (s.size() < least || System.nanoTime() - start < budgetSeconds * 1e9)) {
            long t0 = System.nanoTime();
            k.run();
            s.add((System.nanoTime() - t0) / 1e6);
        }
        return s.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private void copy(Case c) throws Exception {
        int n = Math.toIntExact(c.elements());
        for (int t : new int[] {1, threads}) {
            JsonObject r = copyRecord("copy", c, CopyBandwidth.seconds(n, t, 9));
            r.addProperty("threads", t);
            emit(r);
            if (t == threads) {
                break;
            }
        }
        for (Backend b : backends) {
            if (b != Backend.CPU) {
                deviceCopy(c, b);
            }
        }
    }

    /** The device backend's own copy of the input's size (device to device), through its benchmark hooks. */
    private void deviceCopy(Case c, Backend b) {
        try (LossEngine engine = LossEngine.builder().backend(b).threads(threads).build()) {
            Benchmarking hooks = engine.benchmarking();
            JsonObject r = copyRecord("device_copy", c, hooks.copySeconds(4L * c.elements(), 9));
            r.addProperty("backend", b.id());
            r.addProperty("description", hooks.copyDescription());
            emit(r);
        }
    }

    /**
     * A copy's record: its type, the case, the bytes read + written (the case's input: 8 per
     * element) and the samples in ms with their median and minimum.
     */
    private static JsonObject copyRecord(String type, Case c, double[] seconds) {
        double[] ms = Arrays.stream(seconds).map(v -> v * 1e3).toArray();
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        JsonObject r = new JsonObject();
        r.addProperty("type", type);
        r.addProperty("case", c.id());
        r.addProperty("bytes", 8L * c.elements());
        r.add("samples_ms", GSON.toJsonTree(ms));
        r.addProperty("median_ms", median(sorted));
        r.addProperty("min_ms", sorted[0]);
        return r;
    }

    /** Null when {@code o} equals the reference within the comparison's tolerance, else what differs. */
    static String check(Contestant.Outcome ref, Contestant.Outcome o) {
        if (!(Math.abs(o.value() - ref.value()) <= 1e-4 * Math.abs(ref.value()) + 1e-6)) {
            return String.format(Locale.ROOT, "loss %.7g differs from the reference %.7g by %.2g%%", o.value(),
                    ref.value(), 100 * Math.abs(o.value() - ref.value()) / Math.abs(ref.value()));
        }
        float[] a = ref.gradient();
        float[] b = o.gradient();
        if (b == null || a.length != b.length) {
            return "gradient of " + (b == null ? "no" : Integer.toString(b.length)) + " elements for " + a.length;
        }
        double max = maxAbs(a);
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-4 * Math.abs(a[i]) + 1e-5 * max)) {
                return "gradient element " + i + " = " + b[i] + ", reference " + a[i];
            }
        }
        return null;
    }

    /** The largest gradient difference, relative to the reference's largest gradient magnitude. */
    static double maxError(float[] a, float[] b) {
        if (b == null || a.length != b.length) {
            return Double.NaN;
        }
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            e = Math.max(e, Math.abs(a[i] - b[i]));
        }
        return e / Math.max(maxAbs(a), Double.MIN_VALUE);
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void emit(JsonObject o) {
        out.println(GSON.toJson(o));
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The kernel's transparent huge page mode, e.g. {@code always [madvise] never}. */
    static String thpMode() {
        try {
            return Files.readString(Paths.get("/sys/kernel/mm/transparent_hugepage/enabled")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    static long totalMemoryGib() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return Math.round(((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize() / (double) (1L << 30));
        }
        return -1;
    }
}
