package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;

/**
 * Fused float32 {@link SoftmaxCrossEntropy} with probability (soft) targets {@code t} [N, C], the part
 * of {@link FusedSoftmaxCrossEntropy} that class-index targets do not take: every option the reference
 * {@link SoftmaxCrossEntropyCpu} has for them (class weights, label smoothing in both conventions,
 * z-loss, softcap, the normalizer, every reduction, {@code -inf} masks), float32 or 16-bit logits,
 * targets and gradients of any storage. Rows run in parallel.
 *
 * <p>Per row, with {@code K} open classes (logit not {@code -inf}) and the target mass
 * {@code a_c = w_c q_c} of {@link SoftTargetKernels} ({@code q_c = (1 - eps) t_c + eps / K} for
 * {@code UNIFORM}, {@code (1 - eps) t_c + eps / (K - 1) (T - t_c)} for {@code OFF_TARGET}, {@code T}
 * the row's total probability; masked classes keep {@code (1 - eps) t_c}):
 * <pre>
 *   loss_i = coef lse^2 + sum_open a_c (lse - z_c)        (+inf where a masked class has mass)
 *   grad_c = (p_c W - a_c) scale,  W = sum_c a_c + 2 coef lse,   masked classes 0
 * </pre>
 * Logits, targets and gradient are read and written in place where their storage is a heap
 * {@code float[]} (whole, a writable heap buffer, a {@link Tensor#ofRange} view; the logits only
 * without a softcap, and neither logits nor targets in the gradient's own array, as
 * {@code computeInPlace} has them), else through per-thread float32 rows, one bulk copy each way
 * ({@link Tensor#read}, {@link Tensor#write}): the same float32 values either way, so the bits do not
 * depend on the storage. Before any row, the targets are checked (finite, {@code >= 0}) in parallel
 * ({@link SoftTargetKernels#probabilities}); where one is not, the reference's check runs and refuses
 * as it does. Passes over the row: the maximum and the count of masked
 * classes; {@code e = exp(z - m)} into the gradient row and its compensated sum; (for
 * {@code OFF_TARGET}) {@code T} in double; {@code sum a_c} and {@code sum a_c (m - z_c)} in float
 * lanes; the gradient {@code e f - a_c s} with {@code f = W scale / sum e}, which also flags the
 * 8-element blocks where {@code p_c W} and {@code a_c} cancel; those blocks' entries again in double
 * (see {@code refine}). The loss is
 * {@code coef lse^2 + sum a_c (m - z_c) + log(sum e) sum a_c}, without cancellation. NaN in a row's
 * logits gives NaN for its loss and its open classes' gradient, as in the reference; a row whose
 * classes are all masked has loss {@code +inf} and gradient 0. Rows are summed per chunk with
 * {@link CompensatedSum}, chunks in order: the same bits on any thread count, and on the Vector
 * API and the scalar kernels. Tolerance against the reference: {@code FusedAssertions}'.
 *
 * <p>Stateless; per-thread scratch only. Thread-safe.
 */
final class FusedSoftTargetCrossEntropy {
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FusedSoftTargetCrossEntropy() {
    }

    /** Per-thread rows of logits, targets and gradient, and two sums. */
    private static final class Scratch {
        final double[] sums = new double[2];
        float[] z = new float[0];
        float[] t = new float[0];
        float[] g = new float[0];
        int[] blocks = new int[0];

        void fit(int classes) {
            if (z.length < classes) {
                z = new float[classes];
                t = new float[classes];
                g = new float[classes];
                blocks = new int[(classes + FloatKernels.LANES - 1) / FloatKernels.LANES];
            }
        }
    }

    /** Logits [N, C] and probability targets of a float type; a float gradient or none. */
    static boolean accepts(Tensor[] inputs, Tensor[] gradients) {
        Tensor z = inputs[0];
        Tensor target = inputs[1];
        Tensor g = gradients[0];
        return z.rank() == 2 && z.isFloat() && target.rank() == 2 && target.isFloat() && (g == null || g.isFloat());
    }

