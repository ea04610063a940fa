package io.github.lossengine.spi;

import io.github.lossengine.Loss;
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
     * Copies {@code bytes} bytes within the backend's memory {@code repeats} times (after a warm-up)
     * and returns the seconds of each copy.
     */
    double[] copySeconds(long bytes, int repeats);

    /** How the copy is made, e.g. "System.arraycopy on 2 threads" or "cuMemcpyDtoD". */
    String copyDescription();

    /** One prepared loss; not thread-safe. */
    interface Call extends AutoCloseable {
        /** One forward+backward, complete (synchronised) when it returns; returns the loss. */
        double run();

        /** Releases what {@link #prepare} allocated. */
        @Override
        void close();
    }
}
