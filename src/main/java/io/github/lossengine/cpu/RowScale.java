package io.github.lossengine.cpu;

/**
 * The exact power-of-two scaling of the fused triplet and contrastive row sums (norms summed in
 * float32 lanes). A row is first summed as it is; when a sum of squares (or of absolute values) falls
 * outside {@code [2^-100, 2^100]} (overflow, underflow of the squares, or a zero or non-finite row) it
 * is summed again with its entries multiplied by {@link #of}{@code (max |entry|)}, which brings the
 * largest entry into {@code [1, 4)}: float32 squares and their sums then neither overflow (a row of
 * 1e19-scale entries) nor lose digits, and, being a power of
 * two, the scaling changes no digit of the result (docs/GPU.md, "Overflow and NaN"). The decision
 * depends only on the row, so it is the same on every thread and in both kernel sets. Stateless.
 */
final class RowScale {
    private static final double LOW = 0x1p-100;
    private static final double HIGH = 0x1p100;

    private RowScale() {
    }

    /** Whether a row whose float-lane sum of squares (or absolute values) is {@code sum} must be summed again scaled. */
    static boolean needed(double sum) {
        return !(sum >= LOW && sum <= HIGH);
    }

    /**
     * The power of two {@code 2^-e}, {@code e} the exponent of {@code m} clamped to {@code [-126, 126]},
     * so {@code m 2^-e} lies in {@code [1, 4)} (in {@code [2^-23, 1)} for a subnormal {@code m}); 1 for a
     * zero, infinite or NaN {@code m}.
     */
    static float of(float m) {
        if (!(m > 0) || m == Float.POSITIVE_INFINITY) {
            return 1f;
        }
        int e = Math.max(-126, Math.min(126, Math.getExponent(m)));
        return Math.scalb(1f, -e);
    }

    /**
     * {@code max(|eps|, max_j max(|a[ao + j]|, |b[bo + j]|))}, NaN when one is NaN: the scale of a
     * difference {@code a - b + eps} taken as {@code (a k - b k) + eps k}, which then cannot overflow
     * even where {@code a - b} would.
     */
    static float maxAbs(float[] a, int ao, float[] b, int bo, int n, float eps) {
        float m = Math.abs(eps);
        for (int j = 0; j < n; j++) {
            m = Math.max(m, Math.max(Math.abs(a[ao + j]), Math.abs(b[bo + j])));
        }
        return m;
    }
}
