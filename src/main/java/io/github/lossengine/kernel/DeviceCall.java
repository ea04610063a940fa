package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import java.util.Arrays;

/**
 * What one loss call on a device needs besides its inputs: scratch memory from the engine's
 * workspace, the on-device value checks, and the fixed-order second reduction stage. Used under the
 * backend's lock.
 */
public final class DeviceCall {
    private final Device device;
    private final Workspace workspace;
    /** Per input, the type of its gradient buffer when it is not float32 (see {@link DeviceLoss#takes16}). */
    private final DType[] gradientTypes;

    public DeviceCall(Device device, Workspace workspace) {
        this(device, workspace, new DType[0]);
    }

    /** A call whose gradient buffers {@code i} hold {@code gradientTypes[i]} ({@code null}: float32). */
    public DeviceCall(Device device, Workspace workspace, DType[] gradientTypes) {
        this.device = device;
        this.workspace = workspace;
        this.gradientTypes = gradientTypes.clone();
    }

    /** The type of input {@code i}'s gradient buffer: float32 unless the backend gave it a 16-bit one. */
    public DType gradientType(int i) {
        return i < gradientTypes.length && gradientTypes[i] != null ? gradientTypes[i] : DType.FLOAT32;
    }

    /** The kernels' code for a float type (kernels/common/dtype.h): 0 float32, 1 bfloat16, 2 binary16. */
    public static int typeCode(DType t) {
        switch (t) {
            case FLOAT32:
                return 0;
            case BFLOAT16:
                return 1;
            case FLOAT16:
                return 2;
            default:
                throw new IllegalArgumentException("not a float type: " + t);
        }
    }

    public Device device() {
        return device;
    }

    /** Scratch memory for {@code role}, reused between calls. */
    public DeviceMemory scratch(String role, long bytes) {
        return workspace.get(role, bytes);
    }

    /** A float buffer of {@code n} elements for {@code role}. */
    public DeviceMemory floats(String role, long n) {
        return workspace.get(role, 4 * n);
    }

    /** A small buffer passed where a kernel takes a buffer it will not touch (its flag is off). */
    public DeviceMemory unused() {
        return workspace.get("unused", 16);
    }

    /** Runs the check kernel {@code name}; when it counts invalid elements, throws {@link InvalidOnDevice}. */
    private void runCheck(String name, int groups, KernelArgs args, String argument, String what) {
        DeviceMemory err = workspace.get("err", 8);
        device.write(err, new int[] {0, Integer.MAX_VALUE}, 2);
        args.buf(err);
        device.launch(name, groups, args);
        int[] e = new int[2];
        device.read(err, e, 2);
        if (e[0] != 0) {
            throw new InvalidOnDevice(argument, e[0] + " invalid " + what + (e[0] == 1 ? "" : "s")
                    + ", the first at flat index " + e[1]);
        }
    }

    /** Refuses a float tensor with an element outside [lo, hi] (NaN included). */
    public void requireRange(DeviceTensor t, String argument, float lo, float hi, String what) {
        requireFloat(t, argument);
        runCheck("le_check_f32", Geometry.elementwise(t.size()).groups(),
                new KernelArgs().buf(t.memory()).i64(t.size()).i32(0).f32(lo).f32(hi), argument, what);
    }

    /** Refuses a float tensor with an element below {@code lo} (NaN accepted). */
    public void requireNotBelow(DeviceTensor t, String argument, float lo, String what) {
        requireFloat(t, argument);
        runCheck("le_check_f32", Geometry.elementwise(t.size()).groups(),
                new KernelArgs().buf(t.memory()).i64(t.size()).i32(2).f32(lo).f32(0), argument, what);
    }

    /** Refuses a float tensor with an element other than {@code a} or {@code b}. */
    public void requireOneOf(DeviceTensor t, String argument, float a, float b, String what) {
        requireFloat(t, argument);
        runCheck("le_check_f32", Geometry.elementwise(t.size()).groups(),
                new KernelArgs().buf(t.memory()).i64(t.size()).i32(1).f32(a).f32(b), argument, what);
    }

    /** Refuses class indices outside [0, classes) other than {@code ignoreIndex} (when allowed). */
    public void requireLabels(DeviceTensor t, String argument, long classes, long ignoreIndex, boolean allowIgnore) {
        requireIndices(t, argument);
        runCheck("le_check_labels_i64", Geometry.elementwise(t.size()).groups(),
                new KernelArgs().buf(t.memory()).i64(t.size()).i64(classes).i64(ignoreIndex).i32(allowIgnore ? 1 : 0),
                argument, "class index");
    }

    /** Refuses a tensor that is neither float32 nor 16-bit (for the kernels that {@link DeviceLoss#takes16}). */
    public static void requireFloatOrHalf(DeviceTensor t, String argument) {
        if (t.dtype() != DType.FLOAT32 && !t.dtype().isHalf()) {
            throw new InvalidOnDevice(argument, "must be float32, bfloat16 or float16, got " + t.dtype());
        }
    }

    /** Refuses a tensor that is not float32 (checked on the host). */
    public static void requireFloat(DeviceTensor t, String argument) {
        if (t.dtype() != DType.FLOAT32) {
            throw new InvalidOnDevice(argument, "must be float32, got " + t.dtype());
        }
    }

    /** Refuses a tensor that does not hold class indices. */
    public static void requireIndices(DeviceTensor t, String argument) {
        if (t.dtype() != DType.INT64) {
            throw new InvalidOnDevice(argument, "class indices must be int32 or int64, got " + t.dtype());
        }
    }

    /** Refuses shapes that differ. */
    public static void requireSameShape(String argA, DeviceTensor a, String argB, DeviceTensor b) {
        if (!a.sameShape(b)) {
            throw new InvalidOnDevice(argB, "shape " + Arrays.toString(b.shape()) + " differs from " + argA + "'s "
                    + Arrays.toString(a.shape()));
        }
    }

    /** Refuses a tensor of another rank. */
    public static void requireRank(DeviceTensor t, String argument, int rank, String layout) {
        if (t.rank() != rank) {
            throw new InvalidOnDevice(argument, "must be " + layout + ", got shape " + Arrays.toString(t.shape()));
        }
    }

    /**
     * Adds the first-stage partial sums {@code partials[count][width]} column by column on the device
     * ({@code le_reduce_partials_f32}, fixed order) and returns the {@code width} totals.
     */
    public float[] reduce(DeviceMemory partials, int count, int width) {
        DeviceMemory out = workspace.get("reduced", 4L * width);
        device.launch("le_reduce_partials_f32", 1, new KernelArgs().buf(partials).i32(count).i32(width).buf(out));
        float[] totals = new float[width];
        device.read(out, totals, width);
        return totals;
    }

    /** Class weights as a device buffer (or the unused buffer with length 0 when there are none). */
    public DeviceMemory weights(String role, float[] w) {
        if (w == null || w.length == 0) {
            return unused();
        }
        DeviceMemory m = floats(role, w.length);
        device.write(m, w, w.length);
        return m;
    }
}
