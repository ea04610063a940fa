package io.github.lossengine.cpu;

/**
 * Per-thread scratch rows of {@link FloatKernels#BLOCK} floats (and of as many doubles, for the
 * double-precision kernels of {@link LikelihoodKernels}), where a vector kernel that is too large
 * for the JIT to inline in one loop leaves a block's intermediate values for its next loop (the
 * block stays in L1). Each thread has its own, reused across calls: nothing grows with the
 * problem. Thread-safe (thread-confined).
 */
final class Scratch {
    private static final int ROWS = 4;
    private static final int DOUBLE_ROWS = 3;
    private static final ThreadLocal<float[][]> ROWS_OF_THREAD =
            ThreadLocal.withInitial(() -> new float[ROWS][FloatKernels.BLOCK]);
    private static final ThreadLocal<double[][]> DOUBLE_ROWS_OF_THREAD =
            ThreadLocal.withInitial(() -> new double[DOUBLE_ROWS][FloatKernels.BLOCK]);

    private Scratch() {
    }

    /** This thread's scratch rows; {@code count} (at most 4) of them are the caller's until it returns. */
    static float[][] get(int count) {
        if (count > ROWS) {
            throw new IllegalArgumentException(count + " scratch rows; at most " + ROWS);
        }
        return ROWS_OF_THREAD.get();
    }

    /** This thread's double scratch rows; {@code count} (at most 3) of them are the caller's until it returns. */
    static double[][] doubles(int count) {
        if (count > DOUBLE_ROWS) {
            throw new IllegalArgumentException(count + " double scratch rows; at most " + DOUBLE_ROWS);
        }
        return DOUBLE_ROWS_OF_THREAD.get();
    }
}
