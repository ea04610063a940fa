package io.github.lossengine.property;

import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.testing.ValidInputs;
import java.util.SplittableRandom;

/**
 * A loss of the catalogue with options drawn at random (class and element weights, label smoothing
 * in both conventions, ignore_index, probability targets, variants, margins, ...), valid inputs for
 * it, and what its default reduction divides the sum by.
 */
public record Configured(Loss loss, Tensor[] inputs, double denominator) {

    /** {@code name} with options and inputs ([n, c] where the loss takes a matrix) drawn from {@code seed}. */
    public static Configured draw(String name, int n, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
        Tensor[] in = ValidInputs.of(name, n, c, 3.0, seed);
        double elements = in[0].size();
        switch (name) {
            case "softmax_cross_entropy": {
                float[] w = r.nextBoolean() ? positive(r, c) : null;
                SmoothingConvention conv = r.nextBoolean() ? SmoothingConvention.UNIFORM : SmoothingConvention.OFF_TARGET;
                var loss = Losses.softmaxCrossEntropy().classWeights(w).labelSmoothing(pick(r, 0, 0.1, 0.3), conv);
                if (r.nextInt(3) == 0) {
                    // probability targets [n, c]: every row a distribution; MEAN divides by n, weights or not
                    in[1] = ValidInputs.of("kl_div", n, c, 1.0, seed + 1)[1];
                    return new Configured(loss, in, n);
                }
                long ignore = ignoreSome(r, in, c);
                return new Configured(loss.ignoreIndex(ignore), in, weightOfTargets(in[1], w, ignore));
            }
            case "linear_cross_entropy": {
                float[] w = r.nextBoolean() ? positive(r, c) : null;
                var loss = Losses.linearCrossEntropy().classWeights(w).labelSmoothing(pick(r, 0, 0.1))
                        .chunkRows(1 + r.nextInt(n));
                return new Configured(loss, in, weightOfTargets(in[2], w, -100));
            }
            case "nll": {
                float[] w = r.nextBoolean() ? positive(r, c) : null;
                long ignore = ignoreSome(r, in, c);
                return new Configured(Losses.nll().classWeights(w).ignoreIndex(ignore), in, weightOfTargets(in[1], w, ignore));
            }
            case "binary_cross_entropy":
                return new Configured(Losses.binaryCrossEntropy().weight(elementWeights(r, n, c)), in, elements);
            case "bce_with_logits": {
                int k = r.nextInt(3);
                float[] pw = k == 0 ? null : positive(r, k == 1 ? 1 : c);
                return new Configured(Losses.bceWithLogits().weight(elementWeights(r, n, c)).posWeight(pw), in, elements);
            }
            case "huber":
                return new Configured(Losses.huber().delta(pick(r, 0.5, 1, 2)), in, elements);
            case "smooth_l1":
                return new Configured(Losses.smoothL1().beta(pick(r, 0.5, 1, 2)), in, elements);
            case "kl_div": {
                boolean logTarget = r.nextBoolean();
                if (logTarget) {
                    float[] t = in[1].toFloatArray();
                    for (int i = 0; i < t.length; i++) {
                        t[i] = (float) Math.log(t[i]);
                    }
                    in[1] = Tensor.of(t, in[1].shape());
                }
                boolean batchMean = r.nextBoolean();
                return new Configured(Losses.klDiv().logTarget(logTarget).reduction(batchMean ? Reduction.BATCHMEAN : Reduction.MEAN),
                        in, batchMean ? n : elements);
            }
            case "hinge":
                return new Configured(Losses.hinge().margin(pick(r, 0.5, 1, 2)), in, elements);
            case "squared_hinge":
                return new Configured(Losses.squaredHinge().margin(pick(r, 0.5, 1, 2)), in, elements);
            case "multiclass_hinge":
                // MEAN divides by the rows, not by the weights
                return new Configured(Losses.multiclassHinge()
                        .variant(r.nextBoolean() ? MulticlassHinge.Variant.CRAMMER_SINGER : MulticlassHinge.Variant.WESTON_WATKINS)
                        .p(1 + r.nextInt(2)).margin(pick(r, 0.5, 1, 2)).classWeights(r.nextBoolean() ? positive(r, c) : null), in, n);
            case "contrastive":
                return new Configured(Losses.contrastive().margin(pick(r, 0.5, 1, 2)).eps(pick(r, 0, 1e-6)), in, n);
            case "triplet":
                return new Configured(Losses.triplet().margin(pick(r, 0.5, 1, 2)).p(pick(r, 1, 2)).swap(r.nextBoolean()), in, n);
            case "focal":
                return new Configured(Losses.focal().gamma(pick(r, 0, 1.5, 2, 3)).alpha(pick(r, 0.25, 0.5, -1)), in, elements);
            case "poisson_nll": {
                boolean logInput = r.nextBoolean();
                if (!logInput) {
                    // rates, not log-rates: strictly positive
                    float[] x = in[0].toFloatArray();
                    for (int i = 0; i < x.length; i++) {
                        x[i] = Math.abs(x[i]) + 0.1f;
                    }
                    in[0] = Tensor.of(x, in[0].shape());
                }
                return new Configured(Losses.poissonNll().logInput(logInput).full(r.nextBoolean()), in, elements);
            }
            case "gaussian_nll":
                return new Configured(Losses.gaussianNll().full(r.nextBoolean()).eps(pick(r, 1e-6, 0.1)), in, elements);
            case "cosine_embedding":
                return new Configured(Losses.cosineEmbedding().margin(pick(r, 0, 0.3)), in, n);
            case "margin_ranking":
                return new Configured(Losses.marginRanking().margin(pick(r, 0, 0.5)), in, elements);
            default: // mse, mae, log_cosh: no options
                return new Configured(Losses.byName(name), in, elements);
        }
    }

    private static double pick(SplittableRandom r, double... values) {
        return values[r.nextInt(values.length)];
    }

    private static float[] positive(SplittableRandom r, int count) {
        float[] w = new float[count];
        for (int i = 0; i < count; i++) {
            w[i] = (float) (0.1 + 2 * r.nextDouble());
        }
        return w;
    }

    /** None, one per column, or one per element. */
    private static float[] elementWeights(SplittableRandom r, int n, int c) {
        int k = r.nextInt(3);
        return k == 0 ? null : positive(r, k == 1 ? c : n * c);
    }

    /**
     * An ignore_index (-100, -1, or the valid class 0) set on about a third of the rows of
     * {@code in[1]} but never on row 0, so that some row counts; returns it.
     */
    private static long ignoreSome(SplittableRandom r, Tensor[] in, int c) {
        long ignore = c > 1 ? (long) pick(r, -100, -1, 0) : (long) pick(r, -100, -1);
        int[] t = new int[(int) in[1].size()];
        for (int i = 0; i < t.length; i++) {
            long y = in[1].getLong(i);
            t[i] = (int) (i > 0 && r.nextInt(3) == 0 ? ignore : y == ignore ? 1 : y);
        }
        in[1] = Tensor.ofInts(t, t.length);
        return ignore;
    }

    /** Sum of the class weights of the rows not ignored: what MEAN divides by for index targets. */
    private static double weightOfTargets(Tensor target, float[] w, long ignore) {
        double s = 0;
        for (long i = 0; i < target.size(); i++) {
            long y = target.getLong(i);
            s += y == ignore ? 0 : w == null ? 1 : w[(int) y];
        }
        return s;
    }
}
