package io.github.lossengine.kernel;

import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.loss.MarginRanking;

/** Device margin ranking ({@code le_margin_ranking_f32}): gradients for both scores, labels checked +-1 on the device. */
final class MarginRankingKernel implements DeviceLoss<MarginRanking> {

    @Override
    public DeviceOutcome run(MarginRanking loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor x1 = inputs[0];
        DeviceTensor x2 = inputs[1];
        DeviceTensor y = inputs[2];
        String n1 = loss.inputNames().get(0);
        DeviceCall.requireFloat(x1, n1);
        DeviceCall.requireFloat(x2, loss.inputNames().get(1));
        DeviceCall.requireFloat(y, loss.inputNames().get(2));
        DeviceCall.requireSameShape(n1, x1, loss.inputNames().get(1), x2);
        DeviceCall.requireSameShape(n1, x1, loss.inputNames().get(2), y);
        call.requireOneOf(y, loss.inputNames().get(2), -1f, 1f, "label");
        Reduction r = loss.reduction();
        long n = x1.size();
        double scale = Reductions.scale(r, n, x1.rank() == 0 ? 1 : x1.dim(0), n1);
        Geometry geo = Geometry.elementwise(n);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", n) : call.unused();
        int flags = (r == Reduction.NONE ? 1 : 0) | (gradients[0] != null ? 2 : 0) | (gradients[1] != null ? 4 : 0);
        call.device().launch("le_margin_ranking_f32", geo.groups(), new KernelArgs().buf(x1.memory()).buf(x2.memory())
                .buf(y.memory()).i64(n).f32(loss.margin()).f32(scale).i32(flags).buf(values)
                .buf(gradients[0] != null ? gradients[0] : call.unused())
                .buf(gradients[1] != null ? gradients[1] : call.unused()).buf(partials));
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        return new DeviceOutcome(sum * scale, r == Reduction.NONE ? values : null, x1.shape());
    }
}
