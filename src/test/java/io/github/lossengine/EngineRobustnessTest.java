package io.github.lossengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's API defects, on the CPU and on OpenCL where it runs (PoCL in CI): shapes that overflow,
 * aliased gradient buffers, inputs mutated during a call, engines never closed, the thread cap.
 */
class EngineRobustnessTest {
    private static final List<LossEngine> ENGINES = new ArrayList<>();

    @BeforeAll
    static void open() {
        ENGINES.add(LossEngine.create(Backend.CPU));
        try {
            ENGINES.add(LossEngine.create(Backend.OPENCL));
        } catch (BackendUnavailableException noOpenCl) {
            // the CPU alone
        }
    }

    @AfterAll
    static void close() {
        ENGINES.forEach(LossEngine::close);
    }

    /** Defect 12: before, NegativeArraySizeException and ArithmeticException. */
    @Test
    void shapesThatOverflowAreInvalidInput() {
        InvalidInputException neg = assertThrows(InvalidInputException.class, () -> Tensor.zeros(-1));
        assertEquals("shape[0] = -1: dimensions must be >= 0", neg.getMessage());
        InvalidInputException big = assertThrows(InvalidInputException.class, () -> Tensor.zeros(1L << 40, 1L << 40));
        assertTrue(big.getMessage().contains("more than 2^63 elements"), big.getMessage());
        assertThrows(InvalidInputException.class, () -> Tensor.zeros(1L << 20, 1L << 20));
        assertThrows(InvalidInputException.class, () -> Tensor.of(new float[0], 2, -1));
        // a zero dimension makes the product 0, whatever the others are
        assertEquals(0, Tensor.of(new float[0], 1L << 40, 1L << 40, 0).size());
    }

    /** Defect 12: a dimension of 2^31 or more (zero elements) is refused the same way on every backend, for every loss. */
    @Test
    void aDimensionBeyondAnArrayIsRefusedByEveryLossOnEveryBackend() {
        for (String name : new TreeSet<>(Losses.names())) {
            Loss loss = Losses.byName(name);
            Tensor[] in = new Tensor[loss.arity()];
            for (int i = 0; i < in.length; i++) {
                in[i] = Tensor.of(new float[0], 0, 1L << 31);
            }
            for (LossEngine e : ENGINES) {
                // before: ArithmeticException (toIntExact) or a loss-specific message, depending on the loss and backend
                InvalidInputException x = assertThrows(InvalidInputException.class, () -> e.compute(loss, in),
                        name + " on " + e.backend().active());
                assertEquals(loss.inputNames().get(0) + ": shape [0, 2147483648]: dimension 1 = 2147483648 is more than "
                        + "2147483639 (the largest heap array), on every backend", x.getMessage(), name);
            }
        }
    }
}
