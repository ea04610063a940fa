package io.github.lossengine.cuda;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;

/**
 * The result of a device-resident {@link CudaEngine} call: the reduced loss (host), NONE's
 * per-element losses (copied to the host), and the gradients, which stay in device memory.
 *
 * @param reduction the loss's reduction
 * @param value     the reduced loss (NaN for NONE, whose losses are {@code values})
 * @param values    the per-element (per-row) losses for NONE, else {@code null}
 * @param gradients per input, its gradient in device memory, or {@code null} (not asked for, or labels)
 * @param statistics softmax cross-entropy's denominator, z-loss part and per-row log-sum-exp (copied to
 *                   the host), as {@link io.github.lossengine.LossResult} reports them; {@code null} for other losses
 */
public record CudaResult(Reduction reduction, double value, Tensor values, CudaTensor[] gradients,
                         LossResult.RowStatistics statistics) {

    public CudaResult(Reduction reduction, double value, Tensor values, CudaTensor[] gradients) {
        this(reduction, value, values, gradients, null);
    }

    /** The gradient with respect to input {@code i}. */
    public CudaTensor gradient(int i) {
        if (i < 0 || i >= gradients.length || gradients[i] == null) {
            throw new IllegalStateException("no gradient was computed for input " + i);
        }
        return gradients[i];
    }
}
