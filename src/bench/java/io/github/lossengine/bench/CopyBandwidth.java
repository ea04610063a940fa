package io.github.lossengine.bench;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The in-run memory bandwidth figure: {@code System.arraycopy} of a {@code float[]} of the case's
 * size into another, split over the threads; {@code 8 n} bytes per copy (read plus write; the
 * hardware also reads the destination lines before writing them, as it does for every gradient
 * write, so the comparison is like with like).
 */
final class CopyBandwidth {
    private CopyBandwidth() {
    }

    /** Median seconds of {@code repeats} copies of {@code n} floats on {@code threads} threads. */
    static double[] seconds(int n, int threads, int repeats) throws Exception {
        float[] src = new float[n];
        float[] dst = new float[n];
        Arrays.fill(src, 1f);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double[] s = new double[repeats + 3];
            for (int r = 0; r < s.length; r++) {
                long t0 = System.nanoTime();
                Future<?>[] parts = new Future<?>[threads];
                for (int t = 0; t < threads; t++) {
                    int from = (int) ((long) n * t / threads);
                    int to = (int) ((long) n * (t + 1) / threads);
                    parts[t] = pool.submit(() -> System.arraycopy(src, from, dst, from, to - from));
                }
                for (Future<?> f : parts) {
                    f.get();
                }
                s[r] = (System.nanoTime() - t0) / 1e9;
            }
            return Arrays.copyOfRange(s, 3, s.length);
        } finally {
            pool.shutdownNow();
        }
    }
}
