package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Checks;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.cpu.SoftmaxStatistics;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;

/**
 * Device {@link LinearCrossEntropy}, the CPU's chunked algorithm on the device: the targets checked
 * and the MEAN denominator summed first ({@code le_class_targets_i64}), then per chunk of rows the
 * logits {@code h_c W^T + b} (the device's {@link DeviceGemm}: cuBLAS on CUDA where it loads, else
 * {@code le_gemm_f32}, the built-in tiled GEMM of {@code kernels/linear.cu}), the fused cross-entropy
 * kernel {@code le_softmax_ce_f32} turning them into {@code dZ} (scaled by the whole batch's MEAN
 * factor) in a second chunk buffer, then {@code dH_c = dZ W}, {@code dW += dZ^T h_c} (the same GEMM)
 * and {@code db += sum dZ} ({@code le_column_sums_f32}, ours on every device). Workspace: two
 * chunk buffers of [rows, V] (the default chunk is half the CPU's, so that they fit the same bound)
 * and per-row arrays; nothing of N x V. 16-bit operands and gradient buffers (hidden, the weight
 * and the bias all of one type) are widened and rounded around this float32 computation by
 * {@link DeviceLinearOperands}, which adds the float32 weight, the dW accumulator and two [rows, D]
 * chunks to the workspace.
 */
final class LinearCrossEntropyKernel implements DeviceLoss<LinearCrossEntropy> {
    /** hidden, the weight and the bias are read in their own type: 16-bit ones are widened here ({@link DeviceLinearOperands}). */
    @Override
    public boolean takes16(int i) {
        return i != 2;
    }

