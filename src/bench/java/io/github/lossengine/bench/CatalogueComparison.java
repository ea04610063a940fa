package io.github.lossengine.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import io.github.lossengine.cli.BenchCatalogue;
import io.github.lossengine.spi.Benchmarking;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * One fork of the catalogue comparison (issue 14): every loss of the catalogue at one representative
 * shape ({@link CatalogueCase}), lossengine (cpu, and the device backends that open) against
 * libtorch's best variant (autograd and the explicit formula, both timed; the report takes the
 * faster), each checked against lossengine's double reference first; the memory-bound baseline
 * with the loss's own traffic ({@link Benchmarking#streamSeconds}); and the storage table: each
 * fused loss from {@code float[]}, a heap {@code FloatBuffer} slice, a direct {@code FloatBuffer}
 * (native order) and a {@code Tensor.ofRange} view, timed in alternation.
 *
 * <p>Usage: {@code CatalogueComparison --threads T --out FILE [--backends cpu,opencl,cuda]
 * [--max-samples S] [--budget SECONDS] [--quick] [--cases substring,substring] [--no-storage]
 * [--storage-only]}: {@code --storage-only} runs the storage table alone (no catalogue rows, no peers).
 */
public final class CatalogueComparison {
    private static final Gson GSON = new Gson();
    /** The storage kinds of the storage table, in report order. */
    static final String[] STORAGE = {"float[]", "heap slice", "direct", "Tensor.ofRange"};

    private final int threads;
    private final int maxSamples;
    private final double budget;
    private final List<Backend> backends;
    private final PrintWriter out;

