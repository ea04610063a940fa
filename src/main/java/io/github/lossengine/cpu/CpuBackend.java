package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;
import io.github.lossengine.spi.ComputeBackend;

/**
 * The pure-Java backend: computes in double precision, writes float32 gradients, sums with
 * compensated summation in a fixed order (deterministic). Stateless and thread-safe.
 */
public final class CpuBackend implements ComputeBackend {
    @Override
    public Backend kind() {
        return Backend.CPU;
    }

    @Override
    public String detail() {
        return "pure Java on " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", " + Runtime.getRuntime().availableProcessors() + " processors";
    }

    @Override
    public LossResult compute(Loss loss, Tensor[] inputs, Tensor[] gradients) {
        return CpuLosses.forLoss(loss).compute(loss, inputs, gradients);
    }

    @Override
    public void close() {
        // nothing held
    }
}
