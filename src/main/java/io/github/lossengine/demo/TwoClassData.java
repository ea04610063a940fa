package io.github.lossengine.demo;

import java.util.Random;

/**
 * A synthetic two-class data set in the plane: points {@code x} and labels {@code y} in {0, 1}.
 *
 * @param x one row of two features per example
 * @param y the label of each example, 0 or 1
 */
record TwoClassData(double[][] x, int[] y) {

    /**
     * {@code n} points, alternately of class 1 and 0, drawn from unit Gaussians centred at
     * {@code +centre} (class 1) and {@code -centre} (class 0).
     */
    static TwoClassData gaussianBlobs(Random random, int n, double[] centre) {
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2 == 0 ? 1 : 0;
            double sign = y[i] == 1 ? 1 : -1;
            x[i][0] = sign * centre[0] + random.nextGaussian();
            x[i][1] = sign * centre[1] + random.nextGaussian();
        }
        return new TwoClassData(x, y);
    }

    int size() {
        return y.length;
    }

    /** The labels as floats 0/1, the target of the binary cross-entropy and the MSE. */
    float[] targets01() {
        float[] t = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            t[i] = y[i];
        }
        return t;
    }

    /** The labels as floats -1/+1, the target of the hinge loss. */
    float[] targetsPlusMinus() {
        float[] t = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            t[i] = y[i] == 1 ? 1f : -1f;
        }
        return t;
    }

    /** The fraction of examples whose score has the sign of their class (score > 0 means class 1). */
    double accuracy(LinearModel model) {
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            if ((model.score(x[i]) > 0) == (y[i] == 1)) {
                right++;
            }
        }
        return (double) right / y.length;
    }
}
