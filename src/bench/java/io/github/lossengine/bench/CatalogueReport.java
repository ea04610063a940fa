package io.github.lossengine.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue and storage sections of docs/PERFORMANCE.md and issue 14's goals, from the
 * {@code catalogue-*.jsonl} forks of {@link CatalogueComparison} in the results folder. Per case
 * and contestant: the median over the forks of each fork's median; ratios compare medians of the
 * same run.
 */
final class CatalogueReport {
    /** The goal for element-wise losses: this share of the in-run stream bandwidth. */
    static final double STREAM_GOAL = 0.5;
    /** The goal for buffers: at most this many times the {@code float[]} time. */
    static final double STORAGE_GOAL = 1.2;
    /** The goal for softmax CE 4096x32768: this many times faster than libtorch's best. */
    static final double CE_GOAL = 2.5;

    /** case id -> its catalogue_case record (report order). */
    private final Map<String, JsonObject> cases = new LinkedHashMap<>();
    /** case id -> contestant -> fork records. */
    private final Map<String, Map<String, List<JsonObject>>> results = new LinkedHashMap<>();
    private final Map<String, List<JsonObject>> streams = new LinkedHashMap<>();
    /** case id -> storage kind -> fork records, of the catalogue run's JVM. */
    private final Map<String, Map<String, List<JsonObject>>> storage = new LinkedHashMap<>();
    /** The catalogue run's JDK (from its storage records). */
    private String storageJdk = "";
    /** Another JDK's storage run ({@code storage-jdk*.jsonl}, bench/compare.sh --storage-jdk): JDK -> case -> kind -> records. */
    private final Map<String, Map<String, Map<String, List<JsonObject>>>> otherJdks = new LinkedHashMap<>();
    private final List<Double> loads = new ArrayList<>();

    private CatalogueReport() {
    }

    /** The catalogue results in {@code dir}; empty when there are none. */
    static CatalogueReport load(Path dir) throws IOException {
        CatalogueReport r = new CatalogueReport();
        for (JsonObject o : Jsonl.read(dir, "catalogue")) {
            String c = o.has("case") ? o.get("case").getAsString() : "";
            switch (o.get("type").getAsString()) {
                case "catalogue_case":
                    r.cases.putIfAbsent(c, o);
                    break;
                case "catalogue":
                    r.results.computeIfAbsent(c, k -> new LinkedHashMap<>())
                            .computeIfAbsent(o.get("contestant").getAsString(), k -> new ArrayList<>()).add(o);
                    if (o.has("load")) {
                        r.loads.add(o.get("load").getAsDouble());
                    }
                    break;
                case "catalogue_stream":
                    r.streams.computeIfAbsent(c, k -> new ArrayList<>()).add(o);
                    break;
                case "storage":
                    add(r.storage, c, o);
                    r.storageJdk = o.has("jdk") ? o.get("jdk").getAsString() : r.storageJdk;
                    break;
                default:
                    break;
            }
        }
        for (JsonObject o : Jsonl.read(dir, "storage-jdk")) {
            if (o.get("type").getAsString().equals("storage")) {
                add(r.otherJdks.computeIfAbsent(o.get("jdk").getAsString(), k -> new LinkedHashMap<>()),
                        o.get("case").getAsString(), o);
            }
        }
        return r;
    }

    private static void add(Map<String, Map<String, List<JsonObject>>> m, String c, JsonObject o) {
        m.computeIfAbsent(c, k -> new LinkedHashMap<>())
                .computeIfAbsent(o.get("storage").getAsString(), k -> new ArrayList<>()).add(o);
    }

    boolean empty() {
        return cases.isEmpty();
    }

    private static double median(List<JsonObject> forks) {
        if (forks == null) {
            return Double.NaN;
        }
        double[] v = forks.stream().filter(o -> o.has("median_ms")).mapToDouble(o -> o.get("median_ms").getAsDouble())
                .sorted().toArray();
        return v.length == 0 ? Double.NaN : Comparison.median(v);
    }

    private double ms(String c, String contestant) {
        return median(results.getOrDefault(c, Map.of()).get(contestant));
    }

    /** libtorch's faster variant on {@code c}: its id, or null when libtorch was not timed. */
    private String torchBest(String c) {
        double a = ms(c, "torch-autograd");
        double e = ms(c, "torch-explicit");
        if (Double.isNaN(a) && Double.isNaN(e)) {
            return null;
        }
        return Double.isNaN(e) || a < e ? "torch-autograd" : "torch-explicit";
    }

