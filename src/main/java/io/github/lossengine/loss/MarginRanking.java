package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Margin ranking loss, PyTorch {@code margin_ranking_loss}: inputs {@code x1}, {@code x2} and
 * labels {@code y} in {-1, +1}, all of one shape: {@code l = max(0, -y (x1 - x2) + margin)};
 * gradients {@code -y} and {@code +y} where the term is {@code >= 0} (the clamp passes the
 * gradient at the kink, as PyTorch). Default {@code margin = 0}. All three are float32;
 * labels other than exactly ±1 (NaN included) are refused with position and value, and have no
 * gradient. A NaN input gives NaN for its loss and gradients. {@link Reduction#MEAN} divides by the
 * element count; {@link Reduction#NONE} keeps the inputs' shape.
 *
 * <p>Thread-safety: immutable.
 */
public record MarginRanking(Reduction reduction, double margin) implements PairLoss {

    public MarginRanking {
        LossOptions.requireReduction(reduction, "margin_ranking", false);
        LossOptions.requireFinite("margin", margin);
    }

    public MarginRanking() {
        this(Reduction.MEAN, 0.0);
    }

    @Override
    public MarginRanking reduction(Reduction reduction) {
        return new MarginRanking(reduction, margin);
    }

    public MarginRanking margin(double margin) {
        return new MarginRanking(reduction, margin);
    }

    @Override
    public String name() {
        return "margin_ranking";
    }
}
