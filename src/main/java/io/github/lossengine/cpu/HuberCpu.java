package io.github.lossengine.cpu;

import io.github.lossengine.loss.Huber;

/** CPU {@link Huber}: quadratic for {@code |d| < delta}, linear beyond. */
final class HuberCpu extends PointwiseCpu<Huber> {
    @Override
    protected double value(Huber loss, double x, double y) {
        double d = Math.abs(x - y);
        return d < loss.delta() ? 0.5 * d * d : loss.delta() * (d - 0.5 * loss.delta());
    }

    @Override
    protected double derivative(Huber loss, double x, double y) {
        double d = x - y;
        return Math.abs(d) < loss.delta() ? d : loss.delta() * Math.signum(d);
    }
}
