package io.github.lossengine.testing;

import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.Tensor;

/** 16-bit test tensors. */
public final class HalfTensors {
    private HalfTensors() {
    }

    /** {@code t} rounded to the 16-bit {@code dtype}, on a {@code short[]} (its values are then exact in it). */
    public static Tensor round(Tensor t, DType dtype) {
        short[] bits = new short[(int) t.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = HalfFloats.round(dtype, t.getFloat(i));
        }
        return dtype == DType.BFLOAT16 ? Tensor.ofBFloat16(bits, t.shape()) : Tensor.ofFloat16(bits, t.shape());
    }
}
