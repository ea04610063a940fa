package io.github.lossengine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * lossengine tensors over DJL arrays, and back.
 *
 * <p>A float32 array is read through {@link NDArray#toByteBuffer(boolean) toByteBuffer(true)}: the
 * PyTorch engine hands out a direct buffer over a contiguous CPU tensor's memory where it can
 * ({@link #isDirect} says whether it did), otherwise a copy; other float types are converted to
 * float32 first (a copy). The gradient lossengine writes goes into a direct buffer that
 * {@link ai.djl.ndarray.NDManager#create(java.nio.Buffer, ai.djl.ndarray.types.Shape)} copies into a
 * new engine array: DJL offers no way to wrap foreign memory as a tensor, so this is the one copy
 * each way.
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

    /** Whether {@link #floats} reads {@code a} in place: a float32 array the engine hands out directly. */
    static boolean isDirect(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 && a.toByteBuffer(true).isDirect();
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

    /** A new direct, native-order float buffer of {@code n} elements. */
    static FloatBuffer direct(long n) {
        if (n > Integer.MAX_VALUE / 4) {
            throw new InvalidInputException("predictions", n + " elements: more than one direct buffer holds");
        }
        return ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
