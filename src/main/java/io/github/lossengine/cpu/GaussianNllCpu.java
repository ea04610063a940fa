package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.GaussianNll;
import java.util.Arrays;

/**
 * CPU {@link GaussianNll}. With {@code v' = max(v, eps)} and {@code d = mu - y}:
 * {@code l = (log v' + d^2 / v') / 2} (+ {@code log(2 pi) / 2} with {@code full}); gradients
 * {@code d / v'}, {@code -d / v'} and {@code (1 / v' - d^2 / v'^2) / 2}, the last summed over a row
 * when one variance serves the whole row (the last dimension).
 */
final class GaussianNllCpu implements CpuLoss<GaussianNll> {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    /** The refusal of a negative variance, shared with {@link FusedGaussianNll}. */
    static final String NEGATIVE = "variances must be >= 0";

    @Override
    public LossResult compute(GaussianNll loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor mu = inputs[0];
        Tensor y = inputs[1];
        Tensor var = inputs[2];
        String muName = loss.inputNames().get(0);
        String varName = loss.inputNames().get(2);
        boolean perRow = checkShapes(loss, inputs);
        for (long i = 0; i < var.size(); i++) {
            double v = var.getFloat(i);
            if (v < 0) {
                throw InvalidInputException.at(varName, var, i, Checks.format(v), NEGATIVE);
            }
        }
        Reduction r = loss.reduction();
        long n = mu.size();
        double scale = Reductions.scale(r, n, mu.rank() == 0 ? 1 : mu.dim(0), muName);
        long rowLength = perRow ? mu.dim(-1) : 1;
        double constant = loss.full() ? HALF_LOG_2PI : 0.0;
        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(n)] : null;
        Tensor gMu = gradients[0];
        Tensor gY = gradients[1];
        Tensor gVar = gradients[2];
        CompensatedSum sum = new CompensatedSum();
        CompensatedSum varGradient = new CompensatedSum();
        for (long i = 0; i < n; i++) {
            long k = i / rowLength;
            double v = Math.max(var.getFloat(k), loss.eps());
            // d and d / v in float32 range, as the kernel holds them (docs/GPU.md, overflow policy)
            double d = Reductions.float32Range((double) mu.getFloat(i) - y.getFloat(i));
            double rv = Reductions.float32Range(d / v);
            double q = d * d / v;
            double l = 0.5 * (Math.log(v) + q) + constant;
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
            double dMu = rv * scale;
            if (gMu != null) {
                gMu.setFloat(i, (float) dMu);
            }
            if (gY != null) {
                gY.setFloat(i, (float) -dMu);
            }
            if (gVar != null) {
                varGradient.add(0.5 * (1 / v - Reductions.float32Range(rv * rv)) * scale);
                if ((i + 1) % rowLength == 0) {
                    gVar.setFloat(k, (float) varGradient.value());
                    varGradient = new CompensatedSum();
                }
            }
        }
        if (gVar != null && n == 0) {
            for (long k = 0; k < var.size(); k++) {
                gVar.setFloat(k, 0f);
            }
        }
        return Reductions.result(r, sum.value(), scale, values, mu.shape(), gradients);
    }

    /**
     * Whether {@code var} holds one variance per row (the last dimension of {@code mu}) rather than one
     * per element. Accepted: {@code var} of {@code mu}'s shape (per element), or {@code mu}'s shape
     * without its last dimension, or with the last dimension 1 (per row).
     */
    /**
     * The dtype and shape checks of both paths, in order, before the variance values are read:
     * returns whether the variance is per row ({@link #perRow}).
     */
    static boolean checkShapes(GaussianNll loss, Tensor[] inputs) {
        String muName = loss.inputNames().get(0);
        String varName = loss.inputNames().get(2);
        Checks.requireFloat(muName, inputs[0]);
        Checks.requireFloat(loss.inputNames().get(1), inputs[1]);
        Checks.requireFloat(varName, inputs[2]);
        Checks.requireSameShape(muName, inputs[0], loss.inputNames().get(1), inputs[1]);
        return perRow(muName, inputs[0], varName, inputs[2]);
    }

    static boolean perRow(String muName, Tensor mu, String varName, Tensor var) {
        GaussianNll.VarianceLayout layout = GaussianNll.VarianceLayout.of(mu.shape(), var.shape());
        if (layout != GaussianNll.VarianceLayout.NEITHER) {
            return layout == GaussianNll.VarianceLayout.PER_ROW;
        }
        long[] m = mu.shape();
        long[] v = var.shape();
        throw new InvalidInputException(varName, "shape " + Arrays.toString(v) + " fits neither " + muName + "'s "
                + Arrays.toString(m) + " (one variance per element) nor " + rowShapes(m) + " (one per row)");
    }

    private static String rowShapes(long[] m) {
        if (m.length == 0) {
            return "no other shape";
        }
        long[] rowsOne = m.clone();
        rowsOne[m.length - 1] = 1;
        if (m.length == 1) {
            return Arrays.toString(rowsOne);
        }
        return Arrays.toString(Arrays.copyOf(m, m.length - 1)) + " or " + Arrays.toString(rowsOne);
    }
}
