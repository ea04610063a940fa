package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.SmoothingConvention;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loss in DL4J's model JSON with every option; a saved model restores and keeps training identically. */
class SerializationTest {

    @Test
    void everyOptionSurvivesTheModelJson() {
        List<Loss> losses = List.of(
                Losses.softmaxCrossEntropy().labelSmoothing(0.15, SmoothingConvention.OFF_TARGET).ignoreIndex(-7)
                        .classWeights(new float[] {0.5f, 1f, 2.25f}).zLoss(1e-4).softcap(30)
                        .allIgnored(AllIgnoredPolicy.NAN).reduction(Reduction.SUM),
                Losses.huber().delta(0.3),
                Losses.multiclassHinge().variant(MulticlassHinge.Variant.CRAMMER_SINGER).margin(0.7),
                Losses.focal().gamma(1.5).alpha(0.4),
                Losses.klDiv().logTarget(true).reduction(Reduction.BATCHMEAN));
        for (Loss loss : losses) {
            LossEngineLossFunction f = new LossEngineLossFunction(loss, Backend.CPU);
            MultiLayerNetwork net = Training.network(f, Activation.IDENTITY, Training.CLASSES);
            String json = net.getLayerWiseConfigurations().toJson();
            assertTrue(json.contains(LossEngineLossFunction.class.getName()), json);
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertEquals(net.getLayerWiseConfigurations(), back, loss.name());
            LossEngineLossFunction restored = (LossEngineLossFunction)
                    ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer) back.getConf(1).getLayer()).getLossFn();
            assertEquals(LossSpec.options(loss), LossSpec.options(restored.loss()), loss.name());
            assertEquals(loss.getClass(), restored.loss().getClass());
        }
    }

    @Test
    void aRestoredModelKeepsTrainingIdentically(@TempDir File dir) throws Exception {
        DataSet data = Training.classes(60, 9);
        MultiLayerNetwork net = Training.network(
                new LossEngineLossFunction(Losses.softmaxCrossEntropy().labelSmoothing(0.1), Backend.CPU),
                Activation.SOFTMAX, Training.CLASSES);
        Training.fit(net, data, 10);
        File saved = new File(dir, "model.zip");
        ModelSerializer.writeModel(net, saved, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(saved, true);
        assertEquals(net.params(), restored.params());
        double[] expected = Training.fit(net, data, 10);
        double[] actual = Training.fit(restored, data, 10);
        assertArrayEquals(expected, actual, "the same scores after restoring");
        assertEquals(net.params(), restored.params());
    }
}
