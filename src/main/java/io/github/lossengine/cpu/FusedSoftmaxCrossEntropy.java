package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;

/**
 * Fused float32 {@link SoftmaxCrossEntropy} with class-index targets (all options: class weights,
 * ignore_index, both smoothing conventions, {@code -inf} masks, every reduction); probability
 * targets [N, C] go to {@link FusedSoftTargetCrossEntropy}. Rows run in parallel.
 *
 * <p>One row takes one read of the logits from memory and one exp per logit. The row is cut into
 * at most 64 blocks that fit the L1 cache; for each block, (A) the block maximum, then
 * {@code e = exp(z - m)} with {@code m} the running maximum so far, written into the gradient row,
 * and summed (an earlier sum is rescaled when the maximum grows); then (B) one pass over the
 * gradient row turns {@code e} into {@code p W scale} with one factor per block,
 * {@code exp(m_block - max) W scale / sum}, minus the smoothing mass {@code s w_c} when there is
 * label smoothing. The loss of a row is {@code t (lse - z_y)} plus, with smoothing, the spread's
 * share {@code s sum_c w_c (lse - z_c)} (summed as {@code sum w_c (m - z_c) + log(sum) sum w_c}, with
 * no cancellation); {@code t} is the target class's mass. The target class's gradient is written
 * last, in double. Rows are summed per chunk with {@link CompensatedSum}, chunks in order.
 *
 * <p>Logits or a gradient that are not a whole heap array (a direct or heap {@code FloatBuffer}, a
 * range of an array, 16-bit bits in a {@code ShortBuffer}) are staged row by row through per-thread
 * float32 rows, one bulk copy each way ({@link Tensor#read}, {@link Tensor#write}): the same kernels,
 * so the same bits as from an array.
 */
final class FusedSoftmaxCrossEntropy implements FusedLoss<SoftmaxCrossEntropy> {
    private static final int MAX_BLOCKS = 64;
    private static final int MIN_BLOCK = 2048;
    /** Per-thread scratch: the running maximum at each block of a row, and two sums. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final float[] blockMax = new float[MAX_BLOCKS];
        final double[] sums = new double[2];
        /** A staged row of logits (soft-capped, or copied when the gradient overwrites them). */
        float[] row = new float[0];
        /** A staged gradient row, stored into the output once it is complete. */
        float[] grad = new float[0];
        /** Set by a row whose bfloat16 gradient was rounded into the output by the scaling pass itself. */
        boolean stored;
        /** Set while {@link #stagedMax} holds the block maxima of the staged row (taken as it was widened). */
        boolean premaxed;
        final float[] stagedMax = new float[MAX_BLOCKS];

        float[] row(int classes) {
            if (row.length < classes) {
                row = new float[classes];
            }
            return row;
        }

