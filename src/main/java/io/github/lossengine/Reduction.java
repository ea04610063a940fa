package io.github.lossengine;

/**
 * How per-element (or per-sample) losses are combined, as {@code reduction=} in
 * {@code torch.nn.functional}.
 *
 * <p>All sums are computed in double precision with Neumaier-compensated summation in a fixed
 * order, so the result is the same bits on every run.
 */
public enum Reduction {
    /** No reduction: one loss per element (per sample for row losses). Gradients are those of their sum. */
    NONE,
    /** The sum of the losses. */
    SUM,
    /** The mean over elements (or the weighted mean, for losses with class weights). */
    MEAN,
    /** The sum divided by the batch size {@code N = shape[0]}: the true KL divergence for {@code kl_div}. */
    BATCHMEAN;

    /** Parses {@code none|sum|mean|batchmean}, case-insensitively. */
    public static Reduction parse(String s) {
        for (Reduction r : values()) {
            if (r.name().equalsIgnoreCase(s.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("reduction = " + s + ": expected none, sum, mean or batchmean");
    }
}
