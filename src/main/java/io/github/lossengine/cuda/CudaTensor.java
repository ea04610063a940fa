package io.github.lossengine.cuda;

import io.github.lossengine.DType;
import io.github.lossengine.kernel.DeviceTensor;
import java.util.Arrays;
import jcuda.driver.CUdeviceptr;

/**
 * A tensor in CUDA device memory for {@link CudaEngine}: float32 values or int64 class indices,
 * row-major, with its shape. Either a view of the caller's memory ({@link CudaEngine#wrap}: closing it
 * frees nothing) or memory the engine allocated ({@link CudaEngine#allocate},
 * {@link CudaEngine#upload}, the gradients of {@link CudaEngine#compute}: closing it frees it).
 * Not thread-safe; close it once it is no longer used.
 */
public final class CudaTensor implements AutoCloseable {
    private final DeviceTensor tensor;
    private final CudaDevice.CudaMemory memory;

    CudaTensor(CudaDevice.CudaMemory memory, DType dtype, long[] shape) {
        this.memory = memory;
        this.tensor = new DeviceTensor(memory, dtype, shape);
    }

    DeviceTensor tensor() {
        return tensor;
    }

    CudaDevice.CudaMemory memory() {
        return memory;
    }

    /** The device pointer (e.g. to hand the gradient to the next kernel of the training step). */
    public CUdeviceptr pointer() {
        return memory.ptr();
    }

    public DType dtype() {
        return tensor.dtype();
    }

    public long[] shape() {
        return tensor.shape();
    }

    public long size() {
        return tensor.size();
    }

    /** Frees the memory when the engine allocated it; a wrapped caller pointer is left alone. */
    @Override
    public void close() {
        memory.close();
    }

    @Override
    public String toString() {
        return "CudaTensor[" + dtype() + " " + Arrays.toString(shape()) + "]";
    }
}
