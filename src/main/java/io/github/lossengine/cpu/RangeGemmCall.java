package io.github.lossengine.cpu;

/**
 * The products of one call with a {@link RangeGemm}, each split over the pool in ranges fixed by
 * the shapes ({@link LinearCrossEntropyCpu#run}): the logits by columns (64 at a time), the hidden
 * gradient by rows, the weight gradient by its rows. Writes straight into the caller's arrays;
 * nothing to release.
 */
final class RangeGemmCall implements Gemm.Call {
    private final RangeGemm gemm;
    private final float[] w;
    private final int d;
    private final int v;
    private final float[] dw;
    private final WorkerPool pool;

    /** The current chunk's rows of hidden: {@code h[hOff + i d + p]}. */
    private float[] h;
    private int hOff;

    RangeGemmCall(RangeGemm gemm, float[] w, int d, int v, float[] dw, WorkerPool pool) {
        this.gemm = gemm;
        this.w = w;
        this.d = d;
        this.v = v;
        this.dw = dw;
        this.pool = pool;
    }

    @Override
    public void logits(float[] h, int hOff, int m, float[] z) {
        this.h = h;
        this.hOff = hOff;
        LinearCrossEntropyCpu.run(pool, v, BlockedGemm.COLUMNS,
                (j0, j1) -> gemm.multiplyTransposed(h, hOff, m, w, j0, j1, d, z, v));
    }

    @Override
    public void gradients(float[] dz, int m, float[] dh, int dhOff, boolean weight) {
        if (dh != null) {
            LinearCrossEntropyCpu.run(pool, m, 1, (i0, i1) -> gemm.multiply(dz, i0, i1, v, w, d, dh, dhOff));
        }
        if (weight) {
            float[] hc = h;
            int off = hOff;
            LinearCrossEntropyCpu.run(pool, v, 8, (j0, j1) -> gemm.addTransposedProduct(dz, m, v, hc, off, j0, j1, d, dw));
        }
    }

    @Override
    public void close() {
    }
}
