package io.github.lossengine.cpu;

import io.github.lossengine.loss.SmoothL1;

/** CPU {@link SmoothL1}: {@code d^2 / (2 beta)} for {@code |d| < beta}, {@code |d| - beta / 2} beyond. */
final class SmoothL1Cpu extends PointwiseCpu<SmoothL1> {
    @Override
    protected double value(SmoothL1 loss, double x, double y) {
        double d = Math.abs(x - y);
        double beta = loss.beta();
        return d < beta ? 0.5 * d * d / beta : d - 0.5 * beta;
    }

    @Override
    protected double derivative(SmoothL1 loss, double x, double y) {
        double d = x - y;
        return Math.abs(d) < loss.beta() ? d / loss.beta() : Math.signum(d);
    }
}
