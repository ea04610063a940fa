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
     * {@code eps / (C - 1)}.
     */
    OFF_TARGET
}
