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
 * are in heap arrays at the same offset ({@link Tensor#floatBackingArrayOrNull()}: whole arrays,
 * {@link Tensor#ofRange} views, writable heap {@code FloatBuffer} slices); otherwise (direct or
 * read-only buffers, views at different offsets) row by row through the chunk's scratch rows (one
 * bulk copy each way). Either gives the array call's bits (a row's result depends only on its values).
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
        // in place where the scores and the gradient are in heap arrays at one offset (whole arrays, or views such
        // as Tensor.ofRange and heap FloatBuffer slices); else (a direct or read-only buffer, views at different
        // offsets) each row staged through the chunk's scratch rows: the same bits
        float[] xa = xt.floatBackingArrayOrNull();
        float[] ga = gt == null ? null : gt.floatBackingArrayOrNull();
        int base = xt.floatBackingOffset();
        boolean staged = xa == null || gt != null && (ga == null || gt.floatBackingOffset() != base);
        boolean ww = loss.variant() == MulticlassHinge.Variant.WESTON_WATKINS;
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
                    double l = ww ? westonWatkins(k, x, g, staged ? 0 : base + off, classes, y, p, margin, wy, scale, sums)
                            : MulticlassHingeCpu.crammerSingerRow(loss, xRow, gRow, off, classes, y, wy, scale);
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

    private static double westonWatkins(FloatKernels k, float[] x, float[] g, int off, int classes, int y, int p,
                                        double margin, double wy, double scale, double[] sums) {
        float shift = (float) (margin - x[off + y]);
        float fw = (float) wy;
        float fs = (float) scale;
        k.pair().marginStretch(x, off, off + y, shift, p, fw, fs, g, sums);
        double loss = sums[0];
        double grad = sums[1];
        k.pair().marginStretch(x, off + y + 1, off + classes, shift, p, fw, fs, g, sums);
        loss += sums[0];
        grad += sums[1];
        if (g != null) {
            g[off + y] = (float) -grad;
        }
        return wy * loss;
    }
}
