package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;

/**
 * Fused float32 {@link SoftmaxCrossEntropy} with class-index targets (all options: class weights,
 * ignore_index, both smoothing conventions, {@code -inf} masks, every reduction); probability
 * targets go to the reference {@link SoftmaxCrossEntropyCpu}. Rows run in parallel.
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
 */
final class FusedSoftmaxCrossEntropy implements FusedLoss<SoftmaxCrossEntropy> {
    private static final int MAX_BLOCKS = 64;
    private static final int MIN_BLOCK = 2048;
    /** Per-thread scratch: the running maximum at each block of a row, and two sums. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final float[] blockMax = new float[MAX_BLOCKS];
        final double[] sums = new double[2];
    }

    @Override
    public boolean accepts(SoftmaxCrossEntropy loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor z = inputs[0];
        Tensor target = inputs[1];
        return z.rank() == 2 && z.floatArrayOrNull() != null && target.rank() == 1 && target.dtype().isInteger()
                && FusedLoss.heapFloats(gradients[0]);
    }

    /** Block length for rows of {@code classes}: at least {@value #MIN_BLOCK}, at most 64 blocks. */
    static int blockLength(int classes) {
        int b = Math.max(MIN_BLOCK, (classes + MAX_BLOCKS - 1) / MAX_BLOCKS);
        return (b + 63) & ~63;
    }

    @Override
    public LossResult compute(SoftmaxCrossEntropy loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                              WorkerPool pool) {
        Tensor target = inputs[1];
        SoftmaxCrossEntropyCpu.Checked checked = SoftmaxCrossEntropyCpu.check(loss, inputs[0], target);
        int rows = Math.toIntExact(checked.rows());
        int classes = Math.toIntExact(checked.classes());
        Reduction r = loss.reduction();
        float[] values = r == Reduction.NONE ? new float[rows] : null;
        Rows job = new Rows(loss, checked, inputs[0].floatArrayOrNull(), target, FusedLoss.array(gradients[0]),
                values, k, Chunking.count(rows, classes));
        double sum = job.runOn(pool);
        return ClassRows.result(r, sum, checked.scale(), loss.allIgnored(), values, rows, gradients);
    }

    /** The rows of one call, in chunks. */
    private static final class Rows extends SumJob {
        private final FloatKernels k;
        private final float[] z;
        private final Tensor target;
        private final float[] g;
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

        Rows(SoftmaxCrossEntropy loss, SoftmaxCrossEntropyCpu.Checked c, float[] z, Tensor target, float[] g,
             float[] values, FloatKernels k, int chunks) {
            super(chunks);
            this.k = k;
            this.z = z;
            this.target = target;
            this.g = g;
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

        /** {@code sum over open classes of w_c (m - z_c)} in double, where the float32 sum overflowed. */
        private double distanceInDouble(int off, int end, float m) {
            CompensatedSum d = new CompensatedSum();
            for (int c = off; c < end; c++) {
                if (z[c] != Float.NEGATIVE_INFINITY) {
                    d.add((w == null ? 1.0 : w[c - off]) * ((double) m - z[c]));
                }
            }
            return d.value();
        }

        private double row(int i, Scratch s) {
            int off = i * classes;
            int end = off + classes;
            long label = target.getLong(i);
            if (label == ignoreIndex) {
                if (g != null) {
                    Arrays.fill(g, off, end, 0f);
                }
                return 0.0;
            }
            int y = (int) label;
            // pass A: block maxima, exp(z - running max) into g, their sum
            float[] blockMax = s.blockMax;
            double expSum = 0;
            float m = Float.NEGATIVE_INFINITY;
            int masked = 0;
            int blocks = 0;
            for (int b = off; b < end; b += block, blocks++) {
                int e = Math.min(end, b + block);
                if (eps > 0) {
                    masked += k.countNegativeInfinity(z, b, e);
                }
                float mb = Math.max(m, k.max(z, b, e));
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
                expSum += k.expSum(z, b, e, mb, g, b);
                m = mb;
            }
            if (m == Float.NEGATIVE_INFINITY) {
                // every class masked: no distribution (the gradient row is already 0)
                return Double.POSITIVE_INFINITY;
            }
            double logSum = StrictMath.log(expSum);
            double lse = m + logSum;
            float zy = z[off + y];
            boolean yMasked = zy == Float.NEGATIVE_INFINITY;
            double wy = w == null ? 1.0 : w[y];

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
                k.smoothedRow(z, off, null, 0, w, 0, classes, 0f, 0f, m, s.sums);
                openWeight = s.sums[1];
            } else if (smoothing && masked > 0) {
                openWeight = open;
            }
            double bigW = t + spread * (openWeight - (offTarget && !yMasked ? wy : 0.0));

            // pass B: the gradient row
            double ey = 0;
            double fy = 0;
            double distance = 0;
            if (g != null) {
                int by = y / block;
                ey = g[off + y];
                fy = StrictMath.exp((double) blockMax[by] - m) / expSum * bigW * scale;
                boolean careful = smoothing || !Double.isFinite(lse);
                float sf = (float) (spread * scale);
                for (int b = off, bi = 0; b < end; b += block, bi++) {
                    int e = Math.min(end, b + block);
                    float f = (float) (StrictMath.exp((double) blockMax[bi] - m) / expSum * bigW * scale);
                    if (careful) {
                        k.smoothedRow(z, b, g, b, w, b - off, e - b, f, sf, m, s.sums);
                        distance += s.sums[0];
                    } else {
                        k.scale(g, b, e, f);
                    }
                }
                double ay = t + (ySpread ? spread * wy : 0.0);
                g[off + y] = yMasked ? 0f : (float) (ey * fy - ay * scale) + 0f;
            } else if (smoothing) {
                k.smoothedRow(z, off, null, 0, w, 0, classes, 0f, 0f, m, s.sums);
                distance = s.sums[0];
            }

            // the loss
            double l = 0;
            if (t != 0) {
                if (yMasked) {
                    if (!Double.isNaN(lse)) {
                        return Double.POSITIVE_INFINITY;
                    }
                } else {
                    l = t * (((double) m - zy) + logSum); // lse - z_y, without rounding lse near |m| first
                }
            }
            if (smoothing) {
                if (Double.isInfinite(distance) && Double.isFinite(lse)) {
                    // the float32 block sums of w_c (m - z_c) overflowed (entries near -FLT_MAX, or m near
                    // FLT_MAX over many classes) while spread * distance need not: the sum again, in double
                    distance = distanceInDouble(off, end, m);
                }
                double d = distance + logSum * openWeight;
                if (offTarget && !yMasked) {
                    d -= wy * (((double) m - zy) + logSum);
                }
                l += spread * d;
            }
            return l;
        }
    }
}
