package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;

/**
 * CPU {@link SoftmaxCrossEntropy}, one row at a time in three passes over the row's logits: (1) the
 * maximum and the support (classes whose logit is not {@code -inf}); (2) {@code sum exp(z - max)} and
 * {@code W = sum_c w_c q_c}; (3) the loss {@code -sum_c w_c q_c log p_c} and, in the same loop, the gradient
 * {@code p_k W - w_k q_k}. Nothing of size {@code N x C} is allocated.
 */
final class SoftmaxCrossEntropyCpu implements CpuLoss<SoftmaxCrossEntropy> {

    /**
     * A call whose inputs passed every check: its shape, target kind, class weights (a copy, or
     * null) and the factor from summed row losses to the reduced loss.
     */
    record Checked(long rows, long classes, boolean probabilities, float[] weights, double scale, double denominator) {
    }

    /** Checks every input (throwing {@link InvalidInputException} before anything is written). */
    static Checked check(SoftmaxCrossEntropy loss, Tensor z, Tensor target) {
        return check(loss, z, target, true);
    }

    /**
     * {@link #check(SoftmaxCrossEntropy, Tensor, Tensor)}, with the last check, every probability
     * target finite and {@code >= 0} ({@link #requireProbabilities}), left to the caller where
     * {@code probabilitiesToo} is false (the fused path checks them in parallel first).
     */
    static Checked check(SoftmaxCrossEntropy loss, Tensor z, Tensor target, boolean probabilitiesToo) {
        ClassRows.requireScores(z, "logits [N, C]");
        long rows = z.dim(0);
        long classes = z.dim(1);
        boolean probabilities = probabilityTargets(z, target);
        return check(loss, rows, classes, probabilities ? null : target, probabilities ? target : null, "input",
                probabilitiesToo);
    }

    /**
     * The checks of {@link #check(SoftmaxCrossEntropy, Tensor, Tensor)} once the shapes are known:
     * the class weights, then class indices {@code indices} [rows] (or probabilities
     * {@code probabilities} [rows, classes]) and the MEAN factor; {@code input} names the rows'
     * input in the refusal of an empty MEAN.
     */
    static Checked check(SoftmaxCrossEntropy loss, long rows, long classes, Tensor indices, Tensor probabilities,
                         String input) {
        return check(loss, rows, classes, indices, probabilities, input, true);
    }

    private static Checked check(SoftmaxCrossEntropy loss, long rows, long classes, Tensor indices,
                                 Tensor probabilities, String input, boolean probabilitiesToo) {
        float[] w = loss.classWeights();
        Checks.requireClassWeights(w, classes);
        Reduction r = loss.reduction();
        boolean own = SoftmaxStatistics.ownDenominator(loss);
        double scale = own ? Reductions.scale(r, rows, rows, input) : 1.0;
        double denominator = rows;
        if (probabilities != null) {
            if (probabilitiesToo) {
                requireProbabilities(probabilities);
            }
        } else {
            denominator = ClassRows.weightTotal("target", indices, classes, loss.ignoreIndex(), w);
            if (own) {
                scale = ClassRows.scale(r, denominator, loss.allIgnored(), "target");
            }
        }
        return new Checked(rows, classes, probabilities != null, w, SoftmaxStatistics.scale(loss, scale), denominator);
    }

