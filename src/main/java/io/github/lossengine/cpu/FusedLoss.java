package io.github.lossengine.cpu;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;

/**
 * A fused float32 implementation of one loss: forward and backward in the same pass over the data,
 * chunks run in parallel on the engine's {@link WorkerPool}, inner loops in {@link FloatKernels}.
 * The double-precision {@link CpuLoss} of the same loss stays the reference: a fused loss runs only
 * for the inputs it {@link #accepts} (the storage kinds and options it takes) and agrees
 * with the reference within the tolerance stated in {@code docs/PERFORMANCE.md}; it performs the
 * same checks and throws the same {@link io.github.lossengine.InvalidInputException} before
 * writing anything. Results depend only on the inputs, never on the number of threads.
 */
interface FusedLoss<L extends Loss> {

    /** Whether this implementation handles the call; otherwise the reference does. */
    boolean accepts(L loss, Tensor[] inputs, Tensor[] gradients);

    /** Computes the loss and writes the gradients whose buffers are non-null. */
    LossResult compute(L loss, Tensor[] inputs, Tensor[] gradients, FloatKernels kernels, WorkerPool pool);

    /** The heap array of a gradient buffer, or null when none is wanted. */
    static float[] array(Tensor t) {
        return t == null ? null : t.floatArrayOrNull();
    }
}
