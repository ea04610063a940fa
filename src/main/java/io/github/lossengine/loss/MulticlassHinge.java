package io.github.lossengine.loss;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Reduction;

/**
 * Multi-class hinge loss on float32 scores {@code x} [N, C] with int32 or int64 class-index targets
 * [N] (an index outside [0, C) is refused with its position and value). With
 * {@code z_j = margin - x_y + x_j}:
 * <ul>
 *   <li>{@link Variant#WESTON_WATKINS} (PyTorch {@code multi_margin_loss}):
 *   {@code l_i = w_y sum_(j != y) max(0, z_j)^p / C}. PyTorch divides by C; CS231n's SVM loss does
 *   not (multiply by C to get it).</li>
 *   <li>{@link Variant#CRAMMER_SINGER}: {@code l_i = w_y max(0, max_(j != y) z_j)^p}; ties in the
 *   maximum go to the lowest index.</li>
 * </ul>
 * Gradient: for each active {@code z_j > 0} (strictly, as PyTorch: a margin met exactly,
 * {@code z_j == 0}, contributes nothing), {@code +w_y p z_j^(p-1)} at {@code j} and the negative at
 * {@code y} (scaled by 1/C for Weston-Watkins; for Crammer-Singer only the maximising {@code j}).
 * With {@code C = 1} there is no wrong class and the loss is 0. Class weights, when given, must have
 * C entries. {@link Reduction#MEAN} divides by N, not by the weights (as PyTorch);
 * {@link Reduction#NONE} gives one loss per row, shape [N]. Defaults: Weston-Watkins, {@code p = 1},
 * {@code margin = 1}.
 *
 * <p>NaN: a NaN {@code z_j} counts as active, so a NaN score makes its row's loss and gradient NaN.
 * PyTorch's {@code z > 0} test is false for NaN, which silently drops the term (loss 0 for a NaN
 * true-class score); we show it instead.
 *
 * <p>Thread-safety: immutable.
 */
public record MulticlassHinge(Reduction reduction, Variant variant, int p, double margin, float[] classWeights)
        implements PredictionLoss {

    /** How the per-class margins of one row are combined. */
    public enum Variant {
        /** Sum over the wrong classes, divided by C (PyTorch {@code multi_margin_loss}). */
        WESTON_WATKINS,
        /** The largest violation only. */
        CRAMMER_SINGER
    }

    public MulticlassHinge {
        LossOptions.requireReduction(reduction, "multiclass_hinge", false);
        java.util.Objects.requireNonNull(variant, "variant");
        if (p != 1 && p != 2) {
            throw new InvalidInputException("p", "must be 1 or 2, got " + p);
        }
        LossOptions.requireFinite("margin", margin);
        classWeights = LossOptions.weights("weight", classWeights);
    }

    public MulticlassHinge() {
        this(Reduction.MEAN, Variant.WESTON_WATKINS, 1, 1.0, null);
    }

    @Override
    public MulticlassHinge reduction(Reduction reduction) {
        return new MulticlassHinge(reduction, variant, p, margin, classWeights);
    }

    public MulticlassHinge variant(Variant variant) {
        return new MulticlassHinge(reduction, variant, p, margin, classWeights);
    }

    /** The exponent, 1 or 2. */
    public MulticlassHinge p(int p) {
        return new MulticlassHinge(reduction, variant, p, margin, classWeights);
    }

    public MulticlassHinge margin(double margin) {
        return new MulticlassHinge(reduction, variant, p, margin, classWeights);
    }

    /** One weight per class, or {@code null}; copied. */
    public MulticlassHinge classWeights(float[] classWeights) {
        return new MulticlassHinge(reduction, variant, p, margin, classWeights);
    }

    @Override
    public float[] classWeights() {
        return LossOptions.copy(classWeights);
    }

    @Override
    public String name() {
        return "multiclass_hinge";
    }
}
