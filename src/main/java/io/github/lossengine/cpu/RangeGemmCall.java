package io.github.lossengine.cpu;

/**
 * The products of one call with a {@link RangeGemm}, each split over the pool in ranges fixed by
 * the shapes ({@link LinearCrossEntropyCpu#run}): the logits by columns (64 at a time), the hidden
 * gradient by rows, the weight gradient by its rows. Writes straight into the caller's arrays;
 * nothing to release.
 */
final class RangeGemmCall implements Gemm.Call {
    private final RangeGemm gemm;
    private final float[] h;
    private final float[] w;
    private final int d;
    private final int v;
    private final float[] dw;
    private final WorkerPool pool;

    RangeGemmCall(RangeGemm gemm, float[] h, float[] w, int d, int v, float[] dw, WorkerPool pool) {
        this.gemm = gemm;
        this.h = h;
        this.w = w;
        this.d = d;
        this.v = v;
        this.dw = dw;
        this.pool = pool;
    }

    @Override
    public void logits(int r0, int m, float[] z) {
        LinearCrossEntropyCpu.run(pool, v, BlockedGemm.COLUMNS,
                (j0, j1) -> gemm.multiplyTransposed(h, r0 * d, m, w, j0, j1, d, z, v));
    }

    @Override
    public void gradients(float[] dz, int r0, int m, float[] dh, boolean weight) {
        if (dh != null) {
            LinearCrossEntropyCpu.run(pool, m, 1, (i0, i1) -> gemm.multiply(dz, i0, i1, v, w, d, dh, r0 * d));
        }
        if (weight) {
            LinearCrossEntropyCpu.run(pool, v, 8, (j0, j1) -> gemm.addTransposedProduct(dz, m, v, h, r0 * d, j0, j1, d, dw));
        }
    }

    @Override
    public void close() {
    }
}
