package io.github.lossengine.cuda;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CUDA driver result codes: their names, and which of them mean "this machine cannot run the CUDA
 * backend" (the backend is then unavailable with a reason, and automatic selection falls back)
 * rather than a failure of one call. Pure Java, so it is usable (and tested) without a driver.
 */
final class CudaErrors {
    /** The logger of the CUDA backend's clean-up warnings and probe errors. */
    static final Logger LOG = LoggerFactory.getLogger("io.github.lossengine.cuda");

    static final int STUB_LIBRARY = 34;
    static final int INSUFFICIENT_DRIVER = 35;
    static final int NO_DEVICE = 100;
    static final int INVALID_IMAGE = 200;
    static final int NO_BINARY_FOR_GPU = 209;
    static final int INVALID_PTX = 218;
    static final int JIT_COMPILER_NOT_FOUND = 221;
    static final int UNSUPPORTED_PTX_VERSION = 222;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "CUDA_SUCCESS"),
            Map.entry(1, "CUDA_ERROR_INVALID_VALUE"),
            Map.entry(2, "CUDA_ERROR_OUT_OF_MEMORY"),
            Map.entry(3, "CUDA_ERROR_NOT_INITIALIZED"),
            Map.entry(STUB_LIBRARY, "CUDA_ERROR_STUB_LIBRARY"),
            Map.entry(INSUFFICIENT_DRIVER, "CUDA_ERROR_INSUFFICIENT_DRIVER"),
            Map.entry(NO_DEVICE, "CUDA_ERROR_NO_DEVICE"),
            Map.entry(101, "CUDA_ERROR_INVALID_DEVICE"),
            Map.entry(INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"),
            Map.entry(201, "CUDA_ERROR_INVALID_CONTEXT"),
            Map.entry(NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
            Map.entry(INVALID_PTX, "CUDA_ERROR_INVALID_PTX"),
            Map.entry(JIT_COMPILER_NOT_FOUND, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"),
            Map.entry(UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"),
            Map.entry(500, "CUDA_ERROR_NOT_FOUND"),
            Map.entry(700, "CUDA_ERROR_ILLEGAL_ADDRESS"),
            Map.entry(701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
            Map.entry(999, "CUDA_ERROR_UNKNOWN"));

    private CudaErrors() {
    }

    /** {@code CUDA_ERROR_NO_DEVICE (100)}. */
    static String name(int code) {
        return NAMES.getOrDefault(code, "CUDA error") + " (" + code + ")";
    }

    /** Whether {@code code} means the backend cannot be used on this machine. */
    static boolean meansUnavailable(int code) {
        return code == STUB_LIBRARY || code == NO_DEVICE || code == NO_BINARY_FOR_GPU || code == INVALID_PTX
                || code == JIT_COMPILER_NOT_FOUND || code == UNSUPPORTED_PTX_VERSION || code == INSUFFICIENT_DRIVER;
    }

    /**
     * Why {@code call} failed with {@code code}, as the backend reports it: for the codes that mean
     * "unavailable" ({@link #meansUnavailable}) the reason a person can act on ({@link #explain(int)},
     * e.g. "no CUDA device: CUDA_ERROR_NO_DEVICE (100)"); for any other code an error naming the call
     * and the code, e.g. "cuInit failed: CUDA_ERROR_UNKNOWN (999)".
     */
    static String failure(String call, int code) {
        return meansUnavailable(code) ? explain(code) : call + " failed: " + name(code);
    }

    /**
     * For clean-up calls, which must not throw (closing memory, unloading the module, releasing the
     * context): logs a WARN naming {@code call} and the CUDA error when {@code code} is not success.
     *
     * @return whether the call succeeded
     */
    static boolean warnIfFailed(int code, String call) {
        if (code == 0) {
            return true;
        }
        LOG.warn("{} failed: {}", call, name(code));
        return false;
    }

    /** A reason a person can act on, for the codes that mean "unavailable". */
    static String explain(int code) {
        switch (code) {
            case STUB_LIBRARY:
                return "libcuda.so.1 is the CUDA toolkit's stub, not a driver: " + name(code);
            case NO_DEVICE:
                return "no CUDA device: " + name(code);
            case INSUFFICIENT_DRIVER:
                return "the NVIDIA driver is too old (the kernels need CUDA 13.0, an R580 or newer driver): " + name(code);
            case NO_BINARY_FOR_GPU:
                return "the module has no code for this GPU: " + name(code);
            case INVALID_PTX:
            case UNSUPPORTED_PTX_VERSION:
                return "the driver cannot JIT the PTX (nvcc 13 emits PTX ISA 9.0, which needs an R580+ driver): " + name(code);
            case JIT_COMPILER_NOT_FOUND:
                return "the driver has no PTX JIT compiler: " + name(code);
            default:
                return name(code);
        }
    }

    /**
     * The reason for a {@link Throwable} raised while loading the driver binding: without
     * {@code libcuda.so.1} JCuda throws {@link UnsatisfiedLinkError} the first time and
     * {@link NoClassDefFoundError} after.
     */
    static String explain(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(' ');
        }
        String text = all.toString();
        if (text.contains("libcuda.so")) {
            return "no CUDA driver: libcuda.so.1 not found (" + firstLine(t) + ")";
        }
        if (t instanceof UnsatisfiedLinkError || t instanceof NoClassDefFoundError || t instanceof ExceptionInInitializerError) {
            return "the JCuda driver binding could not be loaded: " + firstLine(t);
        }
        return "CUDA probe failed: " + firstLine(t);
    }

    private static String firstLine(Throwable t) {
        String s = t.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
