package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;

/**
 * The unfused reference of {@link LinearCrossEntropy}: the logits {@code h W^T + b} in double (then
 * float32, the cross-entropy's input type), the double-precision reference
 * {@link SoftmaxCrossEntropyCpu} on all N x V of them, then the three gradients in double from its
 * {@code dZ}: {@code dZ W}, {@code dZ^T h} and the column sums.
 */
record UnfusedLinearCrossEntropy(LossResult ce, double[] dh, double[] dw, double[] db) {

    static UnfusedLinearCrossEntropy of(LinearCrossEntropy loss, Tensor[] inputs) {
        Tensor h = inputs[0];
        Tensor w = inputs[1];
        Tensor b = loss.bias() ? inputs[3] : null;
        int n = (int) h.dim(0);
        int d = (int) h.dim(1);
        int v = (int) w.dim(0);
        float[] z = new float[n * v];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < v; j++) {
                double s = b == null ? 0 : b.getFloat(j);
                for (int p = 0; p < d; p++) {
                    s += (double) h.getFloat((long) i * d + p) * w.getFloat((long) j * d + p);
                }
                z[i * v + j] = (float) s;
            }
        }
        LossResult r;
        try (CpuBackend reference = new CpuBackend(1, null)) {
            r = reference.compute(loss.ce(), new Tensor[] {Tensor.of(z, n, v), inputs[2]},
                    new Tensor[] {Tensor.zeros(n, v), null});
        }
        Tensor dz = r.gradient(0);
        double[] dh = new double[n * d];
        double[] dw = new double[v * d];
        double[] db = new double[v];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < v; j++) {
                double g = dz.getFloat((long) i * v + j);
                db[j] += g;
                for (int p = 0; p < d; p++) {
                    dh[i * d + p] += g * w.getFloat((long) j * d + p);
                    dw[j * d + p] += g * h.getFloat((long) i * d + p);
                }
            }
        }
        return new UnfusedLinearCrossEntropy(r, dh, dw, db);
    }

    /** The reduced value (or, for NONE, the sum of the row values). */
    double value() {
        if (ce.reduction() != Reduction.NONE) {
            return ce.value();
        }
        double s = 0;
        for (float x : ce.values().toFloatArray()) {
            s += x;
        }
        return s;
    }
}
