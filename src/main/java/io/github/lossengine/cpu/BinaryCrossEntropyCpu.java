package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BinaryCrossEntropy;

/**
 * CPU {@link BinaryCrossEntropy}: {@code -[y max(log p, -100) + (1 - y) max(log(1 - p), -100)]}, gradient
 * {@code (p - y) / max(p (1 - p), 1e-12)}, both as PyTorch clamps them.
 */
final class BinaryCrossEntropyCpu extends PointwiseCpu<BinaryCrossEntropy> {
    /** PyTorch's floor of {@code log p} and {@code log(1 - p)}. */
    private static final double LOG_FLOOR = -100.0;
    /** PyTorch's floor of the gradient's denominator {@code p (1 - p)}. */
    private static final double EPSILON = 1e-12;

    @Override
    protected void validate(BinaryCrossEntropy loss, Tensor p, Tensor y) {
        Checks.requireUnitInterval("input", p, "probabilities");
        Checks.requireUnitInterval("target", y, "targets");
    }

    @Override
    protected float[] elementWeights(BinaryCrossEntropy loss) {
        return loss.weight();
    }

    @Override
    protected double value(BinaryCrossEntropy loss, double p, double y) {
        double pos = y == 0 ? 0.0 : y * Math.max(Math.log(p), LOG_FLOOR);
        double neg = y == 1 ? 0.0 : (1 - y) * Math.max(Math.log1p(-p), LOG_FLOOR);
        double l = -(pos + neg);
        // a perfect prediction costs +0, not -0
        return l == 0 ? 0.0 : l;
    }

    @Override
    protected double derivative(BinaryCrossEntropy loss, double p, double y) {
        return (p - y) / Math.max(p * (1 - p), EPSILON);
    }
}
