package io.github.lossengine.cpu;

import io.github.lossengine.loss.Mae;

/**
 * Fused float32 {@link Mae}: {@code d = x - y}, loss {@code |d|}, gradient {@code sign(d) scale}
 * ({@code 0} where {@code x = y}, NaN where {@code d} is NaN): the piecewise kernel with
 * {@code beta = 0}, whose quadratic part is then empty.
 */
final class FusedMae extends FusedPointwise<Mae> {
    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(Mae loss, FloatKernels k, Operands o, int from, int to) {
        return k.regression().piecewise(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to,
                0f, 1f, 1f, o.gScale());
    }

    @Override
    protected double directBlock(Mae loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.piecewise(o.x(), o.y(), o.g(), o.values(), from, to, 0f, 1f, 1f, o.gScale());
    }
}
