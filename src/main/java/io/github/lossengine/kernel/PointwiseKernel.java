package io.github.lossengine.kernel;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Reductions;
import java.util.function.Function;

/**
 * Device implementation of an element-wise loss {@code l(x, y)} (kernels written with
 * {@code kernels/common/pointwise.h}): one launch computes every element's loss and scaled
 * gradient and one partial sum per group; the second stage adds the partials.
 *
 * @param <L> the loss
 */
final class PointwiseKernel<L extends Loss> implements DeviceLoss<L> {

    /** Extra value checks run on the device before the loss kernel (e.g. probabilities in [0, 1]). */
    interface Validation<L> {
        void check(L loss, DeviceCall call, DeviceTensor x, DeviceTensor y);
    }

    private final String kernel;
    private final Function<L, double[]> params;
    private final Function<L, float[]> weights;
    private final Function<L, float[]> column;
    private final Validation<L> validation;

    /**
     * @param kernel     the kernel symbol, e.g. {@code le_huber_f32}
     * @param params     the loss's options as the kernel's {@code p0, p1, p2}
     * @param weights    element weights (one per element or per entry of the last dimension), or null
     * @param column     a per-column parameter (one value or one per entry of the last dimension), or null
     * @param validation checks run before the loss kernel (shapes on the host, values on the device), or null
     */
    PointwiseKernel(String kernel, Function<L, double[]> params, Function<L, float[]> weights,
                    Function<L, float[]> column, Validation<L> validation) {
        this.kernel = kernel;
        this.params = params;
        this.weights = weights;
        this.column = column;
        this.validation = validation;
    }

    /** A kernel whose loss has no options. */
    static <L extends Loss> PointwiseKernel<L> plain(String kernel) {
        return new PointwiseKernel<>(kernel, l -> new double[0], l -> null, l -> null, null);
    }

    /** A kernel with options {@code params} and value checks {@code validation} (may be null). */
    static <L extends Loss> PointwiseKernel<L> of(String kernel, Function<L, double[]> params, Validation<L> validation) {
        return new PointwiseKernel<>(kernel, params, l -> null, l -> null, validation);
    }

    @Override
    public DeviceOutcome run(L loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        DeviceTensor x = inputs[0];
        DeviceTensor y = inputs[1];
        String xName = loss.inputNames().get(0);
        String yName = loss.inputNames().get(1);
        DeviceCall.requireFloat(x, xName);
        DeviceCall.requireFloat(y, yName);
        DeviceCall.requireSameShape(xName, x, yName, y);
        long n = x.size();
        long lastDim = x.rank() == 0 ? 1 : x.dim(-1);
        float[] w = weights.apply(loss);
        if (w != null && w.length != n && w.length != lastDim) {
            throw new InvalidInputException("weight", w.length + " entries; expected " + lastDim
                    + " (one per entry of the last dimension) or " + n + " (one per element)");
        }
        if (validation != null) {
            validation.check(loss, call, x, y);
        }
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, x.rank() == 0 ? 1 : x.dim(0), xName);
        double[] p = params.apply(loss);
        float[] c = column.apply(loss);
        Geometry geo = Geometry.elementwise(n);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", n) : call.unused();
        DeviceMemory grad = gradients[0] != null ? gradients[0] : call.unused();
        int flags = (r == Reduction.NONE ? 1 : 0) | (gradients[0] != null ? 2 : 0);
        call.device().launch(kernel, geo.groups(), new KernelArgs()
                .buf(x.memory()).buf(y.memory()).i64(n)
                .buf(call.weights("weights", w)).i64(w == null ? 0 : w.length)
                .buf(call.weights("column", c)).i64(c == null ? 0 : c.length).i64(lastDim)
                .f32(p.length > 0 ? p[0] : 0).f32(p.length > 1 ? p[1] : 0).f32(p.length > 2 ? p[2] : 0)
                .f32(scale).i32(flags)
                .buf(values).buf(grad).buf(partials));
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        return new DeviceOutcome(sum * scale, r == Reduction.NONE ? values : null, x.shape());
    }
}
