package io.github.lossengine.cpu;

import io.github.lossengine.loss.Mse;

/**
 * Fused float32 {@link Mse}: {@code d = x - y}, loss {@code d^2}, gradient {@code (d + d) scale}: the
 * float32 derivative {@code 2 d} before the reduction's scale, so that it overflows where the kernels'
 * does (docs/GPU.md, overflow policy); for finite {@code 2 d} the bits equal {@code d (2 scale)}'s.
 */
final class FusedMse extends FusedPointwise<Mse> {
    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(Mse loss, FloatKernels k, Operands o, int from, int to) {
        return k.squaredError(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to, o.gScale());
    }

    @Override
    protected double directBlock(Mse loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.squaredError(o.x(), o.y(), o.g(), o.values(), from, to, o.gScale());
    }
}
