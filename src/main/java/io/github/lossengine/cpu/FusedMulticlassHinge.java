package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;

/**
 * Fused float32 {@link MulticlassHinge}, rows in parallel. Weston-Watkins: one vector pass over the
 * row's wrong classes (the stretches before and after the target), {@code z_j = x_j + (margin - x_y)}
 * in float32, the target's gradient the negated sum of the others. Crammer-Singer: the reference's
 * row scan (in double; it writes one or two non-zero gradient entries per row), rows in parallel. Checks as
 * {@link MulticlassHingeCpu}. Float32 scores and gradients of every storage kind: in place where both
 * are in heap arrays ({@link Tensor#floatBackingArrayOrNull()}: whole arrays, {@link Tensor#ofRange}
 * views, writable heap {@code FloatBuffer} slices), each at its own offset (Crammer-Singer: at one
 * offset); Weston-Watkins on direct native-order buffers in place too where
 * {@link FloatKernels#direct()} has kernels ({@link DirectBufferKernels#marginStretch}: the vector
 * part on the buffers' memory, each block's last partial vector through the scalar tail; the target
 * entry read and its gradient written with absolute {@code get}/{@code put}); otherwise (read-only
 * buffers, the other byte order, a heap and a direct operand, direct buffers where there are no
 * direct kernels) row by row through the chunk's scratch rows (one bulk copy each way). Each gives the
 * array call's bits (a row's result depends only on its values). Thread-safe.
 */
final class FusedMulticlassHinge implements FusedLoss<MulticlassHinge> {
    private static final ThreadLocal<double[]> SUMS = ThreadLocal.withInitial(() -> new double[2]);

    /** Float32 scores and gradient of any storage kind (other dtypes and ranks: the reference, and its refusal). */
    @Override
    public boolean accepts(MulticlassHinge loss, Tensor[] inputs, Tensor[] gradients) {
        return inputs[0].rank() == 2 && inputs[0].dtype() == DType.FLOAT32
                && (gradients[0] == null || gradients[0].dtype() == DType.FLOAT32);
    }

