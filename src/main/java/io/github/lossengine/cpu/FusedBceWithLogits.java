package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BceWithLogits;

/**
 * Fused float32 {@link BceWithLogits}: {@code pw y softplus(-x) + (1 - y) softplus(x)}, gradient
 * {@code (1 - y) sigmoid(x) - pw y sigmoid(-x)}, from one {@code exp(-|x|)}, one {@code log} and one
 * division per element ({@link ProbabilityKernels#bceWithLogits}); element weights (per element or
 * per entry of the last dimension) and {@code pos_weight} (one value or one per entry of the last
 * dimension). Checks as {@link BceWithLogitsCpu}, the targets' range in a parallel pass, before
 * anything is written.
 */
final class FusedBceWithLogits extends FusedPointwise<BceWithLogits> {
    @Override
    protected float[] elementWeights(BceWithLogits loss) {
        return loss.weight();
    }

    @Override
    protected float[] columnParameter(BceWithLogits loss) {
        return loss.posWeight();
    }

    @Override
    protected void validate(BceWithLogits loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
        BceWithLogitsCpu.requirePosWeightLength(loss, x);
        requireWithin("target", y, 0f, 1f, Checks.unitInterval("targets"), k, pool);
    }

    @Override
    protected double block(BceWithLogits loss, FloatKernels k, Operands o, int from, int to) {
        return k.probability().bceWithLogits(o.x(), o.y(), ElementWeights.array(o.weights()), o.weightShift(from),
                ElementWeights.array(o.columnParameter()), o.columnShift(from), o.g(), o.values(), from, to, o.gScale());
    }
}
