package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.GradientCheck;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests of the losses on [N, D] embedding rows: a CPU engine for the class, single-row
 * inputs, the agreement of the reductions, and the check that a refused input names its argument
 * and leaves the caller's gradient buffers untouched.
 */
abstract class EmbeddingLossTest {
    static LossEngine engine;

    @BeforeAll
    static void open() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** One row: a [1, D] tensor. */
    static Tensor row(float... v) {
        return Tensor.of(v, 1, v.length);
    }

    /**
     * Calls {@code computeInto} with a buffer of 42s for every differentiable input (same shape as
     * the input) and expects an {@link InvalidInputException} about {@code argument} whose message
     * contains every fragment; the buffers must still hold 42s.
     */
    static void assertRefused(Loss loss, String argument, Tensor[] inputs, String... fragments) {
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                float[] g = new float[(int) inputs[i].size()];
                Arrays.fill(g, 42f);
                grads[i] = Tensor.of(g, inputs[i].shape());
            }
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.computeInto(loss, inputs, grads));
        assertEquals(argument, e.argument(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        for (Tensor g : grads) {
            for (long i = 0; g != null && i < g.size(); i++) {
                assertEquals(42f, g.getFloat(i), "gradient buffer written at " + i + " before the refusal");
            }
        }
    }

    /**
     * NONE gives [N] row losses whose sum is SUM's value and whose gradients are SUM's; MEAN is SUM
     * divided by N, value and gradients; no input is written.
     */
    static void assertReductionsAgree(Loss loss, Tensor... inputs) {
        long n = inputs[0].dim(0);
        float[][] copies = new float[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            copies[k] = inputs[k].toFloatArray();
        }
        LossResult none = engine.compute(loss.reduction(Reduction.NONE), inputs);
        LossResult sum = engine.compute(loss.reduction(Reduction.SUM), inputs);
        LossResult mean = engine.compute(loss.reduction(Reduction.MEAN), inputs);
        assertArrayEquals(new long[] {n}, none.values().shape());
        assertEquals(GradientCheck.sum(none.values()), sum.value(), 1e-5);
        assertEquals(sum.value() / n, mean.value(), 1e-12);
        for (int k = 0; k < inputs.length; k++) {
            if (loss.differentiable(k)) {
                float[] sumGrad = sum.gradient(k).toFloatArray();
                float[] meanGrad = mean.gradient(k).toFloatArray();
                assertArrayEquals(sumGrad, none.gradient(k).toFloatArray());
                for (int i = 0; i < sumGrad.length; i++) {
                    assertEquals(sumGrad[i] / n, meanGrad[i], 1e-6 * Math.abs(sumGrad[i] / n) + 1e-12);
                }
            }
            assertArrayEquals(copies[k], inputs[k].toFloatArray(), "input " + k + " written");
        }
    }
}
