package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SquaredHinge;

/**
 * Fused float32 {@link SquaredHinge}: {@code h = max(0, margin - y x)}, loss {@code h^2}, gradient
 * {@code ((-2 y) h) scale}: the float32 derivative before the reduction's scale, as the kernels form it
 * ({@code le_squared_hinge_f32}), so that it overflows to ±Inf where theirs does (docs/GPU.md, overflow
 * policy); an element's loss beyond {@code FLT_MAX} is +Inf, as the reference's. NaN in {@code x}
 * propagates to the value and the gradient. Labels are checked (exactly ±1) in a parallel pass before
 * anything is written, with the reference's message; the margin is rounded to float32. Thread-safe.
 */
final class FusedSquaredHinge extends FusedPointwise<SquaredHinge> {
    @Override
    protected void validate(SquaredHinge loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
        requirePlusMinusOne(loss.inputNames().get(1), y, k, pool);
    }

    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(SquaredHinge loss, FloatKernels k, Operands o, int from, int to) {
        return k.squaredHinge(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to,
                (float) loss.margin(), o.gScale());
    }

    @Override
    protected double directBlock(SquaredHinge loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.squaredHinge(o.x(), o.y(), o.g(), o.values(), from, to, (float) loss.margin(), o.gScale());
    }
}
