package io.github.lossengine.spi;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;

/**
 * What {@code lossengine bench} needs of a backend to time it fairly: repeated calls on inputs the
 * backend already holds (a device backend uploads them and allocates the gradients on the device
 * once, so that a call times the kernels and one synchronisation, not host transfers), and the
 * backend's own memory-copy bandwidth in the same run (device to device for a GPU), the figure the
 * loss kernels are compared with.
 *
 * <p>Optional: {@link ComputeBackend#benchmarking()} returns null for a backend without it, and the
 * bench then times ordinary calls (transfers included) and reports no copy bandwidth.
 */
public interface Benchmarking {

    /**
     * Prepares repeated forward+backward calls of {@code loss} on {@code inputs} (checked as by a
     * normal call), with the gradient of every differentiable input.
     */
    Call prepare(Loss loss, Tensor[] inputs);

    /**
     * Like {@link #prepare}, for inputs larger than host arrays can hold (a {@code float[]} has at
     * most 2^31 - 1 elements; 16384 x 131072 logits have 2^31): input {@code i} is {@code tiles[i]}
     * repeated {@code repeats} times along its first dimension, assembled in the backend's own memory
     * without ever existing on the host, and checked by a first call as {@link #prepare} does.
     *
     * @throws UnsupportedOperationException where the backend has no memory of its own (the CPU)
     */
    default Call prepareRepeated(Loss loss, Tensor[] tiles, long repeats) {
        throw new UnsupportedOperationException("this backend computes on host arrays, which hold at most 2^31 - 1 elements");
    }

    /**
     * Copies {@code bytes} bytes within the backend's memory {@code repeats} times (after a warm-up)
     * and returns the seconds of each copy.
     */
    double[] copySeconds(long bytes, int repeats);

    /** How the copy is made, e.g. "System.arraycopy on 2 threads" or "cuMemcpyDtoD". */
    String copyDescription();

    /**
     * The memory-bound reference with a loss's own traffic: reads {@code sources} arrays of
     * {@code bytes} bytes each and writes one of {@code bytes} (for {@code sources = 2}, STREAM's
     * add, {@code d = a + b}: an element-wise loss reads its input and target and writes the
     * gradient), {@code repeats} times after a warm-up; the seconds of each. The default, for a
     * backend without such a kernel, copies the same total bytes ({@link #copySeconds} of
     * {@code (sources + 1) bytes / 2}), which keeps the working set but not the read/write mix.
     */
    default double[] streamSeconds(int sources, long bytes, int repeats) {
        if (sources < 1) {
            throw new IllegalArgumentException("streamSeconds needs sources >= 1, got " + sources);
        }
        return copySeconds((sources + 1) * bytes / 2, repeats);
    }

    /** How {@link #streamSeconds} moves its bytes for {@code sources} source arrays of {@code bytes} each. */
    default String streamDescription(int sources, long bytes) {
        return copyDescription() + ", " + size((sources + 1) * bytes / 2) + " read + written"
                + (sources == 1 ? "" : " (the loss's total bytes, as one copy)");
    }

    /** {@code bytes} in KiB or MiB, one decimal. */
    static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20))
                : String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    /**
     * A call that runs {@code backend.compute} on {@code inputs} into host gradient buffers allocated
     * here, once: the loss as an ordinary caller with its own buffers runs it.
     */
    static Call hostCall(ComputeBackend backend, Loss loss, Tensor[] inputs) {
        Tensor[] in = inputs.clone();
        Tensor[] grads = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            if (loss.differentiable(i)) {
                // in the input's dtype, as LossEngine.compute gives it (16-bit stays 16-bit)
                io.github.lossengine.DType d = in[i].dtype();
                grads[i] = Tensor.zeros(d.isHalf() ? d : io.github.lossengine.DType.FLOAT32, in[i].shape());
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

    /**
     * Runs {@code action} {@code warmUps} times untimed, then {@code repeats} times, and returns the
     * seconds of each timed run.
     */
    static double[] timeRepeats(int warmUps, int repeats, Runnable action) {
        for (int i = 0; i < warmUps; i++) {
            action.run();
        }
        double[] seconds = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            action.run();
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    /** One prepared loss; not thread-safe. */
    interface Call extends AutoCloseable {
        /** One forward+backward, complete (synchronised) when it returns; returns the loss. */
        double run();

        /** Releases what {@link #prepare} allocated. */
        @Override
        void close();
    }
}
