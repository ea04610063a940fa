package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;

/**
 * What the row losses over classes (softmax cross-entropy, nll) share: the check of their scores
 * {@code [N, C]}, the checks of class-index targets {@code [N]} with {@code ignore_index}, PyTorch's
 * weighted MEAN denominator {@code sum_i w_(y_i)} over rows not ignored, and the
 * {@link AllIgnoredPolicy} when that denominator is 0.
 */
final class ClassRows {
    private ClassRows() {
    }

    /** Requires float32 scores {@code [N, C]} (logits or log-probabilities) with {@code C > 0} when {@code N > 0}. */
    static void requireScores(Tensor x, String layout) {
        Checks.requireFloat("input", x);
        Checks.requireRank("input", x, 2, layout);
        if (x.dim(1) == 0 && x.dim(0) > 0) {
            throw new InvalidInputException("input", "shape [" + x.dim(0) + ", 0]: no classes");
        }
    }

    /** Requires an int32/int64 tensor of shape {@code [rows]}. */
    static void requireShape(String arg, Tensor target, long rows) {
        Checks.requireInteger(arg, target);
        Checks.requireRank(arg, target, 1, "class indices [N]");
        if (target.dim(0) != rows) {
            throw new InvalidInputException(arg, target.dim(0) + " class indices for " + rows + " rows of input");
        }
    }

    /**
     * Checks every index ({@code ignoreIndex} or in {@code [0, classes)}) and returns the MEAN
     * denominator: the sum of the target classes' weights over rows not ignored (their count without
     * weights).
     */
    static double weightTotal(String arg, Tensor target, long classes, long ignoreIndex, float[] weights) {
        CompensatedSum total = new CompensatedSum();
        for (long i = 0; i < target.size(); i++) {
            long y = target.getLong(i);
            if (y == ignoreIndex) {
                continue;
            }
            if (y < 0 || y >= classes) {
                throw InvalidInputException.at(arg, target, i, Long.toString(y), "class index out of range [0, "
                        + classes + ") and not ignore_index (" + ignoreIndex + ")");
            }
            total.add(weights == null ? 1.0 : weights[(int) y]);
        }
        return total.value();
    }

    /**
     * The factor from the sum of row losses to the reduced loss (and from row gradients to gradients of
     * it): 1 for NONE and SUM, {@code 1 / denominator} for MEAN, and 0 for a MEAN with nothing to
     * average (every row ignored or of weight 0), which {@link AllIgnoredPolicy#ERROR} refuses here,
     * before anything is written.
     */
    static double scale(Reduction r, double denominator, AllIgnoredPolicy policy, String arg) {
        if (r != Reduction.MEAN) {
            return 1.0;
        }
        if (denominator > 0) {
            return 1.0 / denominator;
        }
        if (policy == AllIgnoredPolicy.ERROR) {
            throw new InvalidInputException(arg, "every row is ignored (target = ignore_index) or has class weight 0:"
                    + " the weighted mean is 0/0 (AllIgnoredPolicy.ERROR)");
        }
        return 0.0;
    }

    /** The result: {@code sum * scale}, or for a MEAN with nothing to average 0 or NaN as the policy says. */
    static LossResult result(Reduction r, double sum, double scale, AllIgnoredPolicy policy, float[] values,
                             long rows, Tensor[] gradients) {
        double s = sum;
        if (r == Reduction.MEAN && scale == 0) {
            s = policy == AllIgnoredPolicy.NAN ? Double.NaN : 0.0;
        }
        return Reductions.result(r, s, scale, values, new long[] {rows}, gradients);
    }
}
