package io.github.lossengine.cuda;

import io.github.lossengine.Backend;
import io.github.lossengine.DeviceLostException;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.kernel.BuiltInGemm;
import io.github.lossengine.kernel.Device;
import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.DeviceGemm;
import io.github.lossengine.kernel.DeviceMemory;
import io.github.lossengine.kernel.Geometry;
import io.github.lossengine.kernel.KernelArgs;
import java.util.ArrayList;
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
 * {@link Device} on the CUDA driver API through JCuda: the retained primary context, the loaded
 * module with every kernel resolved when the session opens, buffers, copies and launches.
 *
 * <p><b>Context.</b> {@link #enter()} pushes the primary context onto the calling thread's context
 * stack and {@link #exit()} pops it, so training code that holds its own context finds it current
 * again after every call.
 *
 * <p><b>Stream.</b> Every copy, memset and launch of a call goes to one stream: the caller's
 * ({@link CudaEngine} with a stream), the legacy default stream ({@link CudaEngine} without one), or
 * the session's own non-blocking stream (host-array calls of {@code LossEngine}). Host-to-device
 * copies are {@code cuMemcpyHtoDAsync} on that stream (the driver stages pageable memory before it
 * returns), so a kernel never runs before its inputs have landed, whatever kind of stream it is;
 * reads are {@code cuMemcpyDtoHAsync} on it followed by {@code cuStreamSynchronize} of that stream
 * alone (never {@code cuCtxSynchronize}, which would wait for every stream of the training code).
 *
 * <p><b>Errors.</b> Every return code is checked; a {@link jcuda.CudaException} (thrown instead when a
 * program has called {@code JCudaDriver.setExceptionsEnabled(true)}) is mapped back to its code. A
 * sticky error ({@link CudaErrors#meansDeviceLost}) ends the session: {@link DeviceLostException}
 * names the kernels launched since the last good synchronisation (the faulting one among them), the
 * provider is told through {@code onLost}, and every later call throws the same exception.
 *
 * <p><b>GEMM.</b> {@code linear_cross_entropy}'s products run with cuBLAS when it can be set up for
 * this session ({@link CublasGemm#open}), else with the built-in kernel; the choice is made once per
 * session, the first time {@link #gemm()} or {@link #describe()} needs it (an engine asks for its
 * detail when it is created), and {@link #describe()} says which GEMM is used and why.
 *
 * <p>Used under the session's lock, except {@link CudaMemory#close()}, which may run on any thread.
 */
final class CudaDevice implements Device {
    /** The legacy default stream (handle 0): JCuda's async copies refuse a {@code null} stream. */
    static final CUstream LEGACY_STREAM = new CUstream();

    private final CUcontext context;
    private final CUmodule module;
    private final String description;
    private final Map<String, CUfunction> functions;
    private final CUstream own;
    private final Runnable onLost;
    private final List<String> launchedSinceSync = new ArrayList<>();
    private CUstream stream;
    private int depth;
    private volatile boolean ended;
    private volatile String lost;
    private volatile List<String> lostKernels = List.of();
    private DeviceGemm gemm;
    private CublasGemm cublas;
    private String gemmLine;

    /**
     * Resolves every kernel of the module (the context must be current on the calling thread) and
     * creates the session's own non-blocking stream.
     *
     * @throws DeviceException naming the first kernel the module lacks, or the failing call
     */
    CudaDevice(CUcontext context, CUmodule module, List<String> kernels, String description, Runnable onLost) {
        this.context = context;
        this.module = module;
        this.description = description;
        this.onLost = onLost;
        Map<String, CUfunction> f = new HashMap<>();
        for (String name : kernels) {
            CUfunction fn = new CUfunction();
            int rc = CudaErrors.rc(() -> JCudaDriver.cuModuleGetFunction(fn, module, name));
            if (rc != 0) {
                throw new DeviceException("the module has no kernel " + name + " (cuModuleGetFunction: " + CudaErrors.name(rc) + ")");
            }
            f.put(name, fn);
        }
        this.functions = Map.copyOf(f);
        CUstream s = new CUstream();
        CudaErrors.require(CudaErrors.rc(() -> JCudaDriver.cuStreamCreate(s, jcuda.driver.CUstream_flags.CU_STREAM_NON_BLOCKING)),
                "cuStreamCreate");
        this.own = s;
        this.stream = s;
    }

    CUcontext context() {
        return context;
    }

    /** Whether the session this device belongs to is still open (not ended, not lost). */
    boolean alive() {
        return !ended && lost == null;
    }

    /**
     * Checks a driver result: success returns; a sticky error ends the session and throws
     * {@link DeviceLostException}; any other code throws {@link DeviceException} naming the call.
     */
    void check(int rc, String call) {
        if (rc == 0) {
            return;
        }
        if (CudaErrors.meansDeviceLost(rc)) {
            throw lose(rc, call);
        }
        CudaErrors.require(rc, call);
    }

    private DeviceLostException lose(int rc, String call) {
        List<String> kernels = List.copyOf(launchedSinceSync);
        String where;
        if (kernels.isEmpty()) {
            where = "";
        } else if (kernels.size() == 1) {
            where = " in kernel " + kernels.get(0);
        } else {
            where = " in one of the kernels launched since the last synchronisation: " + String.join(", ", kernels);
        }
        lostKernels = kernels;
        lost = CudaErrors.name(rc) + where + " (reported by " + call + "); the CUDA session is closed, the next engine opens a fresh one";
        launchedSinceSync.clear();
        onLost.run();
        return new DeviceLostException(Backend.CUDA, lost, kernels);
    }

    /** The stream later calls run on: the caller's ({@code null}: the legacy default stream). */
    void useStream(CUstream s) {
        this.stream = s == null ? LEGACY_STREAM : s;
    }

    /** Back to the session's own non-blocking stream (host-array calls). */
    void useOwnStream() {
        this.stream = own;
    }

    /** Refuses every call once the session has ended or was lost. */
    private void requireAlive() {
        String why = lost;
        if (why != null) {
            throw new DeviceLostException(Backend.CUDA, why, lostKernels);
        }
        if (ended) {
            throw new IllegalStateException("the CUDA session has ended (its last engine was closed)");
        }
    }

    /** Pushes the primary context onto the calling thread's context stack (popped by {@link #exit()}). */
    @Override
    public void enter() {
        requireAlive();
        check(CudaErrors.rc(() -> JCudaDriver.cuCtxPushCurrent(context)), "cuCtxPushCurrent");
        depth++;
    }

    /** Pops what {@link #enter()} pushed, restoring the caller's current context. Never throws. */
    @Override
    public void exit() {
        if (depth > 0) {
            depth--;
            CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPopCurrent(new CUcontext())), "cuCtxPopCurrent");
        }
    }

    /** The device, then which GEMM {@code linear_cross_entropy} uses here and why. */
    @Override
    public String describe() {
        String line = alive() ? chooseGemm() : null;
        return line == null ? description : description + "; " + line;
    }

    /** cuBLAS when this session could set it up, else the built-in kernel ({@link #describe()} says why). */
    @Override
    public DeviceGemm gemm() {
        chooseGemm();
        return gemm;
    }

    /**
     * Makes the session's GEMM choice once (creating the cuBLAS handle, with the context pushed) and
     * returns its line. Without JCublas on the class path CublasGemm is never loaded.
     */
    private synchronized String chooseGemm() {
        if (gemmLine == null) {
            String missing = CublasProbe.unavailableReason(() -> System.getenv("LD_LIBRARY_PATH"), java.nio.file.Paths.get("/"));
            if (missing != null) {
                gemm = BuiltInGemm.INSTANCE;
                gemmLine = CublasGemm.FALLBACK + missing;
            } else {
                int rc = CudaErrors.rc(() -> JCudaDriver.cuCtxPushCurrent(context));
                if (rc != 0) { // not check(): losing the session here would take the provider's lock under this one
                    gemm = BuiltInGemm.INSTANCE;
                    gemmLine = CublasGemm.FALLBACK + "cuCtxPushCurrent failed: " + CudaErrors.name(rc);
                    return gemmLine;
                }
                try {
                    CublasGemm.Choice c = CublasGemm.open(this);
                    gemm = c.gemm();
                    cublas = c.cublas();
                    gemmLine = c.line();
                } catch (LinkageError e) {
                    gemm = BuiltInGemm.INSTANCE;
                    gemmLine = CublasGemm.FALLBACK + "JCublas could not be used: " + e;
                } finally {
                    CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPopCurrent(new CUcontext())), "cuCtxPopCurrent");
                }
            }
            CudaErrors.LOG.info("CUDA session: {}", gemmLine);
        }
        return gemmLine;
    }

    /** The stream the current call runs on (the legacy default stream's handle is 0). */
    CUstream stream() {
        return stream;
    }

    /**
     * Device memory allocated by a session (freed on close, in its context, while that session is
     * alive), or a caller's pointer (never freed here).
     */
    static final class CudaMemory implements DeviceMemory {
        private final long bytes;
        private final CudaDevice owner;
        private CUdeviceptr ptr;

        /**
         * @param owner the session's device that allocated {@code ptr} and frees it on close, or
         *              {@code null} for the caller's memory, which is never freed here
         */
        CudaMemory(CUdeviceptr ptr, long bytes, CudaDevice owner) {
            this.ptr = ptr;
            this.bytes = bytes;
            this.owner = owner;
        }

        CUdeviceptr ptr() {
            CUdeviceptr p = ptr;
            if (p == null) {
                throw new IllegalStateException("device memory already freed");
            }
            return p;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        /**
         * Frees owned memory: pushes its context on the calling thread (a CudaTensor may be closed on
         * any thread), {@code cuMemFree}, pops. Memory of a session that has ended or was lost went
         * with its context: nothing is freed then, so a stale handle can never free memory that a
         * newer session was given at the same address. Never throws: a failing call is logged at WARN
         * with the CUDA error name. Idempotent.
         */
        @Override
        public void close() {
            CUdeviceptr p;
            synchronized (this) {
                p = ptr;
                ptr = null;
            }
            if (p != null && owner != null) {
                owner.free(p, bytes);
            }
        }
    }

    private void free(CUdeviceptr p, long bytes) {
        synchronized (this) {
            if (!alive()) {
                CudaErrors.LOG.debug("not freeing {} bytes: their CUDA session has ended", bytes);
                return;
            }
            if (CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPushCurrent(context)), "cuCtxPushCurrent (to free " + bytes + " bytes)")) {
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuMemFree(p)), "cuMemFree (" + bytes + " bytes)");
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPopCurrent(new CUcontext())), "cuCtxPopCurrent");
            }
        }
    }

    static CUdeviceptr ptr(DeviceMemory m) {
        return ((CudaMemory) m).ptr();
    }

    @Override
    public DeviceMemory allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        check(CudaErrors.rc(() -> JCudaDriver.cuMemAlloc(p, Math.max(1, bytes))), "cuMemAlloc(" + bytes + " bytes)");
        return new CudaMemory(p, bytes, this);
    }

    /** Waits for the current stream alone (e.g. before an uploaded tensor is handed to any stream). */
    void finish() {
        sync();
    }

    /** The raw handle of a context (JCuda keeps it private; its {@code toString} shows it in hex). */
    static long handle(CUcontext c) {
        String s = c.toString();
        int at = s.indexOf("0x");
        return Long.parseUnsignedLong(s.substring(at + 2, s.indexOf(']', at)), 16);
    }

    /**
     * Refuses a caller's device pointer that is not {@code align}-aligned device memory of this
     * context with {@code bytes} bytes inside one allocation. Call entered.
     *
     * @throws InvalidInputException naming {@code argument} and the address
     */
    void requireAllocation(CUdeviceptr p, long bytes, int align, String argument) {
        long[] address = new long[1];
        int rc = CudaErrors.rc(() -> JCudaDriver.cuPointerGetAttribute(Pointer.to(address),
                jcuda.driver.CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, p));
        if (rc != 0) {
            throw new InvalidInputException(argument, "is not CUDA device memory (cuPointerGetAttribute: " + CudaErrors.name(rc) + ")");
        }
        String at = "0x" + Long.toHexString(address[0]);
        long[] owner = new long[1];
        rc = CudaErrors.rc(() -> JCudaDriver.cuPointerGetAttribute(Pointer.to(owner),
                jcuda.driver.CUpointer_attribute.CU_POINTER_ATTRIBUTE_CONTEXT, p));
        if (rc != 0 || owner[0] != handle(context)) {
            throw new InvalidInputException(argument, at + " is not memory of this engine's CUDA context"
                    + (rc != 0 ? " (cuPointerGetAttribute: " + CudaErrors.name(rc) + ")" : " (it belongs to context 0x" + Long.toHexString(owner[0]) + ")"));
        }
        if (Long.remainderUnsigned(address[0], align) != 0) {
            throw new InvalidInputException(argument, at + " is not aligned to " + align + " bytes");
        }
        CUdeviceptr base = new CUdeviceptr();
        long[] size = new long[1];
        rc = CudaErrors.rc(() -> JCudaDriver.cuMemGetAddressRange(base, size, p));
        long[] start = new long[1];
        int rc2 = rc != 0 ? rc : CudaErrors.rc(() -> JCudaDriver.cuPointerGetAttribute(Pointer.to(start),
                jcuda.driver.CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, base));
        if (rc2 != 0) {
            throw new InvalidInputException(argument, at + ": its allocation cannot be found (cuMemGetAddressRange: " + CudaErrors.name(rc2) + ")");
        }
        long end = start[0] + size[0];
        if (Long.compareUnsigned(address[0] + bytes, end) > 0) {
            throw new InvalidInputException(argument, at + " + " + bytes + " bytes runs past the end of its allocation [0x"
                    + Long.toHexString(start[0]) + ", 0x" + Long.toHexString(end) + ")");
        }
    }

    /**
     * Refuses a caller's stream that belongs to another context ({@code cuStreamGetCtx}). Call entered.
     *
     * @throws InvalidInputException naming {@code stream}
     */
    void requireStream(CUstream s) {
        CUcontext owner = new CUcontext();
        int rc = CudaErrors.rc(() -> JCudaDriver.cuStreamGetCtx(s, owner));
        if (rc != 0) {
            throw new InvalidInputException("stream", "is not a usable CUDA stream (cuStreamGetCtx: " + CudaErrors.name(rc) + ")");
        }
        if (!owner.equals(context)) {
            throw new InvalidInputException("stream", "belongs to CUDA context 0x" + Long.toHexString(handle(owner))
                    + ", not this engine's 0x" + Long.toHexString(handle(context)));
        }
    }

    /** Waits for the current stream alone. */
    private void sync() {
        check(CudaErrors.rc(() -> JCudaDriver.cuStreamSynchronize(stream)), "cuStreamSynchronize");
        launchedSinceSync.clear();
    }

    private void copyIn(DeviceMemory dst, long offset, Pointer src, long bytes) {
        if (bytes > 0) {
            if (offset < 0 || offset + bytes > dst.bytes()) {
                throw new IllegalArgumentException("write of " + bytes + " bytes at " + offset + " outside " + dst.bytes() + " bytes");
            }
            CUdeviceptr at = offset == 0 ? ptr(dst) : ptr(dst).withByteOffset(offset);
            check(CudaErrors.rc(() -> JCudaDriver.cuMemcpyHtoDAsync(at, src, bytes, stream)), "cuMemcpyHtoDAsync");
        }
    }

    private void copyOut(DeviceMemory src, Pointer dst, long bytes) {
        if (bytes > 0) {
            check(CudaErrors.rc(() -> JCudaDriver.cuMemcpyDtoHAsync(dst, ptr(src), bytes, stream)), "cuMemcpyDtoHAsync");
            sync();
        }
    }

    @Override
    public void write(DeviceMemory dst, long at, float[] src, int count) {
        copyIn(dst, 4 * at, Pointer.to(src), 4L * count);
    }

    @Override
    public void write(DeviceMemory dst, long at, long[] src, int count) {
        copyIn(dst, 8 * at, Pointer.to(src), 8L * count);
    }

    @Override
    public void write(DeviceMemory dst, int[] src, int count) {
        copyIn(dst, 0, Pointer.to(src), 4L * count);
    }

    /**
     * Fills {@code count} floats at the start of {@code dst} with {@code value}, on the current
     * stream ({@code cuMemsetD32Async}).
     */
    @Override
    public void fill(DeviceMemory dst, float value, long count) {
        if (count > 0) {
            int bits = Float.floatToRawIntBits(value);
            check(CudaErrors.rc(() -> JCudaDriver.cuMemsetD32Async(ptr(dst), bits, count, stream)), "cuMemsetD32Async");
        }
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
            check(CudaErrors.rc(() -> JCudaDriver.cuMemcpyDtoDAsync(ptr(dst), ptr(src), bytes, stream)), "cuMemcpyDtoDAsync");
        }
        sync();
    }

    @Override
    public String copyCall() {
        return "cuMemcpyDtoDAsync + cuStreamSynchronize";
    }

    @Override
    public void launch(String name, int groups, KernelArgs args) {
        CUfunction f = functions.get(name);
        if (f == null) {
            throw new DeviceException("no kernel " + name + " in the CUDA module");
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
        CUstream s = stream;
        int rc = CudaErrors.rc(() -> JCudaDriver.cuLaunchKernel(f, groups, 1, 1, Geometry.GROUP_SIZE, 1, 1, 0, s, Pointer.to(params), null));
        check(rc, "cuLaunchKernel(" + name + ")"); // a sticky error here is an earlier kernel's: this one never ran
        launchedSinceSync.add(name);
    }

    /**
     * Ends the session's use of the device: destroys its cuBLAS handle (freeing its workspace) and its
     * stream and unloads the module in its context (the primary context is released by the
     * provider). Memory allocated by the session and closed after this is not freed (it went with the
     * context). Never throws: a failing call is
     * logged at WARN with the CUDA error name; after a sticky error only the bookkeeping is done.
     */
    void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            boolean healthy = lost == null;
            ended = true;
            if (healthy && CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPushCurrent(context)), "cuCtxPushCurrent (to end the session)")) {
                if (cublas != null) {
                    cublas.destroy();
                }
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuStreamDestroy(own)), "cuStreamDestroy");
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuModuleUnload(module)), "cuModuleUnload");
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPopCurrent(new CUcontext())), "cuCtxPopCurrent");
            }
        }
    }
}
