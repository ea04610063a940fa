package io.github.lossengine.cuda;

import io.github.lossengine.kernel.Device;
import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.DeviceMemory;
import io.github.lossengine.kernel.Geometry;
import io.github.lossengine.kernel.KernelArgs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * {@link Device} on the CUDA driver API through JCuda: the retained primary context (made current at
 * every entry), the loaded module, buffers, copies and launches on the current stream (the caller's
 * stream for device-resident calls, else the default stream). Every return code is checked; JCuda's
 * JVM-wide {@code setExceptionsEnabled} is left alone. Used under the backend's lock.
 *
 * <p>This is the one part of lossengine that cannot run without an NVIDIA GPU, so it holds no logic
 * of its own: which kernels run with which arguments is decided in {@code io.github.lossengine.kernel}
 * and exercised on OpenCL.
 */
final class CudaDevice implements Device {
    private final CUcontext context;
    private final CUmodule module;
    private final String description;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private CUstream stream;

    CudaDevice(CUcontext context, CUmodule module, String description) {
        this.context = context;
        this.module = module;
        this.description = description;
    }

    static void check(int rc, String call) {
        if (rc != 0) {
            throw new DeviceException(call + " failed: " + CudaErrors.name(rc));
        }
    }

    /** The stream later calls run on ({@code null}: the default stream). */
    void stream(CUstream s) {
        this.stream = s;
    }

    @Override
    public void enter() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    @Override
    public String describe() {
        return description;
    }

    /**
     * Device memory allocated here (freed on close, in its context), or a caller's pointer (never
     * freed here).
     */
    static final class CudaMemory implements DeviceMemory {
        private final long bytes;
        private final CUcontext context;
        private CUdeviceptr ptr;

        /**
         * @param context the context that owns {@code ptr} and frees it on close, or {@code null} for
         *                the caller's memory, which is never freed here
         */
        CudaMemory(CUdeviceptr ptr, long bytes, CUcontext context) {
            this.ptr = ptr;
            this.bytes = bytes;
            this.context = context;
        }

        CUdeviceptr ptr() {
            if (ptr == null) {
                throw new IllegalStateException("device memory already freed");
            }
            return ptr;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        /**
         * Frees owned memory: makes its context current on the calling thread (a CudaTensor may be
         * closed on any thread), then {@code cuMemFree}. Never throws: a failing call is logged at
         * WARN with the CUDA error name. Idempotent.
         */
        @Override
        public void close() {
            CUdeviceptr p = ptr;
            ptr = null;
            if (p != null && context != null
                    && CudaErrors.warnIfFailed(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent (to free " + bytes + " bytes)")) {
                CudaErrors.warnIfFailed(JCudaDriver.cuMemFree(p), "cuMemFree (" + bytes + " bytes)");
            }
        }
    }

    private static CUdeviceptr ptr(DeviceMemory m) {
        return ((CudaMemory) m).ptr();
    }

    @Override
    public DeviceMemory allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        check(JCudaDriver.cuMemAlloc(p, Math.max(1, bytes)), "cuMemAlloc(" + bytes + " bytes)");
        return new CudaMemory(p, bytes, context);
    }

    private void sync() {
        check(stream == null ? JCudaDriver.cuCtxSynchronize() : JCudaDriver.cuStreamSynchronize(stream), "synchronize");
    }

    private void copyIn(DeviceMemory dst, Pointer src, long bytes) {
        if (bytes > 0) {
            sync();
            check(JCudaDriver.cuMemcpyHtoD(ptr(dst), src, bytes), "cuMemcpyHtoD");
        }
    }

    private void copyOut(DeviceMemory src, Pointer dst, long bytes) {
        if (bytes > 0) {
            sync();
            check(JCudaDriver.cuMemcpyDtoH(dst, ptr(src), bytes), "cuMemcpyDtoH");
        }
    }

    @Override
    public void write(DeviceMemory dst, float[] src, int count) {
        copyIn(dst, Pointer.to(src), 4L * count);
    }

    @Override
    public void write(DeviceMemory dst, long[] src, int count) {
        copyIn(dst, Pointer.to(src), 8L * count);
    }

    @Override
    public void write(DeviceMemory dst, int[] src, int count) {
        copyIn(dst, Pointer.to(src), 4L * count);
    }

    @Override
    public void read(DeviceMemory src, float[] dst, int count) {
        copyOut(src, Pointer.to(dst), 4L * count);
    }

    @Override
    public void read(DeviceMemory src, int[] dst, int count) {
        copyOut(src, Pointer.to(dst), 4L * count);
    }

    @Override
    public void read(DeviceMemory src, long[] dst, int count) {
        copyOut(src, Pointer.to(dst), 8L * count);
    }

    @Override
    public void copy(DeviceMemory src, DeviceMemory dst, long bytes) {
        if (bytes > 0) {
            sync();
            check(JCudaDriver.cuMemcpyDtoD(ptr(dst), ptr(src), bytes), "cuMemcpyDtoD");
        }
        check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public String copyCall() {
        return "cuMemcpyDtoD + cuCtxSynchronize";
    }

    @Override
    public void launch(String name, int groups, KernelArgs args) {
        CUfunction f = functions.get(name);
        if (f == null) {
            f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
            functions.put(name, f);
        }
        List<KernelArgs.Arg> list = args.list();
        Pointer[] params = new Pointer[list.size()];
        for (int i = 0; i < params.length; i++) {
            KernelArgs.Arg a = list.get(i);
            if (a instanceof KernelArgs.Buffer b) {
                params[i] = Pointer.to(ptr(b.memory()));
            } else if (a instanceof KernelArgs.Int v) {
                params[i] = Pointer.to(new int[] {v.value()});
            } else if (a instanceof KernelArgs.Long v) {
                params[i] = Pointer.to(new long[] {v.value()});
            } else {
                params[i] = Pointer.to(new float[] {((KernelArgs.Float) a).value()});
            }
        }
        check(JCudaDriver.cuLaunchKernel(f, groups, 1, 1, Geometry.GROUP_SIZE, 1, 1, 0, stream, Pointer.to(params), null),
                "cuLaunchKernel(" + name + ")");
    }

    /**
     * Unloads the module in its context (the primary context is released by the provider). Never
     * throws: a failing call is logged at WARN with the CUDA error name.
     */
    void unload() {
        functions.clear();
        if (CudaErrors.warnIfFailed(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent (to unload the module)")) {
            CudaErrors.warnIfFailed(JCudaDriver.cuModuleUnload(module), "cuModuleUnload");
        }
    }
}
