package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SmoothL1;

/**
 * Fused float32 {@link SmoothL1}: {@code d = x - y}, loss {@code d^2 / (2 beta)} where
 * {@code |d| < beta}, else {@code |d| - beta / 2}; gradient {@code (d / beta) scale}, else
 * {@code sign(d) scale} ({@code d / beta} as {@code d (1 / beta)} in float32, within 1.5 ulp). The
 * piecewise kernel with {@code quad = 1 / beta, lin = 1}; {@code beta = 0} is {@link FusedMae}'s L1.
 * The kink is decided in float32, as {@link FusedHuber}'s; betas that are neither 0 nor in
 * float32's normal range (or whose reciprocal is not) go to the reference.
 */
final class FusedSmoothL1 extends FusedPointwise<SmoothL1> {
    @Override
    public boolean accepts(SmoothL1 loss, Tensor[] inputs, Tensor[] gradients) {
        double beta = loss.beta();
        return (beta == 0 || FusedHuber.normalFloat(beta) && FusedHuber.normalFloat(1 / beta))
                && super.accepts(loss, inputs, gradients);
    }

    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(SmoothL1 loss, FloatKernels k, Operands o, int from, int to) {
        return k.regression().piecewise(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to,
                (float) loss.beta(), quad(loss), 1f, o.gScale());
    }

    /** The quadratic factor {@code 1 / beta} in float32 (1 for {@code beta = 0}, where no element is quadratic). */
    private static float quad(SmoothL1 loss) {
        double beta = loss.beta();
        return beta == 0 ? 1f : (float) (1 / beta);
    }

    @Override
    protected double directBlock(SmoothL1 loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.piecewise(o.x(), o.y(), o.g(), o.values(), from, to, (float) loss.beta(), quad(loss), 1f, o.gScale());
    }
}
