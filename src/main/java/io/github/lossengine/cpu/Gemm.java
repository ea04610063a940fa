package io.github.lossengine.cpu;

/**
 * The three float32 matrix products of one {@link LinearCrossEntropyCpu} call, on row-major heap
 * arrays: for each chunk of rows, the logits {@code Z = h_c W^T}, then from the chunk's gradient
 * {@code dZ} the hidden gradient {@code dh_c = dZ W} and the weight gradient {@code dW += dZ^T h_c}.
 * {@link #open} starts a call (an implementation may stage the weight in native memory there) and
 * {@link Call#close()} ends it.
 *
 * <p>Contract of every implementation:
 * <ul>
 *   <li>float32 products summed in float32 in an order fixed by the shapes ({@code n, d, v} and the
 *       chunk's rows) and the implementation only: the results are bitwise the same from run to run
 *       for a given chunk size, whatever the engine's thread count and whichever thread computed
 *       what. The order is not the same between implementations, nor between machines where a
 *       native library picks different kernels.</li>
 *   <li>NaN and infinities propagate as in the unfused products (no product is skipped).</li>
 *   <li>Implementations are thread-safe; a {@link Call} is used by one caller at a time (it splits
 *       its own work over the pool).</li>
 * </ul>
 * Implementations: {@link RangeGemm} (lossengine's Java GEMMs, {@link BlockedGemm} and the Vector API
 * one) and {@link OpenBlasGemm}; {@link GemmSelection} chooses.
 */
interface Gemm {

    /** What the implementation is, for {@code lossengine info}. */
    String description();

    /**
     * Starts the products of one call.
     *
     * @param w       the weight [v, d]
     * @param maxRows the most rows a chunk will have
     * @param dw      the weight gradient [v, d], zeroed by the caller, complete after {@link Call#close()};
     *                null when it is not wanted
     * @param pool    the threads the call's work is split over
     */
    Call open(float[] w, int d, int v, int maxRows, float[] dw, WorkerPool pool);

    /** One call's products, chunk after chunk. */
    interface Call extends AutoCloseable {

        /**
         * {@code z[i v + j] = sum_p h[hOff + i d + p] w[j d + p]} for {@code i} in {@code [0, m)}, {@code j} in
         * {@code [0, v)}: the chunk's m rows of hidden start at {@code h[hOff]} (the caller's array, or a
         * float32 chunk it widened); the call keeps them for {@link #gradients}.
         */
        void logits(float[] h, int hOff, int m, float[] z);

        /**
         * After {@link #logits} of the same chunk, from the chunk's gradient {@code dz} [m, v]:
         * {@code dh[dhOff + i d + p] = sum_j dz[i v + j] w[j d + p]} when {@code dh} is non-null, and
         * {@code dW[j d + p] += sum_i dz[i v + j] h_c[i d + p]} when {@code weight} (the call was opened with a
         * weight gradient).
         */
        void gradients(float[] dz, int m, float[] dh, int dhOff, boolean weight);

        /** Ends the call: the weight gradient is complete; native memory is released. */
        @Override
        void close();
    }
}
