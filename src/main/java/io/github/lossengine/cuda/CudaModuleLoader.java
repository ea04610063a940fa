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
        String fatbinProblem;
        try {
            byte[] fatbin = CudaModuleImage.fatbin(sources);
            int rc = loader.load(fatbin);
            if (rc == 0) {
                return "fatbin";
            }
            if (!CudaErrors.meansUnavailable(rc) && rc != CudaErrors.INVALID_IMAGE) {
                // not a problem of the image (out of memory, a broken context...): the PTX would meet it too
                throw new DeviceException("cannot load the kernels: " + CudaErrors.failure("cuModuleLoadData(fatbin)", rc));
            }
            fatbinProblem = "fatbin: " + CudaErrors.failure("cuModuleLoadData(fatbin)", rc);
        } catch (DeviceException e) {
            if (e.getMessage().startsWith("cannot load")) {
                throw e;
            }
            fatbinProblem = "fatbin: " + e.getMessage();
        }
        try {
            byte[] ptx = CudaModuleImage.ptx(sources);
            int rc = loader.load(ptx);
            if (rc == 0) {
                return "PTX";
            }
            throw new DeviceException("cannot load the kernels (" + fatbinProblem + "; PTX: "
                    + CudaErrors.failure("cuModuleLoadData(PTX)", rc) + ")");
        } catch (DeviceException e) {
            if (e.getMessage().startsWith("cannot load")) {
                throw e;
            }
            throw new DeviceException("cannot load the kernels (" + fatbinProblem + "; PTX: " + e.getMessage() + ")", e);
        }
    }
}
