package io.github.lossengine.cpu;

import io.github.lossengine.loss.Mae;

/**
 * Fused float32 {@link Mae}: {@code d = x - y}, loss {@code |d|}, gradient {@code sign(d) scale}
 * ({@code 0} where {@code x = y}, NaN where {@code d} is NaN): the piecewise kernel with
 * {@code beta = 0}, whose quadratic part is then empty.
 */
final class FusedMae extends FusedPointwise<Mae> {
    @Override
    protected double block(Mae loss, FloatKernels k, Operands o, int from, int to) {
        return k.regression().piecewise(o.x(), o.y(), o.g(), o.values(), from, to, 0f, 1f, 1f, o.gScale());
    }
}
