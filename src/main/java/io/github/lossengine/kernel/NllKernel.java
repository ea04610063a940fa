package io.github.lossengine.kernel;

import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Checks;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.loss.Nll;

/** Device nll ({@code le_nll_f32}) after the class-index check and MEAN denominator of {@code le_class_targets_i64}. */
final class NllKernel implements DeviceLoss<Nll> {

    /** The log-probabilities are read, and their gradient written, in their own 16-bit type. */
    @Override
    public boolean takes16(int i) {
        return i == 0;
    }

    @Override
    public DeviceOutcome run(Nll loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor x = inputs[0];
        DeviceTensor target = inputs[1];
        ClassRowsKernel.requireScores(x, "log-probabilities [N, C]");
        long rows = x.dim(0);
        long classes = x.dim(1);
        ClassRowsKernel.requireIndexShape(target, rows);
        float[] w = loss.classWeights();
        Checks.requireClassWeights(w, classes);
        Reduction r = loss.reduction();
        Reductions.scale(r, rows, rows, "input");
        DeviceMemory wm = call.weights("weights", w);
        double total = ClassRowsKernel.weightTotal(call, target, classes, loss.ignoreIndex(), wm, w != null);
        double scale = ClassRowsKernel.scale(r, total, loss.allIgnored());
        Geometry geo = Geometry.rows(rows, classes);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", rows) : call.unused();
        DeviceMemory grad = gradients[0] != null ? gradients[0] : call.unused();
        int flags = (r == Reduction.NONE ? 1 : 0) | (gradients[0] != null ? 2 : 0);
        call.device().launch("le_nll_f32", geo.groups(), new KernelArgs().buf(x.memory()).buf(target.memory())
                .i64(rows).i64(classes).buf(wm).i32(w != null ? 1 : 0).i64(loss.ignoreIndex()).i32(geo.segment())
                .f32(scale).i32(flags).i32(DeviceCall.typeCode(x.dtype())).i32(DeviceCall.typeCode(call.gradientType(0)))
                .buf(values).buf(grad).buf(partials));
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        return new DeviceOutcome(ClassRowsKernel.value(r, sum, scale, loss.allIgnored()),
                r == Reduction.NONE ? values : null, new long[] {rows});
    }
}
