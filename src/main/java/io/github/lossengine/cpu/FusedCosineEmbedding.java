package io.github.lossengine.cpu;

import io.github.lossengine.loss.CosineEmbedding;

/**
 * Fused {@link CosineEmbedding}: per row the sums {@code x1.x2}, {@code |x1|^2} and {@code |x2|^2} of
 * the float32 entries in double lanes ({@link PairKernels#cosineSums}: exact products, no overflow or
 * underflow, so the cosine of a row of 1e19-scale or {@code FLT_MAX} entries with itself is 1, not NaN,
 * with no rescaling); then in double, as {@link CosineEmbeddingCpu},
 * {@code cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))}, the loss {@code 1 - cos} ({@code y = 1})
 * or {@code max(0, cos - margin)} ({@code y = -1}, the clamp passing the gradient at 0); gradients
 * {@code (a x2 - b x1) scale} and {@code (a x1 - b' x2) scale} with {@code a = dl / denom},
 * {@code b = dl cos / sq1}, computed in double per element and rounded once to float32
 * ({@link PairKernels#combine}: the two terms nearly cancel for nearly parallel rows). A zero vector
 * has cosine 0; NaN or an infinite entry in a row makes its loss and gradients NaN. Checks as
 * {@link CosineEmbeddingCpu}; storage and threads as {@link FusedEmbeddingRows}. Stateless and
 * thread-safe.
 */
final class FusedCosineEmbedding extends FusedEmbeddingRows<CosineEmbedding> {
    FusedCosineEmbedding() {
        super(new CosineEmbeddingCpu(), 2);
    }

    @Override
    protected double row(CosineEmbedding loss, PairKernels k, Row r, double label) {
        k.cosineSums(r.x[0], r.xo[0], r.x[1], r.xo[1], r.d, r.sums);
        double sq1 = r.sums[1] + CosineEmbeddingCpu.EPS;
        double sq2 = r.sums[2] + CosineEmbeddingCpu.EPS;
        double denom = Math.sqrt(sq1 * sq2);
        double cos = r.sums[0] / denom;
        double l;
        double dl;
        if (label == 1) {
            l = 1 - cos;
            dl = -1;
        } else {
            double inner = cos - loss.margin();
            l = Math.max(0, inner);
            dl = inner < 0 ? 0 : 1;
        }
        // d cos / d x1 = x2 / denom - cos x1 / sq1, and symmetrically
        if (r.g[0] != null) {
            k.combine(r.x[1], r.xo[1], dl / denom, r.x[0], r.xo[0], dl * cos / sq1, r.scale, r.d, r.g[0], r.go[0]);
        }
        if (r.g[1] != null) {
            k.combine(r.x[0], r.xo[0], dl / denom, r.x[1], r.xo[1], dl * cos / sq2, r.scale, r.d, r.g[1], r.go[1]);
        }
        return l;
    }
}
