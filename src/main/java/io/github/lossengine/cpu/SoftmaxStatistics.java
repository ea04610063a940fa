package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.SoftmaxCrossEntropy;

/**
 * What every backend's softmax cross-entropy shares about its large-model options: the MEAN
 * factor (this call's own denominator, or the caller's {@code normalizer}) and the
 * {@link LossResult.RowStatistics} it reports (the denominator, the z-loss part of the value
 * recomputed in double from the per-row log-sum-exp, and that log-sum-exp). Stateless.
 */
public final class SoftmaxStatistics {
    private SoftmaxStatistics() {
    }

    /**
     * The factor from summed row losses to the reduced loss: {@code 1 / normalizer} for MEAN with a
     * normaliser, else {@code ownScale} (which the caller computed from its own denominator and the
     * all-ignored policy).
     */
    public static double scale(SoftmaxCrossEntropy loss, double ownScale) {
        return loss.normalizer() != SoftmaxCrossEntropy.OFF && loss.reduction() == Reduction.MEAN
                ? 1.0 / loss.normalizer() : ownScale;
    }

    /** Whether the own denominator's checks (empty batch, all ignored under ERROR) apply. */
    public static boolean ownDenominator(SoftmaxCrossEntropy loss) {
        return loss.normalizer() == SoftmaxCrossEntropy.OFF;
    }

    /**
     * The statistics of one call: {@code zLoss = coef sum_i w_(y_i) lse_i^2} over rows not ignored,
     * times {@code scale} (for a MEAN with nothing to average, 0 or NaN as the policy gives the value).
     *
     * @param lse     the per-row log-sum-exp, NaN for ignored rows (float32, as computed)
     * @param weights class weights or null; {@code target} class indices, or null for probability targets
     */
    public static LossResult.RowStatistics of(SoftmaxCrossEntropy loss, Tensor target, float[] weights, float[] lse,
                                              double denominator, double scale) {
        double coef = loss.zLoss();
        double z = 0;
        if (coef > 0) {
            CompensatedSum s = new CompensatedSum();
            for (int i = 0; i < lse.length; i++) {
                double w = 1.0;
                if (target != null) {
                    long y = target.getLong(i);
                    if (y == loss.ignoreIndex()) {
                        continue;
                    }
                    w = weights == null ? 1.0 : weights[(int) y];
                }
                if (w != 0) {
                    s.add(coef * w * (double) lse[i] * lse[i]);
                }
            }
            z = s.value() * scale;
        }
        if (loss.reduction() == Reduction.MEAN && scale == 0) {
            z = loss.allIgnored() == AllIgnoredPolicy.NAN ? Double.NaN : 0.0;
        }
        return new LossResult.RowStatistics(denominator, z, Tensor.of(lse));
    }

    /** {@code cap tanh(z / cap)}, or {@code z} when {@code cap} is 0 (off) or {@code z = -inf}. */
    static double cap(double z, double cap) {
        return cap == 0 || z == Double.NEGATIVE_INFINITY ? z : cap * Math.tanh(z / cap);
    }
}
