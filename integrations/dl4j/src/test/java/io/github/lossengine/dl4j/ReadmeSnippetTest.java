package io.github.lossengine.dl4j;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;

import io.github.lossengine.Losses;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** README's DL4J snippet, verbatim between the markers: it compiles here, trains, and README holds it unchanged. */
class ReadmeSnippetTest {

    @Test
    void theReadmeSnippetCompilesTrainsAndIsInTheReadme() throws Exception {
        // README dl4j begin
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(new LossEngineLossFunction(Losses.softmaxCrossEntropy().labelSmoothing(0.1)))
                        .nIn(8).nOut(3).activation(Activation.SOFTMAX).build())   // SOFTMAX or IDENTITY: fused
                .build();
        // README dl4j end
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet data = Training.classes(30, 1);
        double before = net.score(data);
        Training.fit(net, data, 20);
        assertTrue(net.score() < before, before + " -> " + net.score());

        String source = Files.readString(Path.of("src/test/java/io/github/lossengine/dl4j/ReadmeSnippetTest.java"));
        String snippet = source.substring(source.indexOf("// README dl4j begin\n") + 21, source.indexOf("        // README dl4j end"))
                .lines().map(l -> l.substring(8)).collect(Collectors.joining("\n"));
        assertTrue(Files.readString(Path.of("../../README.md")).contains(snippet), "README.md lacks:\n" + snippet);
    }
}
