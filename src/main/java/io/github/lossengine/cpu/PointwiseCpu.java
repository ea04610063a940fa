package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;

/**
 * The loop shared by element-wise losses {@code l(x, y)} of a prediction {@code x} and a target
 * {@code y} of the same shape: per-element value and derivative in one pass, optional element
 * weights (an element of weight 0 contributes exactly 0 loss and 0 gradient), compensated sum, MEAN
 * over all elements.
 */
abstract class PointwiseCpu<L extends Loss> implements CpuLoss<L> {

    /** The loss of one element, in double precision. */
    protected abstract double value(L loss, double x, double y);

    /** {@code d l(x, y) / d x}. */
    protected abstract double derivative(L loss, double x, double y);

    /**
     * A per-column parameter of the loss (PyTorch's {@code pos_weight}): one value, or one per entry
     * of the last dimension (the length is checked by {@link #validate}), or {@code null} for none.
     * Read once per call.
     */
    protected float[] columnParameter(L loss) {
        return null;
    }

    /**
     * The loss of an element whose column parameter is {@code c}; by default
     * {@link #value(Loss, double, double)}. Losses with a {@link #columnParameter} override this pair.
     */
    protected double value(L loss, double x, double y, double c) {
        return value(loss, x, y);
    }

    /** {@code d l(x, y) / d x} given the column parameter {@code c}; by default {@link #derivative(Loss, double, double)}. */
    protected double derivative(L loss, double x, double y, double c) {
        return derivative(loss, x, y);
    }

    /** Extra checks of the inputs (value ranges); called before anything is written. */
    protected void validate(L loss, Tensor x, Tensor y) {
    }

    /** Element weights (one per element, or one per entry of the last dimension), or {@code null}. */
    protected float[] elementWeights(L loss) {
        return null;
    }

    /** Refuses element weights that are neither one per element nor one per entry of the last dimension. */
    static void requireWeightLength(float[] w, long n, long lastDim) {
        if (w != null && w.length != n && w.length != lastDim) {
            throw new InvalidInputException("weight", w.length + " entries; expected " + lastDim
                    + " (one per entry of the last dimension) or " + n + " (one per element)");
        }
    }

    @Override
    public final LossResult compute(L loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor x = inputs[0];
        Tensor y = inputs[1];
        String xName = loss.inputNames().get(0);
        String yName = loss.inputNames().get(1);
        Checks.requireFloat(xName, x);
        Checks.requireFloat(yName, y);
        Checks.requireSameShape(xName, x, yName, y);
        float[] w = elementWeights(loss);
        float[] c = columnParameter(loss);
        long n = x.size();
        long lastDim = x.rank() == 0 ? 1 : x.dim(-1);
        requireWeightLength(w, n, lastDim);
        validate(loss, x, y);
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, x.rank() == 0 ? 1 : x.dim(0), xName);
        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(n)] : null;
        Tensor g = gradients[0];
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < n; i++) {
            double xi = x.getFloat(i);
            double yi = y.getFloat(i);
            int column = (int) (i % lastDim);
            double wi = w == null ? 1.0 : w[w.length == n ? (int) i : column];
            double ci = c == null ? 1.0 : c[c.length == 1 ? 0 : column];
            // a zero weight removes the element: exactly 0 even where the loss is infinite (no 0 * inf = NaN)
            double l = wi == 0 ? 0.0 : wi * value(loss, xi, yi, ci);
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
            if (g != null) {
                // float32 range before the reduction's scale, as the kernels hold it (docs/GPU.md, overflow policy)
                double dl = Reductions.float32Range(wi * Reductions.float32Range(derivative(loss, xi, yi, ci)));
                g.setFloat(i, wi == 0 ? 0f : (float) (dl * scale));
            }
        }
        return Reductions.result(r, sum.value(), scale, values, x.shape(), gradients);
    }
}
