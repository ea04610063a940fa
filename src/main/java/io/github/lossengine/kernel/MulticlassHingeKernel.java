package io.github.lossengine.kernel;

import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.loss.MulticlassHinge;

/** Device multi-class hinge ({@code le_multiclass_hinge_f32}), both variants, after the class indices are checked on the device. */
final class MulticlassHingeKernel implements DeviceLoss<MulticlassHinge> {

    @Override
    public DeviceOutcome run(MulticlassHinge loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor x = inputs[0];
        DeviceTensor target = inputs[1];
        String xName = loss.inputNames().get(0);
        String tName = loss.inputNames().get(1);
        DeviceCall.requireFloat(x, xName);
        DeviceCall.requireRank(x, xName, 2, "[N, C] scores");
        DeviceCall.requireIndices(target, tName);
        DeviceCall.requireRank(target, tName, 1, "[N] class indices");
        long rows = x.dim(0);
        long classes = x.dim(1);
        if (target.dim(0) != rows) {
            throw new InvalidOnDevice(tName, target.dim(0) + " class indices for " + rows + " rows of " + xName);
        }
        float[] w = loss.classWeights();
        if (w != null && w.length != classes) {
            throw new InvalidOnDevice("weight", w.length + " class weights for C = " + classes + " classes");
        }
        call.requireLabels(target, tName, classes, 0, false);
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, rows, rows, xName);
        Geometry geo = Geometry.rows(rows, classes);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", rows) : call.unused();
        DeviceMemory grad = gradients[0] != null ? gradients[0] : call.unused();
        int flags = (r == Reduction.NONE ? 1 : 0) | (gradients[0] != null ? 2 : 0);
        call.device().launch("le_multiclass_hinge_f32", geo.groups(), new KernelArgs().buf(x.memory()).buf(target.memory())
                .i64(rows).i64(classes).buf(call.weights("weights", w)).i32(w != null ? 1 : 0).f32(loss.margin())
                .i32(loss.p()).i32(loss.variant() == MulticlassHinge.Variant.CRAMMER_SINGER ? 1 : 0).i32(geo.segment())
                .f32(scale).i32(flags).buf(values).buf(grad).buf(partials));
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        return new DeviceOutcome(sum * scale, r == Reduction.NONE ? values : null, new long[] {rows});
    }
}
