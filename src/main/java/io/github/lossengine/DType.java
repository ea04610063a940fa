package io.github.lossengine;

/** Element type of a {@link Tensor}. */
public enum DType {
    /** IEEE 754 binary32: predictions, probabilities, targets, gradients. */
    FLOAT32,
    /** Signed 32-bit integers: class indices. */
    INT32,
    /** Signed 64-bit integers: class indices (PyTorch's {@code long}). */
    INT64,
    /**
     * bfloat16: the top 16 bits of a binary32 (8 exponent bits, 7 mantissa bits), stored as the
     * {@code short} bit patterns. Read exactly as float32; written rounded to nearest even.
     */
    BFLOAT16,
    /**
     * IEEE 754 binary16 (5 exponent bits, 10 mantissa bits, subnormals), stored as the {@code short}
     * bit patterns. Read exactly as float32; written rounded to nearest even (beyond 65504: ±inf).
     */
    FLOAT16;

    /** True for the integer types, which carry class indices. */
    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    /** True for the 16-bit float types. */
    public boolean isHalf() {
        return this == BFLOAT16 || this == FLOAT16;
    }

    /** Bytes per element. */
    public int bytes() {
        return switch (this) {
            case INT64 -> 8;
            case BFLOAT16, FLOAT16 -> 2;
            default -> 4;
        };
    }
}
