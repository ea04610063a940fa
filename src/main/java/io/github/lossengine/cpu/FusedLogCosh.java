package io.github.lossengine.cpu;

import io.github.lossengine.loss.LogCosh;

/**
 * Fused float32 {@link LogCosh}: {@code d = x - y}, loss {@code log cosh d}, gradient
 * {@code tanh(d) scale}, from one {@code expm1(|d|)} per element ({@link RegressionKernels#logCosh}:
 * {@code d^2 / 2} kept for tiny residuals, {@code |d| - ln 2} from {@code |d| = 10} on, so nothing
 * overflows at any size). NaN propagates; {@code ±inf} costs {@code inf} with gradient {@code ±scale}.
 */
final class FusedLogCosh extends FusedPointwise<LogCosh> {
    /** The kernel takes each operand's offset and has a direct-buffer twin: views and direct buffers in place. */
    @Override
    protected boolean offsets() {
        return true;
    }

    @Override
    protected double block(LogCosh loss, FloatKernels k, Operands o, int from, int to) {
        return k.regression().logCosh(o.x(), o.xo(), o.y(), o.yo(), o.g(), o.go(), o.values(), from, to, o.gScale());
    }

    @Override
    protected double directBlock(LogCosh loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        return d.logCosh(o.x(), o.y(), o.g(), o.values(), from, to, o.gScale());
    }
}