    static LossResult compute(SoftmaxCrossEntropy loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                              WorkerPool pool) {
        SoftmaxCrossEntropyCpu.Checked checked = SoftmaxCrossEntropyCpu.check(loss, inputs[0], inputs[1], false);
        int rows = Math.toIntExact(checked.rows());
        int classes = Math.toIntExact(checked.classes());
        // the last check, the targets finite and >= 0, in parallel; where one is not, the reference's refusal
        if (new Validation(inputs[1], rows, classes, k.softTargets(), Chunking.count(rows, classes)).runOn(pool) > 0) {
            SoftmaxCrossEntropyCpu.requireProbabilities(inputs[1]);
        }
        Reduction r = loss.reduction();
        float[] values = r == Reduction.NONE ? new float[rows] : null;
        Rows job = new Rows(loss, checked, inputs[0], inputs[1], gradients[0], values, k,
                Chunking.count(rows, classes));
        double sum = job.runOn(pool);
        return ClassRows.result(r, sum, checked.scale(), loss.allIgnored(), values, rows, gradients)
                .withStatistics(SoftmaxStatistics.of(loss, null, checked.weights(), job.lse, checked.denominator(),
                        checked.scale()));
    }

    /** How many chunks of rows hold a target that is not finite and {@code >= 0}. */
    private static final class Validation extends SumJob {
        private final Tensor target;
        private final float[] array;
        private final int offset;
        private final int rows;
        private final int classes;
        private final SoftTargetKernels soft;

        Validation(Tensor target, int rows, int classes, SoftTargetKernels soft, int chunks) {
            super(chunks);
            this.target = target;
            this.array = target.floatBackingArrayOrNull();
            this.offset = target.floatBackingOffset();
            this.rows = rows;
            this.classes = classes;
            this.soft = soft;
        }

        @Override
        double sumChunk(int c) {
            int from = (int) Chunking.start(rows, chunks(), c, 1);
            int to = (int) Chunking.start(rows, chunks(), c + 1, 1);
            if (array != null) {
                long len = (long) (to - from) * classes;
                for (long done = 0; done < len; done += Integer.MAX_VALUE / 2) {
                    int n = (int) Math.min(Integer.MAX_VALUE / 2, len - done);
                    if (!soft.probabilities(array, offset + (int) ((long) from * classes + done), n)) {
                        return 1;
                    }
                }
                return 0;
            }
            Scratch s = SCRATCH.get();
            s.fit(classes);
            for (int i = from; i < to; i++) {
                target.read((long) i * classes, s.t, 0, classes);
                if (!soft.probabilities(s.t, 0, classes)) {
                    return 1;
                }
            }
            return 0;
        }
    }

    /** The rows of one call, in chunks. */
    private static final class Rows extends SumJob {
        private final FloatKernels k;
        private final SoftTargetKernels soft;
        private final Tensor z;
        private final Tensor target;
        private final Tensor g;
        private final float[] values;
        private final float[] w;
        private final int rows;
        private final int classes;
        private final double eps;
        private final boolean offTarget;
        private final double scale;
        private final float cap;
        private final double zLoss;
        /** The heap arrays behind the logits (without a softcap), targets and gradient, or null: staged. */
        private final float[] zArray;
        private final float[] tArray;
        private final float[] gArray;
        private final int zOffset;
        private final int tOffset;
        private final int gOffset;
        /** Each row's log-sum-exp. */
        final float[] lse;

