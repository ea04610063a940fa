package io.github.lossengine.cuda;

import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUresult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CUDA driver result codes: their names (from JCuda's {@link CUresult#stringFor}), which of them mean
 * "this machine cannot run the CUDA backend" (the backend is then unavailable with a reason, and
 * automatic selection falls back) rather than a failure of one call, and which mean the device or
 * context is lost for good (sticky errors: every later call in the context fails). Pure Java, so it
 * is usable (and tested) without a driver: {@link CUresult} is a plain constants class.
 */
final class CudaErrors {
    /** The logger of the CUDA backend's clean-up warnings and probe errors. */
    static final Logger LOG = LoggerFactory.getLogger("io.github.lossengine.cuda");

    static final int STUB_LIBRARY = CUresult.CUDA_ERROR_STUB_LIBRARY;
    static final int INSUFFICIENT_DRIVER = 35; // CUDA_ERROR_INSUFFICIENT_DRIVER: JCuda 12.6 has no constant for it
    static final int DEVICE_UNAVAILABLE = CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE;
    static final int NO_DEVICE = CUresult.CUDA_ERROR_NO_DEVICE;
    static final int INVALID_IMAGE = CUresult.CUDA_ERROR_INVALID_IMAGE;
    static final int NO_BINARY_FOR_GPU = CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU;
    static final int INVALID_PTX = CUresult.CUDA_ERROR_INVALID_PTX;
    static final int JIT_COMPILER_NOT_FOUND = CUresult.CUDA_ERROR_JIT_COMPILER_NOT_FOUND;
    static final int UNSUPPORTED_PTX_VERSION = CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    static final int SYSTEM_DRIVER_MISMATCH = CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH;
    static final int COMPAT_NOT_SUPPORTED_ON_DEVICE = CUresult.CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE;

    /** Code names back to codes, for {@link CudaException}s (whose message is the name). */
    private static final Map<String, Integer> CODES = new HashMap<>();

    static {
        for (int code = 0; code < 1100; code++) {
            String name = CUresult.stringFor(code);
            if (!name.startsWith("INVALID CUresult")) {
                CODES.putIfAbsent(name, code);
            }
        }
        CODES.put("CUDA_ERROR_INSUFFICIENT_DRIVER", 35);
    }

    private CudaErrors() {
    }

    /**
     * {@code CUDA_ERROR_NO_DEVICE (100)}, from {@link CUresult#stringFor}; JCuda 12.6 does not know
     * 35, which the driver returns for an old driver; any other unknown code reads
     * {@code CUDA error (12345)}.
     */
    static String name(int code) {
        String s = code == INSUFFICIENT_DRIVER ? "CUDA_ERROR_INSUFFICIENT_DRIVER" : CUresult.stringFor(code);
        return (s.startsWith("INVALID CUresult") ? "CUDA error" : s) + " (" + code + ")";
    }

    /**
     * The code a {@link CudaException} stands for: JCuda throws one, named by
     * {@link CUresult#stringFor}, in place of returning a failing code when a program has called
     * {@code JCudaDriver.setExceptionsEnabled(true)} (JVM-wide; JCuda's own samples do it). A
     * message that names no code maps to {@code CUDA_ERROR_UNKNOWN}.
     */
    static int code(CudaException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().strip();
        Integer c = CODES.get(m);
        return c != null ? c : CUresult.CUDA_ERROR_UNKNOWN;
    }

    /**
     * Runs one driver call and returns its result code, also when JCuda reports the failure as a
     * {@link CudaException} (a program called {@code JCudaDriver.setExceptionsEnabled(true)}): every
     * call of this backend goes through here, so fallbacks, messages and never-throwing clean-up
     * behave the same either way.
     */
    static int rc(java.util.function.IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (CudaException e) {
            return code(e);
        }
    }

    /**
     * Throws {@link io.github.lossengine.kernel.DeviceException} naming {@code call} and the CUDA error
     * when {@code rc} is not success (for calls made while a session opens, before there is a session
     * to lose).
     */
    static void require(int rc, String call) {
        if (rc != 0) {
            throw new io.github.lossengine.kernel.DeviceException(call + " failed: " + name(rc));
        }
    }

    /** Whether {@code code} means the backend cannot be used on this machine. */
    static boolean meansUnavailable(int code) {
        return code == STUB_LIBRARY || code == NO_DEVICE || code == NO_BINARY_FOR_GPU || code == INVALID_PTX
                || code == JIT_COMPILER_NOT_FOUND || code == UNSUPPORTED_PTX_VERSION || code == INSUFFICIENT_DRIVER
                || code == DEVICE_UNAVAILABLE || code == SYSTEM_DRIVER_MISMATCH || code == COMPAT_NOT_SUPPORTED_ON_DEVICE;
    }

    /**
     * Whether {@code code} is a sticky error: the context is corrupt and every later call in it fails
     * (illegal address, launch timeout, hardware stack error, illegal instruction, misaligned
     * address, invalid address space, invalid PC, launch failure, cooperative launch too large,
     * unknown). The session that saw it is ended and a fresh one is opened for the next engine.
     */
    static boolean meansDeviceLost(int code) {
        return code == CUresult.CUDA_ERROR_ILLEGAL_ADDRESS || code == CUresult.CUDA_ERROR_LAUNCH_TIMEOUT
                || (code >= CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR && code <= CUresult.CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE)
                || code == CUresult.CUDA_ERROR_UNKNOWN;
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
        if (code == STUB_LIBRARY) {
            return "libcuda.so.1 is the CUDA toolkit's stub, not a driver: " + name(code);
        } else if (code == NO_DEVICE) {
            return "no CUDA device: " + name(code);
        } else if (code == DEVICE_UNAVAILABLE) {
            return "the CUDA device is unavailable (exclusive-process mode held by another process, or disabled): " + name(code);
        } else if (code == INSUFFICIENT_DRIVER) {
            return "the NVIDIA driver is too old (the kernels need CUDA 13.0, an R580 or newer driver): " + name(code);
        } else if (code == SYSTEM_DRIVER_MISMATCH) {
            return "the CUDA driver library does not match the loaded NVIDIA kernel driver (reboot or reinstall the driver): "
                    + name(code);
        } else if (code == COMPAT_NOT_SUPPORTED_ON_DEVICE) {
            return "the CUDA forward-compatibility driver does not support this GPU: " + name(code);
        } else if (code == NO_BINARY_FOR_GPU) {
            return "the module has no code for this GPU: " + name(code);
        } else if (code == INVALID_PTX || code == UNSUPPORTED_PTX_VERSION) {
            return "the driver cannot JIT the PTX (nvcc 13 emits PTX ISA 9.0, which needs an R580+ driver): " + name(code);
        } else if (code == JIT_COMPILER_NOT_FOUND) {
            return "the driver has no PTX JIT compiler: " + name(code);
        }
        return name(code);
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
