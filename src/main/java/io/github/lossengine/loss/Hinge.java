package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Binary hinge loss for labels {@code y} in {-1, +1}: {@code l = max(0, margin - y x)}; gradient
 * {@code -y} where {@code y x <= margin} (PyTorch's clamp passes the gradient at the kink), else 0. Default {@code margin = 1}. Labels other than ±1 are refused. PyTorch has no binary
 * hinge loss; seeds 000/001 define it with margin 1 (score 0.2, label -1 gives 1.2).
 *
 * <p>Thread-safety: immutable.
 */
public record Hinge(Reduction reduction, double margin) implements Loss {
    private static final List<String> INPUTS = List.of("input", "target");

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

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public boolean differentiable(int i) {
        return i == 0;
    }
}
