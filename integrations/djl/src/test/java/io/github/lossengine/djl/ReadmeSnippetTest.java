package io.github.lossengine.djl;

import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.TrainingConfig;
import io.github.lossengine.Losses;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** README's DJL snippet, verbatim between the markers: it compiles here and README holds it unchanged. */
class ReadmeSnippetTest {

    @Test
    void theReadmeSnippetCompilesAndIsInTheReadme() throws Exception {
        // README djl begin
        TrainingConfig config = new DefaultTrainingConfig(
                new LossEngineDjlLoss(Losses.softmaxCrossEntropy().labelSmoothing(0.1)));   // takes logits
        // README djl end
        assertEquals("lossengine_softmax_cross_entropy", config.getLossFunction().getName());
        String source = Files.readString(Path.of("src/test/java/io/github/lossengine/djl/ReadmeSnippetTest.java"));
        String block = source.split("// README djl begin\n")[1].split("\n        // README djl end")[0];
        String snippet = block.replaceAll("(?m)^ {8}", "");
        assertTrue(Files.readString(Path.of("../../README.md")).contains(snippet), "README.md lacks:\n" + snippet);
    }
}
