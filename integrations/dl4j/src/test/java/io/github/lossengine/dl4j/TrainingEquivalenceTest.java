package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.Losses;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same network trained for 50 iterations with DL4J's own loss and with lossengine's through the
 * adapter: the same score after every iteration (1e-5 relative) and the same final parameters (1e-4).
 */
class TrainingEquivalenceTest {
    private static final double SCORE_TOLERANCE = 1e-5;
    private static final double PARAMETER_TOLERANCE = 1e-4;

    private static void assertTrainsAs(MultiLayerNetwork reference, MultiLayerNetwork ours, DataSet data) {
        double[] expected = Training.fit(reference, data, Training.ITERATIONS);
        double[] actual = Training.fit(ours, data, Training.ITERATIONS);
        Training.assertSameTraining(expected, reference, actual, ours, SCORE_TOLERANCE, PARAMETER_TOLERANCE);
        assertTrue(actual[Training.ITERATIONS - 1] < 0.8 * actual[0], "the network learns: " + actual[0] + " -> "
                + actual[Training.ITERATIONS - 1]);
    }

    /** Ours with Activation.SOFTMAX (the probabilities as output) or IDENTITY (the logits): both fused. */
    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"SOFTMAX", "IDENTITY"})
    void softmaxCrossEntropyTrainsAsLossMcxentWithSoftmax(Activation ours) {
        DataSet data = Training.classes(60, 1);
        assertTrainsAs(Training.network(new LossMCXENT(), Activation.SOFTMAX, Training.CLASSES),
                Training.network(new LossEngineLossFunction(Losses.softmaxCrossEntropy(), Backend.CPU),
                        ours, Training.CLASSES), data);
    }

    @Test
    void mseTrainsAsLossMse() {
        DataSet data = Training.regression(60, 2, 3);
        assertTrainsAs(Training.network(new LossMSE(), Activation.IDENTITY, 2),
                Training.network(new LossEngineLossFunction(Losses.mse(), Backend.CPU), Activation.IDENTITY, 2), data);
    }

    @Test
    void mseThroughAChainedActivationTrainsAsLossMse() {
        DataSet data = Training.regression(60, 2, 4);
        assertTrainsAs(Training.network(new LossMSE(), Activation.TANH, 2),
                Training.network(new LossEngineLossFunction(Losses.mse(), Backend.CPU), Activation.TANH, 2), data);
    }
}
