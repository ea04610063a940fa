package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.KlDiv;

/**
 * Fused float32 {@link KlDiv}: {@code t (log t - x)}, gradient {@code -t}, or with {@code logTarget}
 * {@code e^t (t - x)}, gradient {@code -e^t}; a zero target probability gives exactly 0 (also at
 * {@code x = -inf}). Every reduction, BATCHMEAN included (the reduction's factor). Probability
 * targets are checked (finite, {@code >= 0}) in a parallel pass before anything is written.
 */
final class FusedKlDiv extends FusedPointwise<KlDiv> {
    @Override
    protected void validate(KlDiv loss, Tensor x, Tensor t, FloatKernels k, WorkerPool pool) {
        if (!loss.logTarget()) {
            requireWithin("target", t, 0f, Float.MAX_VALUE, KlDivCpu.PROBABILITIES, k, pool);
        }
    }

    @Override
    protected double block(KlDiv loss, FloatKernels k, Operands o, int from, int to) {
        return k.probability().klDiv(o.x(), o.y(), o.g(), o.values(), from, to, loss.logTarget(), o.gScale());
    }
}
