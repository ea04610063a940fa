package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import java.util.Arrays;

/**
 * A tensor in device memory: float32 values or int64 class indices, row-major, with its shape.
 *
 * @param memory the device memory holding at least {@code size()} elements
 * @param dtype  {@link DType#FLOAT32} or {@link DType#INT64} (the kernels read class indices as 64-bit)
 * @param shape  the extents
 */
public record DeviceTensor(DeviceMemory memory, DType dtype, long[] shape) {

    public DeviceTensor {
        shape = shape.clone();
        if (dtype == DType.INT32) {
            throw new IllegalArgumentException("device tensors hold float32 or int64; convert int32 indices to int64");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    /** Extent of dimension {@code d}; negative counts from the end. */
    public long dim(int d) {
        return shape[d < 0 ? shape.length + d : d];
    }

    public boolean sameShape(DeviceTensor o) {
        return Arrays.equals(shape, o.shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceTensor t && t.memory == memory && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(memory) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "DeviceTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
