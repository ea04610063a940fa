package io.github.lossengine.dl4j;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J labels as the lossengine target tensor.
 * <ul>
 *   <li>Labels of the output's shape {@code [minibatch, nOut]} are the targets as they are (one-hot
 *       or probability rows for softmax cross-entropy, values for element-wise losses), viewed
 *       without copying where {@link NdArrayViews} allows it.</li>
 *   <li>A column {@code [minibatch, 1]} (or a vector) of class indices, for the losses that take
 *       them (softmax cross-entropy, nll, multiclass hinge) with {@code nOut > 1}: copied to
 *       {@code int32} (ND4J stores them as floats; each must be a whole number). The loss's
 *       {@code ignore_index} value marks a row that is skipped.</li>
 *   <li>For nll and multiclass hinge, which take class indices only, one-hot rows of the output's
 *       shape are read as indices; an all-zero row (a padded RNN time step) is skipped.</li>
 * </ul>
 * A row that a per-example mask sets to 0 is skipped the same way: its index becomes the loss's
 * {@code ignore_index}, or, for a loss without one, class 0 with its contribution zeroed by the
 * mask.
 *
 * <p>Thread-safety: stateless.
 */
final class LabelTargets {
    private LabelTargets() {
    }

    /** The target tensor for {@code labels} against a {@code rows x columns} output. */
    static Targets of(LossShape shape, INDArray labels, long rows, long columns, ExampleWeights weights) {
        long[] s = labels.shape();
        boolean indexColumn = shape.takesIndices() && columns > 1 && labels.length() == rows
                && (s.length == 1 || s.length == 2 && s[1] == 1);
        if (indexColumn) {
            return indices(shape, labels, (int) rows, weights);
        }
        boolean sameShape = s.length == 2 && s[0] == rows && s[1] == columns;
        if (shape.indicesOnly() && sameShape) {
            return oneHotIndices(shape, labels, (int) rows, (int) columns, weights);
        }
        return new Targets(NdArrayViews.floatView(labels), weights);
    }

    private static Targets indices(LossShape shape, INDArray labels, int rows, ExampleWeights weights) {
        float[] v = NdArrayViews.floatView(labels).toFloatArray();
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            if (weights.rowMaskedOut(i)) {
                out[i] = skipped(shape);
                continue;
            }
            float x = v[i];
            if (x != Math.rint(x) || Math.abs(x) > Integer.MAX_VALUE) {
                throw InvalidInputException.at("labels", i, Float.toString(x), "a class index must be a whole number");
            }
            out[i] = (int) x;
        }
        return new Targets(Tensor.ofInts(out, rows), weights);
    }

    private static Targets oneHotIndices(LossShape shape, INDArray labels, int rows, int columns, ExampleWeights weights) {
        float[] v = NdArrayViews.floatView(labels).toFloatArray();
        int[] out = new int[rows];
        boolean[] skippedRows = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            int hot = -1;
            for (int j = 0; j < columns; j++) {
                float x = v[i * columns + j];
                if (x == 1f && hot < 0) {
                    hot = j;
                } else if (x != 0f) {
                    throw InvalidInputException.at("labels", (long) i * columns + j, Float.toString(x), shape.loss().name()
                            + " takes class indices: each label row must be one-hot (or all zero, skipped)");
                }
            }
            if (hot < 0 && !weights.rowMaskedOut(i)) {
                skippedRows[i] = true;
            }
            out[i] = hot < 0 || weights.rowMaskedOut(i) ? skipped(shape) : hot;
        }
        ExampleWeights w = shape.ignoreIndex() == null ? weights.withRowsZeroed(skippedRows, rows, columns) : weights;
        return new Targets(Tensor.ofInts(out, rows), w);
    }

    /** The index of a skipped row: the loss's ignore_index, or 0 for a loss without one (then masked). */
    private static int skipped(LossShape shape) {
        Long ignore = shape.ignoreIndex();
        return ignore != null && ignore >= Integer.MIN_VALUE && ignore <= Integer.MAX_VALUE ? ignore.intValue() : 0;
    }

    /** The target tensor and the weights to apply, with rows skipped by a loss without ignore_index zeroed. */
    record Targets(Tensor tensor, ExampleWeights weights) {
    }
}
