package io.github.lossengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What LossEngine promises whatever the loss: argument checks, caller buffers, views, empty inputs. */
class EngineContractTest {
    private static LossEngine engine;

    @BeforeAll
    static void open() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void wrongNumberOfInputsNamesTheLoss() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> engine.compute(Losses.mse(), Tensor.of(new float[] {1})));
        assertTrue(e.getMessage().contains("mse takes 2 inputs"), e.getMessage());
    }

    @Test
    void gradientIntoCallerBufferAndDirectBuffers() {
        FloatBuffer x = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer();
        x.put(new float[] {1, 2, 3, 4}).flip();
        Tensor pred = Tensor.of(x, 2, 2);
        Tensor target = Tensor.of(new float[] {0, 0, 0, 0}, 2, 2);
        float[] g = new float[4];
        Tensor grad = Tensor.of(g, 2, 2);
        LossResult r = engine.computeInto(Losses.mse().reduction(Reduction.SUM), new Tensor[] {pred, target}, grad);
        assertEquals(30.0, r.value(), 0);
        assertSame(grad, r.gradient());
        assertArrayEquals(new float[] {2, 4, 6, 8}, g);
        assertEquals(0, x.position(), "the buffer's position is not moved");
    }

    @Test
    void badGradientBuffersAreRefusedBeforeWriting() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor y = Tensor.of(new float[] {0, 0, 0}, 3);
        float[] wrong = new float[4];
        Arrays.fill(wrong, 42f);
        InvalidInputException shape = assertThrows(InvalidInputException.class,
                () -> engine.computeInto(Losses.mse(), new Tensor[] {x, y}, Tensor.of(wrong, 4)));
        assertTrue(shape.getMessage().contains("gradient 0"), shape.getMessage());
        assertThrows(InvalidInputException.class,
                () -> engine.computeInto(Losses.mse(), new Tensor[] {x, y}, x), "aliasing the input is refused");
        assertThrows(InvalidInputException.class,
                () -> engine.computeInto(Losses.mse(), new Tensor[] {x, y}, null, Tensor.zeros(3)),
                "mse has no gradient for its target");
        assertArrayEquals(new float[] {1, 2, 3}, x.toFloatArray());
        for (float v : wrong) {
            assertEquals(42f, v);
        }
    }

    @Test
    void emptyInputHasADocumentedResultPerReduction() {
        Tensor e = Tensor.of(new float[0], 0);
        assertEquals(0.0, engine.compute(Losses.mse().reduction(Reduction.SUM), e, e).value());
        assertEquals(0, engine.compute(Losses.mse().reduction(Reduction.NONE), e, e).values().size());
        InvalidInputException mean = assertThrows(InvalidInputException.class, () -> engine.compute(Losses.mse(), e, e));
        assertTrue(mean.getMessage().contains("empty"), mean.getMessage());
    }

    @Test
    void evaluateComputesNoGradient() {
        LossResult r = engine.evaluate(Losses.mae(), Tensor.of(new float[] {1, -1}), Tensor.of(new float[] {0, 0}));
        assertEquals(1.0, r.value(), 0);
        assertFalse(r.hasGradient(0));
        assertThrows(IllegalStateException.class, r::gradient);
    }

    @Test
    void noneReductionHasNoSingleValue() {
        LossResult r = engine.compute(Losses.mse().reduction(Reduction.NONE), Tensor.of(new float[] {1, 2}), Tensor.of(new float[] {0, 0}));
        assertThrows(IllegalStateException.class, r::value);
        assertArrayEquals(new float[] {1, 4}, r.values().toFloatArray());
    }

    @Test
    void batchMeanIsOnlyForKlDiv() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Losses.mse().reduction(Reduction.BATCHMEAN));
        assertTrue(e.getMessage().contains("kl_div"), e.getMessage());
        assertEquals(Reduction.BATCHMEAN, Losses.klDiv().reduction(Reduction.BATCHMEAN).reduction());
    }

    @Test
    void tensorViewChecksShapeAndFormatsPositions() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[6], 4, 2));
        Tensor t = Tensor.of(new float[6], 2, 3);
        assertEquals("[1, 2]", t.indexString(5));
        assertEquals(3, t.dim(-1));
        assertEquals(DType.INT64, Tensor.ofLongs(new long[] {1, 2}).dtype());
    }

    @Test
    void everyCatalogueNameResolvesAndOptionsAreImmutable() {
        for (String name : Losses.names()) {
            assertEquals(name, Losses.byName(name).name());
        }
        assertEquals("mae", Losses.byName("l1").name());
        var base = Losses.softmaxCrossEntropy();
        var smoothed = base.labelSmoothing(0.1);
        assertEquals(0.0, base.labelSmoothing());
        assertEquals(0.1, smoothed.labelSmoothing());
        float[] w = {1, 2};
        var weighted = base.classWeights(w);
        w[0] = 9;
        assertEquals(1f, weighted.classWeights()[0], "the loss keeps its own copy of the weights");
        InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> Losses.byName("nope"));
        assertTrue(unknown.getMessage().contains("nope"));
        assertThrows(InvalidInputException.class, () -> Losses.huber().delta(-1));
        assertThrows(InvalidInputException.class, () -> Losses.softmaxCrossEntropy().classWeights(new float[] {1, -2}));
    }
}
