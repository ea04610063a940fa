package io.github.lossengine.cuda;

import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.KernelSources;

/**
 * Chooses the module image for the driver: the fatbin (SASS for sm_75 to sm_120) first; when it is
 * missing, corrupt, or the driver rejects it with a code that means "unavailable"
 * ({@link CudaErrors#meansUnavailable}: no code for this GPU, ...) or {@code CUDA_ERROR_INVALID_IMAGE},
 * the PTX (JIT-compiled by the driver). When neither loads, the backend is unavailable and the reason
 * names both attempts. Any other code (out of memory, an invalid context, ...) is not the image's
 * fault: it fails the load at once, naming the call and the CUDA error.
 * The driver call is passed in, so the choice is tested without a GPU.
 */
final class CudaModuleLoader {

    /** {@code cuModuleLoadData} on one image; returns the CUDA result code. */
    interface Loader {
        int load(byte[] image);
    }

    private CudaModuleLoader() {
    }

    /**
     * Loads the module; returns which image was used ("fatbin" or "PTX").
     *
     * @throws DeviceException when no image loads, with the reasons
     */
    static String load(KernelSources sources, Loader loader) {
        String fatbinProblem = attempt(sources, loader, true);
        if (fatbinProblem == null) {
            return "fatbin";
        }
        String ptxProblem = attempt(sources, loader, false);
        if (ptxProblem == null) {
            return "PTX";
        }
        throw new DeviceException("cannot load the kernels (fatbin: " + fatbinProblem + "; PTX: " + ptxProblem + ")");
    }

    /**
     * Hands one image to the driver: null when it loads, else why not (a missing or corrupt resource,
     * or the driver's code). A fatbin error that is not the image's (out of memory, a broken
     * context...) would meet the PTX too: it fails the load at once.
     */
    private static String attempt(KernelSources sources, Loader loader, boolean fatbin) {
        byte[] image;
        try {
            image = fatbin ? CudaModuleImage.fatbin(sources) : CudaModuleImage.ptx(sources);
        } catch (DeviceException e) {
            return e.getMessage();
        }
        int rc = loader.load(image);
        if (rc == 0) {
            return null;
        }
        String why = CudaErrors.failure("cuModuleLoadData(" + (fatbin ? "fatbin" : "PTX") + ")", rc);
        if (fatbin && !CudaErrors.meansUnavailable(rc) && rc != CudaErrors.INVALID_IMAGE) {
            throw new DeviceException("cannot load the kernels: " + why);
        }
        return why;
    }
}
