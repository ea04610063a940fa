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

    @Override
    public String copyDescription() {
        return "System.arraycopy of heap float arrays on " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads");
    }
}
