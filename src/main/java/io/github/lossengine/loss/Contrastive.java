package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Contrastive loss as in the seeds (Hadsell et al.): inputs {@code x1} [N, D], {@code x2} [N, D]
 * (float32, one shape) and labels {@code y} [N] (float32, int32 or int64) with 0 for a similar pair
 * and 1 for a dissimilar one; other label values (NaN included) are refused. Only the batched form
 * is accepted: a single pair is passed as [1, D] with a [1] label. With
 * {@code v = x1 - x2 + eps} (eps added to each coordinate difference, as PyTorch
 * {@code pairwise_distance}) and {@code D = ||v||_2}, the loss of a pair is
 * {@code l = (1 - y) D^2 / 2 + y max(0, margin - D)^2 / 2}; MEAN divides the sum by {@code N},
 * NONE returns the [N] pair losses.
 *
 * <p>Gradients with respect to {@code x1} and {@code x2} (labels have none): {@code dl/dx1 = v}
 * for a similar pair (no division by {@code D}), {@code dl/dx1 = -max(0, margin - D) v / D} for a
 * dissimilar one, and {@code dl/dx2 = -dl/dx1}. A dissimilar pair at {@code D = 0} (possible with
 * {@code x1 - x2 = -eps}, e.g. {@code x1 = x2} with {@code eps = 0}) has loss
 * {@code margin^2 / 2} and gradient 0: the direction is undefined there.
 *
 * <p>NaN and Inf: only the term of the pair's label is evaluated, so an infinite distance gives
 * {@code +inf} for a similar pair and loss 0 with gradient 0 for a dissimilar one. NaN in a row
 * makes that row's loss (and a reduced value) NaN and reaches its gradients, at least at the NaN
 * coordinates. Defaults {@code margin = 1}, {@code eps = 1e-6}. PyTorch has no such loss.
 *
 * <p>Thread-safety: immutable.
 */
public record Contrastive(Reduction reduction, double margin, double eps) implements PairLoss {

    public Contrastive {
        LossOptions.requireReduction(reduction, "contrastive", false);
        LossOptions.requireNonNegative("margin", margin);
        LossOptions.requireNonNegative("eps", eps);
    }

    public Contrastive() {
        this(Reduction.MEAN, 1.0, 1e-6);
    }

    @Override
    public Contrastive reduction(Reduction reduction) {
        return new Contrastive(reduction, margin, eps);
    }

    public Contrastive margin(double margin) {
        return new Contrastive(reduction, margin, eps);
    }

    public Contrastive eps(double eps) {
        return new Contrastive(reduction, margin, eps);
    }

    @Override
    public String name() {
        return "contrastive";
    }
}
