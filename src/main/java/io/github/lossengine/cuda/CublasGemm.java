package io.github.lossengine.cuda;

import io.github.lossengine.kernel.BuiltInGemm;
import io.github.lossengine.kernel.Device;
import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.DeviceGemm;
import io.github.lossengine.kernel.DeviceMemory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.IntSupplier;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

/**
 * {@link DeviceGemm} by cuBLAS through JCublas2: each product is one {@code cublasGemmEx} with
 * {@code CUDA_R_32F} operands and {@code CUBLAS_COMPUTE_32F} (or {@code CUBLAS_COMPUTE_32F_FAST_TF32}
 * when the loss allows TF32), its operands mapped by {@link CublasOperands}. The bias of the logits
 * ({@link BuiltInGemm#addBias}) and the column sums of db stay with lossengine's kernels.
 *
 * <p><b>One handle per CUDA session</b> (shared by the session's engines, never static), created by
 * {@link #open} the first time the session needs to know its GEMM, with the primary context current,
 * and destroyed by {@link #destroy} when the session ends. At creation: {@code cublasSetMathMode
 * (CUBLAS_DEFAULT_MATH)} (no tensor-op math unless TF32 is asked for per call) and a workspace of
 * {@link #WORKSPACE_BYTES} in device memory owned by the handle.
 *
 * <p><b>Stream and workspace, per product.</b> Before every product {@code cublasSetStream} binds the
 * handle to the call's stream (the stream every other copy and kernel of the call uses) and
 * {@code cublasSetWorkspace} gives it the fixed workspace again: cuBLAS 12's {@code cublasSetStream}
 * resets the workspace to its default pool. With one stream, one workspace and one algorithm
 * ({@code CUBLAS_GEMM_DEFAULT}), cuBLAS's results are bitwise the same from run to run for a given
 * toolkit, GPU architecture and SM count (NVIDIA's reproducibility note).
 *
 * <p><b>Errors.</b> Every status code is checked. JCublas2's exceptions mode (JVM-wide) is never
 * touched: a {@link CudaException} thrown because a program enabled it is mapped back to its status
 * ({@link #rc}). A failing product throws {@link DeviceException} naming the product and the status.
 *
 * <p>Not thread-safe: used under the CUDA session's lock, entered.
 */
final class CublasGemm implements DeviceGemm {
    /**
     * The workspace given to cuBLAS: 32 MiB, cuBLAS's documented recommendation for Hopper (4 MiB for
     * the other architectures), so that no GEMM falls back to a slower kernel for lack of workspace and
     * cuBLAS never allocates one of its own during a call.
     */
    static final long WORKSPACE_BYTES = 32L << 20;
    /** What the engine's detail says when cuBLAS is used. */
    static final String USED = "linear_cross_entropy uses cuBLAS (cublasGemmEx, float32 operands, CUBLAS_COMPUTE_32F"
            + " unless the loss allows TF32, " + (WORKSPACE_BYTES >> 20) + " MiB workspace, on the call's stream)";
    /** How the engine's detail starts its reason when the built-in kernel is used instead. */
    static final String FALLBACK = "linear_cross_entropy uses the built-in GEMM kernel (le_gemm_f32): cuBLAS unavailable: ";

    private static final Object LOAD_LOCK = new Object();
    /** Why libJCublas2 did not load in this JVM ("" when it did, null before the first try). */
    private static String loadFailure;

    private final CudaDevice device;
    private final cublasHandle handle;
    private final CUdeviceptr workspace;
    private final Pointer one = Pointer.to(new float[] {1f});
    private final Pointer zero = Pointer.to(new float[] {0f});
    private boolean destroyed;

    private CublasGemm(CudaDevice device, cublasHandle handle, CUdeviceptr workspace) {
        this.device = device;
        this.handle = handle;
        this.workspace = workspace;
    }

    /** The GEMM a session uses and the line its detail shows (why). */
    record Choice(DeviceGemm gemm, CublasGemm cublas, String line) {
        static Choice builtIn(String reason) {
            return new Choice(BuiltInGemm.INSTANCE, null, FALLBACK + reason);
        }
    }

    /**
     * Chooses the session's GEMM, with its primary context current: cuBLAS when
     * {@link CublasProbe} finds JCublas, its JNI library and {@code libcublas.so.12}, libJCublas2 loads
     * (from a verified private copy, as JCuda's driver binding), {@code cublasCreate},
     * {@code cublasSetMathMode} and the workspace allocation succeed; otherwise the built-in kernel,
     * with the reason. Never throws.
     */
    static Choice open(CudaDevice device) {
        return open(device, () -> System.getenv("LD_LIBRARY_PATH"), Paths.get("/"));
    }

