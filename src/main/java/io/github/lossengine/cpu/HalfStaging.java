package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.Tensor;

/**
 * The one place where the fused float32 kernels meet 16-bit storage: a run of a float tensor's
 * elements read into float32 scratch, and float32 results written back. Float32 storage of any
 * kind is one bulk copy ({@link Tensor#read}, {@link Tensor#write}); bfloat16 and float16 bits in a
 * {@code short[]} are widened (exactly: every 16-bit value is a float32) and rounded (to nearest,
 * ties to even, as {@link io.github.lossengine.HalfFloats}) by the kernels' bulk conversions, whose
 * vector and scalar forms give the same bits; 16-bit bits in a {@link java.nio.ShortBuffer} go
 * element by element through {@link Tensor#getFloat} and {@link Tensor#setFloat}, the same values.
 * So a kernel run on staged 16-bit inputs computes on the widened values, and a 16-bit gradient is
 * the float32 gradient rounded once. Stateless and thread-safe (each caller owns its scratch).
 */
final class HalfStaging {
    private HalfStaging() {
    }

    /** Elements {@code [from, from + n)} of a float tensor into {@code dst[0, n)}: widened with the kernels when on a {@code short[]}. */
    static void read(Tensor t, long from, float[] dst, int n, FloatKernels k) {
        short[] bits = t.shortArrayOrNull();
        if (bits == null) {
            t.read(from, dst, 0, n); // float32 of any storage, or 16-bit bits in a ShortBuffer
        } else if (t.dtype() == DType.BFLOAT16) {
            k.widenBFloat16(bits, (int) from, dst, n);
        } else {
            k.widenFloat16(bits, (int) from, dst, n);
        }
    }

    /** {@code src[0, n)} into elements {@code [to, to + n)} of a float tensor: rounded once (nearest even) when 16-bit. */
    static void write(float[] src, Tensor t, long to, int n, FloatKernels k) {
        short[] bits = t.shortArrayOrNull();
        if (bits == null) {
            t.write(to, src, 0, n); // float32 of any storage, or a 16-bit ShortBuffer (rounded by setFloat)
        } else if (t.dtype() == DType.BFLOAT16) {
            k.roundBFloat16(src, bits, (int) to, n);
        } else {
            k.roundFloat16(src, bits, (int) to, n);
        }
    }
}
