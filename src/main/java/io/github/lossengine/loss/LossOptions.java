package io.github.lossengine.loss;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Reduction;

/** Checks shared by the option methods of the loss classes. */
final class LossOptions {
    private LossOptions() {
    }

    static Reduction requireReduction(Reduction r, String loss, boolean batchMeanAllowed) {
        if (r == null) {
            throw new InvalidInputException("reduction", "must not be null");
        }
        if (r == Reduction.BATCHMEAN && !batchMeanAllowed) {
            throw new InvalidInputException("reduction", "batchmean is defined for kl_div only, not for " + loss);
        }
        return r;
    }

    static double requireFinite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new InvalidInputException(name, "must be finite, got " + v);
        }
        return v;
    }

    static double requireNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new InvalidInputException(name, "must be finite and >= 0, got " + v);
        }
        return v;
    }

    static double requirePositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new InvalidInputException(name, "must be finite and > 0, got " + v);
        }
        return v;
    }

    /** A defensive copy of an optional weight vector, refusing negative or non-finite entries. */
    static float[] weights(String name, float[] w) {
        if (w == null) {
            return null;
        }
        for (int i = 0; i < w.length; i++) {
            if (!(w[i] >= 0) || Float.isInfinite(w[i])) {
                throw InvalidInputException.at(name, i, Float.toString(w[i]), "weights must be finite and >= 0");
            }
        }
        return w.clone();
    }

    static float[] copy(float[] w) {
        return w == null ? null : w.clone();
    }
}
