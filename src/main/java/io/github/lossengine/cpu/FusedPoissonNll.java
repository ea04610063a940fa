package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.PoissonNll;

/**
 * Fused {@link PoissonNll}: with {@code logInput} {@code e^x - y x}, gradient {@code e^x - y};
 * otherwise {@code x - y log(x + eps)}, gradient {@code 1 - y / (x + eps)} (a zero count makes its
 * term 0); {@code full} adds Stirling's {@code y log y - y + log(2 pi y) / 2} where {@code y > 1}.
 * Every option and reduction; float32 inputs and outputs, each element in double
 * ({@link LikelihoodKernels#poisson}), because the terms cancel: in float32, {@code e^x - y x} near
 * its minimum and Stirling's term lose digits beyond the fused tolerance. NaN and infinities as the
 * reference ({@code x = -inf} with {@code y = 0} is NaN with {@code logInput}, a zero rate with a
 * positive count {@code +inf} and gradient {@code -inf} without). Checks as {@link PoissonNllCpu}
 * (counts {@code >= 0}, NaN refused, then without {@code logInput} rates {@code >= 0}) in parallel
 * passes before anything is written. Storage: heap arrays, {@link Tensor#ofRange} views and heap
 * {@code FloatBuffer} slices in place, each operand at its own offset; direct and read-only buffers
 * staged block by block (only those operands), the same bits. Thread-safe.
 */
final class FusedPoissonNll extends FusedPointwise<PoissonNll> {
    @Override
    protected void validate(PoissonNll loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
        requireWithin(loss.inputNames().get(1), y, 0f, Float.POSITIVE_INFINITY, PoissonNllCpu.COUNTS, k, pool);
        if (!loss.logInput()) {
            int bad = firstNegative(x, pool);
            if (bad >= 0) {
                throw InvalidInputException.at(loss.inputNames().get(0), x, bad, Checks.format(x.getFloat(bad)),
                        PoissonNllCpu.RATES);
            }
        }
    }

    /** Rates, counts and gradient each at its own offset: views into heap arrays in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    /** No direct-buffer kernel (the double lanes widen from arrays): direct operands are staged block by block. */
    @Override
    protected boolean directBlocks() {
        return false;
    }

    @Override
    protected double block(PoissonNll loss, FloatKernels k, Operands o, int from, int to) {
        return k.likelihood().poisson(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to,
                loss.logInput(), loss.full(), loss.eps(), o.gScale());
    }
}
