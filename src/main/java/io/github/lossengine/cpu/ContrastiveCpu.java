package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Contrastive;

/**
 * CPU {@link Contrastive}: per row, with {@code v = x1 - x2 + eps} and {@code D = ||v||_2},
 * {@code D^2 / 2} for a similar pair (gradient {@code v}) and {@code max(0, margin - D)^2 / 2} for a
 * dissimilar one (gradient {@code -max(0, margin - D) v / D}, 0 at {@code D = 0}). Only the term of
 * the pair's label is evaluated.
 */
final class ContrastiveCpu extends EmbeddingRowsCpu<Contrastive> {
    ContrastiveCpu() {
        super(2, 1);
    }

    @Override
    protected void validateLabels(String arg, Tensor labels) {
        for (long i = 0; i < labels.size(); i++) {
            double y = labels.getDouble(i);
            if (y != 0 && y != 1) {
                throw InvalidInputException.at(arg, labels, i, Checks.format(y),
                        "labels must be 0 (similar pair) or 1 (dissimilar pair)");
            }
        }
    }

    @Override
    protected double row(Contrastive loss, double[][] x, double label, double[][] grad, double[][] work) {
        double[] v = work[0];
        difference(x[0], x[1], loss.eps(), v);
        double squared = sumOfSquares(v);
        double l;
        double factor;
        if (label == 0) {
            l = 0.5 * squared;
            factor = 1;
        } else {
            double dist = Math.sqrt(squared);
            double gap = Math.max(0, loss.margin() - dist);
            l = 0.5 * gap * gap;
            factor = dist == 0 ? 0 : -gap / dist;
        }
        if (grad != null) {
            for (int j = 0; j < v.length; j++) {
                // exactly +0 outside the margin, even for an infinite coordinate
                boolean zero = factor == 0;
                grad[0][j] = zero ? 0 : factor * v[j];
                grad[1][j] = zero ? 0 : -factor * v[j];
            }
        }
        return l;
    }
}