    /** lossengine's GB/s on {@code c} over the stream baseline's. */
    private double streamShare(String c) {
        List<JsonObject> s = streams.get(c);
        if (s == null) {
            return Double.NaN;
        }
        double streamGbps = s.get(0).get("bytes").getAsLong() / median(s) / 1e6;
        return gbps(c, "lossengine") / streamGbps;
    }

    private double gbps(String c, String contestant) {
        return cases.get(c).get("bytes").getAsLong() / ms(c, contestant) / 1e6;
    }

    private boolean elementWise(String c) {
        return !c.matches(".* \\d+x\\d+");
    }

    /** A machine-table line on the run's load, when the catalogue ran. */
    void machineRows(StringBuilder sb, int processors) {
        if (loads.isEmpty()) {
            return;
        }
        double lo = loads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double hi = loads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        sb.append("| load average during the catalogue runs | ").append(PerformanceReport.fmt(lo, 2)).append(" to ")
                .append(PerformanceReport.fmt(hi, 2)).append(hi > processors
                        ? " on " + processors + " cores: **a loaded machine** (other builds and benchmarks were "
                        + "running); absolute times are noisy, the ratios of contestants timed side by side less so |\n"
                        : " |\n");
    }

    /** The catalogue table and the storage table. */
    void markdown(StringBuilder sb, int threads) {
        if (empty()) {
            return;
        }
        List<String> devices = new ArrayList<>();
        for (Map<String, List<JsonObject>> r : results.values()) {
            for (String id : r.keySet()) {
                if (id.startsWith("lossengine-") && !devices.contains(id)) {
                    devices.add(id);
                }
            }
        }
        sb.append("## Every loss of the catalogue: lossengine, libtorch's best, the copy bandwidth\n\n");
        sb.append("One row per loss (and for softmax cross-entropy and bce_with_logits, per option), with ")
                .append("`lossengine bench`'s inputs from a fixed seed: element-wise losses at 16M elements, class ")
                .append("rows at 4096×1000, embedding pairs and triplets at 4096×256; MEAN reduction, the gradient of ")
                .append("every differentiable input (both embeddings of the pair losses, all three triplet inputs, ")
                .append("input, target and variance of gaussian_nll), ").append(threads).append(" threads for every ")
                .append("contestant. Every contestant's loss and gradients are checked against lossengine's double ")
                .append("reference first (same tolerance as above). **libtorch** 2.7.1 through DJL, with huge pages ")
                .append("for its allocations (`THP_MEM_ALLOC_ENABLE=1`, set by bench/compare.sh); DJL exposes no ")
                .append("`torch.nn.functional` loss, so each is written from libtorch's ops with PyTorch's formula ")
                .append("and defaults, twice: by autograd, and as the closed-form gradient without autograd, in ")
                .append("place where DJL has the in-place op (`subi`, `muli`, …; DJL has no `out=` variants, so ")
                .append("other outputs are allocated per call); constant tensors (one-hot, smoothed targets) are ")
                .append("built once outside the timing. *libtorch best* is the faster of the two in this run. ")
                .append("*stream* is the memory-bound baseline with the loss's own traffic (`Benchmarking.streamSeconds`: ")
                .append("as many source arrays as the loss reads per gradient byte, one written; STREAM add for ")
                .append("input + target, a copy otherwise), and *% of stream* is lossengine's bytes/s (every input ")
                .append("read, every gradient written, once) over the stream's; it exceeds 100% where a loss need not read all it is ")
                .append("given (nll reads one log-probability per row). × libtorch above 1: lossengine is ")
                .append("faster. linear_cross_entropy is not in this table: it is bound by its GEMMs, not by the loss, ")
                .append("and is compared with libtorch in its own cases.\n\n");
        sb.append("| loss | lossengine ms");
        for (String d : devices) {
            sb.append(" | ").append(d).append(" ms");
        }
        sb.append(" | libtorch best ms | × libtorch | lossengine GB/s | stream GB/s | % of stream | check |\n");
        sb.append("|---|---:");
        for (int i = 0; i < devices.size(); i++) {
            sb.append("|---:");
        }
        sb.append("|---:|---:|---:|---:|---:|---|\n");
        for (Map.Entry<String, JsonObject> e : cases.entrySet()) {
            String c = e.getKey();
            JsonObject k = e.getValue();
            double ours = ms(c, "lossengine");
            sb.append("| ").append(c).append(" | ").append(PerformanceReport.fmt(ours, 3));
            for (String d : devices) {
                sb.append(" | ").append(PerformanceReport.fmt(ms(c, d), 3));
            }
            String best = torchBest(c);
            if (best != null) {
                double t = ms(c, best);
                sb.append(" | ").append(PerformanceReport.fmt(t, 3)).append(" (")
                        .append(best.equals("torch-autograd") ? "autograd" : "explicit").append(")<br>")
                        .append(k.get("torch").getAsString()).append(" | ").append(PerformanceReport.fmt(t / ours, 2));
            } else {
                sb.append(" | —<br>").append(k.has("why") ? k.get("why").getAsString() : "not measured").append(" | —");
            }
            List<JsonObject> s = streams.get(c);
            double streamGbps = s == null ? Double.NaN : s.get(0).get("bytes").getAsLong() / median(s) / 1e6;
            sb.append(" | ").append(PerformanceReport.fmt(gbps(c, "lossengine"), 2)).append(" | ")
                    .append(PerformanceReport.fmt(streamGbps, 2)).append(" | ")
                    .append(PerformanceReport.fmt(100 * streamShare(c), 0)).append("% | ").append(checks(c))
                    .append(" |\n");
        }
        sb.append('\n');
        storageTable(sb);
    }

