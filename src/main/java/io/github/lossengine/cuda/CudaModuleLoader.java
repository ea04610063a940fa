package io.github.lossengine.cuda;

import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.KernelSources;

/**
 * Chooses the module image for the driver: the fatbin (SASS for sm_75 to sm_120) first; when it is
 * missing, corrupt, or the driver finds no code in it for this GPU, the PTX (JIT-compiled by the
 * driver). When neither loads, the backend is unavailable and the reason names both attempts.
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
            fatbinProblem = "fatbin: " + CudaErrors.explain(rc);
        } catch (DeviceException e) {
            fatbinProblem = "fatbin: " + e.getMessage();
        }
        try {
            byte[] ptx = CudaModuleImage.ptx(sources);
            int rc = loader.load(ptx);
            if (rc == 0) {
                return "PTX";
            }
            throw new DeviceException("cannot load the kernels (" + fatbinProblem + "; PTX: " + CudaErrors.explain(rc) + ")");
        } catch (DeviceException e) {
            if (e.getMessage().startsWith("cannot load")) {
                throw e;
            }
            throw new DeviceException("cannot load the kernels (" + fatbinProblem + "; PTX: " + e.getMessage() + ")", e);
        }
    }
}