    static Choice open(CudaDevice device, java.util.function.Supplier<String> ldLibraryPath, Path root) {
        String missing = CublasProbe.unavailableReason(ldLibraryPath, root);
        if (missing != null) {
            return Choice.builtIn(missing);
        }
        String notLoaded = load();
        if (!notLoaded.isEmpty()) {
            return Choice.builtIn(notLoaded);
        }
        try {
            return create(device);
        } catch (LinkageError | RuntimeException e) {
            return Choice.builtIn("cuBLAS could not be set up: " + e);
        }
    }

    /** Loads libJCublas2 once per JVM (a JNI library loads once); "" when loaded, else why not. */
    private static String load() {
        synchronized (LOAD_LOCK) {
            if (loadFailure == null) {
                try {
                    Path dir = JCudaNatives.prepare(CublasProbe.JNI, "org.jcuda:jcublas-natives:12.6.0");
                    JCudaNatives.loadFrom(dir, () -> {
                        JCublas2.initialize();
                        return null;
                    });
                    loadFailure = "";
                } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, IOException ...
                    String s = t.toString();
                    int nl = s.indexOf('\n');
                    loadFailure = "libJCublas2 did not load: " + (nl < 0 ? s : s.substring(0, nl));
                }
            }
            return loadFailure;
        }
    }

    private static Choice create(CudaDevice device) {
        cublasHandle h = new cublasHandle();
        int rc = rc(() -> JCublas2.cublasCreate(h));
        if (rc != 0) {
            return Choice.builtIn("cublasCreate failed: " + status(rc));
        }
        String failed = null;
        CUdeviceptr ws = new CUdeviceptr();
        int m = rc(() -> JCublas2.cublasSetMathMode(h, cublasMath.CUBLAS_DEFAULT_MATH));
        if (m != 0) {
            failed = "cublasSetMathMode failed: " + status(m);
        } else {
            int a = CudaErrors.rc(() -> jcuda.driver.JCudaDriver.cuMemAlloc(ws, WORKSPACE_BYTES));
            if (a != 0) {
                failed = "its " + (WORKSPACE_BYTES >> 20) + " MiB workspace could not be allocated: cuMemAlloc failed: "
                        + CudaErrors.name(a);
            } else {
                int w = rc(() -> JCublas2.cublasSetWorkspace(h, ws, WORKSPACE_BYTES));
                if (w != 0) {
                    failed = "cublasSetWorkspace failed: " + status(w);
                    CudaErrors.warnIfFailed(CudaErrors.rc(() -> jcuda.driver.JCudaDriver.cuMemFree(ws)), "cuMemFree (cuBLAS workspace)");
                }
            }
        }
        if (failed != null) {
            warnIfFailed(rc(() -> JCublas2.cublasDestroy(h)), "cublasDestroy");
            return Choice.builtIn(failed);
        }
        CublasGemm g = new CublasGemm(device, h, ws);
        return new Choice(g, g, USED);
    }

    /**
     * Destroys the handle and frees the workspace, with the session's context current (cuBLAS
     * documents that {@code cublasDestroy} synchronises the device; it runs once, when the session
     * ends). Never throws: a failing call is logged at WARN. Idempotent.
     */
    void destroy() {
        if (!destroyed) {
            destroyed = true;
            warnIfFailed(rc(() -> JCublas2.cublasDestroy(handle)), "cublasDestroy");
            CudaErrors.warnIfFailed(CudaErrors.rc(() -> jcuda.driver.JCudaDriver.cuMemFree(workspace)), "cuMemFree (cuBLAS workspace)");
        }
    }

    @Override
    public void logits(Device dev, DeviceMemory h, long hOff, DeviceMemory w, DeviceMemory z, int m, int d, int v,
                       DeviceMemory bias, boolean allowTf32) {
        if (!gemm("logits", CublasOperands.logits(m, d, v), operand(h, hOff), CudaDevice.ptr(w), null, CudaDevice.ptr(z),
                allowTf32)) {
            BuiltInGemm.INSTANCE.logits(dev, h, hOff, w, z, m, d, v, bias, allowTf32);
        } else if (bias != null) {
            BuiltInGemm.addBias(dev, z, m, v, bias);
        }
    }

    @Override
    public void hiddenGradient(Device dev, DeviceMemory dz, DeviceMemory w, DeviceMemory dh, long dhOff, int m, int d,
                               int v, boolean allowTf32) {
        if (!gemm("dH = dZ W", CublasOperands.hiddenGradient(m, d, v), null, CudaDevice.ptr(w), CudaDevice.ptr(dz),
                operand(dh, dhOff), allowTf32)) {
            BuiltInGemm.INSTANCE.hiddenGradient(dev, dz, w, dh, dhOff, m, d, v, allowTf32);
        }
    }

    @Override
    public void weightGradient(Device dev, DeviceMemory dz, DeviceMemory h, long hOff, DeviceMemory dw, int m, int d,
                               int v, boolean allowTf32) {
        if (!gemm("dW += dZ^T h", CublasOperands.weightGradient(m, d, v), operand(h, hOff), null, CudaDevice.ptr(dz),
                CudaDevice.ptr(dw), allowTf32)) {
            BuiltInGemm.INSTANCE.weightGradient(dev, dz, h, hOff, dw, m, d, v, allowTf32);
        }
    }

    private static Pointer operand(DeviceMemory m, long floatOffset) {
        CUdeviceptr p = CudaDevice.ptr(m);
        return floatOffset == 0 ? p : p.withByteOffset(4 * floatOffset);
    }

    /**
     * One {@code cublasGemmEx} on the device's current stream, with the fixed workspace; false, doing
     * nothing, when a dimension is 0 (nothing to multiply, and cuBLAS would refuse a leading dimension
     * of 0): the built-in kernel then writes the empty products' zeros (and the bias).
     */
    private boolean gemm(String what, CublasOperands.Call c, Pointer hidden, Pointer weight, Pointer dz, Pointer out,
                         boolean allowTf32) {
        if (c.m() == 0 || c.n() == 0 || c.k() == 0) {
            return false;
        }
        cudaStream_t s = new cudaStream_t(device.stream());
        check(rc(() -> JCublas2.cublasSetStream(handle, s)), "cublasSetStream");
        check(rc(() -> JCublas2.cublasSetWorkspace(handle, workspace, WORKSPACE_BYTES)), "cublasSetWorkspace");
        Pointer a = pick(c.a(), hidden, weight, dz);
        Pointer b = pick(c.b(), hidden, weight, dz);
        int compute = allowTf32 ? cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32 : cublasComputeType.CUBLAS_COMPUTE_32F;
        Pointer beta = c.beta() == 0f ? zero : one;
        // cublasGemmEx_new takes a cublasComputeType; JCublas2's cublasGemmEx takes the CUDA 10 form (a
        // cudaDataType, migrated through the math mode) and refuses CUBLAS_COMPUTE_32F with NOT_SUPPORTED
        int rc = rc(() -> JCublas2.cublasGemmEx_new(handle, c.transa(), c.transb(), c.m(), c.n(), c.k(), one,
                a, cudaDataType.CUDA_R_32F, c.lda(), b, cudaDataType.CUDA_R_32F, c.ldb(), beta,
                out, cudaDataType.CUDA_R_32F, c.ldc(), compute, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT));
        check(rc, "cublasGemmEx (" + what + ", m = " + c.m() + ", n = " + c.n() + ", k = " + c.k() + ")");
        return true;
    }

    private static Pointer pick(CublasOperands.Operand o, Pointer hidden, Pointer weight, Pointer dz) {
        return switch (o) {
            case HIDDEN -> hidden;
            case WEIGHT -> weight;
            case DZ -> dz;
        };
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw new DeviceException(call + " failed: " + status(rc));
        }
    }

    /**
     * Runs one JCublas2 call and returns its status, also when JCublas2 reports a failure as a
     * {@link CudaException} (a program called {@code JCublas2.setExceptionsEnabled(true)}, which is
     * JVM-wide and never touched here): its message is the status name.
     */
    static int rc(IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (CudaException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().strip();
            for (int code = 0; code < 32; code++) {
                if (cublasStatus.stringFor(code).equals(m)) {
                    return code;
                }
            }
            return cublasStatus.CUBLAS_STATUS_INTERNAL_ERROR;
        }
    }

    /** A status code as {@code CUBLAS_STATUS_NAME (code)}. */
    static String status(int code) {
        return cublasStatus.stringFor(code) + " (" + code + ")";
    }

    private static void warnIfFailed(int rc, String call) {
        if (rc != 0) {
            CudaErrors.LOG.warn("{} failed: {}", call, status(rc));
        }
    }
}
