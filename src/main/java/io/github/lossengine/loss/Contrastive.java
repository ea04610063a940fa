package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Contrastive loss as in the seeds (Hadsell et al.): inputs {@code x1} [N, D], {@code x2} [N, D] and
 * labels {@code y} [N] with 0 for a similar pair and 1 for a dissimilar one. With
 * {@code D = ||x1 - x2 + eps||_2} (the eps of PyTorch {@code pairwise_distance}):
 * {@code l = (1 - y) D^2 / 2 + y max(0, margin - D)^2 / 2}. Gradients with respect to {@code x1}
 * and {@code x2} (labels have none): {@code dl/dx1 = [(1 - y) D - y max(0, margin - D)] u} with
 * {@code u = (x1 - x2 + eps) / D}, and {@code dl/dx2 = -dl/dx1}. Labels other than 0 and 1 are
 * refused. Defaults {@code margin = 1}, {@code eps = 1e-6}. PyTorch has no such loss.
 *
 * <p>Thread-safety: immutable.
 */
public record Contrastive(Reduction reduction, double margin, double eps) implements Loss {
    private static final List<String> INPUTS = List.of("x1", "x2", "y");

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

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public boolean differentiable(int i) {
        return i == 0 || i == 1;
    }
}
