package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Hinge;

/**
 * Fused float32 {@link Hinge}: {@code t = margin - y x}, loss {@code max(0, t)}, gradient
 * {@code -y scale} where {@code t >= 0}. Labels are checked (exactly ±1) in a parallel pass before
 * anything is written; the margin is rounded to float32.
 */
final class FusedHinge extends FusedPointwise<Hinge> {
    @Override
    protected void validate(Hinge loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
        requirePlusMinusOne(loss.inputNames().get(1), y, k, pool);
    }

    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(Hinge loss, FloatKernels k, Operands o, int from, int to) {
        return k.hinge(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to,
                (float) loss.margin(), o.gScale());
    }

    @Override
    protected double directBlock(Hinge loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.hinge(o.x(), o.y(), o.g(), o.values(), from, to, (float) loss.margin(), o.gScale());
    }
}
