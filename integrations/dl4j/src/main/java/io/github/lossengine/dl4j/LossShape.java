package io.github.lossengine.dl4j;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PairLoss;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * How a lossengine loss maps onto DL4J's per-example contract: which losses score a row (one value
 * per example) and which score elements, how an example's elements are combined, whether the loss
 * takes class indices, and which activations it fuses.
 *
 * <p>Thread-safety: immutable.
 */
record LossShape(Loss loss, boolean rowLoss, boolean meanOverOutputs, boolean takesIndices, boolean indicesOnly) {

    /**
     * The shape of {@code loss}, refusing what a DL4J output layer cannot feed: pair and triplet
     * losses and {@code gaussian_nll} (more than predictions and targets), {@link Reduction#NONE}
     * (DL4J reduces), and a softmax cross-entropy {@code normalizer} (DL4J divides by the minibatch).
     */
    static LossShape of(Loss loss) {
        if (loss instanceof PairLoss || loss.arity() != 2) {
            throw new InvalidInputException("loss", loss.name() + " takes " + loss.inputNames()
                    + "; a DL4J output layer gives predictions and labels only");
        }
        if (loss.reduction() == Reduction.NONE) {
            throw new InvalidInputException("loss", "reduction none: DL4J reduces the per-example scores itself;"
                    + " use mean (each example's mean over its outputs) or sum");
        }
        if (loss instanceof SoftmaxCrossEntropy ce && ce.normalizer() != SoftmaxCrossEntropy.OFF) {
            throw new InvalidInputException("loss", "normalizer " + ce.normalizer() + ": DL4J divides by the"
                    + " minibatch size itself (computeScore's average, and the updater for the gradient)");
        }
        boolean row = loss instanceof SoftmaxCrossEntropy || loss instanceof Nll || loss instanceof MulticlassHinge;
        boolean indicesOnly = loss instanceof Nll || loss instanceof MulticlassHinge;
        return new LossShape(loss, row, !row && loss.reduction() == Reduction.MEAN, row, indicesOnly);
    }

    /** The loss that gives one value per example (row losses) or per element. */
    Loss perElement() {
        return loss.reduction(Reduction.NONE);
    }

    /**
     * Whether the loss takes {@code preOutput} itself with this activation, so that the activation
     * happens inside lossengine's fused pass: always with {@link ActivationIdentity}; with
     * {@link ActivationSoftmax} for softmax cross-entropy; with {@link ActivationSigmoid} for
     * {@code bce_with_logits} and {@code focal}.
     */
    boolean fuses(IActivation activation) {
        return activation instanceof ActivationIdentity
                || activation instanceof ActivationSoftmax && loss instanceof SoftmaxCrossEntropy
                || activation instanceof ActivationSigmoid && (loss instanceof BceWithLogits || loss instanceof Focal);
    }

    /** The class-index value whose rows the loss skips, or {@code null} when it has none. */
    Long ignoreIndex() {
        if (loss instanceof SoftmaxCrossEntropy ce) {
            return ce.ignoreIndex();
        }
        if (loss instanceof Nll nll) {
            return nll.ignoreIndex();
        }
        return null;
    }
}
