package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Binary hinge loss on float32 scores {@code x} and float32 labels {@code y} in {-1, +1} of the same
 * shape: {@code l = max(0, margin - y x)}; gradient {@code -y} where {@code y x <= margin} (at the kink
 * {@code y x == margin} too, as PyTorch's clamp passes the gradient there), else 0. Default
 * {@code margin = 1}. Labels other than exactly ±1 (NaN included) are refused with the position and
 * value. A NaN score gives NaN for its loss and its gradient. PyTorch has no binary hinge loss; seeds
 * 000/001 define it with margin 1 (label -1: score 0.2 gives 1.2, -0.7 gives 0.3, -1.1 gives 0).
 * {@link Reduction#MEAN} divides by the element count; {@link Reduction#NONE} keeps the input's shape.
 *
 * <p>Thread-safety: immutable.
 */
public record Hinge(Reduction reduction, double margin) implements PredictionLoss {

    public Hinge {
        LossOptions.requireReduction(reduction, "hinge", false);
        LossOptions.requireFinite("margin", margin);
    }

    public Hinge() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public Hinge reduction(Reduction reduction) {
        return new Hinge(reduction, margin);
    }

    /** The margin; finite. */
    public Hinge margin(double margin) {
        return new Hinge(reduction, margin);
    }

    @Override
    public String name() {
        return "hinge";
    }
}
