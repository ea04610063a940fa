package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import java.util.Arrays;

/** Input checks shared by the CPU losses; each throws {@link InvalidInputException} naming the argument. */
public final class Checks {
    private Checks() {
    }

    public static void requireFloat(String arg, Tensor t) {
        // 16-bit floats are read as float32 values; LossEngine refuses them for the losses that do not take them
        if (!t.isFloat()) {
            throw new InvalidInputException(arg, "must be float32, got " + t.dtype());
        }
    }

    /**
     * linear_cross_entropy's float operands: {@code hidden}, {@code linear_weight} and
     * {@code linear_bias} ({@code null} when there is none) are all float32 or all of one 16-bit
     * type. A mismatch is refused naming the argument that differs from {@code hidden} and both
     * dtypes (every backend's check, before anything is written).
     */
    public static void requireLinearOperandTypes(DType hidden, DType weight, DType bias) {
        String rule = "hidden, linear_weight and linear_bias must all be float32 or all of one 16-bit dtype";
        if (weight != hidden) {
            throw new InvalidInputException("linear_weight", "dtype " + weight + " differs from hidden's " + hidden
                    + " (" + rule + ")");
        }
        if (bias != null && bias != hidden) {
            throw new InvalidInputException("linear_bias", "dtype " + bias + " differs from hidden's " + hidden
                    + " (" + rule + ")");
        }
    }

    public static void requireInteger(String arg, Tensor t) {
        if (!t.dtype().isInteger()) {
            throw new InvalidInputException(arg, "class indices must be int32 or int64, got " + t.dtype());
        }
    }

    public static void requireSameShape(String argA, Tensor a, String argB, Tensor b) {
        if (!a.sameShape(b)) {
            throw new InvalidInputException(argB, "shape " + Arrays.toString(b.shape()) + " differs from "
                    + argA + "'s " + Arrays.toString(a.shape()));
        }
    }

    public static void requireRank(String arg, Tensor t, int rank, String layout) {
        if (t.rank() != rank) {
            throw new InvalidInputException(arg, "must be " + layout + ", got shape " + Arrays.toString(t.shape()));
        }
    }

    /** Requires one class weight per class when weights are given (every backend's check). */
    public static void requireClassWeights(float[] weights, long classes) {
        if (weights != null && weights.length != classes) {
            throw new InvalidInputException("weight", weights.length + " class weights for " + classes + " classes");
        }
    }

    /** Labels must be exactly -1 or +1. */
    public static void requirePlusMinusOne(String arg, Tensor t) {
        for (long i = 0; i < t.size(); i++) {
            double v = t.getDouble(i);
            if (v != 1.0 && v != -1.0) {
                throw notPlusMinusOne(arg, t, i);
            }
        }
    }

    /** The refusal of label {@code t[i]}, which is not -1 or +1. */
    static InvalidInputException notPlusMinusOne(String arg, Tensor t, long i) {
        return InvalidInputException.at(arg, t, i, format(t.getDouble(i)), "labels must be -1 or +1");
    }

    /** Values must lie in [0, 1] (NaN refused). */
    public static void requireUnitInterval(String arg, Tensor t, String what) {
        for (long i = 0; i < t.size(); i++) {
            double v = t.getDouble(i);
            if (!(v >= 0.0 && v <= 1.0)) {
                throw InvalidInputException.at(arg, t, i, format(v), unitInterval(what));
            }
        }
    }

    /** The problem of a value outside [0, 1], {@code what} naming the values. */
    static String unitInterval(String what) {
        return what + " must lie in [0, 1]";
    }

    /** The shortest text that names a value: integers without a fraction. */
    public static String format(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Float.toString((float) v);
    }
}
