package io.github.lossengine.testing;

import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import org.junit.jupiter.api.Assertions;

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

    /** The float tensors of {@code in} rounded to {@code dtype} (as {@link #round(Tensor, DType)}); the others as they are. */
    public static Tensor[] round(Tensor[] in, DType dtype) {
        Tensor[] out = in.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i].isFloat()) {
                out[i] = round(out[i], dtype);
            }
        }
        return out;
    }

    /** The float tensors of {@code in} as float32 tensors of their exact values; the others as they are. */
    public static Tensor[] widen(Tensor[] in) {
        Tensor[] out = in.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i].isFloat()) {
                out[i] = Tensor.of(out[i].toFloatArray(), out[i].shape());
            }
        }
        return out;
    }

    /**
     * Asserts that each entry of the 16-bit {@code actual} lies between the roundings of
     * {@code expected -+ tol} to its dtype (rounding is monotone): what rounding once a float32 result
     * within {@code tol} of {@code expected} can give. Returns how many entries are exactly the
     * correctly rounded {@code expected}.
     */
    public static int assertOneRounding(String what, double[] expected, Tensor actual, double tol) {
        DType dtype = actual.dtype();
        Assertions.assertTrue(dtype.isHalf(), what + ": a 16-bit tensor, got " + dtype);
        Assertions.assertEquals(expected.length, actual.size(), what + ": entries");
        int exact = 0;
        for (int i = 0; i < expected.length; i++) {
            float lo = HalfFloats.widen(dtype, HalfFloats.round(dtype, (float) (expected[i] - tol)));
            float hi = HalfFloats.widen(dtype, HalfFloats.round(dtype, (float) (expected[i] + tol)));
            float g = actual.getFloat(i);
            if (!(g >= lo && g <= hi)) {
                Assertions.fail(what + "[" + i + "]: expected " + expected[i] + " within " + tol + ", rounded to " + dtype
                        + ": [" + lo + ", " + hi + "], got " + g);
            }
            exact += g == HalfFloats.widen(dtype, HalfFloats.round(dtype, (float) expected[i])) ? 1 : 0;
        }
        return exact;
    }

    /** The largest |entry|, asserted above 0 (an all-zero reference checks nothing). */
    public static double largest(String what, double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, Math.abs(v));
        }
        Assertions.assertTrue(m > 0, what + ": an all-zero reference checks nothing");
        return m;
    }

    /** A 16-bit tensor on a {@code short[]} as a view of a heap or direct {@code ShortBuffer} holding a copy of its bits. */
    public static Tensor shortBuffer(Tensor t, boolean direct) {
        short[] bits = t.shortArrayOrNull();
        Assertions.assertNotNull(bits, "a 16-bit tensor on a short[]");
        ShortBuffer b = direct ? ByteBuffer.allocateDirect(2 * bits.length).order(ByteOrder.nativeOrder()).asShortBuffer()
                : ShortBuffer.allocate(bits.length);
        b.put(bits).clear();
        return t.dtype() == DType.BFLOAT16 ? Tensor.ofBFloat16(b, t.shape()) : Tensor.ofFloat16(b, t.shape());
    }
}
