package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Binary squared hinge loss on float32 scores {@code x} and float32 labels {@code y} in {-1, +1} of the
 * same shape: {@code l = max(0, margin - y x)^2}; gradient {@code -2 y max(0, margin - y x)} (smooth:
 * 0 at the kink). Default {@code margin = 1}. Labels other than exactly ±1 (NaN included) are refused
 * with the position and value. A NaN score gives NaN for its loss and its gradient. PyTorch has no
 * binary hinge loss; with the seeds' example (label -1, margin 1) score 0.2 gives 1.2^2 = 1.44.
 * {@link Reduction#MEAN} divides by the element count; {@link Reduction#NONE} keeps the input's shape.
 *
 * <p>Thread-safety: immutable.
 */
public record SquaredHinge(Reduction reduction, double margin) implements PredictionLoss {

    public SquaredHinge {
        LossOptions.requireReduction(reduction, "squared_hinge", false);
        LossOptions.requireFinite("margin", margin);
    }

    public SquaredHinge() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public SquaredHinge reduction(Reduction reduction) {
        return new SquaredHinge(reduction, margin);
    }

    /** The margin; finite. */
    public SquaredHinge margin(double margin) {
        return new SquaredHinge(reduction, margin);
    }

    @Override
    public String name() {
        return "squared_hinge";
    }
}
