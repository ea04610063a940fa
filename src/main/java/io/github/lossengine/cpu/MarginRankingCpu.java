package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MarginRanking;

/**
 * CPU {@link MarginRanking}: {@code t = -y (x1 - x2) + margin}, {@code l = max(0, t)}; gradients
 * {@code -y} for {@code x1} and {@code +y} for {@code x2} where {@code t >= 0}, else 0.
 */
final class MarginRankingCpu implements CpuLoss<MarginRanking> {
    @Override
    public LossResult compute(MarginRanking loss, Tensor[] inputs, Tensor[] gradients) {
        Tensor x1 = inputs[0];
        Tensor x2 = inputs[1];
        Tensor y = inputs[2];
        String x1Name = loss.inputNames().get(0);
        checkShapes(loss, x1, x2, y);
        Checks.requirePlusMinusOne(loss.inputNames().get(2), y);
        Reduction r = loss.reduction();
        long n = x1.size();
        double scale = Reductions.scale(r, n, x1.rank() == 0 ? 1 : x1.dim(0), x1Name);
        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(n)] : null;
        Tensor g1 = gradients[0];
        Tensor g2 = gradients[1];
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < n; i++) {
            double yi = y.getFloat(i);
            double t = -yi * ((double) x1.getFloat(i) - x2.getFloat(i)) + loss.margin();
            double l = HingeClamp.value(t);
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
            double slope = yi * HingeClamp.gate(t) * scale;
            if (g1 != null) {
                g1.setFloat(i, (float) -slope);
            }
            if (g2 != null) {
                g2.setFloat(i, (float) slope);
            }
        }
        return Reductions.result(r, sum.value(), scale, values, x1.shape(), gradients);
    }

    /**
     * The dtype and shape checks, in order, before the labels' (which must then be exactly ±1); shared
     * with {@link FusedMarginRanking}, so that both refuse with the same message.
     */
    static void checkShapes(MarginRanking loss, Tensor x1, Tensor x2, Tensor y) {
        String x1Name = loss.inputNames().get(0);
        Checks.requireFloat(x1Name, x1);
        Checks.requireFloat(loss.inputNames().get(1), x2);
        Checks.requireFloat(loss.inputNames().get(2), y);
        Checks.requireSameShape(x1Name, x1, loss.inputNames().get(1), x2);
        Checks.requireSameShape(x1Name, x1, loss.inputNames().get(2), y);
    }
}
