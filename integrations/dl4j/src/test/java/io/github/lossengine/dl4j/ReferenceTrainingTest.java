package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.Losses;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What LossMCXENT cannot do, trained for 50 iterations against a hand-written reference
 * ({@link ReferenceCrossEntropy}): label smoothing, and class indices with ignored rows.
 */
class ReferenceTrainingTest {

    private static double[] assertTrainsAsReference(ReferenceCrossEntropy reference, LossEngineLossFunction ours,
                                                    DataSet data) {
        MultiLayerNetwork a = Training.network(reference, Activation.IDENTITY, Training.CLASSES);
        MultiLayerNetwork b = Training.network(ours, Activation.SOFTMAX, Training.CLASSES);
        double[] expected = Training.fit(a, data, Training.ITERATIONS);
        double[] actual = Training.fit(b, data, Training.ITERATIONS);
        Training.assertSameTraining(expected, a, actual, b, 1e-5, 1e-4);
        return actual;
    }

    @Test
    void labelSmoothingTrainsAsTheReferenceAndNotAsLossMcxent() {
        DataSet data = Training.classes(60, 5);
        double[] smoothed = assertTrainsAsReference(new ReferenceCrossEntropy(0.2, -100),
                new LossEngineLossFunction(Losses.softmaxCrossEntropy().labelSmoothing(0.2), Backend.CPU), data);
        double[] plain = Training.fit(Training.network(new LossMCXENT(), Activation.SOFTMAX, Training.CLASSES), data, 1);
        assertTrue(Math.abs(smoothed[0] - plain[0]) > 1e-3, "smoothing changes the score: " + smoothed[0] + " vs " + plain[0]);
    }

    @Test
    void classIndicesWithIgnoredRowsTrainAsTheReference() {
        DataSet oneHot = Training.classes(60, 6);
        float[] indices = new float[60];
        for (int i = 0; i < 60; i++) {
            indices[i] = i % 7 == 0 ? -1 : oneHot.getLabels().getRow(i).argMax().getInt(0);
        }
        DataSet data = new DataSet(oneHot.getFeatures(), Nd4j.create(indices, 60, 1));
        double[] scores = assertTrainsAsReference(new ReferenceCrossEntropy(0.0, -1),
                new LossEngineLossFunction(Losses.softmaxCrossEntropy().ignoreIndex(-1), Backend.CPU), data);
        assertTrue(scores[Training.ITERATIONS - 1] < scores[0], "the network learns");
    }
}
