package io.github.lossengine.cpu;

/**
 * Per-thread scratch rows of {@link FloatKernels#BLOCK} floats, where a vector kernel that is too
 * large for the JIT to inline in one loop leaves a block's intermediate values for its next loop
 * (the block stays in L1). Each thread has its own, reused across calls: nothing grows with the
 * problem. Thread-safe (thread-confined).
 */
final class Scratch {
    private static final int ROWS = 4;
    private static final ThreadLocal<float[][]> ROWS_OF_THREAD =
            ThreadLocal.withInitial(() -> new float[ROWS][FloatKernels.BLOCK]);

    private Scratch() {
    }

    /** This thread's scratch rows; {@code count} (at most 4) of them are the caller's until it returns. */
    static float[][] get(int count) {
        if (count > ROWS) {
            throw new IllegalArgumentException(count + " scratch rows; at most " + ROWS);
        }
        return ROWS_OF_THREAD.get();
    }
}
