package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Focal;

/**
 * Fused float32 {@link Focal} (torchvision's sigmoid focal loss), {@link FocalCpu}'s formulas in
 * float32 ({@link ProbabilityKernels#focal}): one {@code exp(-|x|)} and one {@code log} per element,
 * {@code u^gamma} as {@code u u} for the default {@code gamma = 2} (else {@code exp(gamma log u)}).
 * Where {@code p q} underflows float32 ({@code |x|} beyond ~87, the double reference's ~745) the
 * gradient's second term is 0, its limit; the difference is below float32's resolution of the
 * first term. Targets are checked to lie in [0, 1] in a parallel pass before anything is written.
 */
final class FusedFocal extends FusedPointwise<Focal> {
    @Override
    protected void validate(Focal loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
        requireWithin("target", y, 0f, 1f, Checks.unitInterval("targets"), k, pool);
    }

    @Override
    protected double block(Focal loss, FloatKernels k, Operands o, int from, int to) {
        return k.probability().focal(o.x(), o.y(), o.g(), o.values(), from, to, (float) loss.gamma(),
                (float) loss.alpha(), o.gScale());
    }
}
