package io.github.lossengine.djl;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * lossengine tensors over DJL arrays, and the gradient array lossengine writes.
 *
 * <p><b>Reading.</b> A float32 array is read through {@link NDArray#toByteBuffer(boolean)
 * toByteBuffer(true)}. On the PyTorch engine (DJL 0.34 to 0.36, {@code JniUtils.getByteBuffer}) that is
 * {@code torchDirectByteBuffer}, a JNI {@code NewDirectByteBuffer(tensor.data_ptr(), nbytes)}: a view
 * of the tensor's own memory when the tensor is on the CPU, dense (not sparse, not MKL-DNN) and
 * contiguous. Otherwise PyTorch first makes a contiguous CPU copy ({@code toDevice(cpu)},
 * {@code torchToContiguous}) and hands out a view of that copy. Other float types are converted to
 * float32 first ({@code toType}, a copy). Either way what is read is the array's values.
 *
 * <p><b>Writing.</b> {@link #gradient} creates the gradient as an engine array
 * ({@code manager.create(shape, FLOAT32)}, PyTorch's {@code torch::empty}) and lets lossengine write
 * straight into its memory through {@code toByteBuffer(true)} when that buffer is checked to be the
 * array's own memory (see {@link GradientArray#inPlace()}): the PyTorch engine on the CPU. Elsewhere
 * (a GPU tensor, whose {@code toByteBuffer} is a host copy; MKL-DNN tensors with
 * {@code -Dai.djl.pytorch.use_mkldnn=true}; an engine whose direct buffer is not the array's memory)
 * lossengine writes into a direct staging buffer that {@code manager.create(ByteBuffer, shape, FLOAT32)}
 * turns into the array: PyTorch's {@code torch::from_blob} over that buffer on the CPU, a copy to
 * the device on a GPU ({@code torchFromBlob} then {@code .to(device)}), the engine's own copy elsewhere.
 *
 * <p>Thread-safety: stateless; the array must not be written while lossengine reads the tensor.
 */
final class NdBuffers {
    private NdBuffers() {
    }

    /** The elements of {@code a} as a float32 buffer (a view where the engine gives one). */
    static FloatBuffer floats(NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        ByteBuffer bytes = f.toByteBuffer(true);
        return bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** {@code a} as a float32 tensor of its shape. */
    static Tensor floatTensor(NDArray a) {
        return Tensor.of(floats(a), a.getShape().getShape());
    }

    /** {@code labels} as int32 class indices (one per row); each must be a whole number. */
    static Tensor classIndices(NDArray labels) {
        if (labels.getDataType().isInteger()) {
            return Tensor.ofInts(labels.toType(DataType.INT32, false).toIntArray());
        }
        float[] v = copy(floats(labels));
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
                throw InvalidInputException.at("labels", i, Float.toString(v[i]), "a class index must be a whole number");
            }
            out[i] = (int) v[i];
        }
        return Tensor.ofInts(out);
    }

    private static float[] copy(FloatBuffer b) {
        float[] out = new float[b.limit()];
        b.duplicate().get(out);
        return out;
    }

    /**
     * A new float32 array of {@code shape} on {@code manager}'s device, with the buffer lossengine
     * writes it through.
     */
    static GradientArray gradient(NDManager manager, Shape shape) {
        long n = shape.size();
        if (n > Integer.MAX_VALUE / 4) {
            throw new InvalidInputException("predictions", n + " elements: more than one direct buffer holds");
        }
        if (n > 0 && manager.getDevice().getDeviceType().equals(Device.Type.CPU)) {
            NDArray array = manager.create(shape, DataType.FLOAT32);
            ByteBuffer view = array.toByteBuffer(true);
            if (view.isDirect() && view.capacity() == n * 4 && aliases(array, view.order(ByteOrder.nativeOrder()))) {
                return new GradientArray(manager, shape, array, view);
            }
            array.close();
        }
        return new GradientArray(manager, shape, null, ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder()));
    }

    /**
     * Whether a write through {@code view} shows in {@code array} as the engine reads it back: the
     * first element is set to a value that differs from the one the view holds, and read back through
     * {@link NDArray#getFloat(long...)} (on PyTorch {@code torchDataPtr}, a copy from
     * {@code tensor.data_ptr()}). A buffer over a copy leaves the array as it was. An array the engine
     * cannot index (PyTorch's MKL-DNN tensors: no {@code as_strided}) counts as not aliased.
     * {@code array} must be one nobody else reads yet: its first element is overwritten.
     */
    static boolean aliases(NDArray array, ByteBuffer view) {
        float sentinel = Float.floatToRawIntBits(view.getFloat(0)) == Float.floatToRawIntBits(1.5f) ? -2.5f : 1.5f;
        view.putFloat(0, sentinel);
        float seen;
        try {
            seen = array.getFloat(new long[array.getShape().dimension()]);
        } catch (EngineException e) {
            return false;
        }
        return Float.floatToRawIntBits(seen) == Float.floatToRawIntBits(sentinel);
    }

    /**
     * The gradient's engine array and the float32 buffer lossengine writes: the array's own memory
     * when {@link #inPlace()}, otherwise a direct staging buffer that {@link #array()} hands to the
     * engine.
     */
    static final class GradientArray {
        private final NDManager manager;
        private final Shape shape;
        private final NDArray array;
        private final ByteBuffer bytes;

        private GradientArray(NDManager manager, Shape shape, NDArray array, ByteBuffer bytes) {
            this.manager = manager;
            this.shape = shape;
            this.array = array;
            this.bytes = bytes;
        }

        /** Whether {@link #buffer()} is the engine array's own memory (no copy on the way back). */
        boolean inPlace() {
            return array != null;
        }

        /** The native-order float32 buffer lossengine writes, of the shape's size. */
        FloatBuffer buffer() {
            return bytes.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        /** The engine array holding what was written to {@link #buffer()} (created from the staging buffer when not in place). */
        NDArray array() {
            return array != null ? array : manager.create(bytes, shape, DataType.FLOAT32);
        }
    }
}