    @Override
    public DeviceOutcome run(LinearCrossEntropy loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor h = inputs[0];
        DeviceTensor w = inputs[1];
        DeviceTensor target = inputs[2];
        DeviceTensor b = loss.bias() ? inputs[3] : null;
        check(h, w, b);
        int n = Math.toIntExact(h.dim(0));
        int d = Math.toIntExact(h.dim(1));
        int v = Math.toIntExact(w.dim(0));
        ClassRowsKernel.requireIndexShape(target, n);
        SoftmaxCrossEntropy ce = loss.ce();
        float[] cw = ce.classWeights();
        Checks.requireClassWeights(cw, v);
        Reduction r = ce.reduction();
        boolean own = SoftmaxStatistics.ownDenominator(ce);
        double scale = own ? Reductions.scale(r, n, n, "hidden") : 1.0;
        DeviceMemory wm = call.weights("weights", cw);
        double denominator = ClassRowsKernel.weightTotal(call, target, v, ce.ignoreIndex(), wm, cw != null);
        if (own) {
            scale = ClassRowsKernel.scale(r, denominator, ce.allIgnored());
        }
        scale = SoftmaxStatistics.scale(ce, scale);

        Device dev = call.device();
        DeviceGemm gemm = dev.gemm();
        boolean tf32 = loss.allowTf32();
        int chunk = loss.chunkRows() > 0 ? loss.rowsPerChunk(n, d, v) : Math.max(1, loss.rowsPerChunk(n, d, v) / 2);
        DeviceLinearOperands ops = new DeviceLinearOperands(call, inputs, gradients, loss.bias(), d, chunk);
        w = ops.w;
        b = ops.b;
        DeviceMemory dh = ops.hiddenGradient();
        DeviceMemory dw = ops.dw;
        DeviceMemory db = ops.db;
        boolean wantGradient = dh != null || dw != null || db != null;
        DeviceMemory z = call.floats("lce.logits", (long) chunk * v);
        DeviceMemory dz = wantGradient ? call.floats("lce.dz", (long) chunk * v) : call.unused();
        DeviceMemory chunkTarget = call.scratch("lce.target", 8L * chunk);
        DeviceMemory chunkValues = r == Reduction.NONE ? call.floats("lce.chunkValues", chunk) : call.unused();
        DeviceMemory chunkLse = call.floats("lce.chunkLse", chunk);
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", n) : null;
        DeviceMemory lse = call.floats("lse", n);
        if (dw != null) {
            dev.fill(dw, 0f, (long) v * d);
        }
        if (db != null) {
            dev.fill(db, 0f, v);
        }
        double sum = 0;
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int m = Math.min(chunk, n - r0);
            DeviceMemory hm = ops.hidden(r0, m);
            long hOff = ops.hiddenOffset(r0);
            gemm.logits(dev, hm, hOff, w.memory(), z, m, d, v, b == null ? null : b.memory(), tf32);
            copy(dev, "le_copy_i64", target.memory(), r0, m, chunkTarget, 0);
            sum += crossEntropy(call, ce, z, chunkTarget, m, v, wm, cw != null, scale, wantGradient, chunkValues, dz,
                    chunkLse);
            copy(dev, "le_copy_f32", chunkLse, 0, m, lse, r0);
            if (values != null) {
                copy(dev, "le_copy_f32", chunkValues, 0, m, values, r0);
            }
            if (dh != null) {
                gemm.hiddenGradient(dev, dz, w.memory(), dh, ops.hiddenGradientOffset(r0), m, d, v, tf32);
                ops.hiddenGradientDone(r0, m);
            }
            if (dw != null) {
                gemm.weightGradient(dev, dz, hm, hOff, dw, m, d, v, tf32);
            }
            if (db != null) {
                dev.launch("le_column_sums_f32", Geometry.elementwise(v).groups(),
                        new KernelArgs().buf(dz).i32(m).i64(v).buf(db));
            }
        }
        ops.finish(v);
        double value = ClassRowsKernel.value(r, sum, scale, ce.allIgnored());
        return new DeviceOutcome(value, values, new long[] {n}, lse, denominator, scale);
    }

    /** The checks of the CPU's {@code LinearCrossEntropyCpu.check} on shapes (its message is the one reported). */
    private static void check(DeviceTensor h, DeviceTensor w, DeviceTensor b) {
        DeviceCall.requireFloatOrHalf(h, "hidden");
        DeviceCall.requireRank(h, "hidden", 2, "[N, D]");
        DeviceCall.requireFloatOrHalf(w, "linear_weight");
        DeviceCall.requireRank(w, "linear_weight", 2, "[V, D]");
        Checks.requireLinearOperandTypes(h.dtype(), w.dtype(), b == null ? null : b.dtype());
        if (w.dim(1) != h.dim(1)) {
            throw new InvalidOnDevice("linear_weight", "shape " + Arrays.toString(w.shape()) + ": D = " + w.dim(1)
                    + " differs from hidden's D = " + h.dim(1));
        }
        if (w.dim(0) == 0 && h.dim(0) > 0) {
            throw new InvalidOnDevice("linear_weight", "shape " + Arrays.toString(w.shape()) + ": no classes");
        }
        if (b != null) {
            DeviceCall.requireFloatOrHalf(b, "linear_bias");
            if (b.rank() != 1 || b.dim(0) != w.dim(0)) {
                throw new InvalidOnDevice("linear_bias", "shape " + Arrays.toString(b.shape()) + ": must be [V] = ["
                        + w.dim(0) + "]");
            }
        }
    }

    /** One launch of the fused cross-entropy on a chunk; returns the chunk's summed row losses. */
    private static double crossEntropy(DeviceCall call, SoftmaxCrossEntropy ce, DeviceMemory z, DeviceMemory target,
                                       int rows, int classes, DeviceMemory wm, boolean hasW, double scale,
                                       boolean gradient, DeviceMemory values, DeviceMemory dz, DeviceMemory lse) {
        Geometry geo = Geometry.rows(rows, classes);
        DeviceMemory partials = call.floats("partials", geo.groups());
        Reduction r = ce.reduction();
        int flags = (r == Reduction.NONE ? 1 : 0) | (gradient ? 2 : 0) | 4;
        boolean offTarget = ce.smoothing() == SmoothingConvention.OFF_TARGET;
        KernelArgs args = new KernelArgs().buf(z).buf(target).i64(rows).i64(classes).buf(wm).i32(hasW ? 1 : 0)
                .i64(ce.ignoreIndex()).f32(ce.labelSmoothing()).i32(offTarget ? 1 : 0).i32(geo.segment())
                .i32(geo.rowsFitCache(classes) ? 1 : 0).f32(scale).i32(flags).f32(ce.zLoss()).f32(ce.softcap())
                .i32(DeviceCall.typeCode(DType.FLOAT32)).i32(DeviceCall.typeCode(DType.FLOAT32))
                .buf(values).buf(dz).buf(partials).buf(lse);
        call.device().launch("le_softmax_ce_f32", geo.groups(), args);
        return call.reduce(partials, geo.groups(), 1)[0];
    }

    private static void copy(Device dev, String kernel, DeviceMemory src, long from, long count, DeviceMemory dst, long to) {
        dev.launch(kernel, Geometry.elementwise(count).groups(),
                new KernelArgs().buf(src).i64(from).i64(count).buf(dst).i64(to));
    }
}
