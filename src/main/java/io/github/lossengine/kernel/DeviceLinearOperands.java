package io.github.lossengine.kernel;

import io.github.lossengine.DType;

/**
 * The float32 device memory {@link LinearCrossEntropyKernel} computes on, whatever the dtype of its
 * operands (float32, or all of one 16-bit type, as the CPU checks them) and of its gradient buffers
 * ({@link DeviceCall#gradientType}): the one place where that loss handles dtypes on a device, with
 * {@link HalfTransfer}'s widen and narrow kernels ({@code le_widen16_f32}, {@code le_narrow16_f32}).
 * Float32 operands and buffers are used as they are. For 16-bit ones:
 * <ul>
 * <li>the weight [V, D] and the bias [V] are widened once per call into float32 workspace
 * ({@code lce.w32}, {@code lce.b32});</li>
 * <li>hidden is widened one chunk of rows at a time into [rows, D] floats ({@code lce.h32});</li>
 * <li>{@code dL/dhidden} is computed per chunk into [rows, D] floats ({@code lce.dh32}) and rounded
 * once into the chunk's rows of the 16-bit buffer;</li>
 * <li>{@code dL/dW} and {@code dL/db} are accumulated over all chunks in float32 workspace
 * ({@code lce.dw32}, {@code lce.db32}) and rounded once, by {@link #finish()}.</li>
 * </ul>
 * So a 16-bit call computes exactly what the float32 call computes on the widened values, and
 * rounds each gradient element once, to nearest even. Extra device memory: {@code 8 (V D + V)}
 * bytes (the float32 weight and bias, and their gradients' accumulators) and {@code 8 rows D};
 * nothing of size N x V or N x D.
 *
 * <p>Not thread-safe: one per call, used under the backend's lock.
 */
final class DeviceLinearOperands {
    private final Device dev;
    private final long d;
    private final DeviceTensor hidden;
    private final DeviceMemory hiddenRows;
    private final DeviceMemory dhOut;
    private final DType dhType;
    private final DeviceMemory dhRows;
    private final DeviceMemory dwOut;
    private final DType dwType;
    private final DeviceMemory dbOut;
    private final DType dbType;
    /** The weight [V, D] and the bias [V] (null without) as float32 device tensors. */
    final DeviceTensor w;
    final DeviceTensor b;
    /** Where dW and db are accumulated in float32 (null when not wanted). */
    final DeviceMemory dw;
    final DeviceMemory db;

    /**
     * @param inputs    hidden, linear_weight, target[, linear_bias] (checked: all float types equal)
     * @param gradients their gradient buffers (null where not wanted), of the call's gradient types
     * @param chunk     rows per chunk
     */
    DeviceLinearOperands(DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients, boolean bias, long d,
                         int chunk) {
        this.dev = call.device();
        this.d = d;
        this.hidden = inputs[0];
        this.hiddenRows = hidden.dtype().isHalf() ? call.floats("lce.h32", chunk * d) : null;
        this.w = widened(call, inputs[1], "lce.w32");
        this.b = bias ? widened(call, inputs[3], "lce.b32") : null;
        this.dhOut = gradients[0];
        this.dhType = call.gradientType(0);
        this.dhRows = dhOut != null && dhType.isHalf() ? call.floats("lce.dh32", chunk * d) : null;
        this.dwOut = gradients[1];
        this.dwType = call.gradientType(1);
        this.dw = dwOut != null && dwType.isHalf() ? call.floats("lce.dw32", inputs[1].size()) : dwOut;
        this.dbOut = bias ? gradients[3] : null;
        this.dbType = call.gradientType(3);
        this.db = dbOut != null && dbType.isHalf() ? call.floats("lce.db32", inputs[3].size()) : dbOut;
    }

    /** {@code t} as float32: itself, or widened once into the workspace's {@code role}. */
    private DeviceTensor widened(DeviceCall call, DeviceTensor t, String role) {
        if (!t.dtype().isHalf()) {
            return t;
        }
        DeviceMemory out = call.floats(role, t.size());
        HalfTransfer.widen(dev, t.memory(), 0, t.size(), t.dtype(), out);
        return new DeviceTensor(out, DType.FLOAT32, t.shape());
    }

    /** The float32 rows {@code [r0, r0 + m)} of hidden, from {@link #hiddenOffset}: hidden itself, or widened. */
    DeviceMemory hidden(long r0, int m) {
        if (hiddenRows == null) {
            return hidden.memory();
        }
        HalfTransfer.widen(dev, hidden.memory(), r0 * d, m * d, hidden.dtype(), hiddenRows);
        return hiddenRows;
    }

    /** Where row {@code r0} starts in {@link #hidden}'s memory (floats). */
    long hiddenOffset(long r0) {
        return hiddenRows == null ? r0 * d : 0;
    }

    /** The float32 memory the chunk's {@code dL/dhidden} is written into (from {@link #hiddenGradientOffset}), or null. */
    DeviceMemory hiddenGradient() {
        return dhRows != null ? dhRows : dhOut;
    }

    /** Where row {@code r0}'s {@code dL/dhidden} starts in {@link #hiddenGradient()} (floats). */
    long hiddenGradientOffset(long r0) {
        return dhRows != null ? 0 : r0 * d;
    }

    /** After the chunk of rows {@code [r0, r0 + m)}: its float32 {@code dL/dhidden} rounded once into the 16-bit buffer. */
    void hiddenGradientDone(long r0, int m) {
        if (dhRows != null) {
            HalfTransfer.narrow(dev, dhRows, m * d, dhType, dhOut, r0 * d);
        }
    }

    /** After the last chunk: dW and db accumulated in float32 workspace rounded once into their 16-bit buffers. */
    void finish(long classes) {
        if (dw != dwOut) {
            HalfTransfer.narrow(dev, dw, classes * d, dwType, dwOut);
        }
        if (db != dbOut) {
            HalfTransfer.narrow(dev, db, classes, dbType, dbOut);
        }
    }
}
