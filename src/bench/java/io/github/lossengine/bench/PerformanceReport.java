package io.github.lossengine.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes docs/PERFORMANCE.md from what bench/compare.sh measured: the forks of {@link Comparison}
 * ({@code fork-*.jsonl}) and the JMH runs ({@code jmh-*.json}) in one results folder.
 *
 * <p>Per case and contestant the report takes the median over the forks of each fork's median (and
 * the least minimum); ratios compare medians of the same run. Usage:
 * {@code PerformanceReport --results DIR --command TEXT --out FILE}.
 */
public final class PerformanceReport {
    private static final String[] ORDER = {"lossengine", "lossengine-opencl", "lossengine-cuda", "lossengine-scalar",
        "reference", "scalar-loop", "torch-autograd", "torch-explicit", "nd4j"};
    private static final String[] PEERS = {"torch-autograd", "torch-explicit", "nd4j", "scalar-loop"};

    private final List<JsonObject> machines = new ArrayList<>();
    /** case id -> contestant id -> the fork records. */
    private final Map<String, Map<String, List<JsonObject>>> results = new LinkedHashMap<>();
    /** case id -> threads -> copy records. */
    private final Map<String, Map<Integer, List<JsonObject>>> copies = new LinkedHashMap<>();
    /** case id -> device backend -> its device-to-device copy records. */
    private final Map<String, Map<String, List<JsonObject>>> deviceCopies = new LinkedHashMap<>();
    /** device backend -> why it was not measured. */
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    private final Path dir;

