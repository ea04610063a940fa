package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Huber;

/**
 * Fused float32 {@link Huber}: {@code d = x - y}, loss {@code d^2 / 2} where {@code |d| < delta}, else
 * {@code delta (|d| - delta / 2)}; gradient {@code d scale}, else {@code delta sign(d) scale}. The
 * decision {@code |d| < delta} is taken in float32 with {@code delta} rounded to float32 (value and
 * gradient are continuous there, so an input at the kink differs from the reference by rounding
 * only). The residual is a float32 difference, as on the devices: where {@code x - y} itself
 * overflows (opposite signs near {@code ±FLT_MAX}) it is {@code ±inf}, and so is the loss, while
 * the double reference's {@code delta (|d| - delta / 2)} may stay finite for {@code delta < 1}.
 * Deltas outside float32's normal range go to the reference.
 */
final class FusedHuber extends FusedPointwise<Huber> {
    @Override
    public boolean accepts(Huber loss, Tensor[] inputs, Tensor[] gradients) {
        return FusedHuber.normalFloat(loss.delta()) && super.accepts(loss, inputs, gradients);
    }

    /** Whether {@code v} rounds to a normal finite positive float32, so that float32 arithmetic on it is faithful. */
    static boolean normalFloat(double v) {
        return v >= Float.MIN_NORMAL && v <= Float.MAX_VALUE;
    }

    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(Huber loss, FloatKernels k, Operands o, int from, int to) {
        float delta = (float) loss.delta();
        return k.regression().piecewise(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to,
                delta, 1f, delta, o.gScale());
    }

    @Override
    protected double directBlock(Huber loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.piecewise(o.x(), o.y(), o.g(), o.values(), from, to, (float) loss.delta(), 1f, (float) loss.delta(),
                o.gScale());
    }
}
