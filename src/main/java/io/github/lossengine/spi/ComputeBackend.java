package io.github.lossengine.spi;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;

/**
 * One opened backend, owned by one {@link io.github.lossengine.LossEngine}. Implementations must be
 * thread-safe: an engine is shared between threads.
 */
public interface ComputeBackend extends AutoCloseable {

    /** Which backend this is. */
    Backend kind();

    /** A one-line description of the device. */
    String detail();

    /**
     * Computes the loss and writes the gradients whose entries are non-null.
     *
     * <p>The engine has checked the number of inputs and the gradient buffers (float, writable,
     * shaped as their inputs, not sharing storage with an input). The backend checks everything
     * that depends on the loss (shapes against each other, dtypes, value ranges) and throws
     * {@link io.github.lossengine.InvalidInputException} before writing anything.
     *
     * @param inputs    the loss's positional inputs, never modified
     * @param gradients one entry per input; non-null where a gradient is wanted
     */
    LossResult compute(Loss loss, Tensor[] inputs, Tensor[] gradients);

    /** The backend's measurement hooks for {@code lossengine bench}, or null when it has none. */
    default Benchmarking benchmarking() {
        return null;
    }

    /** Releases what the backend holds; idempotent. */
    @Override
    void close();
}
