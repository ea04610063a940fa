package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BceWithLogits;

/**
 * CPU {@link BceWithLogits}: {@code pw y softplus(-x) + (1 - y) softplus(x)}, gradient
 * {@code (1 - y) sigmoid(x) - pw y sigmoid(-x)}; the element weight is applied by {@link PointwiseCpu}.
 * A term with coefficient 0 is exactly 0, so {@code x = -inf, y = 0} gives loss 0 and gradient 0.
 */
final class BceWithLogitsCpu extends PointwiseCpu<BceWithLogits> {

    @Override
    protected void validate(BceWithLogits loss, Tensor x, Tensor y) {
        requirePosWeightLength(loss, x);
        Checks.requireUnitInterval("target", y, "targets");
    }

    /** Refuses a {@code pos_weight} that is neither one value nor one per entry of the last dimension. */
    static void requirePosWeightLength(BceWithLogits loss, Tensor x) {
        float[] pw = loss.posWeight();
        long lastDim = x.rank() == 0 ? 1 : x.dim(-1);
        if (pw != null && pw.length != 1 && pw.length != lastDim) {
            throw new InvalidInputException("pos_weight", pw.length + " entries; expected 1 or " + lastDim
                    + " (one per entry of the last dimension)");
        }
    }

    @Override
    protected float[] elementWeights(BceWithLogits loss) {
        return loss.weight();
    }

    @Override
    protected double value(BceWithLogits loss, double x, double y) {
        return value(loss, x, y, 1.0);
    }

    @Override
    protected double derivative(BceWithLogits loss, double x, double y) {
        return derivative(loss, x, y, 1.0);
    }

    @Override
    protected float[] columnParameter(BceWithLogits loss) {
        return loss.posWeight();
    }

    @Override
    protected double value(BceWithLogits loss, double x, double y, double pw) {
        return LogisticMath.crossEntropy(x, pw * y, 1 - y);
    }

    @Override
    protected double derivative(BceWithLogits loss, double x, double y, double pw) {
        double neg = y == 1 ? 0.0 : (1 - y) * LogisticMath.sigmoid(x);
        double pos = y == 0 || pw == 0 ? 0.0 : pw * y * LogisticMath.sigmoid(-x);
        return neg - pos;
    }
}
