package io.github.lossengine.cpu;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
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
        Tensor[] in = inputs.clone();
        Tensor[] grads = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            if (loss.differentiable(i)) {
                grads[i] = Tensor.zeros(in[i].shape());
            }
        }
        return new Call() {
            @Override
            public double run() {
                var r = backend.compute(loss, in.clone(), grads);
                return r.reduction() == Reduction.NONE ? Double.NaN : r.value();
            }

            @Override
            public void close() {
                // heap buffers: nothing to release
            }
        };
    }

    @Override
    public double[] copySeconds(long bytes, int repeats) {
        int n = Math.toIntExact(bytes / Float.BYTES);
        float[] src = new float[n];
        float[] dst = new float[n];
        java.util.Arrays.fill(src, 1f);
        int parts = pool.threads();
        double[] seconds = new double[repeats];
        for (int r = -2; r < repeats; r++) {
            WorkerPool.Job copy = new WorkerPool.Job(parts) {
                @Override
                void runChunk(int c) {
                    int from = (int) ((long) n * c / parts);
                    int to = (int) ((long) n * (c + 1) / parts);
                    System.arraycopy(src, from, dst, from, to - from);
                }
            };
            long t0 = System.nanoTime();
            pool.run(copy);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                seconds[r] = s;
            }
        }
        return seconds;
    }

    @Override
    public String copyDescription() {
        return "System.arraycopy of heap float arrays on " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads");
    }
}
