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
 * Checks that a loss refuses bad input: {@link LossEngine#computeInto} with caller gradient buffers
 * (one per differentiable input, each filled with {@link #SENTINEL}) throws
 * {@link InvalidInputException} whose message holds every expected fragment, naming the argument
 * (and the position and value, where the caller lists them), and leaves every buffer untouched.
 */
public final class RefusalCheck {
    /** The value every gradient buffer holds before the call and must still hold after it. */
    public static final float SENTINEL = 42f;

    private RefusalCheck() {
    }

    /** Runs the refused call; returns the exception for further assertions. */
    public static InvalidInputException assertRefused(LossEngine engine, Loss loss, Tensor[] inputs,
                                                      String argument, String... fragments) {
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                float[] g = new float[(int) inputs[i].size()];
                Arrays.fill(g, SENTINEL);
                grads[i] = Tensor.of(g, inputs[i].shape());
            }
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.computeInto(loss, inputs, grads));
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().startsWith(argument), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        for (Tensor g : grads) {
            if (g != null) {
                for (long i = 0; i < g.size(); i++) {
                    assertEquals(SENTINEL, g.getFloat(i), "gradient buffer written at " + i + " before refusing");
                }
            }
        }
        return e;
    }
}
