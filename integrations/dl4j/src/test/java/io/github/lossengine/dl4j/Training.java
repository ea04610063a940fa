package io.github.lossengine.dl4j;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests' network (two dense layers), their synthetic data and the training loop. */
final class Training {
    static final int FEATURES = 4;
    static final int HIDDEN = 8;
    static final int CLASSES = 3;
    static final int ITERATIONS = 50;

    private Training() {
    }

    /** Two dense layers, fixed seed and initialisation, plain SGD: the same parameters for every loss. */
    static MultiLayerNetwork network(ILossFunction loss, Activation outputActivation, int outputs) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Sgd(0.1))
                .list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(HIDDEN).nOut(outputs).activation(outputActivation).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** {@code rows} points around three class centres; labels one-hot. */
    static DataSet classes(int rows, long seed) {
        Random random = new Random(seed);
        float[][] x = new float[rows][FEATURES];
        float[][] y = new float[rows][CLASSES];
        for (int i = 0; i < rows; i++) {
            int c = i % CLASSES;
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = (float) ((j % CLASSES == c ? 1.5 : -0.5) + 0.8 * random.nextGaussian());
            }
            y[i][c] = 1f;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    /** {@code rows} points with {@code outputs} real targets, a smooth function of the features plus noise. */
    static DataSet regression(int rows, int outputs, long seed) {
        Random random = new Random(seed);
        float[][] x = new float[rows][FEATURES];
        float[][] y = new float[rows][outputs];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = (float) random.nextGaussian();
            }
            for (int k = 0; k < outputs; k++) {
                y[i][k] = (float) (Math.sin(x[i][k % FEATURES]) + 0.3 * x[i][(k + 1) % FEATURES] + 0.1 * random.nextGaussian());
            }
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    /** Fits {@code iterations} times on {@code data}, returning the score after each step. */
    static double[] fit(MultiLayerNetwork net, DataSet data, int iterations) {
        double[] scores = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            net.fit(data);
            scores[i] = net.score();
        }
        return scores;
    }

    /** Every score within {@code relative} of the reference's, and the final parameters within {@code absolute}. */
    static void assertSameTraining(double[] expected, MultiLayerNetwork reference, double[] actual, MultiLayerNetwork net,
                                   double relative, double absolute) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Double.isFinite(actual[i]), "score " + i + " = " + actual[i]);
            double tolerance = relative * Math.max(Math.abs(expected[i]), 1e-30);
            assertEquals(expected[i], actual[i], tolerance, "score after iteration " + (i + 1));
        }
        INDArray a = reference.params();
        INDArray b = net.params();
        assertEquals(a.length(), b.length());
        double maxDiff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(maxDiff <= absolute, "final parameters differ by up to " + maxDiff);
    }
}
