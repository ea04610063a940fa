package io.github.lossengine.cpu;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;

/**
 * The CPU implementation of one loss. Implementations are stateless and thread-safe.
 *
 * <p>Contract: check every input first and throw {@link io.github.lossengine.InvalidInputException}
 * before writing anything; never write into an input; write every element of each non-null
 * gradient buffer; compute in double precision and sum with {@link CompensatedSum} in a fixed order.
 */
public interface CpuLoss<L extends Loss> {

    /** Computes the loss; writes the gradients whose buffers are non-null. */
    LossResult compute(L loss, Tensor[] inputs, Tensor[] gradients);
}
