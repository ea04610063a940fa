package io.github.lossengine.kernel;

/**
 * The three dense products of {@code linear_cross_entropy}'s chunk loop
 * ({@link LinearCrossEntropyKernel}), row-major float32, on a device: the one place a GEMM library
 * can stand in for the built-in kernel. With {@code m} the chunk's rows, {@code d} the hidden size and
 * {@code v} the classes, {@code h} the hidden states from float {@code hOff} on, {@code w} [v, d]:
 * <ul>
 * <li>{@link #logits}: {@code z[m, v] = h W^T (+ bias)};</li>
 * <li>{@link #hiddenGradient}: {@code dh[m, d] = dz W} (written from float {@code dhOff} on);</li>
 * <li>{@link #weightGradient}: {@code dw[v, d] += dz^T h}.</li>
 * </ul>
 * Every product is enqueued on the device's current stream or queue, in order with the kernels
 * around it, and is deterministic: the same inputs give the same bits on every run. Implementations:
 * {@link BuiltInGemm} (the tiled kernel {@code le_gemm_f32}, on every device) and, on CUDA, cuBLAS
 * ({@code io.github.lossengine.cuda.CublasGemm}), which {@link Device#gemm()} picks per session.
 *
 * <p>Called under the device's lock, entered ({@link Device#enter()}); implementations need not be
 * thread-safe. Errors are {@link DeviceException}s.
 */
public interface DeviceGemm {

    /** {@code z[i, j] = sum_p h[hOff + i d + p] w[j d + p] (+ bias[j])}, i < m, j < v, p < d. */
    void logits(Device dev, DeviceMemory h, long hOff, DeviceMemory w, DeviceMemory z, int m, int d, int v,
                DeviceMemory bias, boolean allowTf32);

    /** {@code dh[dhOff + i d + p] = sum_j dz[i v + j] w[j d + p]}, i < m, p < d, j < v. */
    void hiddenGradient(Device dev, DeviceMemory dz, DeviceMemory w, DeviceMemory dh, long dhOff, int m, int d, int v,
                        boolean allowTf32);

    /** {@code dw[j d + p] += sum_i dz[i v + j] h[hOff + i d + p]}, j < v, p < d, i < m. */
    void weightGradient(Device dev, DeviceMemory dz, DeviceMemory h, long hOff, DeviceMemory dw, int m, int d, int v,
                        boolean allowTf32);
}
