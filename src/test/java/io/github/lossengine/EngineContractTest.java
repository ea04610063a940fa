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

    private static FloatBuffer direct(float... values) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(values).flip();
        return b;
    }

    @Test
    void directBuffersAsGradientOutputAndRowLossInput() {
        float[] logits = {2.0f, 1.0f, 0.1f, 0.5f, 2.5f, -1.0f};
        Tensor labels = Tensor.ofInts(new int[] {0, 2});
        Loss ce = Losses.softmaxCrossEntropy().labelSmoothing(0.1);
        LossResult heap = engine.compute(ce, Tensor.of(logits, 2, 3), labels);

        FloatBuffer in = direct(logits);
        FloatBuffer out = direct(new float[6]);
        Tensor grad = Tensor.of(out, 2, 3);
        LossResult r = engine.computeInto(ce, new Tensor[] {Tensor.of(in, 2, 3), labels}, grad);
        // heap float[] inputs take the fused float32 kernel, buffers the generic path: equal within the
        // kernel's documented accuracy (docs/PERFORMANCE.md), not bit for bit
        assertEquals(heap.value(), r.value(), 1e-6 * heap.value(), "the value on heap arrays");
        assertSame(grad, r.gradient());
        float[] written = new float[6];
        out.get(0, written);
        assertArrayEquals(heap.gradient().toFloatArray(), written, 1e-6f, "the gradient, in the direct buffer");
        assertEquals(0.0, Math.abs(written[0] + written[1] + written[2]), 1e-6, "a CE gradient row sums to 0");
        assertEquals(0, in.position());
        assertEquals(0, out.position());
        float[] after = new float[6];
        in.get(0, after);
        assertArrayEquals(logits, after, "the direct input is not written");

        // mse: a direct gradient buffer for a heap input
        FloatBuffer g = direct(new float[] {42, 42, 42});
        engine.computeInto(Losses.mse().reduction(Reduction.SUM),
                new Tensor[] {Tensor.of(new float[] {1, 2, 3}), Tensor.of(new float[] {0, 2, 5})}, Tensor.of(g, 3));
        assertArrayEquals(new float[] {2, 0, -4}, new float[] {g.get(0), g.get(1), g.get(2)});
    }

    @Test
    void gradientBuffersSharingStorageWithAnInputAreRefused() {
        float[] y = {0, 0, 0, 0};
        // the same direct buffer as input and gradient
        FloatBuffer shared = direct(1, 2, 3, 4);
        Tensor x = Tensor.of(shared, 4);
        assertAliasRefused(Losses.mse(), new Tensor[] {x, Tensor.of(y, 4)}, Tensor.of(shared, 4), "input 0 (input)");
        assertEquals(1f, shared.get(0), "the input is untouched");
        // a heap buffer over the input's array, and one over part of it
        float[] arr = {1, 2, 3, 4};
        Tensor heapInput = Tensor.of(arr, 4);
        assertAliasRefused(Losses.mse(), new Tensor[] {heapInput, Tensor.of(y, 4)}, Tensor.of(FloatBuffer.wrap(arr), 4),
                "input 0 (input)");
        float[] big = {1, 2, 3, 4, 0, 0, 0, 0};
        Tensor firstHalf = Tensor.of(FloatBuffer.wrap(big, 0, 4).slice(), 4);
        Tensor overlapping = Tensor.of(FloatBuffer.wrap(big, 2, 4).slice(), 4);
        assertAliasRefused(Losses.mse(), new Tensor[] {firstHalf, Tensor.of(y, 4)}, overlapping, "input 0 (input)");
        // the target's storage is refused too, for a row loss with a direct input
        float[] probs = {0.5f, 0.5f, 0.25f, 0.75f};
        Tensor target = Tensor.of(probs, 2, 2);
        assertAliasRefused(Losses.softmaxCrossEntropy(), new Tensor[] {Tensor.of(direct(1, 2, 3, 4), 2, 2), target},
                Tensor.of(FloatBuffer.wrap(probs), 2, 2), "input 1 (target)");
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.25f, 0.75f}, probs);
        // the other half of the same array does not overlap: accepted
        Tensor secondHalf = Tensor.of(FloatBuffer.wrap(big, 4, 4).slice(), 4);
        engine.computeInto(Losses.mse().reduction(Reduction.SUM), new Tensor[] {firstHalf, Tensor.of(y, 4)}, secondHalf);
        assertArrayEquals(new float[] {1, 2, 3, 4, 2, 4, 6, 8}, big);
    }

    private static void assertAliasRefused(Loss loss, Tensor[] inputs, Tensor gradient, String which) {
        float[] before = inputs[0].toFloatArray();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> engine.computeInto(loss, inputs, gradient));
        assertEquals("gradient 0 (input)", e.argument(), e.getMessage());
        assertTrue(e.getMessage().contains("shares its storage with " + which), e.getMessage());
        assertArrayEquals(before, inputs[0].toFloatArray(), "nothing written");
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