    /** "ok" when every contestant's check passed, else the first problem, naming the contestant. */
    private String checks(String c) {
        for (Map.Entry<String, List<JsonObject>> e : results.getOrDefault(c, Map.of()).entrySet()) {
            for (JsonObject o : e.getValue()) {
                if (!o.get("check").getAsString().equals("ok")) {
                    return e.getKey() + ": " + o.get("check").getAsString().replace("|", "\\|");
                }
            }
        }
        return "ok";
    }

    private void storageTable(StringBuilder sb) {
        if (storage.isEmpty()) {
            return;
        }
        sb.append("## Storage: `float[]`, heap slice, direct buffer, offset view\n\n");
        sb.append("Each fused loss on the CPU backend with the same values held four ways, inputs and gradients ")
                .append("alike (class indices stay `int[]`): `float[]` (`Tensor.of(float[])`), a heap `FloatBuffer` ")
                .append("slice at offset 3 floats (`FloatBuffer.wrap(a, 3, n).slice()`), a direct `FloatBuffer` of ")
                .append("native byte order, and `Tensor.ofRange(a, 16, shape)` (a view into a larger array, which ")
                .append("the library holds as a heap slice). Each kind's result is compared with the `float[]` ")
                .append("result bit for bit, then the four are timed in alternation, one call of each per round, ")
                .append("so that a change of load touches all alike; median ms and the ratio to `float[]` (goal: ")
                .append("direct ≤ ").append(STORAGE_GOAL).append("×). The `float[]` column times the same call as ")
                .append("the catalogue table's lossengine column, later in the run and after more warm-up: where the ")
                .append("two differ, the difference is this machine's noise (load, JIT), not the storage.\n\n");
        if (!storageJdk.isEmpty()) {
            sb.append("On ").append(storageJdk).append(", the JVM of the catalogue table:\n\n");
        }
        storageRows(sb, storage);
        for (Map.Entry<String, Map<String, Map<String, List<JsonObject>>>> j : otherJdks.entrySet()) {
            sb.append("The same table on ").append(j.getKey()).append(" (a JVM of its own after the catalogue runs, ")
                    .append("`bench/compare.sh --storage-jdk`, the same class files): from Java 22 the library reads ")
                    .append("a direct buffer of native byte order in place through `FloatVector.fromMemorySegment`, ")
                    .append("on Java 17 and 18 through `fromByteBuffer` on a `ByteBuffer` view of the same memory ")
                    .append("(bench/performance-notes.md, \"Storage\").\n\n");
            storageRows(sb, j.getValue());
        }
    }

    /** The rows of one JVM's storage table, with their header. */
    private static void storageRows(StringBuilder sb, Map<String, Map<String, List<JsonObject>>> storage) {
        sb.append("| loss | float[] ms | heap slice ms | direct ms | Tensor.ofRange ms | direct ≤ 1.2× | bits |\n");
        sb.append("|---|---:|---:|---:|---:|---|---|\n");
        for (Map.Entry<String, Map<String, List<JsonObject>>> e : storage.entrySet()) {
            Map<String, List<JsonObject>> k = e.getValue();
            double base = median(k.get("float[]"));
            sb.append("| ").append(e.getKey()).append(" | ").append(PerformanceReport.fmt(base, 3));
            for (String s : new String[] {"heap slice", "direct", "Tensor.ofRange"}) {
                double v = median(k.get(s));
                sb.append(" | ").append(PerformanceReport.fmt(v, 3)).append(" (")
                        .append(PerformanceReport.fmt(v / base, 2)).append("×)");
            }
            double direct = median(k.get("direct")) / base;
            String bits = k.values().stream().flatMap(List::stream).map(o -> o.get("check").getAsString())
                    .filter(c -> !c.startsWith("same bits")).findFirst().orElse("the same in all four");
            sb.append(" | ").append(Double.isNaN(direct) ? "" : direct <= STORAGE_GOAL ? "met" : "not met")
                    .append(" | ").append(bits.replace("|", "\\|")).append(" |\n");
        }
        sb.append('\n');
    }

