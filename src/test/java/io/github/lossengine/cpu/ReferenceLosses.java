package io.github.lossengine.cpu;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;

/** The CPU's double-precision reference implementations alone (no fused kernels), for tests in other packages. */
public final class ReferenceLosses {
    private static final CpuBackend REFERENCE = new CpuBackend(1, null);

    private ReferenceLosses() {
    }

    /** The loss and its float32 gradients with respect to the differentiable inputs. */
    public static LossResult compute(Loss loss, Tensor... inputs) {
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                grads[i] = Tensor.zeros(inputs[i].shape());
            }
        }
        return REFERENCE.compute(loss, inputs, grads);
    }
}
