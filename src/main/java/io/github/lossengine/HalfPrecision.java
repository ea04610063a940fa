package io.github.lossengine;

import java.util.Set;

/**
 * Which losses take {@link DType#BFLOAT16} and {@link DType#FLOAT16} inputs (every backend the
 * same): the ones whose kernels read their float inputs through one conversion, softmax
 * cross-entropy and nll first, then the element-wise and row losses that share kernels, and
 * linear_cross_entropy (hidden, weight and bias all of one 16-bit type). Their math
 * runs in float32 on the inputs' exact float values (double in the CPU reference), with float32
 * accumulation; the gradient comes in the input's dtype unless a float32 buffer is passed to
 * {@link LossEngine#computeInto}, rounded once at the end. Any other loss refuses 16-bit inputs.
 */
public final class HalfPrecision {
    /** The losses that accept 16-bit float inputs. */
    public static final Set<String> LOSSES = Set.of("softmax_cross_entropy", "nll", "mse", "mae", "huber", "smooth_l1",
            "bce_with_logits", "hinge", "multiclass_hinge", "kl_div", "linear_cross_entropy");

    private HalfPrecision() {
    }

    /** Refuses 16-bit inputs for a loss not in {@link #LOSSES}, naming the input. */
    public static void check(Loss loss, Tensor[] inputs) {
        DType[] types = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            types[i] = inputs[i].dtype();
        }
        check(loss, types);
    }

    /** As {@link #check(Loss, Tensor[])}, for the inputs' dtypes (device tensors). */
    public static void check(Loss loss, DType... inputTypes) {
        if (LOSSES.contains(loss.name())) {
            return;
        }
        for (int i = 0; i < inputTypes.length; i++) {
            if (inputTypes[i].isHalf()) {
                throw new InvalidInputException(loss.inputNames().get(i), loss.name() + " takes float32 inputs, got "
                        + inputTypes[i] + " (16-bit inputs are accepted by " + String.join(", ",
                        new java.util.TreeSet<>(LOSSES)) + ")");
            }
        }
    }
}