    /**
     * Issue 14's goals, each marked met or not met from this run: element-wise losses at 16M at
     * ≥ 50% of the stream bandwidth and faster than libtorch's best; direct buffers within 1.2× of
     * {@code float[]}; softmax CE 4096×32768 ≥ 2.5× libtorch's best and ≥ 50% of the copy bandwidth.
     *
     * @param ceRatio    libtorch's best over lossengine on softmax CE 4096×32768 (NaN if not measured)
     * @param ceCopy     lossengine's share of the best copy bandwidth on that case (NaN if not measured)
     * @param ceTorch    which libtorch variant was the faster there
     */
    void goals(StringBuilder sb, double ceRatio, double ceCopy, String ceTorch) {
        sb.append("## Goals (issue 14), from this run\n\n");
        sb.append("| goal | measured | |\n|---|---|---|\n");
        row(sb, "softmax-CE 4096×32768 ≥ " + CE_GOAL + "× faster than libtorch's best (" + ceTorch
                + ", huge pages)", ceRatio, fmtX(ceRatio), ceRatio >= CE_GOAL);
        row(sb, "softmax-CE 4096×32768 ≥ 50% of the in-run copy bandwidth", ceCopy, pct(ceCopy), ceCopy >= 0.5);
        int n = 0;
        int streamMet = 0;
        int torchN = 0;
        int torchMet = 0;
        StringBuilder streamMiss = new StringBuilder();
        StringBuilder torchMiss = new StringBuilder();
        for (String c : cases.keySet()) {
            if (!elementWise(c) || !results.containsKey(c)) {
                continue;
            }
            n++;
            double share = streamShare(c);
            if (share >= STREAM_GOAL) {
                streamMet++;
            } else {
                streamMiss.append(streamMiss.length() == 0 ? "" : ", ").append(c).append(" ").append(pct(share));
            }
            String best = torchBest(c);
            if (best != null) {
                torchN++;
                double r = ms(c, best) / ms(c, "lossengine");
                if (r > 1) {
                    torchMet++;
                } else {
                    torchMiss.append(torchMiss.length() == 0 ? "" : ", ").append(c).append(" ").append(fmtX(r));
                }
            }
        }
        row(sb, "every element-wise loss ≥ 50% of the in-run stream bandwidth (the catalogue table's % of stream)",
                n, streamMet + " of " + n + (streamMiss.length() == 0 ? "" : "; below: " + streamMiss),
                n > 0 && streamMet == n);
        row(sb, "every element-wise loss libtorch has faster than libtorch's best", torchN,
                torchMet + " of " + torchN + (torchMiss.length() == 0 ? "" : "; not: " + torchMiss),
                torchN > 0 && torchMet == torchN);
        directGoal(sb, storageJdk, storage);
        for (Map.Entry<String, Map<String, Map<String, List<JsonObject>>>> e : otherJdks.entrySet()) {
            directGoal(sb, e.getKey(), e.getValue());
        }
        sb.append('\n');
    }

