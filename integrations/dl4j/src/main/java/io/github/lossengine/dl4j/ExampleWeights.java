package io.github.lossengine.dl4j;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * A DL4J mask read in {@code LossUtil}'s conventions: {@code null} (none), one value per example
 * ({@code [minibatch, 1]} or {@code [minibatch]}, what an RNN output layer passes for time-step masks
 * once it has flattened them), or one value per output ({@code [minibatch, nOut]}). Each value
 * multiplies its example's (or element's) score and gradient, as {@code LossUtil.applyMask} does,
 * except that a value of exactly 0 gives exactly 0, even where the inputs are NaN.
 *
 * <p>A row loss (one value per example: softmax cross-entropy, nll, multiclass hinge) takes a
 * per-example mask only; a per-output mask is accepted when every row holds one value (as DL4J's
 * RNN layers pass it), and refused otherwise, as DL4J's {@code LossMCXENT} refuses it with softmax.
 *
 * <p>Thread-safety: immutable after construction (the arrays are private copies).
 */
final class ExampleWeights {
    private final float[] perRow;
    private final float[] perElement;
    private final int columns;

    private ExampleWeights(float[] perRow, float[] perElement, int columns) {
        this.perRow = perRow;
        this.perElement = perElement;
        this.columns = columns;
    }

    /** No mask. */
    static ExampleWeights none() {
        return new ExampleWeights(null, null, 0);
    }

    /** The mask of a {@code rows x columns} output, for a row loss when {@code rowLoss}. */
    static ExampleWeights of(INDArray mask, long rows, long columns, boolean rowLoss) {
        if (mask == null) {
            return none();
        }
        long[] shape = mask.shape();
        boolean perExample = mask.length() == rows && (shape.length == 1 || shape.length == 2 && shape[1] == 1);
        boolean perOutput = shape.length == 2 && shape[0] == rows && shape[1] == columns;
        if (!perExample && !perOutput) {
            throw new InvalidInputException("mask", "shape " + Arrays.toString(shape) + " is neither per example ["
                    + rows + ", 1] nor per output [" + rows + ", " + columns + "]");
        }
        float[] values = NdArrayViews.floatView(mask).toFloatArray();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw InvalidInputException.at("mask", i, Float.toString(values[i]), "mask values must be finite");
            }
        }
        if (perExample && (rowLoss || columns == 1 || !perOutput)) {
            return new ExampleWeights(values, null, (int) columns);
        }
        if (!rowLoss) {
            return new ExampleWeights(null, values, (int) columns);
        }
        float[] row = new float[(int) rows];
        for (int i = 0; i < rows; i++) {
            row[i] = values[i * (int) columns];
            for (int j = 1; j < columns; j++) {
                if (values[i * (int) columns + j] != row[i]) {
                    throw new InvalidInputException("mask", "row " + i + " holds different values (" + row[i] + ", "
                            + values[i * (int) columns + j] + "): a row loss takes one mask value per example");
                }
            }
        }
        return new ExampleWeights(row, null, (int) columns);
    }

    /** These weights with every row {@code zero[i]} set to 0 (a row its labels skip). */
    ExampleWeights withRowsZeroed(boolean[] zero, int rows, int columns) {
        float[] row = new float[rows];
        for (int i = 0; i < rows; i++) {
            row[i] = zero[i] ? 0f : weight(i, 0);
        }
        return new ExampleWeights(row, null, columns);
    }

    /** Whether no mask applies. */
    boolean isNone() {
        return perRow == null && perElement == null;
    }

    /** Whether row {@code i} is masked out (weight 0) by a per-example mask. */
    boolean rowMaskedOut(int i) {
        return perRow != null && perRow[i] == 0f;
    }

    /** The weight of element {@code (i, j)}. */
    float weight(int i, int j) {
        if (perRow != null) {
            return perRow[i];
        }
        return perElement == null ? 1f : perElement[i * columns + j];
    }

    /**
     * The score of each example: the sum of its row's values ({@code values} holds one per row, or
     * one per element of a {@code rows x columns} output), each times its weight and {@code scale};
     * an entry of weight 0 adds nothing.
     */
    double[] exampleScores(Tensor values, int rows, int columns, double scale) {
        boolean perRowValues = values.size() == rows && values.rank() == 1;
        double[] scores = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            if (perRowValues) {
                float w = weight(i, 0);
                s = w == 0f ? 0 : w * values.getDouble(i);
            } else {
                for (int j = 0; j < columns; j++) {
                    float w = weight(i, j);
                    s += w == 0f ? 0 : w * values.getDouble((long) i * columns + j);
                }
            }
            scores[i] = s * scale;
        }
        return scores;
    }

    /** Multiplies every element of the {@code rows x columns} gradient by its weight and {@code scale}. */
    void scale(Tensor gradient, int rows, int columns, float scale) {
        if (isNone() && scale == 1f) {
            return;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                long k = (long) i * columns + j;
                float w = weight(i, j);
                gradient.setFloat(k, w == 0f ? 0f : gradient.getFloat(k) * w * scale);
            }
        }
    }
}
