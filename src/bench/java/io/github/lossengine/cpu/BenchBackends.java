package io.github.lossengine.cpu;

import io.github.lossengine.spi.ComputeBackend;

/**
 * Benchmark access to the CPU backend's variants that the public API does not expose: the double
 * reference alone, and the fused losses on the scalar kernels (what a JVM without the Vector API
 * gets). Bench code only (src/bench).
 */
public final class BenchBackends {
    private BenchBackends() {
    }

    /** The reference implementations only, on {@code threads} threads (they run on the caller's). */
    public static ComputeBackend reference(int threads) {
        return new CpuBackend(threads, null);
    }

    /** The fused losses on the scalar kernels. */
    public static ComputeBackend fusedScalar(int threads) {
        return new CpuBackend(threads, new ScalarKernels());
    }

    /** The one-line account of the kernels this JVM uses. */
    public static String kernels() {
        return KernelSelection.active().line();
    }

    /** The kernels alone, e.g. "Java Vector API, 256-bit (8 float lanes, FMA)". */
    public static String kernelDescription() {
        return KernelSelection.kernels().description();
    }

    /**
     * The kernels a JMH benchmark asked for: {@code "vector"} (this JVM's choice, which must be the
     * Vector API's: a benchmark of vector kernels that silently ran scalar ones would mislead) or
     * {@code "scalar"}.
     */
    static FloatKernels kernelsNamed(String which) {
        if (which.equals("scalar")) {
            return new ScalarKernels();
        }
        if (!which.equals("vector") || !KernelSelection.active().vectorised()) {
            throw new IllegalStateException(which + " kernels requested but " + KernelSelection.active().line());
        }
        return KernelSelection.kernels();
    }

    /** Whether this JVM runs the Vector API kernels. */
    public static boolean vectorised() {
        return KernelSelection.active().vectorised();
    }
}