    /**
     * The compute floor of each element-wise loss against its share of the stream goal: the fused
     * kernel alone on cache-resident data, one thread ({@code ElementwiseKernelBenchmark}, JMH), divided
     * over the run's threads, against the time per element that 50% of this run's stream bandwidth
     * allows for the loss's bytes. A loss whose floor exceeds that budget cannot meet the goal with
     * these kernels on this machine, whatever memory does; nothing is written when the JMH file is absent.
     */
    void computeFloor(StringBuilder sb, JsonArray jmh, int threads) {
        if (jmh == null) {
            return;
        }
        Map<String, double[]> rows = new LinkedHashMap<>();
        int n = 0;
        for (JsonElement e : jmh) {
            JsonObject b = e.getAsJsonObject();
            JsonObject params = b.getAsJsonObject("params");
            n = Integer.parseInt(params.get("n").getAsString());
            double ns = b.getAsJsonObject("primaryMetric").get("score").getAsDouble() * 1e3 / n;
            double[] r = rows.computeIfAbsent(params.get("loss").getAsString(),
                    k -> new double[] {Double.NaN, Double.NaN, Double.NaN});
            boolean vector = params.get("kernels").getAsString().equals("vector");
            r[vector ? 0 : 1] = ns;
            JsonObject gc = b.has("secondaryMetrics") ? b.getAsJsonObject("secondaryMetrics")
                    .getAsJsonObject("gc.alloc.rate.norm") : null;
            if (vector && gc != null) {
                r[2] = gc.get("score").getAsDouble();
            }
        }
        sb.append("## Compute alone: each element-wise kernel on cache-resident data (JMH)\n\n");
        sb.append("`ElementwiseKernelBenchmark`: the loss's fused kernel (loss, gradient and sum, block by block as a call ")
                .append("runs it) over ").append(n).append(" elements that stay in the cache, one thread, no engine: what an ")
                .append("element costs when memory costs nothing. *floor on ").append(threads).append(" threads* is the ")
                .append("one-thread time divided by ").append(threads).append(" (perfect scaling); *budget* is the time ")
                .append("per element at which the loss's bytes (the catalogue table's, per element) move at 50% of this ")
                .append("run's stream bandwidth for that case; *16M call* is the catalogue table's lossengine time per ")
                .append("element. Where the floor exceeds the budget, the stream goal is out of reach of these kernels ")
                .append("on this machine however memory behaves: only fewer operations per element (or wider vectors) ")
                .append("would reach it. *bytes allocated* is JMH's `gc.alloc.rate.norm` for the Vector API call over all ")
                .append("its elements: anything above a few bytes means boxed vectors (a C2 compile that could not keep a ")
                .append("vector in registers), which costs far more than the allocation itself.\n\n");
        sb.append("| loss | Vector API ns/elem, 1 thread | scalar ns/elem, 1 thread | floor on ").append(threads)
                .append(" threads | budget at 50% of stream | 16M call ns/elem | floor / budget | bytes allocated |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            String c = e.getKey() + " 16M";
            double floor = e.getValue()[0] / threads;
            double budget = Double.NaN;
            double call = Double.NaN;
            JsonObject cs = cases.get(c);
            List<JsonObject> s = streams.get(c);
            if (cs != null && s != null) {
                long elements = cs.get("elements").getAsLong();
                double streamGbps = s.get(0).get("bytes").getAsLong() / median(s) / 1e6;
                budget = cs.get("bytes").getAsDouble() / elements / (STREAM_GOAL * streamGbps);
                call = ms(c, "lossengine") * 1e6 / elements;
            }
            sb.append("| ").append(e.getKey()).append(" | ").append(PerformanceReport.fmt(e.getValue()[0], 3))
                    .append(" | ").append(PerformanceReport.fmt(e.getValue()[1], 3)).append(" | ")
                    .append(PerformanceReport.fmt(floor, 3)).append(" | ").append(PerformanceReport.fmt(budget, 3))
                    .append(" | ").append(PerformanceReport.fmt(call, 3)).append(" | ")
                    .append(Double.isNaN(budget) ? "" : fmtX(floor / budget)).append(" | ")
                    .append(Double.isNaN(e.getValue()[2]) ? "" : PerformanceReport.fmt(e.getValue()[2], 0)).append(" |\n");
        }
        sb.append('\n');
    }

    /** The goal row of direct buffers for one JVM's storage table. */
    private static void directGoal(StringBuilder sb, String jdk, Map<String, Map<String, List<JsonObject>>> storage) {
        int fused = 0;
        int directMet = 0;
        StringBuilder directMiss = new StringBuilder();
        for (Map.Entry<String, Map<String, List<JsonObject>>> e : storage.entrySet()) {
            double r = median(e.getValue().get("direct")) / median(e.getValue().get("float[]"));
            fused++;
            if (r <= STORAGE_GOAL) {
                directMet++;
            } else {
                directMiss.append(directMiss.length() == 0 ? "" : ", ").append(e.getKey()).append(" ").append(fmtX(r));
            }
        }
        row(sb, "direct `FloatBuffer` within " + STORAGE_GOAL + "× of `float[]` on every fused loss"
                        + (jdk.isEmpty() ? "" : ", " + jdk), fused,
                directMet + " of " + fused + (directMiss.length() == 0 ? "" : "; above: " + directMiss),
                fused > 0 && directMet == fused);
    }

    private static void row(StringBuilder sb, String goal, double measured, String text, boolean met) {
        boolean none = Double.isNaN(measured) || measured == 0;
        sb.append("| ").append(goal).append(" | ").append(none ? "not measured" : text).append(" | ")
                .append(none ? "" : met ? "met" : "not met").append(" |\n");
    }

    private static String pct(double v) {
        return PerformanceReport.fmt(100 * v, 0) + "%";
    }

    private static String fmtX(double v) {
        return PerformanceReport.fmt(v, 2) + "×";
    }
}
