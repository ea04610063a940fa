package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;

/**
 * The child JVM of {@link VectorHintTest}: what a library user's program does, two engines and a
 * loss each, so that a hint printed per engine instead of once would show twice. Prints the fused
 * kernels' description on stdout.
 */
public final class VectorHintMain {
    private VectorHintMain() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 2; i++) {
            try (LossEngine engine = LossEngine.create(Backend.CPU)) {
                engine.compute(Losses.mse(), Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {0, 2}, 2));
            }
        }
        System.out.println(KernelSelection.active().line());
    }
}
