package io.github.lossengine.cuda;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Supplier;

/**
 * Whether cuBLAS could serve {@code linear_cross_entropy}'s products on CUDA, probed like a backend
 * and without loading anything: JCublas's classes ({@code org.jcuda:jcublas}, pinned to the JCuda
 * version), its JNI library ({@code org.jcuda:jcublas-natives}, classifier {@code linux-x86_64}) and
 * {@code libcublas.so.12}, which the NVIDIA driver does not provide (it comes with the CUDA toolkit or
 * its redistributable, e.g. {@code nvidia-cublas-cu12}). When one is missing, {@code linear_cross_entropy}
 * runs its products on CUDA with the built-in GEMM kernel ({@code kernels/linear.cu}) and the line
 * says why; when all are there, each CUDA session goes on to load libJCublas2 and create a cuBLAS
 * handle ({@link CublasGemm}), and the engine's detail says which GEMM it uses and why. Stateless:
 * each call probes again.
 */
public final class CublasProbe {
    /** The JNI library of JCublas 2, in org.jcuda:jcublas-natives. */
    static final String JNI = "libJCublas2-12.6.0-linux-x86_64.so";

    private CublasProbe() {
    }

    /** The line {@code lossengine info} prints: {@code cublas: unavailable: <reason>; ...} or {@code cublas: found ...}. */
    public static String line() {
        return line(() -> System.getenv("LD_LIBRARY_PATH"), Paths.get("/"));
    }

    static String line(Supplier<String> ldLibraryPath, Path root) {
        String reason = unavailableReason(ldLibraryPath, root);
        return reason != null ? "cublas: unavailable: " + reason + "; linear_cross_entropy uses the built-in GEMM kernel"
                : "cublas: libcublas.so.12 and JCublas 12.6.0 found; linear_cross_entropy uses cuBLAS on CUDA when"
                        + " libJCublas2 loads and cublasCreate succeeds, else the built-in GEMM kernel (the CUDA engine's"
                        + " detail says which, and why)";
    }

    /** Why cuBLAS cannot be used here, or null when JCublas, its JNI library and libcublas.so.12 are all there. */
    static String unavailableReason(Supplier<String> ldLibraryPath, Path root) {
        ClassLoader cl = CublasProbe.class.getClassLoader();
        try {
            Class.forName("jcuda.jcublas.JCublas2", false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            return "JCublas is not on the class path (org.jcuda:jcublas:12.6.0)";
        }
        if (cl.getResource("lib/" + JNI) == null) {
            return "JCublas's native library " + JNI + " is not on the class path (add org.jcuda:jcublas-natives:12.6.0"
                    + " with the classifier linux-x86_64)";
        }
        if (!JCudaNatives.findable("libcublas.so.12", ldLibraryPath, root, "usr/local/cuda/lib64",
                "usr/local/cuda/targets/x86_64-linux/lib")) {
            return "libcublas.so.12 not found (the NVIDIA driver does not provide it: install the CUDA toolkit or"
                    + " nvidia-cublas-cu12 and put its folder on LD_LIBRARY_PATH)";
        }
        return null;
    }
}
