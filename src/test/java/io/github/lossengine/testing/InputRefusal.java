package io.github.lossengine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import java.util.Arrays;

/**
 * Asserts that a loss refuses its inputs with an {@link InvalidInputException} whose message holds
 * given fragments (argument, position, value), and that the caller's gradient buffer, filled with 42
 * beforehand, is untouched.
 */
public final class InputRefusal {
    /** The value a refused call must leave in the gradient buffer. */
    public static final float SENTINEL = 42f;

    private InputRefusal() {
    }

    /** Runs {@code computeInto} with a gradient buffer shaped like input 0 and returns the exception. */
    public static InvalidInputException assertRefused(LossEngine engine, Loss loss, Tensor[] inputs, String... fragments) {
        float[] buffer = new float[(int) inputs[0].size()];
        Arrays.fill(buffer, SENTINEL);
        Tensor g = Tensor.of(buffer, inputs[0].shape());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.computeInto(loss, inputs, g));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        for (int i = 0; i < buffer.length; i++) {
            assertEquals(SENTINEL, buffer[i], "gradient buffer written at " + i + " before the refusal");
        }
        return e;
    }
}
