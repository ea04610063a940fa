package io.github.lossengine.cpu;

import io.github.lossengine.loss.Mae;

/** CPU {@link Mae}: {@code |x - y|}, gradient {@code sign(x - y)} (0 at 0). */
final class MaeCpu extends PointwiseCpu<Mae> {
    @Override
    protected double value(Mae loss, double x, double y) {
        return Math.abs(x - y);
    }

    @Override
    protected double derivative(Mae loss, double x, double y) {
        return Math.signum(x - y);
    }
}
