package io.github.lossengine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import io.github.lossengine.Backend;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The surrogate's value and autograd gradient are lossengine's; bad input is wrapped. */
class SurrogateGradientTest {
    private static final float[] LOGITS = {2f, 1f, 0.1f, 0.5f, 2.5f, -1f};

    @Test
    void valueAndGradientAreLossenginesAndInputsAreUntouched() {
        var loss = Losses.softmaxCrossEntropy().labelSmoothing(0.1).classWeights(new float[] {1f, 2f, 0.5f});
        LossResult expected;
        try (LossEngine engine = LossEngine.create(Backend.CPU)) {
            expected = engine.compute(loss, Tensor.of(LOGITS, 2, 3), Tensor.ofInts(new int[] {0, 2}));
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray pred = m.create(LOGITS).reshape(2, 3);
            pred.setRequiresGradient(true);
            NDArray labels = m.create(new long[] {0, 2});
            NDArray value;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                value = new LossEngineDjlLoss(loss, Backend.CPU).evaluate(new NDList(labels), new NDList(pred));
                gc.backward(value);
            }
            assertEquals(expected.value(), value.getFloat(), 1e-6);
            assertArrayEquals(expected.gradient().toFloatArray(), pred.getGradient().toFloatArray(), 1e-6f);
            assertArrayEquals(LOGITS, pred.toFloatArray(), "predictions are not written");
        }
    }

    @Test
    void badInputGivesLossenginesMessageInAnIllegalArgumentException() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray pred = m.create(LOGITS).reshape(2, 3);
            LossEngineDjlLoss ce = new LossEngineDjlLoss(Losses.softmaxCrossEntropy(), Backend.CPU);
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> ce.evaluate(new NDList(m.create(new int[] {0, 5})), new NDList(pred)));
            assertInstanceOf(InvalidInputException.class, range.getCause());
            assertTrue(range.getMessage().contains("= 5: class index out of range [0, 3)"), range.getMessage());
            LossEngineDjlLoss mse = new LossEngineDjlLoss(Losses.mse(), Backend.CPU);
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> mse.evaluate(new NDList(m.create(new float[4]).reshape(2, 2)), new NDList(pred)));
            assertTrue(shape.getMessage().startsWith("lossengine mse: ") && shape.getMessage().contains(
                    shape.getCause().getMessage()), shape.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new LossEngineDjlLoss(Losses.triplet()));
    }
}
