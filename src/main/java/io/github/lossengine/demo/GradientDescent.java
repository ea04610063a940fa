package io.github.lossengine.demo;

import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;

/**
 * Plain full-batch gradient descent of a {@link LinearModel} on a loss of its scores: each step the
 * engine computes {@code dL/dz} into a reused buffer ({@code computeInto}), the model turns it into a
 * step on its parameters.
 */
final class GradientDescent {
    private GradientDescent() {
    }

    /**
     * Runs {@code steps} steps.
     *
     * @param target       the loss's second input, one per example
     * @param learningRate the step size
     * @param l2           the weight of an L2 penalty on the weights (0 for none)
     */
    static void train(LossEngine engine, Loss loss, LinearModel model, double[][] x, float[] target, int steps,
                      double learningRate, double l2, TrainingProgress.Tracker progress) {
        int n = x.length;
        float[] z = new float[n];
        Tensor[] inputs = {Tensor.of(z), Tensor.of(target)};
        Tensor grad = Tensor.zeros(n);
        double[] dz = new double[n];
        for (int step = 0; step < steps; step++) {
            model.scores(x, z);
            engine.computeInto(loss, inputs, grad);
            for (int i = 0; i < n; i++) {
                dz[i] = grad.getDouble(i);
            }
            model.step(x, dz, learningRate, l2);
            progress.step();
        }
    }
}
