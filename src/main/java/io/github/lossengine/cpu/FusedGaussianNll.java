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
 * double sum in element order on any thread count; each chunk stages blocks of {@code mu},
 * {@code y} and the variances through its own scratch ({@link Tensor#read}, {@link Tensor#write}),
 * or, with a variance per element and every tensor a whole heap array, runs the kernels on the
 * arrays in place (the same blocks, so the same bits). A single row is one chunk (one thread). Checks as {@link GaussianNllCpu}, in its order and with
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
     * Rows {@code [r0, r1)}: their elements block by block, in place where every tensor is a whole
     * heap array and each element has its own variance, else through scratch; returns their sum of
     * losses.
     */
    private static double chunk(Call c, LikelihoodKernels k, int r0, int r1) {
        int d = c.rowLength();
        if (d == 1 && wholeArray(c.mu()) && wholeArray(c.y()) && wholeArray(c.var())
                && wholeArray(c.gMu()) && wholeArray(c.gY()) && wholeArray(c.gVar())) {
            return inPlace(c, k, r0, r1);
        }
        return staged(c, k, r0, r1);
    }

    /** Whether {@code t} is a whole heap {@code float[]} (offset 0), or null (no gradient wanted). */
    private static boolean wholeArray(Tensor t) {
        return t == null || t.floatArrayOrNull() != null;
    }

    /** Elements {@code [e0, e1)} of per-element variances on the caller's arrays; the variance gradient through a double row. */
    private static double inPlace(Call c, LikelihoodKernels k, int e0, int e1) {
        float[] mu = c.mu().floatArrayOrNull();
        float[] y = c.y().floatArrayOrNull();
        float[] var = c.var().floatArrayOrNull();
        float[] gMu = FusedLoss.array(c.gMu());
        float[] gY = FusedLoss.array(c.gY());
        float[] gVar = FusedLoss.array(c.gVar());
        double[] gv = gVar == null ? null : new double[FloatKernels.BLOCK];
        double total = 0;
        for (int b = e0; b < e1; b += FloatKernels.BLOCK) {
            int end = Math.min(e1, b + FloatKernels.BLOCK);
            total += k.gaussian(mu, y, var, gMu, gY, gv, c.values(), b, end, c.eps(), c.constant(), c.scale());
            if (gv != null) {
                for (int j = b; j < end; j++) {
                    gVar[j] = (float) gv[j - b];
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
