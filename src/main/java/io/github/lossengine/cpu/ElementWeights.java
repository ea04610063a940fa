package io.github.lossengine.cpu;

/**
 * Weights of the elements of a fused element-wise call, one per element or one per entry of the
 * last dimension (a column), laid out so that a kernel reads the weight of element {@code i} at
 * {@code array()[i + shift(from)]} over a whole block starting at {@code from}: per element the
 * caller's array itself; per column a copy tiled to {@code columns + BLOCK} entries, so that a
 * block's weights are contiguous wherever its first column falls (the copy grows with the last
 * dimension only, never with the number of rows). Immutable and thread-safe.
 */
final class ElementWeights {
    private final float[] array;
    private final int columns;

    private ElementWeights(float[] array, int columns) {
        this.array = array;
        this.columns = columns;
    }

    /**
     * The layout of {@code w} for {@code n} elements whose last dimension is {@code lastDim}, or null
     * for null: per element where {@code w} has {@code n} entries, else per column (length 1: every
     * element's). The length was checked before.
     */
    static ElementWeights of(float[] w, long n, long lastDim) {
        if (w == null) {
            return null;
        }
        if (w.length == n) {
            return new ElementWeights(w, 0);
        }
        int columns = w.length;
        float[] tiled = new float[columns + FloatKernels.BLOCK];
        for (int j = 0; j < tiled.length; j++) {
            tiled[j] = w[j % columns];
        }
        return new ElementWeights(tiled, columns);
    }

    /** The array to read, or null for {@code e == null} (every weight 1). */
    static float[] array(ElementWeights e) {
        return e == null ? null : e.array;
    }

    /**
     * The offset from a kernel index to its element's weight index, for the block at kernel index
     * {@code from} of arrays whose index 0 holds element {@code base} (0 for the caller's whole
     * arrays, the block's first element for staged scratch): {@code base} per element; per column
     * the block's first column, {@code (from + base) % columns}, less {@code from}.
     */
    static int shift(ElementWeights e, int from, int base) {
        if (e == null) {
            return 0;
        }
        return e.columns == 0 ? base : (from + base) % e.columns - from;
    }
}
