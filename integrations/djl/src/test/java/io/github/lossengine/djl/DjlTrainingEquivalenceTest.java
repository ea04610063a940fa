package io.github.lossengine.djl;

import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import io.github.lossengine.Backend;
import io.github.lossengine.Losses;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same MLP trained for 50 steps with DJL's SoftmaxCrossEntropyLoss and with lossengine's through the adapter. */
class DjlTrainingEquivalenceTest {
    private static final int STEPS = 50;

    @Test
    void softmaxCrossEntropyTrainsAsDjlsOwn() {
        float[][] x = DjlTraining.features(3);
        float[] y = DjlTraining.classes();
        DjlTraining.Run expected = DjlTraining.train(new SoftmaxCrossEntropyLoss(), x, y, STEPS);
        DjlTraining.Run actual = DjlTraining.train(new LossEngineDjlLoss(Losses.softmaxCrossEntropy(), Backend.CPU), x, y, STEPS);
        for (int s = 0; s < STEPS; s++) {
            assertEquals(expected.losses()[s], actual.losses()[s], 1e-5 * Math.abs(expected.losses()[s]), "loss at step " + s);
        }
        assertEquals(expected.parameters().length, actual.parameters().length);
        for (int i = 0; i < expected.parameters().length; i++) {
            assertEquals(expected.parameters()[i], actual.parameters()[i], 1e-4, "parameter " + i);
        }
        assertTrue(actual.losses()[STEPS - 1] < 0.8 * actual.losses()[0], "the MLP learns: " + actual.losses()[0]
                + " -> " + actual.losses()[STEPS - 1]);
    }

    @Test
    void labelSmoothingChangesTheTraining() {
        float[][] x = DjlTraining.features(4);
        float[] y = DjlTraining.classes();
        DjlTraining.Run plain = DjlTraining.train(new SoftmaxCrossEntropyLoss(), x, y, 1);
        DjlTraining.Run smoothed = DjlTraining.train(
                new LossEngineDjlLoss(Losses.softmaxCrossEntropy().labelSmoothing(0.3), Backend.CPU), x, y, 1);
        assertTrue(smoothed.losses()[0] > plain.losses()[0] + 1e-3, plain.losses()[0] + " vs " + smoothed.losses()[0]);
    }
}
