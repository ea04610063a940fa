package io.github.lossengine.bench;

import io.github.lossengine.kernel.Geometry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPU roofline section of docs/PERFORMANCE.md: lower bounds computed from the bytes per element
 * that each softmax cross-entropy design moves to and from HBM, for H100 SXM and H200. Arithmetic,
 * not measurements. lossengine's own row is computed from the launch geometry the device backends
 * use ({@link Geometry#rows}), so it changes when the kernels do.
 */
final class Roofline {
    /** HBM bandwidth, bytes per second. */
    static final double H100_SXM = 3.35e12;
    static final double H200 = 4.8e12;
    /** The fraction of HBM bandwidth the kernels are designed to reach. */
    static final double GOAL = 0.85;
    /** Exponentials per second, whole chip: 132 SMs x 16 MUFU.EX2 per clock x 1.98 GHz (both chips). */
    static final double EXP_RATE = 132 * 16 * 1.98e9;
    /** L2 cache (both chips), bytes. */
    static final double L2 = 50e6;
    /** H100/H200 SM: 132 of them, 64K 32-bit registers, 228 KiB shared memory, at most 2048 threads each. */
    static final int SMS = 132;
    static final int SM_REGISTERS = 65536;
    static final int SM_SHARED = 228 * 1024;
    static final int SM_THREADS = 2048;
    /** HBM load latency assumed for Little's law (bytes in flight = bandwidth x latency). */
    static final double LATENCY_S = 600e-9;
    /** Independent 4-byte loads per thread in flight in the row loops (LE_BATCH in softmax_cross_entropy.cu). */
    static final int LOADS_IN_FLIGHT = 4;
    /** The target at 16384x131072 on H100 SXM, and Liger-Kernel's time there. */
    static final double TARGET_S = 6.5e-3;
    static final double LIGER_S = 8.5e-3;

    private Roofline() {
    }

    /** HBM bytes per element of the three designs: logits read (1, 2 or 3 times) plus the gradient written. */
    static final double THREE_PASS = 16;
    static final double TWO_READS = 12;
    static final double ONE_READ = 8;

    /** What lossengine's kernel does at one shape, from its launch geometry. */
    record AsBuilt(Geometry geometry, boolean cached, double rowsInFlightBytes, double bytesPerElement) {
        static AsBuilt of(long rows, long classes, int residentGroups) {
            Geometry g = Geometry.rows(rows, classes);
            boolean cached = g.rowsFitCache(classes);
            double inFlight = (double) Math.min(g.groups(), residentGroups) * g.rowsPerGroup() * classes * 4;
            return new AsBuilt(g, cached, inFlight, cached ? ONE_READ : TWO_READS);
        }
    }

    /** What ptxas reported for le_softmax_ce_f32 on sm_90 (native/ptxas.log): registers per thread, shared memory. */
    record Sm90(int registers, int sharedBytes) {
        private static final Pattern USED = Pattern.compile("Used (\\d+) registers.*?(\\d+) bytes smem");

        static Sm90 read() {
            Path log = Paths.get("native", "ptxas.log");
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("Compiling entry function 'le_softmax_ce_f32' for 'sm_90'")) {
                        for (int j = i + 1; j < Math.min(lines.size(), i + 5); j++) {
                            Matcher m = USED.matcher(lines.get(j));
                            if (m.find()) {
                                return new Sm90(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + log, e);
            }
            throw new IllegalStateException("no sm_90 entry for le_softmax_ce_f32 in " + log);
        }

        /** Groups of GROUP_SIZE threads one SM holds at once: registers (allocated per thread in units of 8), shared memory (+1 KiB reserved per block), threads. */
        int groupsPerSm() {
            int regs = (registers + 7) / 8 * 8;
            int byRegisters = SM_REGISTERS / (regs * Geometry.GROUP_SIZE);
            int byShared = SM_SHARED / (sharedBytes + 1024);
            return Math.min(Math.min(byRegisters, byShared), SM_THREADS / Geometry.GROUP_SIZE);
        }
    }

    static String markdown() {
        Sm90 sm90 = Sm90.read();
        int residentGroups = SMS * sm90.groupsPerSm();
        StringBuilder sb = new StringBuilder();
        sb.append("## GPU roofline (arithmetic from the kernel design, not a measurement)\n\n");
        sb.append("Nothing in this section ran on a GPU (no GPU was available to this project's sessions so far): ")
                .append("it is the least time a design can take, the bytes it moves to and from HBM divided by the ")
                .append("HBM bandwidth (H100 SXM ").append(tb(H100_SXM)).append(", H200 ").append(tb(H200))
                .append("), fp32 logits and gradient, class-index targets (8 bytes per row, negligible). The goal is ")
                .append(pct(GOAL)).append(" of HBM bandwidth, i.e. *goal* = bound / ").append(GOAL).append(".\n\n");
        sb.append("| design | passes over the logits | HBM bytes/elem | exps/elem |\n|---|---|---:|---:|\n");
        sb.append("| 3 passes | max; sum of exp; gradient | ").append(fmt(THREE_PASS, 0)).append(" | 2 |\n");
        sb.append("| online softmax, 2 reads (Liger-Kernel's) | online max+sum; gradient, reading the row again ")
                .append("from HBM | ").append(fmt(TWO_READS, 0)).append(" | 2 |\n");
        sb.append("| **lossengine as built** (`le_softmax_ce_f32`) | online max+sum; gradient. When the group's ")
                .append("rows fit its ").append(Geometry.ROW_CACHE * 4 / 1024).append(" KiB local-memory row cache (")
                .append(Geometry.ROW_CACHE).append(" floats) the second pass reads them from there, else from ")
                .append("global memory again | ").append(fmt(ONE_READ, 0)).append(" when cached, else ")
                .append(fmt(TWO_READS, 0)).append(" | 2 |\n");
        sb.append("| row resident on chip (not built) | as above, the row kept in shared memory (up to ≈ 56K ")
                .append("floats per block) or in L2 (rows in flight capped to fit it) | ").append(fmt(ONE_READ, 0))
                .append(" | 2 |\n\n");

        sb.append("| shape N×C | lossengine launch | second read | HBM bytes/elem | H100 bound / goal | ")
                .append("H200 bound / goal | H100 if read once (bound / goal) | exp time H100 |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|\n");
        long[][] shapes = {{256, 1000}, {4096, 32768}, {512, 128256}, {16384, 131072}};
        for (long[] s : shapes) {
            double elements = (double) s[0] * s[1];
            AsBuilt a = AsBuilt.of(s[0], s[1], residentGroups);
            double bytes = a.bytesPerElement() * elements;
            double once = ONE_READ * elements;
            sb.append("| ").append(s[0]).append("×").append(s[1]).append(" | ").append(a.geometry().groups())
                    .append(" groups × ").append(a.geometry().rowsPerGroup())
                    .append(a.geometry().rowsPerGroup() == 1 ? " row" : " rows").append(" | ")
                    .append(a.cached() ? "row cache" : "global memory; " + mb(a.rowsInFlightBytes())
                            + " of rows in flight, more than the " + mb(L2) + " L2: counted as HBM")
                    .append(" | ").append(fmt(a.bytesPerElement(), 0)).append(" | ")
                    .append(ms(bytes / H100_SXM)).append(" / ").append(ms(bytes / H100_SXM / GOAL)).append(" | ")
                    .append(ms(bytes / H200)).append(" / ").append(ms(bytes / H200 / GOAL)).append(" | ")
                    .append(ms(once / H100_SXM)).append(" / ").append(ms(once / H100_SXM / GOAL)).append(" | ")
                    .append(ms(2 * elements / EXP_RATE)).append(" |\n");
        }
        double e = 16384.0 * 131072;
        int warps = sm90.groupsPerSm() * Geometry.GROUP_SIZE / 32;
        double inFlight = (double) SMS * warps * LOADS_IN_FLIGHT * 128;
        sb.append('\n');
        sb.append("- **Enough loads in flight to reach the bound.** ptxas gives `le_softmax_ce_f32` ")
                .append(sm90.registers()).append(" registers and ").append(sm90.sharedBytes() / 1024)
                .append(" KiB of shared memory per thread block on sm_90 (native/ptxas.log), so an H100 SM holds ")
                .append(sm90.groupsPerSm()).append(" groups (").append(warps).append(" warps). Each thread of the ")
                .append("row loops issues ").append(LOADS_IN_FLIGHT).append(" independent loads before the math that ")
                .append("waits on them (LE_BATCH in kernels/softmax_cross_entropy.cu; the PTX shows the ")
                .append(LOADS_IN_FLIGHT).append(" `ld.global.nc.f32` back to back), a warp's load being 128 coalesced ")
                .append("bytes: ").append(SMS).append(" × ").append(warps).append(" × ").append(LOADS_IN_FLIGHT)
                .append(" × 128 B = ").append(fmt(inFlight / 1e6, 2)).append(" MB in flight, against the ")
                .append(fmt(H100_SXM * LATENCY_S / 1e6, 2)).append(" MB that ").append(tb(H100_SXM)).append(" × ")
                .append(fmt(LATENCY_S * 1e9, 0)).append(" ns of load latency (an assumption) needs. With one load ")
                .append("at a time, as before LE_BATCH, it was ").append(fmt(inFlight / LOADS_IN_FLIGHT / 1e6, 2))
                .append(" MB, enough by the same estimate for about ")
                .append(pct(Math.min(1, inFlight / LOADS_IN_FLIGHT / (H100_SXM * LATENCY_S))))
                .append(" of HBM bandwidth.\n");
        AsBuilt big = AsBuilt.of(16384, 131072, residentGroups);
        sb.append("- **16384×131072 on H100 SXM: the target (≤ ").append(ms(TARGET_S))
                .append(") is not reachable by the kernel as built.** Its rows (512 KiB) do not fit the row cache, ")
                .append("so it reads the logits twice: ").append(fmt(big.bytesPerElement(), 0))
                .append(" bytes per element, bound ").append(ms(TWO_READS * e / H100_SXM)).append(", ")
                .append(ms(TWO_READS * e / H100_SXM / GOAL)).append(" at ").append(pct(GOAL))
                .append(" of HBM bandwidth: the same design class as Liger-Kernel (≈ ").append(ms(LIGER_S))
                .append(", ").append(pct(TWO_READS * e / H100_SXM / LIGER_S)).append(" of that bound). Reading ")
                .append("each row once from HBM bounds it at ").append(ms(ONE_READ * e / H100_SXM)).append(" (")
                .append(ms(ONE_READ * e / H100_SXM / GOAL)).append(" at ").append(pct(GOAL)).append("; ≤ ")
                .append(ms(TARGET_S)).append(" holds down to ").append(pct(ONE_READ * e / H100_SXM / TARGET_S))
                .append(" of HBM bandwidth).\n");
        sb.append("- What reading once takes (next step, to be tuned on a GPU): a 131072-float row is larger than ")
                .append("an SM's shared memory (228 KiB), so the second pass must find it in L2. Today up to ")
                .append(Math.min(big.geometry().groups(), residentGroups)).append(" resident groups each hold a row, ").append(mb(big.rowsInFlightBytes()))
                .append(" in flight against a ").append(mb(L2)).append(" L2. Capping the groups of large-row ")
                .append("launches at the device's L2 size / 2 / row size (").append((long) (L2 / 2 / (131072 * 4.0)))
                .append(" rows of 512 KiB on H100; the backends can read the L2 size from the driver) keeps the ")
                .append("second read in L2, but then ").append((long) (L2 / 2 / (131072 * 4.0))).append(" groups must ")
                .append("keep the whole ").append(fmt(H100_SXM * LATENCY_S / 1e6, 2)).append(" MB in flight: ≈ ")
                .append(fmt(H100_SXM * LATENCY_S / (long) (L2 / 2 / (131072 * 4.0)) / 1024, 0))
                .append(" KiB per group, some ").append((long) Math.ceil(H100_SXM * LATENCY_S
                        / (long) (L2 / 2 / (131072 * 4.0)) / Geometry.GROUP_SIZE / 4))
                .append(" loads per thread of a 256-thread group, ten times LE_BATCH (larger groups, vector loads). ")
                .append("Rows up to ≈ 56K ")
                .append("floats could instead be kept in dynamically sized shared memory. Both change the launch ")
                .append("geometry and so the reduction order, and neither can be measured without a GPU, so neither ")
                .append("is built yet.\n");
        sb.append("- Exponentials are not the limit: 2 per element (the second pass recomputes rather than stores) at ")
                .append(fmt(EXP_RATE / 1e12, 2)).append(" T/s (132 SMs × 16 MUFU.EX2 per clock × 1.98 GHz) ")
                .append("is the *exp time* column, well under the memory bound on every shape.\n");
        sb.append("- Element-wise losses (mse, hinge) move 12 bytes per element: 16M elements = 0.201 GB, ")
                .append(ms(12.0 * (1 << 24) / H100_SXM)).append(" on H100, ").append(ms(12.0 * (1 << 24) / H200))
                .append(" on H200; small shapes (256×1000: 2 MB) are bound by the kernel launch (a few µs), not by HBM.\n");
        sb.append("- To measure on a GPU: `lossengine bench --backend cuda --loss softmax_cross_entropy --rows 16384 ")
                .append("--classes 131072` prints the median and minimum per call on device-resident inputs and the ")
                .append("device-to-device copy bandwidth (`cuMemcpyDtoD`) of the same run, to compare with the ")
                .append("bounds above; `bench/compare.sh` on a GPU machine adds CUDA rows to the tables.\n");
        sb.append(LinearRoofline.markdown());
        return sb.toString();
    }

    private static String ms(double seconds) {
        return seconds < 1e-3 ? fmt(seconds * 1e6, 1) + " µs" : fmt(seconds * 1e3, 2) + " ms";
    }

    private static String mb(double bytes) {
        return fmt(bytes / 1e6, 0) + " MB";
    }

    static String tb(double bytesPerSecond) {
        return fmt(bytesPerSecond / 1e12, 2) + " TB/s";
    }

    private static String pct(double f) {
        return fmt(100 * f, 0) + "%";
    }

    static String fmt(double v, int digits) {
        return String.format(Locale.ROOT, "%,." + digits + "f", v);
    }
}
