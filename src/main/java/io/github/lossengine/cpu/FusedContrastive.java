package io.github.lossengine.cpu;

import io.github.lossengine.loss.Contrastive;

/**
 * Fused float32 {@link Contrastive}: per row {@code v = x1 - x2 + eps} in float32 and
 * {@code S = |v|^2} summed in float32 lanes ({@link PairKernels#differenceSum}, scaled by a power of
 * two where it would overflow or underflow, {@link RowScale}); then in double {@code S / 2} for a
 * similar pair, {@code max(0, margin - sqrt S)^2 / 2} for a dissimilar one; gradients
 * {@code (c v) scale} and {@code (-c v) scale} in float32 with {@code c = 1} (similar) or
 * {@code -max(0, margin - D) / D} (dissimilar), exactly +0 where {@code c = 0} (outside the
 * margin, or {@code D = 0}) even for an infinite coordinate, as {@link ContrastiveCpu}. NaN in a row
 * reaches its loss and gradients. Checks as {@link ContrastiveCpu}; storage and threads as
 * {@link FusedEmbeddingRows}. Stateless and thread-safe.
 */
final class FusedContrastive extends FusedEmbeddingRows<Contrastive> {
    FusedContrastive() {
        super(new ContrastiveCpu(), 2);
    }

    @Override
    protected double row(Contrastive loss, PairKernels k, Row r, double label) {
        float eps = (float) loss.eps();
        r.norm(k, 0, 1, eps, 2, 0);
        double ks = r.k[0];
        double l;
        double factor;
        if (label == 0) {
            l = 0.5 * (r.sum[0] / (ks * ks));
            factor = 1;
        } else {
            double dist = Math.sqrt(r.sum[0]) / ks;
            double gap = Math.max(0, loss.margin() - dist);
            l = 0.5 * gap * gap;
            factor = dist == 0 ? 0 : -gap / dist;
        }
        if (factor == 0) {
            r.zero(0);
            r.zero(1);
        } else {
            double c = factor / ks;
            r.term(k, 0, 0, 1, eps, 2, 0, 1f, c, false, true);
            r.term(k, 1, 0, 1, eps, 2, 0, 1f, -c, false, true);
        }
        return l;
    }
}
