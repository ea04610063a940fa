package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Nll;
import java.util.Arrays;

/**
 * Fused float32 {@link Nll}: {@code l_i = -w_(y_i) x_(i, y_i)} computed in float32, the gradient
 * {@code -w_(y_i) scale} at the target class and 0 elsewhere (each gradient row cleared with one
 * {@link Arrays#fill}, which the JIT vectorises; the loss reads one element per row, so there is no
 * inner loop for {@link FloatKernels} to vectorise). Ignored rows and rows of weight 0 contribute
 * exactly 0 (their gradient rows are all 0). Rows in parallel in fixed chunks ({@link Chunking}); each
 * chunk's losses are added with {@link CompensatedSum} and the chunks in chunk order ({@link SumJob}),
 * so the result does not depend on the thread count. NaN and {@code ±inf} log-probabilities at a target
 * propagate to the loss (the gradient does not depend on them). The same checks and messages as
 * {@link NllCpu}, all before anything is written. Float32 storage of every kind: heap arrays
 * (whole, or behind a writable heap {@code FloatBuffer} slice or a {@link Tensor#ofRange} view, at
 * their offset) in place; from a direct or read-only {@code FloatBuffer} the one log-probability of a
 * row is read with {@link Tensor#getFloat} and a gradient's rows are cleared (one fill of the
 * buffer's memory where {@link FloatKernels#direct()} has kernels, Java 22 and later; else a block of
 * zeros at a time), then its target entries set: the array call's bits. Stateless and thread-safe.
 */
final class FusedNll implements FusedLoss<Nll> {
    /** The most zeros {@link #zero} writes per bulk copy (64 KiB). */
    private static final int ZEROS = 16384;

    /** Float32 log-probabilities and gradient of any storage kind (other dtypes and ranks: the reference, and its refusal). */
    @Override
    public boolean accepts(Nll loss, Tensor[] inputs, Tensor[] gradients) {
        return inputs[0].rank() == 2 && inputs[0].dtype() == DType.FLOAT32
                && (gradients[0] == null || gradients[0].dtype() == DType.FLOAT32);
    }

    @Override
    public LossResult compute(Nll loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k, WorkerPool pool) {
        Tensor xt = inputs[0];
        Tensor target = inputs[1];
        float[] w = loss.classWeights();
        double scale = NllCpu.check(loss, xt, target, w);
        int rows = Math.toIntExact(xt.dim(0));
        int classes = Math.toIntExact(xt.dim(1));
        Reduction r = loss.reduction();

        float[] x = xt.floatBackingArrayOrNull();
        int xo = xt.floatBackingOffset();
        Tensor gt = gradients[0];
        float[] g = gt == null ? null : gt.floatBackingArrayOrNull();
        int go = gt == null ? 0 : gt.floatBackingOffset();
        float[] values = r == Reduction.NONE ? new float[rows] : null;
        long ignore = loss.ignoreIndex();
        DirectBufferKernels d = g == null && FusedPointwise.nativeDirect(gt, true) ? k.direct() : null;
        Object gm = d == null || gt == null ? null : d.memory(gt.floatBufferOrNull());
        int chunks = Chunking.count(rows, g == null ? 1 : classes);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(rows, chunks, c, 1);
                int to = (int) Chunking.start(rows, chunks, c + 1, 1);
                if (g != null) {
                    Arrays.fill(g, go + from * classes, go + to * classes, 0f);
                } else if (gm != null) {
                    d.zero(gm, (long) from * classes, (long) to * classes);
                } else if (gt != null) {
                    zero(gt, (long) from * classes, (long) to * classes);
                }
                CompensatedSum s = new CompensatedSum();
                for (int i = from; i < to; i++) {
                    long y = target.getLong(i);
                    float wy = y == ignore || w == null ? 1f : w[(int) y];
                    if (y == ignore || wy == 0) {
                        continue;
                    }
                    int at = i * classes + (int) y;
                    float l = -wy * (x != null ? x[xo + at] : xt.getFloat(at));
                    s.add(l);
                    if (values != null) {
                        values[i] = l;
                    }
                    if (g != null) {
                        g[go + at] = (float) (-wy * scale);
                    } else if (gt != null) {
                        gt.setFloat(at, (float) (-wy * scale));
                    }
                }
                return s.value();
            }
        }.runOn(pool);
        return ClassRows.result(r, sum, scale, loss.allIgnored(), values, rows, gradients);
    }

    /**
     * Elements {@code [from, to)} of the float32 tensor {@code t} set to +0, a block of up to
     * {@value #ZEROS} zeros at a time (few bulk copies: each has a fixed cost).
     */
    private static void zero(Tensor t, long from, long to) {
        float[] zeros = new float[(int) Math.min(ZEROS, to - from)];
        for (long at = from; at < to; at += zeros.length) {
            t.write(at, zeros, 0, (int) Math.min(zeros.length, to - at));
        }
    }
}
