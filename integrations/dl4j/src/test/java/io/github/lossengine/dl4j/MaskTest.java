package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.Losses;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DL4J masks: time-step masks of an RNN output layer, and per-output masks of an element-wise loss. */
class MaskTest {
    private static final int BATCH = 6;
    private static final int STEPS = 5;

    private static MultiLayerNetwork rnn(ILossFunction loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Sgd(0.1))
                .list()
                .layer(new SimpleRnn.Builder().nIn(Training.FEATURES).nOut(Training.HIDDEN).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(loss).nIn(Training.HIDDEN).nOut(Training.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void timeStepMasksOfAnRnnOutputLayerTrainAsLossMcxent() {
        Random random = new Random(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, Training.FEATURES, STEPS).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, Training.CLASSES, STEPS);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, BATCH, STEPS);
        for (int b = 0; b < BATCH; b++) {
            int length = 2 + b % (STEPS - 1);
            for (int t = 0; t < length; t++) {
                y.putScalar(new int[] {b, random.nextInt(Training.CLASSES), t}, 1f);
                mask.putScalar(b, t, 1f);
            }
        }
        MultiLayerNetwork reference = rnn(new LossMCXENT());
        MultiLayerNetwork ours = rnn(new LossEngineLossFunction(Losses.softmaxCrossEntropy(), Backend.CPU));
        double[] expected = new double[20];
        double[] actual = new double[20];
        for (int i = 0; i < expected.length; i++) {
            reference.fit(x, y, mask, mask);
            expected[i] = reference.score();
            ours.fit(x, y, mask, mask);
            actual[i] = ours.score();
        }
        Training.assertSameTraining(expected, reference, actual, ours, 1e-5, 1e-4);
    }

    @Test
    void perOutputMasksOfMseMatchLossMse() {
        INDArray pre = Nd4j.rand(DataType.FLOAT, 5, 3).muli(4).subi(2);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 5, 3);
        INDArray mask = Nd4j.createFromArray(new float[][] {{1, 0, 1}, {0, 0, 0}, {1, 1, 1}, {0, 1, 0}, {1, 1, 0}});
        INDArray preBefore = pre.dup();
        Pair<Double, INDArray> expected = new LossMSE().computeGradientAndScore(labels, pre.dup(), new ActivationIdentity(),
                mask, true);
        Pair<Double, INDArray> actual = new LossEngineLossFunction(Losses.mse(), Backend.CPU)
                .computeGradientAndScore(labels, pre, new ActivationIdentity(), mask, true);
        assertEquals(expected.getFirst(), actual.getFirst(), 1e-6);
        assertTrue(expected.getSecond().equalsWithEps(actual.getSecond(), 1e-6), actual.getSecond().toString());
        assertEquals(preBefore, pre, "preOutput is not written");
    }

    @Test
    void aMaskedOutRowGivesExactlyZeroEvenWithNaNLogits() {
        INDArray pre = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {Float.NaN, 0, 0}, {0, 0, 1}});
        INDArray labels = Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        INDArray mask = Nd4j.createFromArray(new float[][] {{1}, {0}, {1}});
        LossEngineLossFunction loss = new LossEngineLossFunction(Losses.softmaxCrossEntropy(), Backend.CPU);
        Pair<Double, INDArray> r = loss.computeGradientAndScore(labels, pre, new ActivationIdentity(), mask, false);
        assertTrue(Double.isFinite(r.getFirst()), "score " + r.getFirst());
        assertEquals(Nd4j.zeros(DataType.FLOAT, 1, 3), r.getSecond().getRow(1, true));
        INDArray perExample = loss.computeScoreArray(labels, pre, new ActivationIdentity(), mask);
        assertEquals(0.0, perExample.getDouble(1, 0));
        assertEquals(r.getFirst(), perExample.sumNumber().doubleValue(), 1e-6);
        assertTrue(Double.isNaN(loss.computeScore(labels, pre, new ActivationIdentity(), null, true)),
                "without the mask the NaN row makes the score NaN");
    }
}
