package io.github.lossengine.cpu;

import io.github.lossengine.loss.Mse;

/** CPU {@link Mse}: {@code (x - y)^2}, gradient {@code 2 (x - y)}. */
final class MseCpu extends PointwiseCpu<Mse> {
    @Override
    protected double value(Mse loss, double x, double y) {
        double d = x - y;
        return d * d;
    }

    @Override
    protected double derivative(Mse loss, double x, double y) {
        return 2 * (x - y);
    }
}
