package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Cosine embedding loss, PyTorch {@code cosine_embedding_loss}: inputs {@code x1} [N, D], {@code x2}
 * [N, D] (float32, one shape; PyTorch also takes unbatched [D] inputs, here a single pair is [1, D]),
 * labels {@code y} [N] in {-1, +1} (float32, int32 or int64). With {@code EPS = 1e-12} (PyTorch's)
 * and {@code cos = x1.x2 / sqrt((|x1|^2 + EPS)(|x2|^2 + EPS))}: {@code l = 1 - cos} for
 * {@code y = 1}, {@code max(0, cos - margin)} for {@code y = -1}. MEAN divides the sum by {@code N},
 * NONE returns the [N] pair losses.
 *
 * <p>Gradients with respect to {@code x1} and {@code x2}:
 * {@code d cos / d x1 = x2 / sqrt((|x1|^2 + EPS)(|x2|^2 + EPS)) - cos x1 / (|x1|^2 + EPS)} (and
 * symmetrically for {@code x2}), times -1 for {@code y = 1} and times 1 for {@code y = -1} where
 * {@code cos - margin >= 0} (at the kink the gradient passes, as PyTorch's {@code clamp_min_}), 0
 * below. A zero vector has {@code cos = 0} and a large but finite gradient ({@code EPS} keeps the
 * denominator positive), as PyTorch. NaN in a row makes that row's loss (and a reduced value) NaN
 * and reaches its gradients. Default {@code margin = 0}.
 *
 * <p>PyTorch difference: PyTorch gives loss 0 for a label other than ±1; here such labels are
 * refused with {@link io.github.lossengine.InvalidInputException} naming the position and value.
 *
 * <p>Thread-safety: immutable.
 */
public record CosineEmbedding(Reduction reduction, double margin) implements PairLoss {

    public CosineEmbedding {
        LossOptions.requireReduction(reduction, "cosine_embedding", false);
        LossOptions.requireFinite("margin", margin);
    }

    public CosineEmbedding() {
        this(Reduction.MEAN, 0.0);
    }

    @Override
    public CosineEmbedding reduction(Reduction reduction) {
        return new CosineEmbedding(reduction, margin);
    }

    public CosineEmbedding margin(double margin) {
        return new CosineEmbedding(reduction, margin);
    }

    @Override
    public String name() {
        return "cosine_embedding";
    }
}
