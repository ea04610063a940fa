package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;

/**
 * CPU {@link MulticlassHinge}, one row at a time: with {@code z_j = margin - x_y + x_j}, Weston-Watkins
 * sums {@code w_y h(z_j) / C} over the wrong classes with {@code z_j > 0} (PyTorch's aten loop),
 * Crammer-Singer takes {@code w_y h(max_j z_j)} with the lowest index winning ties; {@code h(z) = z} or
 * {@code z^2}. A NaN {@code z_j} counts as active, so NaN reaches the value and the gradient.
 */
final class MulticlassHingeCpu implements CpuLoss<MulticlassHinge> {
    @Override
    public LossResult compute(MulticlassHinge loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor x = inputs[0];
        Tensor target = inputs[1];
        float[] w = check(loss, x, target);
        long rows = x.dim(0);
        long classes = x.dim(1);
        String xName = loss.inputNames().get(0);
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, rows, rows, xName);
        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(rows)] : null;
        Tensor g = gradients[0];
        boolean ww = loss.variant() == MulticlassHinge.Variant.WESTON_WATKINS;
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < rows; i++) {
            int yi = (int) target.getLong(i);
            double wy = (w == null ? 1.0 : w[yi]) / (ww ? classes : 1);
            double l = ww ? westonWatkinsRow(loss, x, g, i * classes, classes, yi, wy, scale)
                    : crammerSingerRow(loss, x, g, i * classes, classes, yi, wy, scale);
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
        }
        return Reductions.result(r, sum.value(), scale, values, new long[] {rows}, gradients);
    }

    /** Checks every input (throwing before anything is written); returns the class weights (a copy) or null. */
    static float[] check(MulticlassHinge loss, Tensor x, Tensor target) {
        String xName = loss.inputNames().get(0);
        String targetName = loss.inputNames().get(1);
        Checks.requireFloat(xName, x);
        Checks.requireRank(xName, x, 2, "[N, C] scores");
        Checks.requireInteger(targetName, target);
        Checks.requireRank(targetName, target, 1, "[N] class indices");
        long rows = x.dim(0);
        long classes = x.dim(1);
        if (target.dim(0) != rows) {
            throw new InvalidInputException(targetName, target.dim(0) + " class indices for " + rows + " rows of " + xName);
        }
        float[] w = loss.classWeights();
        if (w != null && w.length != classes) {
            throw new InvalidInputException("weight", w.length + " class weights for C = " + classes + " classes");
        }
        for (long i = 0; i < rows; i++) {
            long c = target.getLong(i);
            if (c < 0 || c >= classes) {
                throw InvalidInputException.at(targetName, target, i, Long.toString(c),
                        "class index out of range [0, " + classes + ")");
            }
        }
        return w;
    }

    /** {@code wy sum_(j != y, z_j > 0) h(z_j)}; writes the row of {@code g} (if non-null), scaled by {@code scale}. */
    private static double westonWatkinsRow(MulticlassHinge loss, Tensor x, Tensor g, long base, long classes, int y,
                                           double wy, double scale) {
        double xy = x.getFloat(base + y);
        CompensatedSum row = new CompensatedSum();
        CompensatedSum gy = new CompensatedSum();
        for (long j = 0; j < classes; j++) {
            if (j == y) {
                continue;
            }
            double z = loss.margin() - xy + x.getFloat(base + j);
            double gj = 0;
            if (z > 0 || Double.isNaN(z)) {
                row.add(wy * h(loss.p(), z));
                gj = Reductions.float32Range(wy * Reductions.float32Range(dh(loss.p(), z))) * scale;
                gy.add(-gj);
            }
            if (g != null) {
                g.setFloat(base + j, (float) gj);
            }
        }
        if (g != null) {
            g.setFloat(base + y, (float) gy.value());
        }
        return row.value();
    }

    /** {@code wy h(max(0, max_(j != y) z_j))}; ties go to the lowest {@code j}, a NaN {@code z_j} wins. */
    static double crammerSingerRow(MulticlassHinge loss, Tensor x, Tensor g, long base, long classes, int y,
                                           double wy, double scale) {
        double xy = x.getFloat(base + y);
        long best = -1;
        double zBest = 0;
        for (long j = 0; j < classes && !Double.isNaN(zBest); j++) {
            if (j == y) {
                continue;
            }
            double z = loss.margin() - xy + x.getFloat(base + j);
            if (z > zBest || Double.isNaN(z)) {
                best = j;
                zBest = z;
            }
        }
        if (g != null) {
            for (long j = 0; j < classes; j++) {
                g.setFloat(base + j, 0f);
            }
            if (best >= 0) {
                // float32 range before the reduction's scale, as the kernels hold it (docs/GPU.md, overflow policy)
                double gj = Reductions.float32Range(wy * Reductions.float32Range(dh(loss.p(), zBest))) * scale;
                g.setFloat(base + best, (float) gj);
                g.setFloat(base + y, (float) -gj);
            }
        }
        return best < 0 ? 0.0 : wy * h(loss.p(), zBest);
    }

    private static double h(int p, double z) {
        return p == 1 ? z : z * z;
    }

    /** {@code h'(z)}; NaN for a NaN {@code z}, so that the gradient shows it. */
    private static double dh(int p, double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        return p == 1 ? 1.0 : 2 * z;
    }
}
