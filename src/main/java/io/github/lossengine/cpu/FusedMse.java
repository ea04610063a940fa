package io.github.lossengine.cpu;

import io.github.lossengine.loss.Mse;

/** Fused float32 {@link Mse}: {@code d = x - y}, loss {@code d^2}, gradient {@code 2 d scale}. */
final class FusedMse extends FusedPointwise<Mse> {
    @Override
    protected float gradientScale(Mse loss, double scale) {
        return (float) (2 * scale);
    }

    @Override
    protected double chunk(Mse loss, FloatKernels k, float[] x, float[] y, float[] g, float[] values, int from, int to,
                           float gScale) {
        return k.squaredError(x, y, g, values, from, to, gScale);
    }
}
