package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device parity of softmax cross-entropy's z-loss, softcap and normaliser (and their combinations
 * with weights, smoothing, ignore_index, masks, probability targets) against the CPU backend:
 * value, gradient, per-row values, and the reported denominator, z-loss part and log-sum-exp.
 * Shapes: rows that fit the group's row cache and rows that do not (C = 20,000). Tolerance as
 * {@link SoftmaxCrossEntropyParityTest}; the log-sum-exp within the same relative bound.
 */
class SoftmaxTrainingOptionsParityTest {

    static List<SoftmaxCrossEntropy> variants(float[] w) {
        SoftmaxCrossEntropy base = Losses.softmaxCrossEntropy();
        List<SoftmaxCrossEntropy> out = new ArrayList<>();
        out.add(base.zLoss(1e-3));
        out.add(base.softcap(3));
        out.add(base.normalizer(1000));
        out.add(base.zLoss(1e-4).softcap(30).normalizer(1000));
        out.add(base.zLoss(0.01).softcap(2).labelSmoothing(0.1).classWeights(w));
        out.add(base.zLoss(0.01).softcap(2).labelSmoothing(0.2, SmoothingConvention.OFF_TARGET).classWeights(w)
                .reduction(Reduction.NONE));
        out.add(base.zLoss(0.05).softcap(4).reduction(Reduction.SUM));
        out.add(base.zLoss(0.05).normalizer(3.5).classWeights(w));
        return out;
    }

    static void check(LossEngine dev, SoftmaxCrossEntropy loss, Tensor z, Tensor y) {
        LossResult d = Parity.check(dev, loss, SoftmaxCrossEntropyParityTest.TOL, z, y);
        LossResult c = DeviceEngines.cpu().compute(loss, z, y);
        String what = loss + " " + Parity.describe(new Tensor[] {z, y});
        assertEquals(c.denominator(), d.denominator(), 1e-6 * Math.abs(c.denominator()), "denominator " + what);
        Parity.assertValue(c.zLoss(), d.zLoss(), SoftmaxCrossEntropyParityTest.TOL, "z-loss part " + what);
        Parity.assertClose(c.logSumExp().toFloatArray(), d.logSumExp().toFloatArray(), 2e-5, 1e-6, "lse " + what);
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void everyOptionMatchesTheCpu(Backend backend) {
        LossEngine dev = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(21);
        int[][] shapes = {{1, 1}, {7, 13}, {33, 300}, {3, 20000}};
        for (int[] s : shapes) {
            int n = s[0];
            int c = s[1];
            float[] w = SoftmaxCrossEntropyParityTest.weights(r, c);
            Tensor z = SoftmaxCrossEntropyParityTest.masked(r, n, c, 9, 3.0);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = i % 4 == 1 ? -100 : r.nextInt(c);
            }
            Tensor p = SoftmaxCrossEntropyParityTest.probabilities(r, n, c);
            for (SoftmaxCrossEntropy loss : variants(w)) {
                check(dev, loss, z, Tensor.ofInts(y));
                check(dev, loss.ignoreIndex(-7), r.normal(3.0, n, c), p);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void edgeCasesMatchTheCpu(Backend backend) {
        LossEngine dev = DeviceEngines.open(backend);
        float inf = Float.NEGATIVE_INFINITY;
        // big logits, masks, a single finite class, an all-masked row, NaN and +inf under softcap
        Tensor z = Tensor.of(new float[] {3e38f, -3e38f, 0, inf, inf, 5, inf, inf, inf, inf, inf, inf,
                Float.NaN, 1, 2, Float.POSITIVE_INFINITY, 1, 0}, 6, 3);
        Tensor y = Tensor.ofInts(new int[] {0, 2, 1, 0, 1, 2});
        SoftmaxCrossEntropy base = Losses.softmaxCrossEntropy().reduction(Reduction.NONE);
        for (SoftmaxCrossEntropy loss : List.of(base.zLoss(1e-4), base.softcap(30), base.zLoss(1e-2).softcap(5))) {
            check(dev, loss, z, y);
        }
        Tensor ignored = Tensor.ofInts(new int[] {-100, -100, -100, -100, -100, -100});
        SoftmaxCrossEntropy z1 = Losses.softmaxCrossEntropy().zLoss(0.1);
        check(dev, z1, z, ignored);
        check(dev, z1.allIgnored(AllIgnoredPolicy.NAN), z, ignored);
        check(dev, z1.normalizer(4), z, ignored);
        Parity.sameRefusal(dev, z1.allIgnored(AllIgnoredPolicy.ERROR), z, ignored);
    }
}