    private PerformanceReport(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws IOException {
        Path dir = null;
        String command = "bench/compare.sh";
        Path out = Paths.get("docs", "PERFORMANCE.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results":
                    dir = Paths.get(args[++i]);
                    break;
                case "--command":
                    command = args[++i];
                    break;
                case "--out":
                    out = Paths.get(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--results DIR is required");
        }
        PerformanceReport r = new PerformanceReport(dir);
        r.load();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, r.markdown(command), StandardCharsets.UTF_8);
        System.err.println("wrote " + out);
    }

    private void load() throws IOException {
        for (JsonObject o : Jsonl.read(dir, "fork")) {
            switch (o.get("type").getAsString()) {
                case "machine":
                    machines.add(o);
                    break;
                case "result":
                    results.computeIfAbsent(o.get("case").getAsString(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(o.get("contestant").getAsString(), k -> new ArrayList<>()).add(o);
                    break;
                case "copy":
                    copies.computeIfAbsent(o.get("case").getAsString(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(o.get("threads").getAsInt(), k -> new ArrayList<>()).add(o);
                    break;
                case "device_copy":
                    deviceCopies.computeIfAbsent(o.get("case").getAsString(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(o.get("backend").getAsString(), k -> new ArrayList<>()).add(o);
                    break;
                case "unavailable":
                    unavailable.put(o.get("backend").getAsString(), o.get("reason").getAsString());
                    break;
                default:
                    break;
            }
        }
        if (machines.isEmpty()) {
            throw new IllegalStateException("no fork-N.jsonl results in " + dir);
        }
    }

    /** Median over forks of the per-fork medians; NaN when a fork has none. */
    private static double medianOf(List<JsonObject> forks, String field) {
        double[] v = forks.stream().filter(o -> o.has(field)).mapToDouble(o -> o.get(field).getAsDouble()).sorted()
                .toArray();
        return v.length == 0 ? Double.NaN : Comparison.median(v);
    }

    private static double minOf(List<JsonObject> forks) {
        return forks.stream().filter(o -> o.has("min_ms")).mapToDouble(o -> o.get("min_ms").getAsDouble()).min()
                .orElse(Double.NaN);
    }

    private double ms(String caseId, String contestant) {
        List<JsonObject> r = results.getOrDefault(caseId, Map.of()).get(contestant);
        return r == null ? Double.NaN : medianOf(r, "median_ms");
    }

    /** Median copy time of the case's size on the comparison's thread count. */
    private double copyMs(String caseId, int threads) {
        List<JsonObject> r = copies.getOrDefault(caseId, Map.of()).get(threads);
        return r == null ? Double.NaN : medianOf(r, "median_ms");
    }

    private String markdown(String command) throws IOException {
        JsonObject m = machines.get(0);
        CatalogueReport catalogue = CatalogueReport.load(dir);
        int threads = m.get("threads").getAsInt();
        StringBuilder sb = new StringBuilder();
        sb.append("# Performance\n\n");
        sb.append("Generated by `").append(command).append("` on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)))
                .append(". Do not edit by hand: run the command again (it rebuilds the `-Pbench` profile, runs ")
                .append(machines.size()).append(" forks of the side-by-side comparison and the JMH measurements, ")
                .append("and rewrites this file).\n\n");
        sb.append("## Machine\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| CPU | ").append(m.get("cpu").getAsString()).append(", ").append(m.get("processors").getAsInt())
                .append(" cores available to the JVM |\n");
        sb.append("| memory | ").append(m.get("memory_gib").getAsLong()).append(" GiB |\n");
        sb.append("| JDK | ").append(m.get("java").getAsString()).append(" |\n");
        sb.append("| lossengine CPU kernels | ").append(m.get("kernels").getAsString()).append(" |\n");
        sb.append("| threads, every contestant | ").append(threads).append(" |\n");
        sb.append("| load average at the start of each fork | ")
                .append(machines.stream().map(o -> fmt(o.get("load_start").getAsDouble(), 2))
                        .collect(Collectors.joining(", ")))
                .append(" (the machine is shared; see the spread between median and min) |\n");
        catalogue.machineRows(sb, m.get("processors").getAsInt());
        if (m.has("thp")) {
            sb.append("| huge pages | ").append(escape(m.get("thp").getAsString())).append(" |\n");
        }
        for (Map.Entry<String, String> u : unavailable.entrySet()) {
            sb.append("| ").append(u.getKey()).append(" backend | not measured: ").append(escape(u.getValue()))
                    .append(" |\n");
        }
        sb.append('\n');

        sb.append("## Forward + backward, side by side\n\n");
        sb.append("Each case's inputs are generated once from a fixed seed; every contestant gets the same values, ")
                .append("runs on ").append(threads).append(" threads, and its loss and gradient are checked against ")
                .append("lossengine's double-precision reference (loss within 1e-4 relative, every gradient element ")
                .append("within 1e-4 relative plus 1e-5 of the largest) before it is timed. Times are per ")
                .append("forward+backward call (loss and gradient of the MEAN loss), after warm-up: the median over ")
                .append("the forks of each fork's median, and the least time seen. *ns/elem* is the median over ")
                .append("N·C (or n) elements; *GB/s* counts the bytes a fused call must move (read the input, and ")
                .append("the float target of element-wise losses, write the gradient: 8 or 12 bytes per element). ")
                .append("*× lossengine* is the contestant's median over lossengine's: above 1, lossengine is faster.\n\n");
        if (results.values().stream().anyMatch(r -> r.containsKey("lossengine-opencl"))) {
            sb.append("**lossengine-opencl** is the OpenCL backend running the device kernels (`kernels/`, the ")
                    .append("same source the CUDA fatbin is built from) on PoCL, a CPU implementation of OpenCL: ")
                    .append("its times show what the kernels' logic costs on this CPU, not GPU speed. Its inputs ")
                    .append("and gradient stay in the OpenCL buffers (as on a GPU), so a call is the kernels plus ")
                    .append("the read-back of the loss; *device copy* is `clEnqueueCopyBuffer` of the input's size ")
                    .append("in the same run. The kernels are laid out for a GPU (groups of 256 work-items, a ")
                    .append("segment of up to 256 per row, barriers and local-memory tree reductions), which PoCL ")
                    .append("runs as loops over the work-items on the CPU's cores: these rows are a check that the ")
                    .append("device path runs end to end at full size, not a contestant.\n\n");
        }
        if (results.values().stream().anyMatch(r -> r.containsKey("lossengine-cuda"))) {
            sb.append("**lossengine-cuda** runs the same kernels from the committed fatbin on the GPU, inputs and ")
                    .append("gradient resident in device memory (a call is the kernels plus the read-back of the ")
                    .append("loss); its *device copy* row is `cuMemcpyDtoD` of the input's size in the same run, the ")
                    .append("bandwidth its GB/s is to be compared with (see the roofline below). Its × lossengine ")
                    .append("compares it with the CPU backend on this machine's CPU.\n\n");
        }
        for (String caseId : results.keySet()) {
            caseTable(sb, caseId, threads);
        }
        catalogue.markdown(sb, threads);
        goals(sb, catalogue);
        catalogue.computeFloor(sb, jmh("jmh-elementwise.json"), threads);
        jmhSections(sb);
        if (Files.exists(dir.resolve("lce-memory-lossengine.json"))) {
            sb.append("## linear_cross_entropy (issue 12): CPU, N 4096, D 1024, V 32768, float32, forward + both gradients\n\n")
                    .append("Each contestant in its own JVM, alternating, round after round (`LinearCrossEntropyRun`; ")
                    .append("method under *linear_cross_entropy on the CPU* below).\n\n")
                    .append(LinearCrossEntropyReport.markdown(dir)).append('\n');
        }
        sb.append(Files.exists(Paths.get("bench", "performance-notes.md"))
                ? Files.readString(Paths.get("bench", "performance-notes.md"), StandardCharsets.UTF_8) : "");
        sb.append('\n').append(Roofline.markdown());
        return sb.toString();
    }

    private void caseTable(StringBuilder sb, String caseId, int threads) {
        Map<String, List<JsonObject>> byContestant = results.get(caseId);
        JsonObject any = byContestant.values().iterator().next().get(0);
        long elements = any.get("elements").getAsLong();
        long bytes = any.get("bytes").getAsLong();
        double ours = ms(caseId, "lossengine");
        sb.append("### ").append(caseId).append("\n\n");
        sb.append("| contestant | median ms | min ms | ns/elem | GB/s | × lossengine | check |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---|\n");
        List<String> ids = new ArrayList<>(Arrays.asList(ORDER));
        for (String id : byContestant.keySet()) {
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        for (String id : ids) {
            List<JsonObject> forks = byContestant.get(id);
            if (forks == null) {
                continue;
            }
            double med = medianOf(forks, "median_ms");
            String check = forks.stream().map(o -> o.get("check").getAsString()).filter(c -> !c.equals("ok"))
                    .findFirst().orElse("ok (max gradient error " + sci(maxOf(forks, "max_gradient_error")) + ")");
            String desc = forks.get(0).has("description") ? forks.get(0).get("description").getAsString() : id;
            sb.append("| **").append(id).append("**<br>").append(escape(desc)).append(" | ")
                    .append(fmt(med, 3)).append(" | ").append(fmt(minOf(forks), 3)).append(" | ")
                    .append(fmt(med * 1e6 / elements, 3)).append(" | ").append(fmt(bytes / med / 1e6, 2))
                    .append(" | ").append(id.equals("lossengine") ? "1" : fmt(med / ours, 2)).append(" | ")
                    .append(escape(check)).append(" |\n");
        }
        for (Map.Entry<Integer, List<JsonObject>> e : copies.getOrDefault(caseId, Map.of()).entrySet()) {
            copyRow(sb, "*array copy*<br>System.arraycopy of the input's size, " + e.getKey()
                    + (e.getKey() == 1 ? " thread" : " threads"), e.getValue(), elements);
        }
        for (Map.Entry<String, List<JsonObject>> e : deviceCopies.getOrDefault(caseId, Map.of()).entrySet()) {
            copyRow(sb, "*device copy*<br>" + e.getKey() + ": "
                    + escape(e.getValue().get(0).get("description").getAsString()) + ", the input's size", e.getValue(),
                    elements);
        }
        sb.append('\n');
    }

    /** One copy row of a case's table: median and least time over the forks, ns per element, GB/s. */
    private static void copyRow(StringBuilder sb, String label, List<JsonObject> forks, long elements) {
        double med = medianOf(forks, "median_ms");
        long copyBytes = forks.get(0).get("bytes").getAsLong();
        sb.append("| ").append(label).append(" | ").append(fmt(med, 3)).append(" | ").append(fmt(minOf(forks), 3))
                .append(" | ").append(fmt(med * 1e6 / elements, 3)).append(" | ").append(fmt(copyBytes / med / 1e6, 2))
                .append(" | | (8 bytes per element) |\n");
    }

    private static double maxOf(List<JsonObject> forks, String field) {
        return forks.stream().filter(o -> o.has(field)).mapToDouble(o -> o.get(field).getAsDouble()).max()
                .orElse(Double.NaN);
    }

    /**
     * Issue 14's goals: softmax CE 4096×32768 against libtorch's faster variant and the copy
     * bandwidth from the comparison above, the rest from the catalogue run ({@link CatalogueReport}).
     */
    private void goals(StringBuilder sb, CatalogueReport catalogue) throws IOException {
        String ce = "softmax_cross_entropy 4096x32768";
        double ours = ms(ce, "lossengine");
        double autograd = ms(ce, "torch-autograd");
        double explicit = ms(ce, "torch-explicit");
        boolean explicitBest = !Double.isNaN(explicit) && !(autograd < explicit);
        double torch = explicitBest ? explicit : autograd;
        double copyShare = results.containsKey(ce)
                ? bytesOf(ce) / ours / 1e6 / bestCopyGbps(elementsOf(ce)) : Double.NaN;
        catalogue.goals(sb, torch / ours, copyShare, explicitBest ? "torch-explicit" : "torch-autograd");
        ceFloor(sb, ce, torch, copyShare * ours);
    }

    /**
     * Softmax-CE's compute floor per logit against what its two goals allow: the three passes of the
     * kernel table ({@code max}, {@code expSum}, {@code scale}, Vector API, one thread, cache-resident)
     * divided over the run's threads, against the time per logit at 2.5× libtorch's best and at 50% of
     * the copy bandwidth ({@code copyMs}: the call's bytes at the best copy bandwidth).
     */
    private void ceFloor(StringBuilder sb, String ce, double torchMs, double copyMs) throws IOException {
        JsonArray kernels = jmh("jmh-kernels.json");
        if (kernels == null || !results.containsKey(ce)) {
            return;
        }
        double perLogit = 0;
        int found = 0;
        for (JsonElement e : kernels) {
            JsonObject b = e.getAsJsonObject();
            String name = b.get("benchmark").getAsString().replaceAll(".*\\.", "");
            JsonObject params = b.getAsJsonObject("params");
            if (params.get("kernels").getAsString().equals("vector")
                    && (name.equals("max") || name.equals("expSum") || name.equals("scale"))) {
                perLogit += b.getAsJsonObject("primaryMetric").get("score").getAsDouble() * 1e3
                        / Integer.parseInt(params.get("n").getAsString());
                found++;
            }
        }
        if (found != 3) {
            return;
        }
        int threads = machines.get(0).get("threads").getAsInt();
        long logits = elementsOf(ce);
        double floor = perLogit / threads;
        double ceGoal = torchMs / CatalogueReport.CE_GOAL * 1e6 / logits;
        double copyGoal = copyMs / CatalogueReport.STREAM_GOAL * 1e6 / logits;
        sb.append("Softmax-CE 4096×32768's compute floor: its three passes (the kernel table's `max`, `expSum` and ")
                .append("`scale`, Vector API, one thread, cache-resident) take ").append(fmt(perLogit, 3))
                .append(" ns per logit, ").append(fmt(floor, 3)).append(" on ").append(threads)
                .append(" threads with perfect scaling; the call took ").append(fmt(ms(ce, "lossengine") * 1e6 / logits, 3))
                .append(". ").append(CatalogueReport.CE_GOAL).append("× libtorch's best allows ")
                .append(fmt(ceGoal, 3)).append(" ns per logit, 50% of the copy bandwidth ").append(fmt(copyGoal, 3))
                .append(": ").append(reach(floor, ceGoal, "the first")).append("; ")
                .append(reach(floor, copyGoal, "the second")).append(".\n\n");
    }

    private static String reach(double floor, double budget, String which) {
        return floor > budget
                ? which + " is out of reach of these kernels on this machine however memory behaves (floor "
                        + fmt(floor / budget, 2) + "× the budget)"
                : which + " is within their reach (floor " + fmt(floor / budget, 2) + "× the budget)";
    }

    /** The highest copy bandwidth measured on arrays of {@code elements} floats, any case, any thread count. */
    private double bestCopyGbps(long elements) {
        double best = Double.NaN;
        for (Map.Entry<String, Map<Integer, List<JsonObject>>> c : copies.entrySet()) {
            if (results.containsKey(c.getKey()) && elementsOf(c.getKey()) == elements) {
                for (Map.Entry<Integer, List<JsonObject>> t : c.getValue().entrySet()) {
                    double gbps = 8.0 * elements / copyMs(c.getKey(), t.getKey()) / 1e6;
                    best = Double.isNaN(best) ? gbps : Math.max(best, gbps);
                }
            }
        }
        return best;
    }

    private long bytesOf(String caseId) {
        return results.get(caseId).values().iterator().next().get(0).get("bytes").getAsLong();
    }

    private long elementsOf(String caseId) {
        return results.get(caseId).values().iterator().next().get(0).get("elements").getAsLong();
    }

    /** The JMH sections: allocation per call, the steps, the kernels. */
    private void jmhSections(StringBuilder sb) throws IOException {
        JsonArray gc = jmh("jmh-gc.json");
        if (gc != null) {
            sb.append("## Allocation per call (JMH `-prof gc`)\n\n");
            sb.append("`engine.computeInto(loss, inputs, gradient)` with a gradient buffer the caller allocated once: ")
                    .append("`gc.alloc.rate.norm` is what one call allocates on the Java heap, whatever the size ")
                    .append("(the engine's bookkeeping: one job object, one slot per chunk, the result).\n\n");
            sb.append("| case | threads | ms/call | bytes allocated per call | GCs |\n|---|---:|---:|---:|---:|\n");
            for (JsonElement e : gc) {
                JsonObject b = e.getAsJsonObject();
                JsonObject params = b.getAsJsonObject("params");
                JsonObject sec = b.getAsJsonObject("secondaryMetrics");
                sb.append("| ").append(params.get("caseName").getAsString()).append(" | ")
                        .append(params.get("threads").getAsString()).append(" | ")
                        .append(fmt(b.getAsJsonObject("primaryMetric").get("score").getAsDouble(), 3)).append(" | ")
                        .append(fmt(sec.getAsJsonObject("gc.alloc.rate.norm").get("score").getAsDouble(), 0))
                        .append(" | ").append(sec.has("gc.count")
                                ? fmt(sec.getAsJsonObject("gc.count").get("score").getAsDouble(), 0) : "0")
                        .append(" |\n");
            }
            sb.append('\n');
        }
        JsonArray steps = null;
        for (int i = 1; Files.exists(dir.resolve("jmh-step" + i + ".json")); i++) {
            if (steps == null) {
                steps = new JsonArray();
            }
            steps.addAll(jmh("jmh-step" + i + ".json"));
        }
        if (steps != null) {
            sb.append("## What each step gained (JMH, softmax-CE 4096×32768)\n\n");
            sb.append("Same inputs; `reference` is the double-precision implementation (one thread, 3 passes, ")
                    .append("`Math.exp` twice per logit), `scalar` the fused float32 kernels without the Vector API, ")
                    .append("`fused` the fused kernels on the Vector API. Each line's gain is against the line above.\n\n");
            sb.append("| path | threads | ms/call | gain |\n|---|---:|---:|---:|\n");
            double previous = Double.NaN;
            for (JsonElement e : steps) {
                JsonObject b = e.getAsJsonObject();
                JsonObject params = b.getAsJsonObject("params");
                double score = b.getAsJsonObject("primaryMetric").get("score").getAsDouble();
                String extra = b.has("jvmArgs") && b.get("jvmArgs").toString().contains("-XX:-UseFMA")
                        ? " (no FMA: -XX:-UseFMA)" : "";
                sb.append("| ").append(params.get("path").getAsString()).append(extra).append(" | ")
                        .append(params.get("threads").getAsString()).append(" | ").append(fmt(score, 1)).append(" | ")
                        .append(Double.isNaN(previous) ? "" : fmt(previous / score, 2) + "×").append(" |\n");
                previous = score;
            }
            sb.append('\n');
        }
        JsonArray kernels = jmh("jmh-kernels.json");
        if (kernels != null) {
            sb.append("## Kernels, one thread, one cache-resident row of 32768 floats (JMH)\n\n");
            sb.append("| kernel | scalar ns/elem | Vector API ns/elem |\n|---|---:|---:|\n");
            Map<String, double[]> rows = new LinkedHashMap<>();
            for (JsonElement e : kernels) {
                JsonObject b = e.getAsJsonObject();
                String name = b.get("benchmark").getAsString().replaceAll(".*\\.", "");
                JsonObject params = b.getAsJsonObject("params");
                double us = b.getAsJsonObject("primaryMetric").get("score").getAsDouble();
                double nsPerElem = us * 1e3 / Integer.parseInt(params.get("n").getAsString());
                double[] r = rows.computeIfAbsent(name, k -> new double[] {Double.NaN, Double.NaN});
                r[params.get("kernels").getAsString().equals("vector") ? 1 : 0] = nsPerElem;
            }
            for (Map.Entry<String, double[]> e : rows.entrySet()) {
                boolean exp = e.getKey().equals("mathExp");
                sb.append("| ").append(exp ? "`Math.exp` in a plain loop (for comparison)" : e.getKey()).append(" | ")
                        .append(fmt(e.getValue()[0], 3)).append(" | ").append(exp ? "" : fmt(e.getValue()[1], 3))
                        .append(" |\n");
            }
            sb.append('\n');
        }
    }

    private JsonArray jmh(String file) throws IOException {
        Path p = dir.resolve(file);
        if (!Files.exists(p)) {
            return null;
        }
        return JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8)).getAsJsonArray();
    }

    static String fmt(double v, int digits) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%,." + digits + "f", v);
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1e", v);
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
