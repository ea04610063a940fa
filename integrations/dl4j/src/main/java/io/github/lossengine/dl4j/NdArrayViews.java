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
 * <p><b>Other ND4J backends (CUDA).</b> Only the CPU backend ({@code Nd4j.getEnvironment().isCPU()})
 * is read and written in place. On ND4J's CUDA backend (1.0.0-M2.1, {@code BaseCudaDataBuffer})
 * {@code asNioFloat()} syncs the device copy to a host mirror and returns a view of that mirror; a
 * write through it does not tell ND4J that the host copy is newer (ND4J's own setters tick the host
 * write), so a gradient written there would never reach the device. Off the CPU backend this class
 * therefore reads every array through ND4J's own copy to the host ({@code toFloatVector()}), and
 * the gradient is written into a Java array that {@link Output#array()} hands to
 * {@link Nd4j#create(float[], long[], char)}: one copy each way through host memory. (Read from
 * ND4J's source; no ND4J CUDA build runs here.)
 *
 * <p>Thread-safety: stateless; a tensor shares its array's memory, so the array must not be written
 * while lossengine reads the tensor.
 */
final class NdArrayViews {
    private NdArrayViews() {
    }

    /** Whether ND4J's arrays are in host memory that {@code asNioFloat()} views: the CPU backend. */
    static boolean hostBackend() {
        return Nd4j.getEnvironment().isCPU();
    }

    /** Whether {@link #floatView} wraps {@code a} in place (dense C-order float32 on the CPU backend). */
    static boolean isZeroCopy(INDArray a) {
        return hostBackend() && isDenseFloat(a);
    }

    /** Whether {@code a} is float32 whose elements are one dense C-order run of its buffer. */
    private static boolean isDenseFloat(INDArray a) {
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
     * {@link #isZeroCopy} holds, otherwise of a dense float copy (off the CPU backend, a Java array
     * ND4J copies to).
     */
    static Tensor floatView(INDArray a) {
        return floatView(a, hostBackend());
    }

    /** {@link #floatView(INDArray)} with the backend's kind given: {@code hostMemory} on ND4J's CPU backend. */
    static Tensor floatView(INDArray a, boolean hostMemory) {
        if (!hostMemory) {
            return Tensor.of(a.castTo(DataType.FLOAT).dup('c').reshape(a.length()).toFloatVector(), a.shape());
        }
        INDArray dense = isDenseFloat(a) ? a : denseFloatCopy(a);
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
     * A writable float32 tensor of {@code shape} for a gradient lossengine writes in full, and the
     * ND4J array that holds it: on the CPU backend a new dense C-order array and a tensor over its
     * memory, elsewhere a Java array copied into ND4J by {@link Output#array()}.
     */
    static Output newOutput(long... shape) {
        return newOutput(hostBackend(), shape);
    }

    /** {@link #newOutput(long...)} with the backend's kind given: {@code hostMemory} on ND4J's CPU backend. */
    static Output newOutput(boolean hostMemory, long... shape) {
        if (!hostMemory) {
            return new Output(null, Tensor.zeros(shape), shape.clone());
        }
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        return new Output(array, Tensor.of(buffer(array), shape), shape.clone());
    }

    /** A lossengine tensor and the ND4J array that holds what is written to it. */
    static final class Output {
        private INDArray array;
        private final Tensor tensor;
        private final long[] shape;
        private final boolean inPlace;

        private Output(INDArray array, Tensor tensor, long[] shape) {
            this.array = array;
            this.tensor = tensor;
            this.shape = shape;
            this.inPlace = array != null;
        }

        /** Where lossengine writes. */
        Tensor tensor() {
            return tensor;
        }

        /** Whether {@link #tensor()} is the array's own memory. */
        boolean inPlace() {
            return inPlace;
        }

        /**
         * The ND4J array with the tensor's values: the same memory on the CPU backend; elsewhere a
         * copy made by ND4J on the first call, which must come after the last write to the tensor.
         */
        INDArray array() {
            if (array == null) {
                array = Nd4j.create(tensor.toFloatArray(), shape, 'c');
            }
            return array;
        }
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