        float[] grad(int classes) {
            if (grad.length < classes) {
                grad = new float[classes];
            }
            return grad;
        }
    }

    @Override
    public boolean accepts(SoftmaxCrossEntropy loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor z = inputs[0];
        Tensor target = inputs[1];
        Tensor g = gradients[0];
        return z.rank() == 2 && z.isFloat() && target.rank() == 1 && target.dtype().isInteger()
                && (g == null || g.isFloat()) || FusedSoftTargetCrossEntropy.accepts(inputs, gradients);
    }

    /** Block length for rows of {@code classes}: at least {@value #MIN_BLOCK}, at most 64 blocks. */
    static int blockLength(int classes) {
        int b = Math.max(MIN_BLOCK, (classes + MAX_BLOCKS - 1) / MAX_BLOCKS);
        return (b + 63) & ~63;
    }

    @Override
    public LossResult compute(SoftmaxCrossEntropy loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                              WorkerPool pool) {
        if (inputs[1].rank() == 2) {
            return FusedSoftTargetCrossEntropy.compute(loss, inputs, gradients, k, pool);
        }
        Tensor target = inputs[1];
        SoftmaxCrossEntropyCpu.Checked checked = SoftmaxCrossEntropyCpu.check(loss, inputs[0], target);
        int rows = Math.toIntExact(checked.rows());
        int classes = Math.toIntExact(checked.classes());
        Reduction r = loss.reduction();
        float[] values = r == Reduction.NONE ? new float[rows] : null;
        Rows job = new Rows(loss, checked, inputs[0], target, gradients[0], values, k, Chunking.count(rows, classes));
        double sum = job.runOn(pool);
        return ClassRows.result(r, sum, checked.scale(), loss.allIgnored(), values, rows, gradients)
                .withStatistics(SoftmaxStatistics.of(loss, target, checked.weights(), job.lse, checked.denominator(),
                        checked.scale()));
    }

    /**
     * The rows {@code [0, rows)} of a block of float32 logits {@code z} (row {@code i} at
     * {@code i * batch.classes()}), with class indices {@code target} [rows] already checked with the
     * whole batch ({@code batch}: its class weights and MEAN factor, which this block's gradient gets).
     * With {@code inPlace} the logits are overwritten by their gradient; {@code values} (or null)
     * gets each row's loss and {@code lse} each row's log-sum-exp (NaN where ignored). Returns the
     * sum of the row losses (summed per chunk, chunks in order). What {@link LinearCrossEntropyCpu}
     * runs on each of its chunks.
     */
    static double block(SoftmaxCrossEntropy loss, SoftmaxCrossEntropyCpu.Checked batch, float[] z, int rows,
                        Tensor target, boolean inPlace, float[] values, float[] lse, FloatKernels k, WorkerPool pool) {
        SoftmaxCrossEntropyCpu.Checked c = new SoftmaxCrossEntropyCpu.Checked(rows, batch.classes(), false,
                batch.weights(), batch.scale(), batch.denominator());
        Tensor zt = Tensor.of(z);
        Rows job = new Rows(loss, c, zt, target, inPlace ? zt : null, values, k, Chunking.count(rows, batch.classes()));
        double sum = job.runOn(pool);
        System.arraycopy(job.lse, 0, lse, 0, rows);
        return sum;
    }

    /** The rows of one call, in chunks. */
    private static final class Rows extends SumJob {
        private final FloatKernels k;
        /**
         * The logits: a heap float32 ({@code z}) or 16-bit ({@code zh} of {@code zType}) array, else
         * neither (a buffer or a range of an array, read row by row from {@code zt}); the gradient
         * likewise ({@code gt}, null when not wanted).
         */
        private final Tensor zt;
        private final Tensor gt;
        private final float[] z;
        private final short[] zh;
        private final DType zType;
        private final Tensor target;
        private final float[] g;
        private final short[] gh;
        private final DType gType;
        /** Whether rows go through float32 scratch rows (16-bit data, softcap, or a gradient over the logits). */
        private final boolean staged;
        private final float[] values;
        private final float[] w;
        private final int rows;
        private final int classes;
        private final int block;
        private final long ignoreIndex;
        private final double eps;
        private final boolean offTarget;
        private final double scale;
        private final double weightTotal;
        private final float cap;
        private final double zLoss;
        /** Each row's log-sum-exp (NaN where ignored). */
        final float[] lse;

        Rows(SoftmaxCrossEntropy loss, SoftmaxCrossEntropyCpu.Checked c, Tensor zt, Tensor target, Tensor gt,
             float[] values, FloatKernels k, int chunks) {
            super(chunks);
            this.k = k;
            this.zt = zt;
            this.gt = gt;
            this.z = zt.floatArrayOrNull();
            this.zh = zt.shortArrayOrNull();
            this.zType = zt.dtype();
            this.target = target;
            this.g = gt == null ? null : gt.floatArrayOrNull();
            this.gh = gt == null ? null : gt.shortArrayOrNull();
            this.gType = gt == null ? null : gt.dtype();
            // z == null: 16-bit or not a whole heap array; g == null with a gradient: likewise; z == g: in place
            this.staged = loss.softcap() != 0 || z == null || z == g || (gt != null && g == null);
            this.values = values;
            this.w = c.weights();
            this.rows = (int) c.rows();
            this.classes = (int) c.classes();
            this.block = blockLength(classes);
            this.ignoreIndex = loss.ignoreIndex();
            this.eps = loss.labelSmoothing();
            this.offTarget = loss.smoothing() == SmoothingConvention.OFF_TARGET;
            this.scale = c.scale();
            this.weightTotal = w == null ? classes : sum(w);
            this.cap = (float) loss.softcap();
            this.zLoss = loss.zLoss();
            this.lse = new float[rows];
        }

        private static double sum(float[] w) {
            CompensatedSum s = new CompensatedSum();
            for (float v : w) {
                s.add(v);
            }
            return s.value();
        }

        @Override
        double sumChunk(int c) {
            int from = (int) Chunking.start(rows, chunks(), c, 1);
            int to = (int) Chunking.start(rows, chunks(), c + 1, 1);
            Scratch s = SCRATCH.get();
            CompensatedSum sum = new CompensatedSum();
            for (int i = from; i < to; i++) {
                double l = row(i, s);
                sum.add(Reductions.float32Range(l));
                if (values != null) {
                    values[i] = (float) l;
                }
            }
            return sum.value();
        }

        /**
         * The sum over the open classes of w_c (m - z_c) in double, where the float32 sum overflowed:
         * row [off, end) of the logits as read, {@code zs[c - shift]}.
         */
        private double distanceInDouble(float[] zs, int shift, int off, int end, float m) {
            CompensatedSum d = new CompensatedSum();
            for (int c = off; c < end; c++) {
                float v = zs[c - shift];
                if (v != Float.NEGATIVE_INFINITY) {
                    d.add((w == null ? 1.0 : w[c - off]) * ((double) m - v));
                }
            }
            return d.value();
        }

        private double row(int i, Scratch s) {
            int off = i * classes;
            long label = target.getLong(i);
            if (label == ignoreIndex) {
                if (g != null) {
                    Arrays.fill(g, off, off + classes, 0f);
                } else if (gh != null) {
                    Arrays.fill(gh, off, off + classes, (short) 0);
                } else if (gt != null) {
                    float[] zeros = s.grad(classes);
                    Arrays.fill(zeros, 0, classes, 0f);
                    gt.write(off, zeros, 0, classes);
                }
                lse[i] = Float.NaN;
                return 0.0;
            }
            int y = (int) label;
            s.premaxed = false;
            if (!staged) {
                return rowAt(i, y, s, z, g, off, null, 0);
            }
            // a staged row: the logits widened or soft-capped (or kept from the gradient that overwrites them
            // in place) into a float32 row, the gradient computed into another, then stored once
            float[] zs = s.row(classes);
            stage(off, zs, s);
            float[] gs = gt != null ? s.grad(classes) : null;
            s.stored = false;
            // a bfloat16 gradient without softcap is rounded by the scaling pass (one pass less over the row)
            double l = rowAt(i, y, s, zs, gs, 0, gType == DType.BFLOAT16 && cap == 0 ? gh : null, off);
            if (gs != null && !s.stored) {
                if (cap != 0) {
                    chain(gs, zs);
                }
                store(gs, off);
            }
            return l;
        }

        /** Row {@code i} with target {@code y}: its logits at {@code zs[off ..]}, its gradient (when wanted) at {@code g[off ..]}. */
        private double rowAt(int i, int y, Scratch s, float[] zs, float[] g, int off, short[] direct, int directOff) {
            int end = off + classes;
            // pass A: block maxima, exp(z - running max) into g, their sum
            float[] blockMax = s.blockMax;
            double expSum = 0;
            float m = Float.NEGATIVE_INFINITY;
            int masked = 0;
            int blocks = 0;
            for (int b = off; b < end; b += block, blocks++) {
                int e = Math.min(end, b + block);
                if (eps > 0) {
                    masked += k.countNegativeInfinity(zs, b, e);
                }
                float mb = Math.max(m, s.premaxed ? s.stagedMax[blocks] : k.max(zs, b, e));
                blockMax[blocks] = mb;
                if (mb == Float.NEGATIVE_INFINITY) {
                    if (g != null) {
                        Arrays.fill(g, b, e, 0f);
                    }
                    continue;
                }
                if (!(mb == m) && m != Float.NEGATIVE_INFINITY) {
                    expSum *= StrictMath.exp((double) m - mb);
                }
                expSum += k.expSum(zs, b, e, mb, g, b);
                m = mb;
            }
            if (m == Float.NEGATIVE_INFINITY) {
                // every class masked: no distribution (the gradient row is already 0)
                lse[i] = Float.NEGATIVE_INFINITY;
                return Double.POSITIVE_INFINITY;
            }
            double logSum = StrictMath.log(expSum);
            double lse = m + logSum;
            this.lse[i] = (float) lse;
            float zy = zs[off + y];
            boolean yMasked = zy == Float.NEGATIVE_INFINITY;
            double wy = w == null ? 1.0 : w[y];
            // the z-loss coef w_y lse^2 adds 2 coef w_y lse p_k to the gradient: to W, which multiplies p_k
            boolean zTerm = zLoss > 0 && wy != 0;

            // the target distribution: t on y, spread * w_c on the other open classes (and on y for UNIFORM)
            int open = classes - masked;
            double spread;
            double onTarget;
            if (offTarget) {
                int others = open - (yMasked ? 0 : 1);
                spread = others == 0 ? 0.0 : eps / others;
                onTarget = others == 0 ? 1.0 : 1 - eps;
            } else {
                spread = eps / open;
                onTarget = 1 - eps;
            }
            double t = onTarget * wy;
            boolean smoothing = spread != 0;
            boolean ySpread = !offTarget && !yMasked;
            double openWeight = weightTotal;
            if (smoothing && masked > 0 && w != null) {
                k.smoothedRow(zs, off, null, 0, w, 0, classes, 0f, 0f, m, s.sums);
                openWeight = s.sums[1];
            } else if (smoothing && masked > 0) {
                openWeight = open;
            }
            double bigW = t + spread * (openWeight - (offTarget && !yMasked ? wy : 0.0))
                    + (zTerm ? 2 * zLoss * wy * lse : 0.0);

            // pass B: the gradient row
            double ey = 0;
            double fy = 0;
            double distance = 0;
            if (g != null) {
                int by = y / block;
                ey = g[off + y];
                fy = shift(blockMax[by], m) / expSum * bigW * scale;
                boolean careful = smoothing || !Double.isFinite(lse);
                float sf = (float) (spread * scale);
                for (int b = off, bi = 0; b < end; b += block, bi++) {
                    int e = Math.min(end, b + block);
                    float f = (float) (shift(blockMax[bi], m) / expSum * bigW * scale);
                    if (careful) {
                        k.smoothedRow(zs, b, g, b, w, b - off, e - b, f, sf, m, s.sums);
                        distance += s.sums[0];
                    } else if (direct != null) {
                        k.scaleRoundBFloat16(g, b, e, f, direct, directOff + b - off);
                    } else {
                        k.scale(g, b, e, f);
                    }
                }
                double ay = t + (ySpread ? spread * wy : 0.0);
                g[off + y] = yMasked ? 0f : (float) (ey * fy - ay * scale) + 0f;
                if (direct != null && !careful) {
                    direct[directOff + y] = HalfFloats.floatToBFloat16(g[off + y]);
                    s.stored = true;
                }
            } else if (smoothing) {
                k.smoothedRow(zs, off, null, 0, w, 0, classes, 0f, 0f, m, s.sums);
                distance = s.sums[0];
            }

            // the loss
            double l = zTerm ? zLoss * wy * lse * lse : 0;
            if (t != 0) {
                if (yMasked) {
                    if (!Double.isNaN(lse)) {
                        return Double.POSITIVE_INFINITY;
                    }
                } else {
                    l += t * (((double) m - zy) + logSum); // lse - z_y, without rounding lse near |m| first
                }
            }
            if (smoothing) {
                if (Double.isInfinite(distance) && Double.isFinite(lse)) {
                    // the float32 block sums of w_c (m - z_c) overflowed (entries near -FLT_MAX, or m near
                    // FLT_MAX over many classes) while spread * distance need not: the sum again, in double
                    distance = distanceInDouble(zs, 0, off, end, m);
                }
                double dist = distance + logSum * openWeight;
                if (offTarget && !yMasked) {
                    dist -= wy * (((double) m - zy) + logSum);
                }
                l += spread * dist;
            }
            return l;
        }

        /**
         * {@code exp(b - m)} in double, {@link StrictMath#exp} (the same in every execution mode):
         * exactly 1 where {@code b == m}, without the call (every block after the one that holds the
         * row's maximum; {@code inf - inf} is NaN, not 0, so an infinite maximum still goes through it).
         */
        private static double shift(float b, float m) {
            double d = (double) b - m;
            return d == 0 ? 1.0 : StrictMath.exp(d);
        }

        /**
         * Row {@code off} of the logits into {@code row}: widened to float32, soft-capped
         * ({@code cap tanh(z / cap)}, -inf kept). bfloat16 without softcap is widened block by block
         * with each block's maximum taken on the way ({@code s.stagedMax}), so pass A need not read it again.
         */
        private void stage(int off, float[] row, Scratch s) {
            if (zh != null && zType == DType.BFLOAT16 && cap == 0) {
                for (int b = 0, bi = 0; b < classes; b += block, bi++) {
                    s.stagedMax[bi] = k.widenMaxBFloat16(zh, off + b, row, b, Math.min(classes, b + block) - b);
                }
                s.premaxed = true;
            } else {
                HalfStaging.read(zt, off, row, classes, k);
            }
            if (cap != 0) {
                for (int c = 0; c < classes; c++) {
                    float v = row[c];
                    row[c] = v == Float.NEGATIVE_INFINITY ? v : (float) (cap * Math.tanh(v / (double) cap));
                }
            }
        }

        /** The softcap's chain factor {@code 1 - (z'/cap)^2} on a staged gradient row. */
        private void chain(float[] gs, float[] capped) {
            for (int c = 0; c < classes; c++) {
                double f = capped[c] / (double) cap;
                if (capped[c] != Float.NEGATIVE_INFINITY) {
                    gs[c] = (float) (gs[c] * (1 - f * f)) + 0f;
                }
            }
        }

        /** A staged gradient row into the output at {@code off}: copied, or rounded once to the output's 16-bit type. */
        private void store(float[] gs, int off) {
            HalfStaging.write(gs, gt, off, classes, k);
        }
    }
}