    @Override
    public LossResult compute(MulticlassHinge loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                              WorkerPool pool) {
        Tensor xt = inputs[0];
        Tensor target = inputs[1];
        float[] w = MulticlassHingeCpu.check(loss, xt, target);
        int rows = Math.toIntExact(xt.dim(0));
        int classes = Math.toIntExact(xt.dim(1));
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, rows, rows, loss.inputNames().get(0));
        float[] values = r == Reduction.NONE ? new float[rows] : null;
        Tensor gt = gradients[0];
        boolean ww = loss.variant() == MulticlassHinge.Variant.WESTON_WATKINS;
        // in place where the scores and the gradient are in heap arrays (whole arrays, or views such as
        // Tensor.ofRange and heap FloatBuffer slices, each at its own offset), or, for Weston-Watkins, direct
        // native-order buffers where there are direct kernels; else (read-only buffers, the other byte order)
        // each row staged through the chunk's scratch rows: the same bits
        float[] xa = xt.floatBackingArrayOrNull();
        float[] ga = gt == null ? null : gt.floatBackingArrayOrNull();
        int xo = xt.floatBackingOffset();
        int go = gt == null ? 0 : gt.floatBackingOffset();
        boolean heap = xa != null && (gt == null || ga != null) && (ww || go == xo);
        DirectBufferKernels d = ww && !heap && FusedPointwise.nativeDirect(xt, false)
                && FusedPointwise.nativeDirect(gt, true) ? k.direct() : null;
        Object xm = d == null ? null : d.memory(xt.floatBufferOrNull());
        Object gm = d == null || gt == null ? null : d.memory(gt.floatBufferOrNull());
        // a null handle: this buffer has no view of its memory here (DirectBufferKernels#memory), so staged
        Direct direct = xm == null || (gt != null && gm == null) ? null
                : new Direct(d, xm, xt.floatBufferOrNull(), gm, gt == null ? null : gt.floatBufferOrNull());
        boolean staged = !heap && direct == null;
        int p = loss.p();
        double margin = loss.margin();
        int chunks = Chunking.count(rows, classes);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(rows, chunks, c, 1);
                int to = (int) Chunking.start(rows, chunks, c + 1, 1);
                double[] sums = SUMS.get();
                float[] x = staged ? new float[classes] : xa;
                float[] g = gt == null ? null : staged ? new float[classes] : ga;
                Tensor xRow = staged ? Tensor.of(x) : xt;
                Tensor gRow = staged && g != null ? Tensor.of(g) : gt;
                CompensatedSum s = new CompensatedSum();
                for (int i = from; i < to; i++) {
                    int y = (int) target.getLong(i);
                    double wy = (w == null ? 1.0 : w[y]) / (ww ? classes : 1);
                    int off = staged ? 0 : i * classes;
                    if (staged) {
                        xt.read((long) i * classes, x, 0, classes);
                    }
                    double l;
                    if (!ww) {
                        l = MulticlassHingeCpu.crammerSingerRow(loss, xRow, gRow, off, classes, y, wy, scale);
                    } else if (direct != null) {
                        l = direct.westonWatkins(off, classes, y, p, margin, wy, scale, sums);
                    } else {
                        l = westonWatkins(k, x, staged ? 0 : xo + off, g, staged ? 0 : go - xo, classes, y, p, margin,
                                wy, scale, sums);
                    }
                    if (staged && g != null) {
                        gt.write((long) i * classes, g, 0, classes);
                    }
                    s.add(Reductions.float32Range(l));
                    if (values != null) {
                        values[i] = (float) l;
                    }
                }
                return s.value();
            }
        }.runOn(pool);
        return Reductions.result(r, sum, scale, values, new long[] {rows}, gradients);
    }

    /**
     * A Weston-Watkins row of scores at {@code x[off ..]}, its gradient at {@code g[off + gShift ..]}
     * (or none): the two stretches around the target, the target's gradient the negated sum.
     */
    private static double westonWatkins(FloatKernels k, float[] x, int off, float[] g, int gShift, int classes, int y,
                                        int p, double margin, double wy, double scale, double[] sums) {
        float shift = (float) (margin - x[off + y]);
        float fw = (float) wy;
        float fs = (float) scale;
        k.pair().marginStretch(x, off, off + y, shift, p, fw, fs, g, gShift, sums);
        double loss = sums[0];
        double grad = sums[1];
        k.pair().marginStretch(x, off + y + 1, off + classes, shift, p, fw, fs, g, gShift, sums);
        loss += sums[0];
        grad += sums[1];
        if (g != null) {
            g[off + gShift + y] = (float) -grad;
        }
        return wy * loss;
    }

    /** Direct native-order scores and gradient (or none): the kernels, the handles and the buffers behind them. */
    private record Direct(DirectBufferKernels d, Object x, java.nio.FloatBuffer xb, Object g, java.nio.FloatBuffer gb) {
        /** {@link #westonWatkins(FloatKernels, float[], int, float[], int, int, int, int, double, double, double, double[])} on the buffers in place. */
        double westonWatkins(int off, int classes, int y, int p, double margin, double wy, double scale, double[] sums) {
            float shift = (float) (margin - xb.get(off + y));
            float fw = (float) wy;
            float fs = (float) scale;
            d.marginStretch(x, xb, off, off + y, shift, p, fw, fs, g, gb, sums);
            double loss = sums[0];
            double grad = sums[1];
            d.marginStretch(x, xb, off + y + 1, off + classes, shift, p, fw, fs, g, gb, sums);
            loss += sums[0];
            grad += sums[1];
            if (gb != null) {
                gb.put(off + y, (float) -grad);
            }
            return wy * loss;
        }
    }
}
