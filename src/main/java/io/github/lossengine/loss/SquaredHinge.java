package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Binary squared hinge loss for labels {@code y} in {-1, +1}: {@code l = max(0, margin - y x)^2}; gradient
 * {@code -2 y max(0, margin - y x)}. Default {@code margin = 1}. Labels other than ±1 are refused. PyTorch has no binary
 * hinge loss; seeds 000/001 define it with margin 1 (score 0.2, label -1 gives 1.2).
 *
 * <p>Thread-safety: immutable.
 */
public record SquaredHinge(Reduction reduction, double margin) implements Loss {
    private static final List<String> INPUTS = List.of("input", "target");

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

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public boolean differentiable(int i) {
        return i == 0;
    }
}
