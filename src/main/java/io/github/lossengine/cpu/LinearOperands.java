package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import java.util.function.IntFunction;

/**
 * The float32 arrays {@link LinearCrossEntropyCpu} computes on, whatever the dtype (float32, or all
 * of one 16-bit type: {@link Checks#requireLinearOperandTypes}) and storage of its operands and
 * gradient buffers: the one place where that loss handles dtypes and storage on the CPU. The
 * products and the cross-entropy always run in float32, exactly as for float32 heap arrays:
 * <ul>
 * <li>{@code hidden} on a heap {@code float[]} is used as it is; otherwise (a 16-bit tensor, a
 * {@code FloatBuffer}, a range) each chunk's rows are widened (exactly) or copied into a scratch
 * of [rows, D] floats;</li>
 * <li>{@code linear_weight} and {@code linear_bias} not on a heap {@code float[]} are widened or
 * copied once per call into float32 arrays [V, D] and [V];</li>
 * <li>{@code dL/dhidden} for a buffer not on a heap {@code float[]} is computed chunk by chunk into a
 * scratch of [rows, D] floats and written (rounded once, to nearest even, for a 16-bit buffer) after
 * each chunk;</li>
 * <li>{@code dL/dW} and {@code dL/db} for such buffers are accumulated over all chunks in float32
 * arrays [V, D] and [V] and written (rounded once) by {@link #finish()}: never accumulated in 16 bits
 * (Liger's bf16 dW accumulation diverged: Liger-Kernel #512).</li>
 * </ul>
 * So a 16-bit call gives exactly the float32 call's loss on the widened inputs, and its gradients
 * rounded once. Its extra memory, on top of the chunk buffer: {@code 4 (V D + V)} bytes for the
 * float32 weight and bias, as much again for their gradients' accumulators, and {@code 8 rows D}
 * for a chunk of hidden and of its gradient; nothing of size N x V or N x D. Every array of more
 * than a row comes from the workspace allocator (so that a test counts it).
 *
 * <p>Not thread-safe: one instance per call (the arrays it hands out are shared by the call's
 * threads, each writing its own part).
 */
final class LinearOperands {
    private final FloatKernels k;
    private final int d;
    private final Tensor hidden;
    private final float[] hiddenArray;
    private final float[] hiddenRows;
    private final Tensor dhTensor;
    private final float[] dhArray;
    private final float[] dhRows;
    private final Tensor dwTensor;
    private final Tensor dbTensor;
    /** The weight [V, D] and bias [V] (null without bias) in float32. */
    final float[] w;
    final float[] b;
    /** Where dW [V, D] and db [V] are accumulated in float32 (null when not wanted). */
    final float[] dw;
    final float[] db;

    /**
     * @param inputs    hidden, linear_weight, target[, linear_bias], checked
     * @param gradients their gradient buffers (null where not wanted)
     * @param rows      rows per chunk
     */
    LinearOperands(Tensor[] inputs, Tensor[] gradients, boolean bias, int d, int rows, FloatKernels k,
                   IntFunction<float[]> workspace) {
        this.k = k;
        this.d = d;
        this.hidden = inputs[0];
        this.hiddenArray = hidden.floatArrayOrNull();
        int chunk = Math.toIntExact(Math.min((long) rows, hidden.dim(0)) * d);
        this.hiddenRows = hiddenArray == null && chunk > 0 ? workspace.apply(chunk) : null;
        this.w = whole(inputs[1], k, workspace);
        this.b = bias ? whole(inputs[3], k, workspace) : null;
        this.dhTensor = gradients[0];
        this.dhArray = dhTensor == null ? null : dhTensor.floatArrayOrNull();
        this.dhRows = dhTensor != null && dhArray == null && chunk > 0 ? workspace.apply(chunk) : null;
        this.dwTensor = gradients[1];
        this.dw = accumulator(dwTensor, workspace);
        this.dbTensor = bias ? gradients[3] : null;
        this.db = accumulator(dbTensor, workspace);
    }

    /** The float32 values of {@code t}: its heap array, or a copy (widened exactly when 16-bit). */
    private static float[] whole(Tensor t, FloatKernels k, IntFunction<float[]> workspace) {
        float[] a = t.floatArrayOrNull();
        if (a != null) {
            return a;
        }
        int n = Math.toIntExact(t.size());
        float[] out = workspace.apply(n);
        HalfStaging.read(t, 0, out, n, k);
        return out;
    }

    /** Where a gradient is accumulated: the buffer's heap array, or a float32 array written back by {@link #finish()}. */
    private static float[] accumulator(Tensor g, IntFunction<float[]> workspace) {
        if (g == null) {
            return null;
        }
        float[] a = g.floatArrayOrNull();
        return a != null ? a : workspace.apply(Math.toIntExact(g.size()));
    }

    /** The float32 rows {@code [r0, r0 + m)} of hidden, from {@link #hiddenOffset}: the heap array, or staged. */
    float[] hidden(int r0, int m) {
        if (hiddenArray != null) {
            return hiddenArray;
        }
        HalfStaging.read(hidden, (long) r0 * d, hiddenRows, m * d, k);
        return hiddenRows;
    }

    /** Where row {@code r0} starts in {@link #hidden}'s array. */
    int hiddenOffset(int r0) {
        return hiddenArray != null ? r0 * d : 0;
    }

    /** The float32 array the chunk's {@code dL/dhidden} rows are written into (from {@link #hiddenGradientOffset}), or null. */
    float[] hiddenGradient() {
        return dhArray != null ? dhArray : dhRows;
    }

    /** Where row {@code r0}'s {@code dL/dhidden} starts in {@link #hiddenGradient()}. */
    int hiddenGradientOffset(int r0) {
        return dhArray != null ? r0 * d : 0;
    }

    /** After the chunk of rows {@code [r0, r0 + m)}: its staged {@code dL/dhidden} written into the buffer. */
    void hiddenGradientDone(int r0, int m) {
        if (dhRows != null) {
            HalfStaging.write(dhRows, dhTensor, (long) r0 * d, m * d, k);
        }
    }

    /** After the last chunk: dW and db accumulated in float32 scratch written (rounded once) into their buffers. */
    void finish() {
        if (dw != null && dwTensor.floatArrayOrNull() != dw) {
            HalfStaging.write(dw, dwTensor, 0, dw.length, k);
        }
        if (db != null && dbTensor.floatArrayOrNull() != db) {
            HalfStaging.write(db, dbTensor, 0, db.length, k);
        }
    }
}
