package io.github.lossengine.loss;

/** How label smoothing {@code eps} spreads probability mass over {@code C} classes. */
public enum SmoothingConvention {
    /**
     * PyTorch's: the target becomes {@code (1 - eps) onehot + eps / C}, so the true class gets
     * {@code 1 - eps + eps / C} and every other class {@code eps / C}. The default.
     */
    UNIFORM,
    /**
     * The off-target convention: the true class gets {@code 1 - eps}, every other class
     * {@code eps / (C - 1)} (no smoothing for {@code C = 1}). For probability targets {@code t}
     * (summing to 1) the same idea gives {@code t (1 - eps) + eps (1 - t) / (C - 1)}; see
     * {@link SoftmaxCrossEntropy} for unnormalised targets and masked classes.
     */
    OFF_TARGET
}
