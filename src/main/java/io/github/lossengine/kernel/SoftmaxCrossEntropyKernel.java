package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Checks;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.cpu.SoftmaxStatistics;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;

/**
 * Device softmax cross-entropy: {@code le_softmax_ce_f32} (class indices, after
 * {@code le_class_targets_i64} has checked them and summed the MEAN denominator) or
 * {@code le_softmax_ce_soft_f32} (probabilities, checked finite and {@code >= 0} on the device).
 * One fused launch writes the per-row losses and the gradient.
 */
final class SoftmaxCrossEntropyKernel implements DeviceLoss<SoftmaxCrossEntropy> {

    /** The logits are read, and their gradient written, in their own 16-bit type. */
    @Override
    public boolean takes16(int i) {
        return i == 0;
    }

    @Override
    public DeviceOutcome run(SoftmaxCrossEntropy loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor z = inputs[0];
        DeviceTensor target = inputs[1];
        ClassRowsKernel.requireScores(z, "logits [N, C]");
        long rows = z.dim(0);
        long classes = z.dim(1);
        boolean probabilities = probabilityTargets(z, target);
        float[] w = loss.classWeights();
        Checks.requireClassWeights(w, classes);
        Reduction r = loss.reduction();
        boolean own = SoftmaxStatistics.ownDenominator(loss);
        double scale = own ? Reductions.scale(r, rows, rows, "input") : 1.0;
        double denominator = rows;
        DeviceMemory wm = call.weights("weights", w);
        if (probabilities) {
            call.requireRange(target, "target", 0f, Float.MAX_VALUE, "probability");
        } else {
            denominator = ClassRowsKernel.weightTotal(call, target, classes, loss.ignoreIndex(), wm, w != null);
            if (own) {
                scale = ClassRowsKernel.scale(r, denominator, loss.allIgnored());
            }
        }
        scale = SoftmaxStatistics.scale(loss, scale);
        Geometry geo = Geometry.rows(rows, classes);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", rows) : call.unused();
        DeviceMemory grad = gradients[0] != null ? gradients[0] : call.unused();
        DeviceMemory lse = call.floats("lse", rows);
        int flags = (r == Reduction.NONE ? 1 : 0) | (gradients[0] != null ? 2 : 0) | 4;
        boolean offTarget = loss.smoothing() == SmoothingConvention.OFF_TARGET;
        KernelArgs args = new KernelArgs().buf(z.memory()).buf(target.memory()).i64(rows).i64(classes)
                .buf(wm).i32(w != null ? 1 : 0);
        if (!probabilities) {
            args.i64(loss.ignoreIndex());
        }
        args.f32(loss.labelSmoothing()).i32(offTarget ? 1 : 0).i32(geo.segment()).i32(geo.rowsFitCache(classes) ? 1 : 0)
                .f32(scale).i32(flags).f32(loss.zLoss()).f32(loss.softcap()).i32(DeviceCall.typeCode(z.dtype()))
                .i32(DeviceCall.typeCode(call.gradientType(0))).buf(values).buf(grad).buf(partials).buf(lse);
        call.device().launch(probabilities ? "le_softmax_ce_soft_f32" : "le_softmax_ce_f32", geo.groups(), args);
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        double value = probabilities ? sum * scale : ClassRowsKernel.value(r, sum, scale, loss.allIgnored());
        return new DeviceOutcome(value, r == Reduction.NONE ? values : null, new long[] {rows}, lse, denominator, scale);
    }

    /** As the CPU: indices [N] (integer) or probabilities [N, C] (float); anything else refused. */
    private static boolean probabilityTargets(DeviceTensor z, DeviceTensor target) {
        if (target.rank() == 1) {
            if (target.dtype() != DType.INT64) {
                throw new InvalidOnDevice("target", "a target of shape " + Arrays.toString(target.shape())
                        + " holds class indices and must be int32 or int64, got " + target.dtype());
            }
            ClassRowsKernel.requireIndexShape(target, z.dim(0));
            return false;
        }
        if (target.rank() == 2) {
            if (target.dtype() != DType.FLOAT32) {
                throw new InvalidOnDevice("target", "a target of shape " + Arrays.toString(target.shape())
                        + " holds class probabilities and must be float32, got " + target.dtype());
            }
            DeviceCall.requireSameShape("input", z, "target", target);
            return true;
        }
        throw new InvalidOnDevice("target", "must be class indices [N] or probabilities [N, C], got shape "
                + Arrays.toString(target.shape()));
    }
}
