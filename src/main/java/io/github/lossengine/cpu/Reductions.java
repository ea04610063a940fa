package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;

/** The reduction arithmetic shared by the CPU losses. */
public final class Reductions {
    private Reductions() {
    }

    /**
     * The factor that turns a sum into the reduced loss (and a per-element gradient into the
     * gradient of the reduced loss): 1 for NONE and SUM, {@code 1 / count} for MEAN, {@code 1 / batch}
     * for BATCHMEAN. An empty input has no mean: MEAN and BATCHMEAN refuse it.
     *
     * @param count number of terms averaged by MEAN
     * @param batch {@code N = shape[0]}, the divisor of BATCHMEAN
     */
    public static double scale(Reduction r, long count, long batch, String arg) {
        switch (r) {
            case MEAN:
                if (count == 0) {
                    throw new InvalidInputException(arg, "empty input: the mean of no elements is undefined (use SUM or NONE)");
                }
                return 1.0 / count;
            case BATCHMEAN:
                if (batch == 0) {
                    throw new InvalidInputException(arg, "empty batch: batchmean of N = 0 is undefined");
                }
                return 1.0 / batch;
            default:
                return 1.0;
        }
    }

    /**
     * The result of a CPU loss: the reduced value {@code sum * scale}, or the per-element values for NONE.
     * The overflow policy of every backend (docs/GPU.md, "Overflow and NaN"): the sum is a float32
     * quantity, so a sum beyond {@code Float.MAX_VALUE} (as float32 rounding decides) is {@code ±Inf}
     * before MEAN or BATCHMEAN divides it, as the device backends' float32 sums give.
     */
    public static LossResult result(Reduction r, double sum, double scale, float[] values, long[] valuesShape,
                                    Tensor[] gradients) {
        Tensor v = r == Reduction.NONE ? Tensor.of(values, valuesShape) : null;
        return new LossResult(Backend.CPU, r, float32Range(sum) * scale, v, gradients);
    }

    /** {@code x}, or {@code ±Inf} where float32 rounding of {@code x} overflows; NaN stays NaN. */
    public static double float32Range(double x) {
        return Float.isInfinite((float) x) ? Math.copySign(Double.POSITIVE_INFINITY, x) : x;
    }
}