        Rows(SoftmaxCrossEntropy loss, SoftmaxCrossEntropyCpu.Checked c, Tensor z, Tensor target, Tensor g,
             float[] values, FloatKernels k, int chunks) {
            super(chunks);
            this.k = k;
            this.soft = k.softTargets();
            this.z = z;
            this.target = target;
            this.g = g;
            this.values = values;
            this.w = c.weights();
            this.rows = (int) c.rows();
            this.classes = (int) c.classes();
            this.eps = loss.labelSmoothing();
            this.offTarget = loss.smoothing() == SmoothingConvention.OFF_TARGET;
            this.scale = c.scale();
            this.cap = (float) loss.softcap();
            this.zLoss = loss.zLoss();
            this.lse = new float[rows];
            float[] ga = g == null ? null : g.floatBackingArrayOrNull();
            float[] za = cap == 0 ? z.floatBackingArrayOrNull() : null;
            float[] ta = target.floatBackingArrayOrNull();
            // an operand in the gradient's own array (computeInPlace writes the gradient over the logits)
            // is staged: the passes after the gradient's would read it overwritten
            this.zArray = ga != null && za == ga ? null : za;
            this.zOffset = z.floatBackingOffset();
            this.tArray = ga != null && ta == ga ? null : ta;
            this.tOffset = target.floatBackingOffset();
            this.gArray = ga;
            this.gOffset = g == null ? 0 : g.floatBackingOffset();
        }