    @Override
    public LossResult compute(SoftmaxCrossEntropy loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor z = inputs[0];
        Tensor target = inputs[1];
        Checked checked = check(loss, z, target);
        long rows = checked.rows();
        long classes = checked.classes();
        boolean probabilities = checked.probabilities();
        float[] w = checked.weights();
        Reduction r = loss.reduction();
        double scale = checked.scale();

        TargetDistribution q = new TargetDistribution(target, probabilities, classes, loss.labelSmoothing(),
                loss.smoothing());
        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(rows)] : null;
        Tensor g = gradients[0];
        CompensatedSum sum = new CompensatedSum();
        float[] lse = new float[Math.toIntExact(rows)];
        Options o = new Options(loss.softcap(), loss.zLoss(), lse);
        for (long i = 0; i < rows; i++) {
            boolean ignored = !probabilities && target.getLong(i) == loss.ignoreIndex();
            lse[(int) i] = Float.NaN;
            double zw = probabilities ? 1.0 : weight(w, ignored ? 0 : target.getLong(i));
            double l = ignored ? 0.0 : row(z, i, classes, w, q, scale, g, o, zw);
            if (ignored && g != null) {
                fill(g, i * classes, classes);
            }
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
        }
        return ClassRows.result(r, sum.value(), scale, loss.allIgnored(), values, rows, gradients)
                .withStatistics(SoftmaxStatistics.of(loss, probabilities ? null : target, w, lse,
                        checked.denominator(), scale));
    }

    /** The softcap (0: off), the z-loss coefficient, and where each row's log-sum-exp goes. */
    private record Options(double cap, double zLoss, float[] lse) {
        double logit(Tensor z, long at) {
            return SoftmaxStatistics.cap(z.getFloat(at), cap);
        }
    }

    /**
     * The loss of row {@code i} (its z-loss, weighted by {@code zw}, included); writes its gradient
     * (times {@code scale}) when {@code g} is non-null, and its log-sum-exp into {@code o.lse()}.
     */
    private static double row(Tensor z, long i, long classes, float[] w, TargetDistribution q, double scale,
                              Tensor g, Options o, double zw) {
        long off = i * classes;
        double max = Double.NEGATIVE_INFINITY;
        long support = 0;
        for (long c = 0; c < classes; c++) {
            double zc = o.logit(z, off + c);
            if (zc != Double.NEGATIVE_INFINITY) {
                support++;
                max = Math.max(max, zc);
            }
        }
        if (support == 0) {
            // every class masked: no distribution to compare with
            if (g != null) {
                fill(g, off, classes);
            }
            o.lse()[(int) i] = Float.NEGATIVE_INFINITY;
            return Double.POSITIVE_INFINITY;
        }
        q.startRow(i, support, z);
        // sum exp(z - max) less the maximum's own 1, so that log1p keeps a confident row's tiny loss
        CompensatedSum excess = new CompensatedSum();
        boolean maxSeen = false;
        CompensatedSum weightedMass = new CompensatedSum();
        for (long c = 0; c < classes; c++) {
            double zc = o.logit(z, off + c);
            boolean masked = zc == Double.NEGATIVE_INFINITY;
            if (!masked) {
                if (zc == max && !maxSeen) {
                    maxSeen = true;
                } else {
                    excess.add(Math.exp(zc - max));
                }
            }
            weightedMass.add(weight(w, c) * q.mass(c, masked));
        }
        // a NaN logit (never equal to the maximum) or a +inf one leaves no distribution: NaN
        double logSum = maxSeen && max != Double.POSITIVE_INFINITY ? Math.log1p(excess.value()) : Double.NaN;
        double logSumExp = max + logSum;
        o.lse()[(int) i] = (float) logSumExp;
        // the z-loss coef w lse^2 adds 2 coef w lse p_k to the gradient: to W, which multiplies p_k
        boolean zLoss = o.zLoss() > 0 && zw != 0;
        double bigW = weightedMass.value() + (zLoss ? 2 * o.zLoss() * zw * logSumExp : 0.0);
        CompensatedSum loss = new CompensatedSum();
        if (zLoss) {
            loss.add(o.zLoss() * zw * logSumExp * logSumExp);
        }
        boolean infinite = false;
        for (long c = 0; c < classes; c++) {
            double zc = o.logit(z, off + c);
            boolean masked = zc == Double.NEGATIVE_INFINITY;
            double a = weight(w, c) * q.mass(c, masked);
            if (a != 0) {
                // a masked class with target mass: log p = -inf
                infinite |= masked;
                if (!masked) {
                    loss.add(a * ((max - zc) + logSum));
                }
            }
            if (g != null) {
                double d = masked ? 0.0 : Math.exp((zc - max) - logSum) * bigW - a;
                if (o.cap() != 0 && !masked) {
                    d *= 1 - (zc / o.cap()) * (zc / o.cap());
                }
                // + 0f: a zero gradient is +0, also under the 0 scale of an all-ignored mean
                g.setFloat(off + c, (float) (d * scale) + 0f);
            }
        }
        return infinite && !Double.isNaN(logSumExp) ? Double.POSITIVE_INFINITY : loss.value();
    }

    private static double weight(float[] w, long c) {
        return w == null ? 1.0 : w[(int) c];
    }

    private static void fill(Tensor g, long off, long count) {
        for (long c = 0; c < count; c++) {
            g.setFloat(off + c, 0f);
        }
    }

    /** True for probability targets [N, C] (float32), false for class indices [N] (int32/int64); refuses others. */
    private static boolean probabilityTargets(Tensor z, Tensor target) {
        if (target.rank() == 1) {
            if (!target.dtype().isInteger()) {
                throw new InvalidInputException("target", "a target of shape " + Arrays.toString(target.shape())
                        + " holds class indices and must be int32 or int64, got " + target.dtype()
                        + " (probability targets have the input's shape [N, C])");
            }
            ClassRows.requireShape("target", target, z.dim(0));
            return false;
        }
        if (target.rank() == 2) {
            if (target.dtype().isInteger()) {
                throw new InvalidInputException("target", "a target of shape " + Arrays.toString(target.shape())
                        + " holds class probabilities and must be float32, got " + target.dtype()
                        + " (class indices have shape [N])");
            }
            Checks.requireSameShape("input", z, "target", target);
            return true;
        }
        throw new InvalidInputException("target", "must be class indices [N] or probabilities [N, C], got shape "
                + Arrays.toString(target.shape()));
    }

    /** Probability targets must be finite and {@code >= 0}; rows need not sum to 1 (as PyTorch). */
    /** Every element of {@code t} finite and {@code >= 0}, else the refusal naming the first that is not. */
    static void requireProbabilities(Tensor t) {
        for (long i = 0; i < t.size(); i++) {
            double v = t.getFloat(i);
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw InvalidInputException.at("target", t, i, Checks.format(v), "probabilities must be finite and >= 0");
            }
        }
    }

    /**
     * The smoothed target distribution {@code q} of one row at a time, over the row's support (the
     * {@code K} classes whose logit is not {@code -inf}); masked classes get no smoothing mass. See
     * {@link SoftmaxCrossEntropy} for the formulas. Mutable; one per call.
     */
    private static final class TargetDistribution {
        private final Tensor target;
        private final boolean probabilities;
        private final long classes;
        private final double eps;
        private final boolean offTarget;
        private long off;
        private long y;
        private double onTarget;
        private double spread;
        private double total;

        TargetDistribution(Tensor target, boolean probabilities, long classes, double eps, SmoothingConvention s) {
            this.target = target;
            this.probabilities = probabilities;
            this.classes = classes;
            this.eps = eps;
            this.offTarget = s == SmoothingConvention.OFF_TARGET;
        }

        /** Prepares row {@code i}, whose support has {@code support >= 1} classes. */
        void startRow(long i, long support, Tensor z) {
            off = i * classes;
            if (probabilities) {
                if (offTarget) {
                    CompensatedSum t = new CompensatedSum();
                    for (long c = 0; c < classes; c++) {
                        t.add(target.getFloat(off + c));
                    }
                    total = t.value();
                    spread = support == 1 ? 0.0 : eps / (support - 1);
                    onTarget = support == 1 ? 1.0 : 1 - eps;
                } else {
                    spread = eps / support;
                    onTarget = 1 - eps;
                }
                return;
            }
            y = target.getLong(i);
            if (offTarget) {
                long others = support - (z.getFloat(off + y) == Float.NEGATIVE_INFINITY ? 0 : 1);
                spread = others == 0 ? 0.0 : eps / others;
                onTarget = others == 0 ? 1.0 : 1 - eps;
            } else {
                spread = eps / support;
                onTarget = 1 - eps;
            }
        }

        /** {@code q_c} of the current row. */
        double mass(long c, boolean masked) {
            if (probabilities) {
                double t = target.getFloat(off + c);
                if (masked) {
                    return onTarget * t;
                }
                return onTarget * t + spread * (offTarget ? Math.max(total - t, 0.0) : 1.0);
            }
            if (c == y) {
                return onTarget + (offTarget || masked ? 0.0 : spread);
            }
            return masked ? 0.0 : spread;
        }
    }
}
