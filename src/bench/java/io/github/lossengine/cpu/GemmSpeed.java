package io.github.lossengine.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * GFLOP/s of the three products of one linear_cross_entropy chunk (m rows, V = 32768, D = 1024:
 * logits {@code h W^T}, {@code dZ W}, {@code dZ^T h}), median of the repetitions, wall clock and per
 * CPU-second of the process (the second is less sensitive to a loaded machine):
 * <pre>
 *   GemmSpeed vector|blocked|openblas|openblas-own THREADS M REPS
 * </pre>
 * {@code vector}/{@code blocked}: lossengine's Java GEMMs, the output split in halves (or T parts)
 * over T threads; {@code openblas}: {@code cblas_sgemm} with OpenBLAS at one thread, the output
 * split over T Java threads as {@link OpenBlasGemm} does (the hidden gradient along V);
 * {@code openblas-own}: one {@code cblas_sgemm} per product on OpenBLAS's own T threads. Run on the
 * main build's class path (OpenBLAS 0.3.31): see docs/PERFORMANCE.md.
 */
public final class GemmSpeed {
    static final int V = 32768;
    static final int D = 1024;

    interface Body {
        void run(int part, int parts);
    }

    private GemmSpeed() {
    }

    /** {wall s, process CPU s}, medians. */
    static double[] time(int threads, int reps, Body b) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        try {
            for (int r = 0; r < reps; r++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int p = 0; p < threads; p++) {
                    int pp = p;
                    fs.add(ex.submit(() -> b.run(pp, threads)));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                wall.add((System.nanoTime() - t0) / 1e9);
                cpu.add((os.getProcessCpuTime() - c0) / 1e9);
            }
        } finally {
            ex.shutdown();
        }
        Collections.sort(wall);
        Collections.sort(cpu);
        return new double[] {wall.get(reps / 2), cpu.get(reps / 2)};
    }

    static int lo(int n, int p, int parts, int align) {
        int blocks = (n + align - 1) / align;
        return Math.min(n, (int) ((long) blocks * p / parts) * align);
    }

    public static void main(String[] args) throws Exception {
        String what = args[0];
        int threads = Integer.parseInt(args[1]);
        int m = Integer.parseInt(args[2]);
        int reps = Integer.parseInt(args[3]);
        SplittableRandom rnd = new SplittableRandom(1);
        float[] h = new float[m * D];
        float[] w = new float[V * D];
        float[] z = new float[m * V];
        float[] dh = new float[m * D];
        float[] dw = new float[V * D];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextDouble(-0.05, 0.05);
        }
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextDouble(-1e-3, 1e-3);
        }
        double[][] t = new double[3][];
        if (what.equals("vector") || what.equals("blocked")) {
            RangeGemm g = what.equals("vector") ? KernelSelection.kernels().gemm() : new BlockedGemm();
            t[0] = time(threads, reps, (p, n) -> g.multiplyTransposed(h, 0, m, w, lo(V, p, n, 64), lo(V, p + 1, n, 64), D, z, V));
            t[1] = time(threads, reps, (p, n) -> g.multiply(z, lo(m, p, n, 1), lo(m, p + 1, n, 1), V, w, D, dh, 0));
            t[2] = time(threads, reps, (p, n) -> g.addTransposedProduct(z, m, V, h, 0, lo(V, p, n, 8), lo(V, p + 1, n, 8), D, dw));
        } else {
            Loader.load(openblas_nolapack.class);
            boolean own = what.equals("openblas-own");
            openblas_nolapack.blas_set_num_threads(own ? threads : 1);
            int parts = own ? 1 : threads;
            FloatPointer ph = new FloatPointer(h);
            FloatPointer pw = new FloatPointer(w);
            FloatPointer pz = new FloatPointer(z);
            FloatPointer pdw = new FloatPointer(dw);
            FloatPointer partial = new FloatPointer((long) parts * m * D);
            t[0] = time(parts, reps, (p, n) -> {
                int j0 = lo(V, p, n, 64);
                int j1 = lo(V, p + 1, n, 64);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, j1 - j0, D, 1f, ph, D, pw.getPointer((long) j0 * D), D,
                        0f, pz.getPointer(j0), V);
            });
            t[1] = time(parts, reps, (p, n) -> {
                int j0 = lo(V, p, n, 64);
                int j1 = lo(V, p + 1, n, 64);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, D, j1 - j0, 1f, pz.getPointer(j0), V,
                        pw.getPointer((long) j0 * D), D, 0f, partial.getPointer((long) p * m * D), D);
            });
            t[2] = time(parts, reps, (p, n) -> {
                int j0 = lo(V, p, n, 8);
                int j1 = lo(V, p + 1, n, 8);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, j1 - j0, D, m, 1f, pz.getPointer(j0), V, ph, D, 1f,
                        pdw.getPointer((long) j0 * D), D);
            });
        }
        double flop = 2.0 * m * V * D;
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.printf(Locale.ROOT, "%s threads=%d m=%d OPENBLAS_CORETYPE=%s | GFLOP/s wall: h W^T %.1f, dZ W %.1f, dZ^T h %.1f"
                        + " | per CPU-second: %.1f, %.1f, %.1f | load %s%n", what, threads, m, System.getenv("OPENBLAS_CORETYPE"),
                flop / t[0][0] / 1e9, flop / t[1][0] / 1e9, flop / t[2][0] / 1e9,
                flop / t[0][1] / 1e9, flop / t[1][1] / 1e9, flop / t[2][1] / 1e9, load);
    }
}