    private CatalogueComparison(int threads, int maxSamples, double budget, List<Backend> backends, PrintWriter out) {
        this.threads = threads;
        this.maxSamples = maxSamples;
        this.budget = budget;
        this.backends = backends;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        String outFile = null;
        int maxSamples = 11;
        double budget = 4;
        boolean quick = false;
        boolean storage = true;
        boolean catalogue = true;
        List<String> only = null;
        List<Backend> asked = List.of(Backend.CPU);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads":
                    threads = Integer.parseInt(args[++i]);
                    break;
                case "--out":
                    outFile = args[++i];
                    break;
                case "--max-samples":
                    maxSamples = Integer.parseInt(args[++i]);
                    break;
                case "--budget":
                    budget = Double.parseDouble(args[++i]);
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--no-storage":
                    storage = false;
                    break;
                case "--storage-only":
                    catalogue = false;
                    break;
                case "--cases":
                    only = List.of(args[++i].split(","));
                    break;
                case "--backends":
                    asked = new ArrayList<>();
                    for (String b : args[++i].split(",")) {
                        asked.add(Backend.parse(b, "--backends"));
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        try (PrintWriter w = Jsonl.open(outFile)) {
            List<Backend> open = new ArrayList<>();
            for (Backend b : asked) {
                try (LossEngine e = LossEngine.builder().backend(b).threads(1).build()) {
                    open.add(b);
                } catch (RuntimeException e) {
                    System.err.println("not measured: " + e.getMessage()); // Comparison records why
                }
            }
            CatalogueComparison c = new CatalogueComparison(threads, maxSamples, budget, open, w);
            List<CatalogueCase> cases = new ArrayList<>();
            for (CatalogueCase k : CatalogueCase.all(quick)) {
                if (only == null || only.stream().anyMatch(s -> k.id().contains(s))) {
                    cases.add(k);
                }
            }
            for (CatalogueCase k : catalogue ? cases : List.<CatalogueCase>of()) {
                c.run(k);
            }
            if (storage) {
                for (CatalogueCase k : cases) {
                    if (k.fused()) {
                        c.storage(k);
                    }
                }
            }
        }
        System.exit(0);
    }

    private void run(CatalogueCase c) throws Exception {
        System.err.printf(Locale.ROOT, "== %s (load %.2f)%n", c.id(), Comparison.load());
        Tensor[] inputs = c.inputs();
        JsonObject k = new JsonObject();
        k.addProperty("type", "catalogue_case");
        k.addProperty("case", c.id());
        k.addProperty("loss", c.loss().name());
        k.addProperty("elements", c.elements());
        k.addProperty("bytes", BenchCatalogue.bytesMoved(c.loss(), inputs));
        k.addProperty("fused", c.fused());
        if (c.torch() != null) {
            k.addProperty("torch", c.torch());
        } else {
            k.addProperty("why", c.why());
        }
        emit(k);
        Contestant.Outcome ref;
        try (CatalogueEngineContestant r = CatalogueEngineContestant.reference(c.loss(), inputs)) {
            ref = r.runForCheck();
        }
        List<String> ids = new ArrayList<>();
        List<Supplier<Contestant>> all = new ArrayList<>();
        for (Backend b : backends) {
            ids.add(LossEngineContestant.id(b));
            all.add(() -> CatalogueEngineContestant.engine(b, threads, c.loss(), inputs,
                    CatalogueEngineContestant.heapGradients(c.loss(), inputs)));
        }
        for (TorchContestant.Mode m : TorchContestant.Mode.values()) {
            if (TorchCatalogueContestant.supports(c, m)) {
                ids.add(TorchContestant.id(m));
                all.add(() -> new TorchCatalogueContestant(c, inputs, m));
            }
        }
        for (int i = 0; i < all.size(); i++) {
            measure(c, ids.get(i), all.get(i), ref);
            System.gc();
        }
        stream(c, inputs);
    }

    private void measure(CatalogueCase c, String id, Supplier<Contestant> make, Contestant.Outcome ref) {
        JsonObject r = new JsonObject();
        r.addProperty("type", "catalogue");
        r.addProperty("case", c.id());
        r.addProperty("contestant", id);
        Contestant k = null;
        try {
            k = make.get();
            r.addProperty("description", k.description());
            Contestant.Outcome o = k.runForCheck();
            String problem = Comparison.check(ref, o);
            r.addProperty("value", o.value());
            r.addProperty("reference_value", ref.value());
            r.addProperty("max_gradient_error", Comparison.maxError(ref.gradient(), o.gradient()));
            r.addProperty("check", problem == null ? "ok" : problem);
            samples(r, Comparison.time(k, maxSamples, budget));
            System.err.printf(Locale.ROOT, "  %-18s median %.3f ms%s%n", id, r.get("median_ms").getAsDouble(),
                    problem == null ? "" : " (" + problem + ")");
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            r.addProperty("check", "failed to run: " + e);
            System.err.println("  failed: " + e);
        } finally {
            if (k != null) {
                k.close();
            }
        }
        r.addProperty("load", Comparison.load());
        emit(r);
    }

    /**
     * The CPU's memory-bound baseline with the loss's traffic, as {@code lossengine bench} takes it:
     * as many source arrays as the loss reads per gradient byte (1 to 3), each the size of the
     * gradients, and one written.
     */
    private void stream(CatalogueCase c, Tensor[] inputs) {
        long bytes = BenchCatalogue.bytesMoved(c.loss(), inputs);
        long written = Math.max(BenchCatalogue.gradientBytes(c.loss(), inputs), 4);
        int sources = (int) Math.max(1, Math.min(3, Math.round((double) (bytes - written) / written)));
        try (LossEngine engine = LossEngine.builder().backend(Backend.CPU).threads(threads).build()) {
            Benchmarking hooks = engine.benchmarking();
            JsonObject r = new JsonObject();
            r.addProperty("type", "catalogue_stream");
            r.addProperty("case", c.id());
            r.addProperty("bytes", (sources + 1) * written);
            r.addProperty("description", hooks.streamDescription(sources, written));
            samples(r, Arrays.stream(hooks.streamSeconds(sources, written, 9)).map(s -> s * 1e3).toArray());
            emit(r);
        }
    }

    /** This JVM's vendor and version ("Eclipse Adoptium 25.0.1+8"), which the storage table is grouped by. */
    static String jdk() {
        return System.getProperty("java.vm.vendor") + " " + Runtime.version();
    }

    /**
     * The storage table's row of one fused loss: the same inputs and gradients held as
     * {@code float[]}, a heap {@code FloatBuffer} slice (offset 3 floats), a direct
     * {@code FloatBuffer} of native order and a {@code Tensor.ofRange} view (offset 16 floats); each
     * checked against the {@code float[]} result (bit for bit), then timed in alternation, one call
     * of each kind per round, so that load changes touch all kinds alike.
     */
    private void storage(CatalogueCase c) throws Exception {
        System.err.printf(Locale.ROOT, "== storage %s (load %.2f)%n", c.id(), Comparison.load());
        Tensor[] base = c.inputs();
        List<Contestant> kinds = new ArrayList<>();
        try {
            for (String s : STORAGE) {
                Tensor[] in = new Tensor[base.length];
                for (int i = 0; i < base.length; i++) {
                    in[i] = base[i].isFloat() ? store(s, base[i]) : base[i];
                }
                Tensor[] g = CatalogueEngineContestant.heapGradients(c.loss(), base);
                for (int i = 0; i < g.length; i++) {
                    if (g[i] != null) {
                        g[i] = store(s, g[i]);
                    }
                }
                kinds.add(CatalogueEngineContestant.engine(Backend.CPU, threads, c.loss(), in, g));
            }
            Contestant.Outcome first = kinds.get(0).runForCheck();
            String[] checks = new String[kinds.size()];
            for (int i = 0; i < kinds.size(); i++) {
                Contestant.Outcome o = i == 0 ? first : kinds.get(i).runForCheck();
                boolean same = Double.doubleToLongBits(o.value()) == Double.doubleToLongBits(first.value())
                        && Arrays.equals(o.gradient(), first.gradient());
                checks[i] = same ? "same bits as float[]" : "differs from float[]: " + o.value() + " vs " + first.value();
            }
            long warm = System.nanoTime();
            do {
                for (Contestant k : kinds) {
                    k.run();
                }
            } while (System.nanoTime() - warm < 1e9);
            List<List<Double>> s = new ArrayList<>();
            for (int i = 0; i < kinds.size(); i++) {
                s.add(new ArrayList<>());
            }
            long start = System.nanoTime();
            for (int round = 0; round < 2 * maxSamples && (round < 5 || System.nanoTime() - start < budget * 2e9);
                 round++) {
                for (int j = 0; j < kinds.size(); j++) {
                    int i = (j + round) % kinds.size();
                    long t0 = System.nanoTime();
                    kinds.get(i).run();
                    s.get(i).add((System.nanoTime() - t0) / 1e6);
                }
            }
            for (int i = 0; i < kinds.size(); i++) {
                JsonObject r = new JsonObject();
                r.addProperty("type", "storage");
                r.addProperty("case", c.id());
                r.addProperty("storage", STORAGE[i]);
                r.addProperty("jdk", jdk());
                r.addProperty("check", checks[i]);
                samples(r, s.get(i).stream().mapToDouble(Double::doubleValue).toArray());
                r.addProperty("load", Comparison.load());
                emit(r);
                System.err.printf(Locale.ROOT, "  %-16s median %.3f ms (%s)%n", STORAGE[i],
                        r.get("median_ms").getAsDouble(), checks[i]);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            System.err.println("  storage failed: " + e);
        } finally {
            for (Contestant k : kinds) {
                k.close();
            }
            System.gc();
        }
    }

    /** {@code t}'s values in storage kind {@code kind}. */
    private static Tensor store(String kind, Tensor t) {
        float[] v = t.toFloatArray();
        switch (kind) {
            case "float[]":
                return Tensor.of(v, t.shape());
            case "heap slice": {
                float[] big = new float[v.length + 3];
                System.arraycopy(v, 0, big, 3, v.length);
                return Tensor.of(FloatBuffer.wrap(big, 3, v.length).slice(), t.shape());
            }
            case "direct": {
                FloatBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
                b.put(v).clear();
                return Tensor.of(b, t.shape());
            }
            default: {
                float[] big = new float[v.length + 16];
                System.arraycopy(v, 0, big, 16, v.length);
                return Tensor.ofRange(big, 16, t.shape());
            }
        }
    }

    private static void samples(JsonObject r, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        r.add("samples_ms", GSON.toJsonTree(ms));
        r.addProperty("median_ms", Comparison.median(sorted));
        r.addProperty("min_ms", sorted[0]);
    }

    private void emit(JsonObject o) {
        out.println(GSON.toJson(o));
    }
}
