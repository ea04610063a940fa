package io.github.lossengine.loss;

/**
 * What a {@link io.github.lossengine.Reduction#MEAN} class-index loss returns when every row is ignored (every target
 * equals {@code ignore_index}) or every target class has weight 0, so the weighted mean is 0/0.
 * SUM and NONE are unaffected (0 and per-row zeros).
 */
public enum AllIgnoredPolicy {
    /** Loss 0 and a zero gradient: the batch contributes nothing. The default. */
    ZERO,
    /** Loss NaN and a zero gradient, as PyTorch (pytorch#70348). */
    NAN,
    /** Refuse with {@link io.github.lossengine.InvalidInputException} naming {@code target}. */
    ERROR
}
