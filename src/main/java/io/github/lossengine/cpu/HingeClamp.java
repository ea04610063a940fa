package io.github.lossengine.cpu;

/**
 * The clamp {@code max(0, t)} of the hinge-type losses and its derivative with PyTorch's convention at
 * the kink: the gradient passes where {@code t >= 0} (so at {@code t == 0} too), is 0 where
 * {@code t < 0}, and is NaN where {@code t} is NaN, so that a NaN input shows in the gradient as well
 * as in the value.
 */
final class HingeClamp {
    private HingeClamp() {
    }

    /** {@code max(0, t)}; NaN for NaN. */
    static double value(double t) {
        return Math.max(0.0, t);
    }

    /** {@code d max(0, t) / dt}: 1 for {@code t >= 0}, 0 for {@code t < 0}, NaN for NaN. */
    static double gate(double t) {
        if (t >= 0) {
            return 1.0;
        }
        return t < 0 ? 0.0 : Double.NaN;
    }
}
