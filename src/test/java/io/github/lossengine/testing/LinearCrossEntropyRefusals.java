package io.github.lossengine.testing;

import io.github.lossengine.DType;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;

/**
 * The bad inputs of {@code linear_cross_entropy}, each refused before any gradient buffer is
 * written, with a message naming the argument, the position and the value: the same on every
 * backend (the CPU tests and the device tests run these). Mixed float types among hidden, the
 * weight and the bias are refused too.
 */
public final class LinearCrossEntropyRefusals {
    private LinearCrossEntropyRefusals() {
    }

    /** Runs every refusal on {@code engine}. */
    public static void assertAll(LossEngine engine) {
        RandomTensors r = new RandomTensors(3);
        Tensor h = r.normal(1, 4, 3);
        Tensor w = r.normal(1, 5, 3);
        Tensor t = Tensor.ofInts(new int[] {0, 4, 2, -100}, 4);
        LinearCrossEntropy loss = Losses.linearCrossEntropy();
        LinearCrossEntropy withBias = loss.bias(true);

        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h, r.normal(1, 5, 2), t}, "linear_weight",
                "D = 2 differs from hidden's D = 3", "[5, 2]");
        RefusalCheck.assertRefused(engine, withBias, new Tensor[] {h, w, t, r.normal(1, 4)}, "linear_bias",
                "shape [4]", "[V] = [5]");
        RefusalCheck.assertRefused(engine, withBias, new Tensor[] {h, w, t, r.normal(1, 5, 1)}, "linear_bias",
                "shape [5, 1]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h, w, Tensor.ofInts(new int[] {0, 1, 5, 2}, 4)},
                "target", "target[2] = 5", "out of range [0, 5)");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h, w, Tensor.ofLongs(new long[] {0, -1, 1, 2}, 4)},
                "target", "target[1] = -1", "ignore_index (-100)");
        RefusalCheck.assertRefused(engine, loss.ignoreIndex(-1), new Tensor[] {h, w, t}, "target",
                "target[3] = -100", "ignore_index (-1)");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h, w, Tensor.ofInts(new int[] {0, 1, 2}, 3)},
                "target", "3 class indices for 4 rows");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {Tensor.zeros(0, 3), w, Tensor.ofInts(new int[0], 0)},
                "hidden", "empty");
        RefusalCheck.assertRefused(engine, loss.classWeights(new float[] {1, 2}), new Tensor[] {h, w, t}, "weight",
                "2 class weights for 5 classes");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h, w, r.normal(1, 4)}, "target", "int32 or int64");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {r.normal(1, 12), w, t}, "hidden", "[N, D]");
        // hidden, the weight and the bias: all float32 or all of one 16-bit dtype
        Tensor h16 = HalfTensors.round(h, DType.BFLOAT16);
        Tensor w16 = HalfTensors.round(w, DType.BFLOAT16);
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h16, w, t}, "linear_weight",
                "dtype FLOAT32 differs from hidden's BFLOAT16", "must all be float32 or all of one 16-bit dtype");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h, HalfTensors.round(w, DType.FLOAT16), t}, "linear_weight",
                "dtype FLOAT16 differs from hidden's FLOAT32");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {h16, HalfTensors.round(w, DType.FLOAT16), t},
                "linear_weight", "dtype FLOAT16 differs from hidden's BFLOAT16");
        RefusalCheck.assertRefused(engine, withBias, new Tensor[] {h16, w16, t, r.normal(1, 5)}, "linear_bias",
                "dtype FLOAT32 differs from hidden's BFLOAT16");
        RefusalCheck.assertRefused(engine, withBias, new Tensor[] {h, w, t, HalfTensors.round(r.normal(1, 5), DType.FLOAT16)},
                "linear_bias", "dtype FLOAT16 differs from hidden's FLOAT32");
    }
}
