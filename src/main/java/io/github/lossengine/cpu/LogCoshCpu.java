package io.github.lossengine.cpu;

import io.github.lossengine.loss.LogCosh;

/**
 * CPU {@link LogCosh}: {@code log cosh d}, gradient {@code tanh(d)}. For {@code |d| < 1} it is
 * {@code log1p(expm1(a)^2 / (2 (1 + expm1(a))))} with {@code a = |d|}, which keeps {@code d^2 / 2} for
 * tiny residuals; above, {@code a + log1p(exp(-2a)) - log 2}, which cannot overflow (the kernel
 * {@code le_log_cosh} is the same).
 */
final class LogCoshCpu extends PointwiseCpu<LogCosh> {
    private static final double LN2 = Math.log(2.0);

    @Override
    protected double value(LogCosh loss, double x, double y) {
        double a = Math.abs(x - y);
        if (a < 1) {
            double e = Math.expm1(a);
            return Math.log1p(e * e / (2 * (1 + e)));
        }
        return a + Math.log1p(Math.exp(-2 * a)) - LN2;
    }

    @Override
    protected double derivative(LogCosh loss, double x, double y) {
        return Math.tanh(x - y);
    }
}
