package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Focal;

/**
 * CPU {@link Focal} (torchvision {@code sigmoid_focal_loss}). With {@code p = sigmoid(x)},
 * {@code q = sigmoid(-x) = 1 - p} (both evaluated directly, so neither loses digits),
 * {@code u = 1 - p_t = p (1 - y) + q y} and {@code ce = y softplus(-x) + (1 - y) softplus(x)}:
 * {@code l = a_t ce u^gamma} and
 * <pre>
 *   dl/dx = a_t [ (p - y) u^gamma + gamma ce u^gamma (p q / u) (1 - 2y) ]
 * </pre>
 * from {@code dce/dx = p - y = p (1 - y) - q y} (evaluated in that form) and {@code du/dx = p q (1 - 2y)}. The second term is written with
 * {@code u^gamma (p q / u)} rather than {@code u^(gamma - 1) p q}: since {@code u} is a convex combination
 * of {@code p} and {@code q}, {@code p q / u <= 1}, so nothing overflows for {@code gamma < 1}. The second
 * term is 0 when {@code gamma = 0} or {@code p q = 0} (|x| beyond ~745, where its limit is 0), which also
 * covers {@code u = 0}: no {@code 0 * inf} NaN anywhere for finite or infinite {@code x}.
 */
final class FocalCpu extends PointwiseCpu<Focal> {

    @Override
    protected void validate(Focal loss, Tensor x, Tensor y) {
        Checks.requireUnitInterval("target", y, "targets");
    }

    @Override
    protected double value(Focal loss, double x, double y) {
        double u = LogisticMath.sigmoid(x) * (1 - y) + LogisticMath.sigmoid(-x) * y;
        double ce = LogisticMath.crossEntropy(x, y, 1 - y);
        // torchvision's (1 - p_t) ** gamma, with 0 ** 0 = 1 as Math.pow has it
        return balance(loss, y) * ce * Math.pow(u, loss.gamma());
    }

    @Override
    protected double derivative(Focal loss, double x, double y) {
        double p = LogisticMath.sigmoid(x);
        double q = LogisticMath.sigmoid(-x);
        double u = p * (1 - y) + q * y;
        double uGamma = Math.pow(u, loss.gamma());
        // p - y written as p (1 - y) - q y: exact also where p rounds to 1
        double d = (p * (1 - y) - q * y) * uGamma;
        double pq = p * q;
        if (loss.gamma() > 0 && pq > 0) {
            double ce = LogisticMath.crossEntropy(x, y, 1 - y);
            d += loss.gamma() * ce * uGamma * (pq / u) * (1 - 2 * y);
        }
        return balance(loss, y) * d;
    }

    /** {@code a_t = alpha y + (1 - alpha)(1 - y)}, or 1 when alpha is negative. */
    private static double balance(Focal loss, double y) {
        double alpha = loss.alpha();
        return alpha < 0 ? 1.0 : alpha * y + (1 - alpha) * (1 - y);
    }
}
