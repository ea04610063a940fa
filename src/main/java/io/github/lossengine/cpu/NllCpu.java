package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Nll;

/**
 * CPU {@link Nll}: {@code l_i = -w_(y_i) x_(i, y_i)}, gradient {@code -w_(y_i)} at the target class and 0
 * elsewhere; ignored rows and rows whose target weight is 0 contribute exactly 0.
 */
final class NllCpu implements CpuLoss<Nll> {

    @Override
    public LossResult compute(Nll loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor x = inputs[0];
        Tensor target = inputs[1];
        float[] w = loss.classWeights();
        double scale = check(loss, x, target, w);
        long rows = x.dim(0);
        long classes = x.dim(1);
        Reduction r = loss.reduction();

        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(rows)] : null;
        Tensor g = gradients[0];
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < rows; i++) {
            long off = i * classes;
            if (g != null) {
                for (long k = 0; k < classes; k++) {
                    g.setFloat(off + k, 0f);
                }
            }
            long y = target.getLong(i);
            double wy = y == loss.ignoreIndex() || w == null ? 1.0 : w[(int) y];
            if (y == loss.ignoreIndex() || wy == 0) {
                continue;
            }
            double l = -wy * x.getFloat(off + y);
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
            if (g != null) {
                g.setFloat(off + y, (float) (-wy * scale));
            }
        }
        return ClassRows.result(r, sum.value(), scale, loss.allIgnored(), values, rows, gradients);
    }

    /**
     * Every check of nll (shared with {@link FusedNll}), in the order that decides which refusal a
     * call with several problems gets; returns the reduction's scale.
     */
    static double check(Nll loss, Tensor x, Tensor target, float[] w) {
        ClassRows.requireScores(x, "log-probabilities [N, C]");
        long rows = x.dim(0);
        long classes = x.dim(1);
        ClassRows.requireShape("target", target, rows);
        Checks.requireClassWeights(w, classes);
        Reduction r = loss.reduction();
        Reductions.scale(r, rows, rows, "input");
        double total = ClassRows.weightTotal("target", target, classes, loss.ignoreIndex(), w);
        return ClassRows.scale(r, total, loss.allIgnored(), "target");
    }
}
