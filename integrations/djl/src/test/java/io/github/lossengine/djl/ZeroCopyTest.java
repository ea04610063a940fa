package io.github.lossengine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the adapter reads and writes in place on the PyTorch engine (CPU), proven by writing through
 * the buffer and seeing the tensor change, and what it copies.
 */
class ZeroCopyTest {
    private static final float[] VALUES = {2f, 1f, 0.1f, 0.5f, 2.5f, -1f};

    @Test
    void aContiguousFloat32CpuTensorIsReadInPlace() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.create(VALUES).reshape(2, 3);
            FloatBuffer view = NdBuffers.floats(a);
            assertEquals(6, view.remaining());
            view.put(4, 42f);
            assertEquals(42f, a.getFloat(1, 1), "a write through the buffer lossengine reads shows in the tensor");
        }
    }

    @Test
    void aTransposedOrFloat64TensorIsReadThroughACopyWithItsValues() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray t = m.create(VALUES).reshape(2, 3).transpose();
            FloatBuffer copy = NdBuffers.floats(t);
            float[] read = new float[6];
            copy.duplicate().get(read);
            assertArrayEquals(new float[] {2f, 0.5f, 1f, 2.5f, 0.1f, -1f}, read, "row-major values of the transpose");
            copy.put(0, 42f);
            assertEquals(2f, t.getFloat(0, 0), "a non-contiguous tensor is copied (PyTorch's torchToContiguous)");

            NDArray d = m.create(new double[] {1, 2, 3});
            FloatBuffer converted = NdBuffers.floats(d);
            converted.put(0, 42f);
            assertEquals(1.0, d.getDouble(0), "a float64 tensor is converted (a copy)");
        }
    }

    @Test
    void theGradientIsWrittenIntoTheEngineArraysOwnMemory() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NdBuffers.GradientArray g = NdBuffers.gradient(m, new Shape(2, 3));
            assertTrue(g.inPlace(), "PyTorch CPU: the gradient buffer is the tensor's memory");
            NDArray array = g.array();
            assertSame(array, g.array(), "no second array, no copy");
            assertEquals(DataType.FLOAT32, array.getDataType());
            assertEquals(new Shape(2, 3), array.getShape());
            FloatBuffer b = g.buffer();
            b.put(VALUES);
            assertArrayEquals(VALUES, array.toFloatArray(), "what lossengine writes is the tensor");
            b.put(5, 7f);
            assertEquals(7f, array.getFloat(1, 2), "written after the array was handed out: still the tensor");
        }
    }

    @Test
    void theAliasCheckTellsTheTensorsMemoryFromADirectCopyOfIt() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.create(VALUES).reshape(2, 3);
            ByteBuffer copy = ByteBuffer.allocateDirect(24).order(ByteOrder.nativeOrder());
            copy.put(a.toByteBuffer(true).duplicate());
            assertFalse(NdBuffers.aliases(a, copy), "a direct buffer holding the same values elsewhere");
            assertEquals(2f, a.getFloat(0, 0), "the check wrote the copy, not the tensor");
            assertTrue(NdBuffers.aliases(a, a.toByteBuffer(true).order(ByteOrder.nativeOrder())));
            NDArray one = m.create(new float[] {1.5f});
            assertTrue(NdBuffers.aliases(one, one.toByteBuffer(true).order(ByteOrder.nativeOrder())),
                    "the sentinel differs from what the tensor holds");
        }
    }

    @Test
    void aTensorWhoseDirectBufferIsACopyGetsTheGradientThroughTheStagingBuffer() {
        // With MKL-DNN tensors PyTorch's toByteBuffer(true) is a direct buffer over a dense copy
        // (JniUtils.getByteBuffer: getLayout == 2 -> torchToContiguous), and getFloat cannot index
        // the tensor: the gradient goes through the staging buffer.
        String old = System.setProperty("ai.djl.pytorch.use_mkldnn", "true");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NdBuffers.GradientArray g = NdBuffers.gradient(m, new Shape(2, 3));
            assertFalse(g.inPlace(), "an MKL-DNN tensor's direct buffer is a copy");
            g.buffer().put(VALUES);
            assertArrayEquals(VALUES, g.array().toDense().toFloatArray(), "the staged gradient reaches the engine array");
        } finally {
            if (old == null) {
                System.clearProperty("ai.djl.pytorch.use_mkldnn");
            } else {
                System.setProperty("ai.djl.pytorch.use_mkldnn", old);
            }
        }
    }
}
