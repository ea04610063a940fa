package io.github.lossengine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The markdown of {@link LinearCrossEntropyRun}'s results (files {@code lce-time-R-C.json} and
 * {@code lce-memory-C.json} of one directory): per round the two medians side by side, the check
 * (same input hash, loss difference, largest sampled gradient difference relative to the largest
 * sampled gradient), and each contestant's peak extra memory.
 */
final class LinearCrossEntropyReport {
    private LinearCrossEntropyReport() {
    }

    static String markdown(Path dir) throws IOException {
        StringBuilder md = new StringBuilder();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("lce-")).sorted().toList();
        }
        List<String> rounds = new ArrayList<>();
        for (Path p : files) {
            Matcher m = Pattern.compile("lce-time-(\\d+)-lossengine\\.json").matcher(p.getFileName().toString());
            if (m.matches()) {
                rounds.add(m.group(1));
            }
        }
        md.append("| round | lossengine median ms (min) | libtorch median ms (min) | libtorch / lossengine"
                + " | CPU time per call, lossengine / libtorch (s) | load (lossengine, libtorch) |\n");
        md.append("|---|---:|---:|---:|---:|---|\n");
        String check = "";
        String descriptions = "";
        for (String r : rounds) {
            String le = Files.readString(dir.resolve("lce-time-" + r + "-lossengine.json"));
            Path tp = dir.resolve("lce-time-" + r + "-torch.json");
            String to = Files.exists(tp) ? Files.readString(tp) : null;
            double[] a = numbers(field(le, "ms"));
            double[] b = to == null ? new double[0] : numbers(field(to, "ms"));
            double[] ca = numbers(field(le, "cpu_ms"));
            double[] cb = to == null ? new double[0] : numbers(field(to, "cpu_ms"));
            md.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f) | %s | %s | %.1f / %s | %s, %s |%n", r, median(a), min(a),
                    b.length == 0 ? "not run" : String.format(Locale.ROOT, "%.0f (%.0f)", median(b), min(b)),
                    b.length == 0 ? "" : String.format(Locale.ROOT, "%.2f", median(b) / median(a)),
                    median(ca) / 1e3, cb.length == 0 ? "" : String.format(Locale.ROOT, "%.1f", median(cb) / 1e3),
                    field(le, "load"), to == null ? "" : field(to, "load")));
            if (to != null && check.isEmpty()) {
                boolean same = field(le, "input_hash").equals(field(to, "input_hash"));
                double l1 = Double.parseDouble(field(le, "loss"));
                double l2 = Double.parseDouble(field(to, "loss"));
                check = String.format(Locale.ROOT, "Check (round %s): inputs %s (hash %s); loss %.7f (lossengine) vs %.7f"
                                + " (libtorch); largest sampled gradient difference / largest sampled gradient: dh %.1e, dW %.1e.%n",
                        r, same ? "equal" : "DIFFERENT", field(le, "input_hash"), l1, l2,
                        relative(numbers(field(le, "dh")), numbers(field(to, "dh"))),
                        relative(numbers(field(le, "dw")), numbers(field(to, "dw"))));
                descriptions = "- lossengine: " + field(le, "description") + "\n- libtorch: " + field(to, "description") + "\n";
            }
        }
        md.append('\n').append(check).append('\n').append(descriptions).append('\n');
        md.append("| contestant | peak extra memory of one call (MiB) | RSS before (MiB) | load |\n|---|---:|---:|---|\n");
        for (String c : new String[] {"lossengine", "torch"}) {
            Path p = dir.resolve("lce-memory-" + c + ".json");
            if (Files.exists(p)) {
                String j = Files.readString(p);
                md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %s |%n", c.equals("torch") ? "libtorch" : c,
                        field(j, "extra_mib"), Double.parseDouble(field(j, "rss_before_kib")) / 1024, field(j, "load")));
            }
        }
        return md.toString();
    }

    /** A field's raw text in a one-line JSON object (strings unquoted, arrays without brackets). */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|\\[([^\\]]*)\\]|([^,}]*))").matcher(json);
        if (!m.find()) {
            return "";
        }
        return m.group(2) != null ? m.group(2).replace("\\\"", "\"") : m.group(3) != null ? m.group(3) : m.group(4);
    }

    static double[] numbers(String list) {
        if (list.isBlank()) {
            return new double[0];
        }
        String[] p = list.split(",");
        double[] d = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = Double.parseDouble(p[i].trim());
        }
        return d;
    }

    static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : a) {
            m = Math.min(m, x);
        }
        return m;
    }

    static double relative(double[] a, double[] b) {
        double diff = 0;
        double max = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            max = Math.max(max, Math.abs(b[i]));
        }
        return a.length != b.length ? Double.NaN : diff / max;
    }
}
