package io.github.lossengine.kernel;

/**
 * What a device loss computed: the reduced value (sum times scale, in double on the host) and, for
 * reduction NONE, the per-element values left in device memory; softmax cross-entropy also leaves
 * each row's log-sum-exp and gives its own denominator and the factor it reduced by.
 *
 * @param value       the reduced loss (ignored for NONE)
 * @param values      per-element (per-row) losses for NONE, else {@code null}
 * @param valuesShape the shape of {@code values}
 * @param lse         per-row log-sum-exp [rows] in device memory, or {@code null}
 * @param denominator this call's own MEAN denominator (with {@code lse} only)
 * @param scale       the factor from summed row losses to the value (with {@code lse} only)
 */
public record DeviceOutcome(double value, DeviceMemory values, long[] valuesShape, DeviceMemory lse,
                            double denominator, double scale) {
    public DeviceOutcome(double value, DeviceMemory values, long[] valuesShape) {
        this(value, values, valuesShape, null, 0, 0);
    }
}
