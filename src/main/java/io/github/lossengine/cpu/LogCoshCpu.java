package io.github.lossengine.cpu;

import io.github.lossengine.loss.LogCosh;

/** CPU {@link LogCosh}: {@code |d| + log1p(exp(-2|d|)) - log 2}, gradient {@code tanh(d)}. */
final class LogCoshCpu extends PointwiseCpu<LogCosh> {
    private static final double LN2 = Math.log(2.0);

    @Override
    protected double value(LogCosh loss, double x, double y) {
        double a = Math.abs(x - y);
        return a + Math.log1p(Math.exp(-2 * a)) - LN2;
    }

    @Override
    protected double derivative(LogCosh loss, double x, double y) {
        return Math.tanh(x - y);
    }
}
