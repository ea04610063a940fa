package io.github.lossengine.cpu;

/**
 * A {@link Gemm} in Java whose products each cover a range of their output, so that the caller can
 * split the work between threads: every output element is computed by one call, summing its
 * products in a fixed order (ascending along the contracted dimension) in float32, so that results
 * never depend on how the ranges were split. {@link #open} splits each product over the pool in
 * ranges fixed by the shapes ({@link RangeGemmCall}). Implementations are stateless and thread-safe
 * (per-thread scratch at most): {@link BlockedGemm} and the Vector API one.
 */
interface RangeGemm extends Gemm {

    /**
     * {@code C = A B^T} on columns {@code [j0, j1)}: {@code c[i ldc + j] = sum_p a[aOff + i k + p] b[j k + p]}
     * for {@code i} in {@code [0, m)} (the logits {@code h W^T}: A = hidden rows, B = the weight [V, k]).
     */
    void multiplyTransposed(float[] a, int aOff, int m, float[] b, int j0, int j1, int k, float[] c, int ldc);

    /**
     * {@code C = A B} on rows {@code [i0, i1)}: {@code c[cOff + i k + p] = sum_j a[i n + j] b[j k + p]}, {@code j}
     * in {@code [0, n)} (the hidden gradient {@code dZ W}: A = dZ [m, n], B = the weight [n, k]).
     */
    void multiply(float[] a, int i0, int i1, int n, float[] b, int k, float[] c, int cOff);

    /**
     * {@code C += A^T B} on rows {@code [j0, j1)} of C: {@code c[j k + p] += sum_i a[i n + j] b[bOff + i k + p]},
     * {@code i} in {@code [0, m)}, added to {@code c} one {@code i} after another (the weight gradient
     * {@code dW += dZ^T h}: A = dZ [m, n], B = hidden rows [m, k]).
     */
    void addTransposedProduct(float[] a, int m, int n, float[] b, int bOff, int j0, int j1, int k, float[] c);

    @Override
    default Call open(float[] w, int d, int v, int maxRows, float[] dw, WorkerPool pool) {
        return new RangeGemmCall(this, w, d, v, dw, pool);
    }
}
