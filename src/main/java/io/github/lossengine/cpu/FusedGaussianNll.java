package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.GaussianNll;

/**
 * Fused {@link GaussianNll}: with {@code v = max(var, eps)} and {@code d = mu - y},
 * {@code l = (log v + d^2 / v) / 2} (+ {@code log(2 pi) / 2} with {@code full}); gradients
 * {@code d / v}, {@code -d / v} and {@code (1 / v - d^2 / v^2) / 2}, the last summed over a row where
 * one variance serves the row. The clamp passes the gradient, as the reference and PyTorch (which
 * clamps under {@code no_grad}): a variance below {@code eps} gets the formula at {@code v = eps}.
 * Every option, reduction and variance layout; float32 inputs and outputs of any storage kind,
 * each element in double ({@link LikelihoodKernels#gaussian}: {@code log v + d^2 / v} cancels
 * beyond float32's resolution when the fit is good and {@code v} is small).
 *
 * <p>Work: chunks of whole rows (of one element each for a per-element variance, on multiples of
 * {@link FloatKernels#BLOCK}), a function of the shape only, so a row's variance gradient is one
 * double sum in element order on any thread count. With a variance per element, each operand in a
 * heap array (whole, {@link Tensor#ofRange} view, writable heap {@code FloatBuffer} slice) is read
 * and written in place at its own offset, and only the others (direct and read-only buffers) go
 * through the chunk's scratch, block by block ({@link Tensor#read}, {@link Tensor#write}); with a
 * variance per row, each chunk stages blocks of {@code mu}, {@code y} and the row's variances through
 * its scratch. Direct buffers are staged on every JDK (an in-place kernel through the direct-buffer
 * handles was measured slower than staging: bench/performance-notes.md). Either way the kernel sees
 * the same blocks, so the same bits. A single row is one chunk (one thread). Checks as
 * {@link GaussianNllCpu}, in its order and with
 * its messages (negative variances in a parallel pass), before anything is written. Thread-safe.
 */
final class FusedGaussianNll implements FusedLoss<GaussianNll> {

