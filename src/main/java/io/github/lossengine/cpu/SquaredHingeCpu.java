package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SquaredHinge;

/** CPU {@link SquaredHinge}: {@code max(0, margin - y x)^2}, gradient {@code -2 y max(0, margin - y x)}. */
final class SquaredHingeCpu extends PointwiseCpu<SquaredHinge> {
    @Override
    protected double value(SquaredHinge loss, double x, double y) {
        double h = HingeClamp.value(loss.margin() - y * x);
        return h * h;
    }

    @Override
    protected double derivative(SquaredHinge loss, double x, double y) {
        return -2 * y * HingeClamp.value(loss.margin() - y * x);
    }

    @Override
    protected void validate(SquaredHinge loss, Tensor x, Tensor y) {
        Checks.requirePlusMinusOne(loss.inputNames().get(1), y);
    }
}
