package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Cosine embedding loss, PyTorch {@code cosine_embedding_loss}: inputs {@code x1} [N, D], {@code x2}
 * [N, D], labels {@code y} [N] in {-1, +1}. With {@code cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))}:
 * {@code l = 1 - cos} for {@code y = 1}, {@code max(0, cos - margin)} for {@code y = -1}. Gradients
 * with respect to {@code x1} and {@code x2}. Default {@code margin = 0}.
 * Labels other than ±1 are refused.
 *
 * <p>Thread-safety: immutable.
 */
public record CosineEmbedding(Reduction reduction, double margin) implements Loss {
    private static final List<String> INPUTS = List.of("x1", "x2", "y");

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

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public boolean differentiable(int i) {
        return i == 0 || i == 1;
    }
}
