package io.github.lossengine.dl4j;

import io.github.lossengine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * lossengine {@link Tensor}s over ND4J arrays, without copying where the array allows it.
 *
 * <p>An ND4J array on the CPU backend keeps its elements off-heap; {@code data().asNioFloat()} is a
 * direct {@link FloatBuffer} over that memory. A {@code float} array in C order whose strides are
 * those of a dense C-order array (a whole array, or a view of whole rows) is wrapped in place: the
 * tensor is a slice of that buffer from the array's {@link INDArray#offset() offset} (where ND4J
 * positions the view's {@code asNioFloat()}), of exactly
 * {@link INDArray#length() length} elements. Anything else (another data type, F order, a view with
 * gaps such as a column range) is first copied into a new dense float array, and
 * {@link #isZeroCopy(INDArray)} says which case applies.
 *
 * <p>Thread-safety: stateless; a tensor shares its array's memory, so the array must not be written
 * while lossengine reads the tensor.
 */
final class NdArrayViews {
    private NdArrayViews() {
    }

    /** Whether {@link #floatView} wraps {@code a} in place (dense C-order float32 on a host buffer). */
    static boolean isZeroCopy(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.isEmpty() || a.data() == null || a.isCompressed()) {
            return false;
        }
        if (a.length() > 1 && a.ordering() != 'c') {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        // ND4J folds a view's offset into a view DataBuffer (whose asNioFloat() is positioned there);
        // an array whose own offset differs from its buffer's is not one this adapter has seen: copied
        return a.offset() == a.data().offset() && a.offset() + a.length() <= Integer.MAX_VALUE;
    }

    /**
     * A float32 tensor with {@code a}'s shape and elements: a view of {@code a}'s memory where
     * {@link #isZeroCopy} holds, otherwise of a dense float copy.
     */
    static Tensor floatView(INDArray a) {
        INDArray dense = isZeroCopy(a) ? a : denseFloatCopy(a);
        return Tensor.of(buffer(dense), dense.shape());
    }

    /** A new dense C-order float32 copy of {@code a} (of any numeric type and order). */
    static INDArray denseFloatCopy(INDArray a) {
        INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, a.shape(), 'c');
        out.assign(f);
        return out;
    }

    /**
     * A new dense C-order float32 array of {@code shape} and a writable tensor over its memory, for a
     * gradient lossengine writes in full.
     */
    static Output newOutput(long... shape) {
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        return new Output(array, Tensor.of(buffer(array), shape));
    }

    /** An ND4J array and a lossengine tensor over the same memory. */
    record Output(INDArray array, Tensor tensor) {
    }

    private static FloatBuffer buffer(INDArray dense) {
        FloatBuffer whole = dense.data().asNioFloat().duplicate();
        int start = whole.position();
        if (start != dense.offset()) {
            throw new IllegalStateException("ND4J's buffer view starts at " + start + ", the array at " + dense.offset());
        }
        int end = start + (int) dense.length();
        if (end > whole.capacity()) {
            throw new IllegalStateException("ND4J buffer of " + whole.capacity() + " floats is shorter than the array's"
                    + " offset " + dense.offset() + " + length " + dense.length());
        }
        whole.limit(end);
        whole.position(start);
        return whole.slice();
    }
}