    /** Float32 inputs and gradient buffers (or none), of any storage kind. */
    @Override
    public boolean accepts(GaussianNll loss, Tensor[] inputs, Tensor[] gradients) {
        for (int i = 0; i < 3; i++) {
            if (!FusedPointwise.float32(inputs[i]) || (gradients[i] != null && !FusedPointwise.float32(gradients[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The tensors and factors of one call. */
    private record Call(Tensor mu, Tensor y, Tensor var, Tensor gMu, Tensor gY, Tensor gVar, float[] values,
                        int rowLength, double eps, double constant, double scale) {
    }

    @Override
    public LossResult compute(GaussianNll loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                              WorkerPool pool) {
        Tensor mu = inputs[0];
        Tensor y = inputs[1];
        Tensor var = inputs[2];
        String muName = loss.inputNames().get(0);
        String varName = loss.inputNames().get(2);
        boolean perRow = GaussianNllCpu.checkShapes(loss, inputs);
        int bad = FusedPointwise.firstNegative(var, pool);
        if (bad >= 0) {
            throw InvalidInputException.at(varName, var, bad, Checks.format(var.getFloat(bad)),
                    GaussianNllCpu.NEGATIVE);
        }
        Reduction r = loss.reduction();
        int n = Math.toIntExact(mu.size());
        double scale = Reductions.scale(r, n, mu.rank() == 0 ? 1 : mu.dim(0), muName);
        int rows = Math.toIntExact(var.size());
        int rowLength = perRow ? Math.toIntExact(mu.dim(-1)) : 1;
        Call call = new Call(mu, y, var, gradients[0], gradients[1], gradients[2],
                r == Reduction.NONE ? new float[n] : null, rowLength, loss.eps(),
                loss.full() ? LikelihoodKernels.HALF_LOG_2PI : 0.0, scale);
        int chunks = Chunking.count(rows, rowLength);
        int align = perRow ? 1 : FloatKernels.BLOCK;
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                return chunk(call, k.likelihood(), (int) Chunking.start(rows, chunks, c, align),
                        (int) Chunking.start(rows, chunks, c + 1, align));
            }
        }.runOn(pool);
        return Reductions.result(r, sum, scale, call.values(), mu.shape(), gradients);
    }

    /**
     * Rows {@code [r0, r1)}: with a variance per element, their elements block by block on the heap
     * arrays in place and the other operands through scratch ({@link #perElement}); with a variance
     * per row, everything through scratch ({@link #staged}). Returns their sum of losses.
     */
    private static double chunk(Call c, LikelihoodKernels k, int r0, int r1) {
        return c.rowLength() == 1 ? perElement(c, k, r0, r1) : staged(c, k, r0, r1);
    }

    /** {@code t}'s heap array ({@link Tensor#floatBackingArrayOrNull()}), or null (none, or no tensor). */
    private static float[] heap(Tensor t) {
        return t == null ? null : t.floatBackingArrayOrNull();
    }

    /** {@code t}'s offset in its heap array, or {@code -b} where it is staged into scratch for the block at {@code b}. */
    private static int offset(Tensor t, float[] heap, int b) {
        return heap != null ? t.floatBackingOffset() : -b;
    }

    /**
     * Elements {@code [e0, e1)} of per-element variances, block by block: each operand in a heap array
     * (whole, {@link Tensor#ofRange} view, heap buffer slice) read and written in place at its own
     * offset, each other one (direct or read-only buffers) through this chunk's scratch at offset
     * {@code -b}, so the kernel runs on element indices either way (the same operations: the same
     * bits); the variance gradient through a double row.
     */
    private static double perElement(Call c, LikelihoodKernels k, int e0, int e1) {
        int block = FloatKernels.BLOCK;
        float[] mu = heap(c.mu());
        float[] y = heap(c.y());
        float[] var = heap(c.var());
        float[] gMu = heap(c.gMu());
        float[] gY = heap(c.gY());
        float[] gVar = heap(c.gVar());
        float[] mus = mu == null ? new float[block] : null;
        float[] ys = y == null ? new float[block] : null;
        float[] vs = var == null ? new float[block] : null;
        float[] gms = c.gMu() != null && gMu == null ? new float[block] : null;
        float[] gys = c.gY() != null && gY == null ? new float[block] : null;
        float[] gvs = c.gVar() != null && gVar == null ? new float[block] : null;
        double[] gv = c.gVar() == null ? null : new double[block];
        double total = 0;
        for (int b = e0; b < e1; b += block) {
            int end = Math.min(e1, b + block);
            int len = end - b;
            if (mus != null) {
                c.mu().read(b, mus, 0, len);
            }
            if (ys != null) {
                c.y().read(b, ys, 0, len);
            }
            if (vs != null) {
                c.var().read(b, vs, 0, len);
            }
            LikelihoodKernels.Offsets o = new LikelihoodKernels.Offsets(mus != null ? mus : mu,
                    offset(c.mu(), mu, b), ys != null ? ys : y, offset(c.y(), y, b), vs != null ? vs : var,
                    offset(c.var(), var, b), gms != null ? gms : gMu, offset(c.gMu(), gMu, b),
                    gys != null ? gys : gY, offset(c.gY(), gY, b));
            total += k.gaussian(o, gv, c.values(), b, end, c.eps(), c.constant(), c.scale());
            if (gms != null) {
                c.gMu().write(b, gms, 0, len);
            }
            if (gys != null) {
                c.gY().write(b, gys, 0, len);
            }
            if (gv != null) {
                float[] out = gvs != null ? gvs : gVar;
                int at = gvs != null ? 0 : c.gVar().floatBackingOffset() + b;
                for (int j = 0; j < len; j++) {
                    out[at + j] = (float) gv[j];
                }
                if (gvs != null) {
                    c.gVar().write(b, gvs, 0, len);
                }
            }
        }
        return total;
    }

    /** Rows {@code [r0, r1)}: their elements block by block through scratch. */
    private static double staged(Call c, LikelihoodKernels k, int r0, int r1) {
        int block = FloatKernels.BLOCK;
        int d = c.rowLength();
        boolean perRow = d != 1;
        float[] mus = new float[block];
        float[] ys = new float[block];
        float[] vs = new float[block];
        float[] gm = c.gMu() == null ? null : new float[block];
        float[] gy = c.gY() == null ? null : new float[block];
        double[] gv = c.gVar() == null ? null : new double[block];
        float[] out = c.values() == null && gv == null ? null : new float[block];
        float[] rowVar = perRow ? new float[r1 - r0] : null;
        double[] rowGrad = perRow && gv != null ? new double[r1 - r0] : null;
        if (perRow) {
            c.var().read(r0, rowVar, 0, r1 - r0);
        }
        double total = 0;
        int end = r1 * d;
        for (int b = r0 * d; b < end; b += block) {
            int len = Math.min(end, b + block) - b;
            c.mu().read(b, mus, 0, len);
            c.y().read(b, ys, 0, len);
            if (perRow) {
                for (int j = 0; j < len; j++) {
                    vs[j] = rowVar[(b + j) / d - r0];
                }
            } else {
                c.var().read(b, vs, 0, len);
            }
            total += k.gaussian(mus, ys, vs, gm, gy, gv, c.values() == null ? null : out, 0, len,
                    c.eps(), c.constant(), c.scale());
            if (c.values() != null) {
                System.arraycopy(out, 0, c.values(), b, len);
            }
            if (gm != null) {
                c.gMu().write(b, gm, 0, len);
            }
            if (gy != null) {
                c.gY().write(b, gy, 0, len);
            }
            if (rowGrad != null) {
                for (int j = 0; j < len; j++) {
                    rowGrad[(b + j) / d - r0] += gv[j];
                }
            } else if (gv != null) {
                for (int j = 0; j < len; j++) {
                    out[j] = (float) gv[j];
                }
                c.gVar().write(b, out, 0, len);
            }
        }
        if (rowGrad != null) {
            float[] g = new float[r1 - r0];
            for (int j = 0; j < g.length; j++) {
                g[j] = (float) rowGrad[j];
            }
            c.gVar().write(r0, g, 0, g.length);
        }
        return total;
    }
}
