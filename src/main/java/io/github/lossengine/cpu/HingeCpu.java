package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Hinge;

/** CPU {@link Hinge}: {@code max(0, margin - y x)}, gradient {@code -y} where {@code margin - y x >= 0}. */
final class HingeCpu extends PointwiseCpu<Hinge> {
    @Override
    protected double value(Hinge loss, double x, double y) {
        return HingeClamp.value(loss.margin() - y * x);
    }

    @Override
    protected double derivative(Hinge loss, double x, double y) {
        return -y * HingeClamp.gate(loss.margin() - y * x);
    }

    @Override
    protected void validate(Hinge loss, Tensor x, Tensor y) {
        Checks.requirePlusMinusOne(loss.inputNames().get(1), y);
    }
}
