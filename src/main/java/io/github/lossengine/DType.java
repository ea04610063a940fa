package io.github.lossengine;

/** Element type of a {@link Tensor}. */
public enum DType {
    /** IEEE 754 binary32: predictions, probabilities, targets, gradients. */
    FLOAT32,
    /** Signed 32-bit integers: class indices. */
    INT32,
    /** Signed 64-bit integers: class indices (PyTorch's {@code long}). */
    INT64;

    /** True for the integer types, which carry class indices. */
    public boolean isInteger() {
        return this != FLOAT32;
    }
}
