package io.github.lossengine.cpu;

/**
 * Where the fused CPU losses cut their work into chunks: a function of the problem's size only,
 * never of the thread count, so that per-chunk sums combined in chunk order give the same bits on
 * 1, 2 or 16 threads. About {@value #TARGET_ELEMENTS} elements per chunk, at most {@value #MAX_CHUNKS}
 * chunks (enough to balance 2 to 16 threads, few enough that a call's bookkeeping is small).
 */
final class Chunking {
    static final long TARGET_ELEMENTS = 1L << 15;
    static final int MAX_CHUNKS = 64;

    private Chunking() {
    }

    /** The number of chunks for {@code units} rows (or elements) of {@code unitSize} elements each. */
    static int count(long units, long unitSize) {
        if (units <= 0) {
            return 0;
        }
        long elements = units * Math.max(1, unitSize);
        long c = (elements + TARGET_ELEMENTS - 1) / TARGET_ELEMENTS;
        return (int) Math.max(1, Math.min(Math.min(MAX_CHUNKS, units), c));
    }

    /**
     * The first unit of chunk {@code c} of {@code chunks} over {@code units} units, rounded down to a
     * multiple of {@code align} (chunk {@code chunks} starts at {@code units}).
     */
    static long start(long units, int chunks, int c, int align) {
        if (c >= chunks) {
            return units;
        }
        long s = units * c / chunks;
        return s - s % align;
    }
}
