package io.github.lossengine.kernel;

/**
 * {@link DeviceGemm} by lossengine's own tiled kernel {@code le_gemm_f32} ({@code kernels/linear.cu}):
 * one group of 256 threads per 16 x 16 tile of the output, 16 x 16 tiles of both operands through
 * local memory, float32 accumulation, each output summed by one thread in ascending order (no
 * atomics), so the results are the same on every run. Used by OpenCL and by CUDA without cuBLAS;
 * {@code allowTf32} is ignored (always float32). Stateless, thread-safe.
 */
public final class BuiltInGemm implements DeviceGemm {
    /** The only instance. */
    public static final BuiltInGemm INSTANCE = new BuiltInGemm();
    private static final int TILE = 16;

    private BuiltInGemm() {
    }

    @Override
    public void logits(Device dev, DeviceMemory h, long hOff, DeviceMemory w, DeviceMemory z, int m, int d, int v,
                       DeviceMemory bias, boolean allowTf32) {
        // A(i, p) = h[hOff + i d + p], B(p, j) = W[j, p]
        gemm(dev, h, hOff, d, 1, w, 0, 1, d, z, 0, v, m, v, d, false, bias);
    }

    @Override
    public void hiddenGradient(Device dev, DeviceMemory dz, DeviceMemory w, DeviceMemory dh, long dhOff, int m, int d,
                               int v, boolean allowTf32) {
        // A(i, j) = dZ[i, j], B(j, p) = W[j, p]
        gemm(dev, dz, 0, v, 1, w, 0, d, 1, dh, dhOff, d, m, d, v, false, null);
    }

    @Override
    public void weightGradient(Device dev, DeviceMemory dz, DeviceMemory h, long hOff, DeviceMemory dw, int m, int d,
                               int v, boolean allowTf32) {
        // A(j, i) = dZ[i, j], B(i, p) = h[hOff + i d + p]
        gemm(dev, dz, 0, 1, v, h, hOff, d, 1, dw, 0, d, v, d, m, true, null);
    }

    /**
     * {@code z[i, j] += bias[j]} for i < m, j < v: {@code le_gemm_f32} with an empty inner dimension,
     * for a GEMM that computes the logits without the bias (cuBLAS). The sum is the one the fused
     * kernel forms ({@code acc + bias[j]} in float32), so both paths round the same way.
     */
    public static void addBias(Device dev, DeviceMemory z, int m, int v, DeviceMemory bias) {
        gemm(dev, z, 0, 0, 0, z, 0, 0, 0, z, 0, v, m, v, 0, true, bias);
    }

    @Override
    public String toString() {
        return "the built-in GEMM kernel (le_gemm_f32)";
    }

    /**
     * {@code C[i, j] (+)= sum_p A(i, p) B(p, j) (+ bias[j])}, i < m, j < n, p < k, with
     * {@code A(i, p) = a[aOff + i sai + p sap]}, {@code B(p, j) = b[bOff + p sbp + j sbj]},
     * {@code C[i, j] = c[cOff + i ldc + j]}: one launch of {@code le_gemm_f32}, a group per 16 x 16 tile.
     */
    static void gemm(Device dev, DeviceMemory a, long aOff, long sai, long sap, DeviceMemory b, long bOff, long sbp,
                     long sbj, DeviceMemory c, long cOff, long ldc, int m, int n, int k, boolean accumulate,
                     DeviceMemory bias) {
        long groups = (long) ((m + TILE - 1) / TILE) * ((n + TILE - 1) / TILE);
        if (groups == 0) {
            return;
        }
        KernelArgs args = new KernelArgs().buf(a).i64(aOff).i64(sai).i64(sap).buf(b).i64(bOff).i64(sbp).i64(sbj)
                .buf(c).i64(cOff).i64(ldc).i32(m).i32(n).i32(k).i32(accumulate ? 1 : 0)
                .buf(bias == null ? a : bias).i32(bias == null ? 0 : 1);
        dev.launch("le_gemm_f32", Math.toIntExact(groups), args);
    }
}
