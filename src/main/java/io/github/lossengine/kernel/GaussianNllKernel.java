package io.github.lossengine.kernel;

import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.loss.GaussianNll;
import java.util.Arrays;

/**
 * Device gaussian_nll ({@code le_gaussian_nll_f32}): one variance per element or one per row (the last
 * dimension), as the CPU decides from the shapes; variances checked {@code >= 0} on the device.
 * Gradients for the mean, the target and the variance.
 */
final class GaussianNllKernel implements DeviceLoss<GaussianNll> {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    @Override
    public DeviceOutcome run(GaussianNll loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor mu = inputs[0];
        DeviceTensor y = inputs[1];
        DeviceTensor var = inputs[2];
        String muName = loss.inputNames().get(0);
        String varName = loss.inputNames().get(2);
        DeviceCall.requireFloat(mu, muName);
        DeviceCall.requireFloat(y, loss.inputNames().get(1));
        DeviceCall.requireFloat(var, varName);
        DeviceCall.requireSameShape(muName, mu, loss.inputNames().get(1), y);
        boolean perRow = perRow(mu, var, varName);
        call.requireNotBelow(var, varName, 0f, "variance");
        Reduction r = loss.reduction();
        long n = mu.size();
        double scale = Reductions.scale(r, n, mu.rank() == 0 ? 1 : mu.dim(0), muName);
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", n) : call.unused();
        if (n == 0) {
            if (gradients[2] != null && var.size() > 0) {
                call.device().fill(gradients[2], 0f, var.size());
            }
            return new DeviceOutcome(0.0, r == Reduction.NONE ? values : null, mu.shape());
        }
        long rowLength = perRow ? mu.dim(-1) : 1;
        long rows = n / rowLength;
        Geometry geo = Geometry.rows(rows, rowLength);
        DeviceMemory partials = call.floats("partials", geo.groups());
        int flags = (r == Reduction.NONE ? 1 : 0);
        KernelArgs args = new KernelArgs().buf(mu.memory()).buf(y.memory()).buf(var.memory()).i64(rows).i64(rowLength)
                .f32(loss.full() ? HALF_LOG_2PI : 0).f32(loss.eps()).i32(geo.segment()).f32(scale);
        for (int k = 0; k < 3; k++) {
            flags |= gradients[k] != null ? 2 << k : 0;
        }
        args.i32(flags).buf(values);
        for (int k = 0; k < 3; k++) {
            args.buf(gradients[k] != null ? gradients[k] : call.unused());
        }
        call.device().launch("le_gaussian_nll_f32", geo.groups(), args.buf(partials));
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        return new DeviceOutcome(sum * scale, r == Reduction.NONE ? values : null, mu.shape());
    }

    /** As the CPU: var of mu's shape (per element), or mu's shape without (or with 1 as) the last dimension. */
    private static boolean perRow(DeviceTensor mu, DeviceTensor var, String varName) {
        GaussianNll.VarianceLayout layout = GaussianNll.VarianceLayout.of(mu.shape(), var.shape());
        if (layout != GaussianNll.VarianceLayout.NEITHER) {
            return layout == GaussianNll.VarianceLayout.PER_ROW;
        }
        long[] m = mu.shape();
        long[] v = var.shape();
        throw new InvalidOnDevice(varName, "shape " + Arrays.toString(v) + " fits neither the mean's shape "
                + Arrays.toString(m) + " nor one variance per row");
    }
}
