package io.github.lossengine.cpu;

import io.github.lossengine.Loss;
import io.github.lossengine.Tensor;
import io.github.lossengine.spi.Benchmarking;

/**
 * The CPU backend's {@link Benchmarking}: calls into gradient buffers allocated once, and
 * {@code System.arraycopy} of heap arrays split over the backend's threads (the same threads the
 * losses run on), so that the loss and the copy are measured alike.
 */
final class CpuBenchmarking implements Benchmarking {
    private final CpuBackend backend;
    private final WorkerPool pool;

    CpuBenchmarking(CpuBackend backend, WorkerPool pool) {
        this.backend = backend;
        this.pool = pool;
    }

    @Override
    public Call prepare(Loss loss, Tensor[] inputs) {
        return Benchmarking.hostCall(backend, loss, inputs);
    }

    @Override
    public double[] copySeconds(long bytes, int repeats) {
        int n = Math.toIntExact(bytes / Float.BYTES);
        float[] src = new float[n];
        float[] dst = new float[n];
        java.util.Arrays.fill(src, 1f);
        int parts = pool.threads();
        // a job runs once: a new one per copy; the first copies touch fresh pages and are not timed
        return Benchmarking.timeRepeats(2, repeats, () -> pool.run(new WorkerPool.Job(parts) {
            @Override
            void runChunk(int c) {
                int from = (int) ((long) n * c / parts);
                int to = (int) ((long) n * (c + 1) / parts);
                System.arraycopy(src, from, dst, from, to - from);
            }
        }));
    }

    /**
     * {@code System.arraycopy} for one source; for more, {@code d[i] = a[i] + b[i] (+ c[i] ...)} in a
     * plain loop, which C2 vectorises (STREAM's add), chunked over the threads as the losses are.
     */
    @Override
    public double[] streamSeconds(int sources, long bytes, int repeats) {
        if (sources == 1) {
            return copySeconds(bytes, repeats);
        }
        if (sources > 3 || bytes < Float.BYTES || repeats < 1) {
            throw new IllegalArgumentException("streamSeconds needs 1 to 3 sources, bytes >= 4 and repeats >= 1, got "
                    + sources + ", " + bytes + ", " + repeats);
        }
        int n = Math.toIntExact(bytes / Float.BYTES);
        float[][] src = new float[sources][n];
        for (float[] a : src) {
            java.util.Arrays.fill(a, 1f);
        }
        float[] dst = new float[n];
        int parts = pool.threads();
        Runnable pass = () -> pool.run(new WorkerPool.Job(parts) {
            @Override
            void runChunk(int c) {
                add(src, dst, (int) ((long) n * c / parts), (int) ((long) n * (c + 1) / parts));
            }
        });
        // unlike arraycopy, the loop is Java: warm up until C2 has compiled it (a quarter second)
        long end = System.nanoTime() + 250_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < end; i++) {
            pass.run();
        }
        return Benchmarking.timeRepeats(0, repeats, pass);
    }

    /** {@code dst[i] = src[0][i] + src[1][i] (+ src[2][i])} over {@code [from, to)}, in one pass. */
    static void add(float[][] src, float[] dst, int from, int to) {
        float[] a = src[0];
        float[] b = src[1];
        if (src.length == 2) {
            for (int i = from; i < to; i++) {
                dst[i] = a[i] + b[i];
            }
        } else {
            float[] c = src[2];
            for (int i = from; i < to; i++) {
                dst[i] = a[i] + b[i] + c[i];
            }
        }
    }

    @Override
    public String streamDescription(int sources, long bytes) {
        return sources == 1 ? Benchmarking.super.streamDescription(sources, bytes) : "STREAM add (d = a + b" + (sources > 2 ? " + c" : "") + ") of heap float arrays on " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads") + ", "
                + sources + " x " + Benchmarking.size(bytes) + " read, " + Benchmarking.size(bytes) + " written";
    }

    @Override
    public String copyDescription() {
        return "System.arraycopy of heap float arrays on " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads");
    }
}
