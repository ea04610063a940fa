package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import io.github.lossengine.Tensor;

/**
 * 16-bit float tensors between the host and a device, and on the device: their bits travel packed
 * two to an int (little-endian, as both device APIs lay them out). The kernels that read 16-bit data
 * themselves ({@link DeviceLoss#takes16}) get them as they are; for the others they are widened into
 * float32 on the device by {@code le_widen16_f32}, and a gradient wanted in 16 bits is computed in
 * float32 and rounded once by {@code le_narrow16_f32} (kernels/common/dtype.h: round to nearest
 * even). Used under the backend's lock.
 */
final class HalfTransfer {
    private HalfTransfer() {
    }

    /** Bytes of {@code count} 16-bit elements, rounded up to whole ints. */
    static long bytes16(long count) {
        return 4 * ((count + 1) / 2);
    }

    /** Copies the bits of a host 16-bit tensor into {@code raw} (at least {@link #bytes16} bytes). */
    static void write(Device device, DeviceMemory raw, Tensor t) {
        int[] packed = packed(t);
        device.write(raw, packed, packed.length);
    }

    /** The bits of a 16-bit tensor, two to an int (element 2j in the low half). */
    static int[] packed(Tensor t) {
        int n = Math.toIntExact(t.size());
        short[] bits = t.shortArrayOrNull();
        int[] packed = new int[(n + 1) / 2];
        for (int i = 0; i < n; i++) {
            int b = (bits != null ? bits[i] : io.github.lossengine.HalfFloats.round(t.dtype(), t.getFloat(i))) & 0xffff;
            packed[i >> 1] |= (i & 1) == 0 ? b : b << 16;
        }
        return packed;
    }

    /** {@link #packed} as float32 words of the same bits, for the float copy at an offset. */
    static float[] packedWords(Tensor t) {
        int[] p = packed(t);
        float[] w = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            w[i] = Float.intBitsToFloat(p[i]);
        }
        return w;
    }

    /** Reads {@code count} 16-bit elements from {@code raw} into {@code dst} (a 16-bit tensor on a {@code short[]}). */
    static void read(Device device, DeviceMemory raw, short[] dst, int count) {
        int[] packed = new int[(count + 1) / 2];
        device.read(raw, packed, packed.length);
        for (int i = 0; i < count; i++) {
            dst[i] = (short) ((i & 1) == 0 ? packed[i >> 1] : packed[i >> 1] >>> 16);
        }
    }

    /** {@code t} (16-bit data in {@code raw}) widened into float32 memory {@code out}: a float32 device tensor. */
    static DeviceTensor widen(Device device, DeviceMemory raw, DType dtype, long[] shape, long count, DeviceMemory out) {
        widen(device, raw, 0, count, dtype, out);
        return new DeviceTensor(out, DType.FLOAT32, shape);
    }

    /** Elements {@code [from, from + count)} of the 16-bit {@code dtype} data in {@code raw} widened into float32 {@code out[0, count)}. */
    static void widen(Device device, DeviceMemory raw, long from, long count, DType dtype, DeviceMemory out) {
        if (count > 0) {
            device.launch("le_widen16_f32", Geometry.elementwise(count).groups(), new KernelArgs().buf(raw).i64(from)
                    .i64(count).i32(dtype == DType.BFLOAT16 ? 1 : 0).buf(out));
        }
    }

    /** The float32 values in {@code in} rounded once into 16-bit memory {@code out}. */
    static void narrow(Device device, DeviceMemory in, long count, DType dtype, DeviceMemory out) {
        narrow(device, in, count, dtype, out, 0);
    }

    /** The float32 values {@code in[0, count)} rounded once into elements {@code [to, to + count)} of 16-bit memory {@code out}. */
    static void narrow(Device device, DeviceMemory in, long count, DType dtype, DeviceMemory out, long to) {
        if (count > 0) {
            device.launch("le_narrow16_f32", Geometry.elementwise(count).groups(), new KernelArgs().buf(in).i64(count)
                    .i32(dtype == DType.BFLOAT16 ? 1 : 0).buf(out).i64(to));
        }
    }
}
