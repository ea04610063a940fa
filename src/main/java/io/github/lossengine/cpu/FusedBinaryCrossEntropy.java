package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BinaryCrossEntropy;

/**
 * Fused float32 {@link BinaryCrossEntropy}: {@code -[y max(log p, -100) + (1 - y) max(log1p(-p), -100)]},
 * gradient {@code (p - y) / max(p (1 - p), 1e-12)}, times the element weight (one per element or per
 * entry of the last dimension; weight 0 gives exactly 0). Probabilities and targets are checked to
 * lie in [0, 1] in a parallel pass before anything is written, with the reference's messages.
 */
final class FusedBinaryCrossEntropy extends FusedPointwise<BinaryCrossEntropy> {
    @Override
    protected float[] elementWeights(BinaryCrossEntropy loss) {
        return loss.weight();
    }

    @Override
    protected void validate(BinaryCrossEntropy loss, Tensor p, Tensor y, FloatKernels k, WorkerPool pool) {
        requireWithin("input", p, 0f, 1f, Checks.unitInterval("probabilities"), k, pool);
        requireWithin("target", y, 0f, 1f, Checks.unitInterval("targets"), k, pool);
    }

    @Override
    protected double block(BinaryCrossEntropy loss, FloatKernels k, Operands o, int from, int to) {
        return k.probability().bce(o.x(), o.y(), ElementWeights.array(o.weights()),
                o.weightShift(from), o.g(), o.values(), from, to, o.gScale());
    }
}
