package io.github.lossengine.kernel;

/**
 * What a device loss computed: the reduced value (sum times scale, in double on the host) and, for
 * reduction NONE, the per-element values left in device memory.
 *
 * @param value       the reduced loss (ignored for NONE)
 * @param values      per-element (per-row) losses for NONE, else {@code null}
 * @param valuesShape the shape of {@code values}
 */
public record DeviceOutcome(double value, DeviceMemory values, long[] valuesShape) {
}
