package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.testing.LinearCrossEntropyRefusals;
import org.junit.jupiter.api.Test;

/** {@code linear_cross_entropy}'s bad inputs and options on the CPU: refused before anything is written. */
class LinearCrossEntropyRefusalTest extends CpuEngineFixture {

    @Test
    void badInputsAreRefusedBeforeAnythingIsWritten() {
        LinearCrossEntropyRefusals.assertAll(engine);
    }

    @Test
    void badOptionsAreRefusedWithTheirNames() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Losses.linearCrossEntropy().reduction(Reduction.BATCHMEAN));
        assertTrue(e.getMessage().contains("linear_cross_entropy"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Losses.linearCrossEntropy().chunkRows(-1));
        assertTrue(e.getMessage().startsWith("chunk_rows"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Losses.linearCrossEntropy().maxWorkspaceBytes(0));
        assertTrue(e.getMessage().startsWith("max_workspace_bytes"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Losses.linearCrossEntropy().labelSmoothing(1.5));
        assertTrue(e.getMessage().startsWith("label_smoothing"), e.getMessage());
        e = assertThrows(InvalidInputException.class,
                () -> Losses.linearCrossEntropy().reduction(Reduction.SUM).normalizer(10));
        assertTrue(e.getMessage().startsWith("normalizer"), e.getMessage());
    }
}
