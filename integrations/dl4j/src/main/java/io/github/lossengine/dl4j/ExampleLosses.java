package io.github.lossengine.dl4j;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * One lossengine call for a DL4J output layer: the score of every example and, when asked, the
 * gradient with respect to {@code preOutput}, of the sum of the example scores (DL4J's updater
 * divides by the minibatch size).
 *
 * <p>The call runs the loss with reduction {@code NONE} (one value per example for a row loss, per
 * element otherwise); an example's score is the sum of its values, times {@code 1 / nOut} for an
 * element-wise loss with reduction {@code MEAN} (as {@code LossMSE} and {@code LossMAE} divide by
 * the number of outputs), each value times its mask weight ({@link ExampleWeights}). The gradient is
 * scaled the same way.
 *
 * <p>Where {@link LossShape#fuses} the activation, lossengine sees {@code preOutput} (read in place
 * where {@link NdArrayViews} allows) and the gradient it writes into a new ND4J array is the result. Otherwise the
 * activation is applied to a copy of {@code preOutput}, lossengine gives the gradient with respect
 * to the activations, and {@link IActivation#backprop} (on another copy: it may write over its
 * input) chains it back, as DL4J's own losses do.
 *
 * <p>Nothing the caller passed is written. Bad input throws {@link InvalidInputException} before any
 * gradient exists. Thread-safety: stateless; safe for concurrent calls with distinct arrays.
 */
final class ExampleLosses {
    private ExampleLosses() {
    }

    /** Example scores and (when asked for) the gradient with respect to {@code preOutput}. */
    record Result(double[] scores, INDArray gradient) {
        double sum() {
            double s = 0;
            for (double x : scores) {
                s += x;
            }
            return s;
        }
    }

    static Result compute(LossEngine engine, LossShape shape, INDArray labels, INDArray preOutput,
                          IActivation activation, INDArray mask, boolean withGradient) {
        if (labels == null || preOutput == null) {
            throw new InvalidInputException(labels == null ? "labels" : "preOutput", "must not be null");
        }
        if (preOutput.rank() != 2) {
            throw new InvalidInputException("preOutput", "shape " + Arrays.toString(preOutput.shape())
                    + ": a DL4J output layer passes [minibatch, nOut] (an RNN output layer flattens time steps into rows)");
        }
        if (preOutput.length() > Integer.MAX_VALUE) {
            throw new InvalidInputException("preOutput", preOutput.length() + " elements: more than this adapter handles");
        }
        int rows = (int) preOutput.size(0);
        int columns = (int) preOutput.size(1);
        ExampleWeights weights = ExampleWeights.of(mask, rows, columns, shape.rowLoss());
        LabelTargets.Targets targets = LabelTargets.of(shape, labels, rows, columns, weights);
        weights = targets.weights();

        boolean fused = shape.fuses(activation);
        INDArray input = fused ? preOutput : activation.getActivation(preOutput.dup(), true);
        Tensor inputTensor = NdArrayViews.floatView(input);
        double scale = shape.meanOverOutputs() ? 1.0 / columns : 1.0;
        if (!withGradient) {
            LossResult r = engine.evaluate(shape.perElement(), inputTensor, targets.tensor());
            return new Result(weights.exampleScores(r.values(), rows, columns, scale), null);
        }
        NdArrayViews.Output grad = NdArrayViews.newOutput(rows, columns);
        LossResult r = engine.computeInto(shape.perElement(), new Tensor[] {inputTensor, targets.tensor()}, grad.tensor());
        double[] scores = weights.exampleScores(r.values(), rows, columns, scale);
        weights.scale(grad.tensor(), rows, columns, (float) scale);
        INDArray dPre = fused ? grad.array() : activation.backprop(preOutput.dup(), grad.array()).getFirst();
        if (dPre.dataType() != preOutput.dataType()) {
            dPre = dPre.castTo(preOutput.dataType());
        }
        return new Result(scores, dPre);
    }

    /** {@code scores} as DL4J's column of example scores, {@code [minibatch, 1]}, of {@code type}. */
    static INDArray column(double[] scores, DataType type) {
        return org.nd4j.linalg.factory.Nd4j.createFromArray(scores).reshape(scores.length, 1).castTo(type);
    }
}