        @Override
        double sumChunk(int c) {
            int from = (int) Chunking.start(rows, chunks(), c, 1);
            int to = (int) Chunking.start(rows, chunks(), c + 1, 1);
            Scratch s = SCRATCH.get();
            s.fit(classes);
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

        private double row(int i, Scratch s) {
            long off = (long) i * classes;
            // in place where the storage is a heap array (and the logits need no softcap), else staged
            float[] zs = zArray;
            int zo = zArray == null ? 0 : zOffset + (int) off;
            if (zs == null) {
                zs = s.z;
                z.read(off, zs, 0, classes);
                if (cap != 0) {
                    for (int c = 0; c < classes; c++) {
                        zs[c] = (float) SoftmaxStatistics.cap(zs[c], cap);
                    }
                }
            }
            float[] ts = tArray;
            int to = tArray == null ? 0 : tOffset + (int) off;
            if (ts == null) {
                ts = s.t;
                target.read(off, ts, 0, classes);
            }
            float[] gs = g == null ? null : gArray != null ? gArray : s.g;
            int go = gArray == null ? 0 : gOffset + (int) off;
            float m = k.max(zs, zo, zo + classes);
            int masked = k.countNegativeInfinity(zs, zo, zo + classes);
            if (m == Float.NEGATIVE_INFINITY) {
                // every class masked: no distribution to compare with
                if (gs != null) {
                    Arrays.fill(gs, go, go + classes, 0f);
                    writeBack(off, gs);
                }
                lse[i] = Float.NEGATIVE_INFINITY;
                return Double.POSITIVE_INFINITY;
            }
            double expSum = k.expSum(zs, zo, zo + classes, m, gs, go);
            // a +inf logit leaves no distribution (as a NaN one, through m): NaN
            double logSum = m == Float.POSITIVE_INFINITY ? Double.NaN : StrictMath.log(expSum);
            double rowLse = m + logSum;
            lse[i] = (float) rowLse;

            int open = classes - masked;
            double spread;
            double onTarget;
            double total = 0;
            if (offTarget) {
                CompensatedSum t = new CompensatedSum();
                for (int c = 0; c < classes; c++) {
                    t.add(ts[to + c]);
                }
                total = t.value();
                spread = open == 1 ? 0.0 : eps / (open - 1);
                onTarget = open == 1 ? 1.0 : 1 - eps;
            } else {
                spread = eps / open;
                onTarget = 1 - eps;
            }
            float on = (float) onTarget;
            float sp = (float) spread;
            float tot = (float) total;
            soft.mass(zs, zo, ts, to, w, 0, classes, on, sp, tot, offTarget, m, s.sums);
            double openMass = s.sums[0];
            double distance = s.sums[1];
            double maskedMass = 0;
            if (masked > 0) {
                for (int c = 0; c < classes; c++) {
                    if (zs[zo + c] == Float.NEGATIVE_INFINITY) {
                        maskedMass += ScalarSoftTargetKernels.mass(zs[zo + c], ts[to + c], w == null ? 1f : w[c], on, sp,
                                tot, offTarget);
                    }
                }
            }
            // the z-loss coef lse^2 adds 2 coef lse p_k to the gradient: to W, which multiplies p_k
            boolean zTerm = zLoss > 0;
            if (gs != null) {
                double bigW = openMass + maskedMass + (zTerm ? 2 * zLoss * rowLse : 0.0);
                int[] blocks = s.blocks;
                int n = soft.gradient(zs, zo, ts, to, w, 0, gs, go, classes, on, sp, tot, offTarget,
                        (float) (bigW / expSum * scale), (float) scale, blocks);
                for (int b = 0; b < n; b++) {
                    refine(zs, zo, ts, to, gs, go, blocks[b], Math.min(classes, blocks[b] + FloatKernels.LANES), m,
                            logSum, bigW, onTarget, spread, total);
                }
                if (cap != 0) {
                    chain(gs, go, zs);
                }
                writeBack(off, gs);
            }
            if (maskedMass > 0 && !Double.isNaN(rowLse)) {
                // a masked class with target mass: log p = -inf
                return Double.POSITIVE_INFINITY;
            }
            if (Double.isInfinite(distance) && Double.isFinite(rowLse)) {
                // the float32 sums of a_c (m - z_c) overflowed while the loss need not: again, in double
                distance = distanceInDouble(zs, zo, ts, to, m, on, sp, tot);
            }
            return (zTerm ? zLoss * rowLse * rowLse : 0.0) + distance + logSum * openMass;
        }

        /** The staged gradient row back to the gradient tensor (nothing to do where it was written in place). */
        private void writeBack(long off, float[] gs) {
            if (gArray == null) {
                g.write(off, gs, 0, classes);
            }
        }

        /**
         * The entries in {@code [from, to)} where {@code p_c W} and {@code a_c} cancel (the float32 result
         * below an eighth of {@code a_c s}, where float32's rounding of {@code p_c} would show relative to the
         * result) again in double, with {@code p_c = exp((z_c - m) - log(sum e))}: every entry then within
         * about {@code 1e-6} of itself, as the reference's. Only the blocks the gradient kernel flagged hold
         * such entries; the test is repeated here on the common bits of both kernel sets: the same bits on
         * both.
         */
        private void refine(float[] zs, int zo, float[] ts, int tOff, float[] gs, int go, int from, int to, float m,
                            double logSum, double bigW, double onTarget, double spread, double total) {
            float on = (float) onTarget;
            float sp = (float) spread;
            float tot = (float) total;
            float sc = (float) scale;
            for (int c = from; c < to; c++) {
                float zc = zs[zo + c];
                if (zc == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                float tc = ts[tOff + c];
                float wc = w == null ? 1f : w[c];
                float a = ScalarSoftTargetKernels.mass(zc, tc, wc, on, sp, tot, offTarget) * sc;
                if (Math.abs(gs[go + c]) < 0.125f * a) {
                    double u = offTarget ? Math.max(total - tc, 0.0) : 1.0;
                    double ad = (double) wc * (onTarget * tc + spread * u);
                    double p = DoubleMath.exp(((double) zc - m) - logSum);
                    gs[go + c] = (float) ((p * bigW - ad) * scale) + 0f;
                }
            }
        }

        /** {@code sum a_c (m - z_c)} over the open classes, in double. */
        private double distanceInDouble(float[] zs, int zo, float[] ts, int to, float m, float on, float sp,
                                        float tot) {
            CompensatedSum d = new CompensatedSum();
            for (int c = 0; c < classes; c++) {
                float zc = zs[zo + c];
                if (zc != Float.NEGATIVE_INFINITY) {
                    float a = ScalarSoftTargetKernels.mass(zc, ts[to + c], w == null ? 1f : w[c], on, sp, tot, offTarget);
                    d.add(a * ((double) m - zc));
                }
            }
            return d.value();
        }

        /** The softcap's chain factor {@code 1 - (z'/cap)^2} on the gradient row. */
        private void chain(float[] gs, int go, float[] capped) {
            for (int c = 0; c < classes; c++) {
                double f = capped[c] / (double) cap;
                if (capped[c] != Float.NEGATIVE_INFINITY) {
                    gs[go + c] = (float) (gs[go + c] * (1 - f * f)) + 0f;
                }
            }
        }
    }
}
