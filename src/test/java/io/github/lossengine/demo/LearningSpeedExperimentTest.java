package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Experiment 1: seed 000's claim that cross-entropy learns faster than MSE under a saturated sigmoid. */
class LearningSpeedExperimentTest extends EngineFixture {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {42, 1, 7})
    void crossEntropyReaches90PercentInFewerEpochsThanMse(long seed) {
        LearningSpeedExperiment.Result r = new LearningSpeedExperiment().compute(engine, seed, TrainingProgress.silent());
        OptionalInt ce = r.crossEntropy().epochsToTarget();
        OptionalInt mse = r.mse().epochsToTarget();
        assertTrue(ce.isPresent(), "cross-entropy never reached 90%");
        int mseEpochs = mse.orElse(Integer.MAX_VALUE);
        assertTrue(ce.getAsInt() < mseEpochs, "CE " + ce + " vs MSE " + mse);
        // "clearly fewer": the gap is the point of the experiment, not a one-epoch accident
        assertTrue(5 * ce.getAsInt() < mseEpochs, "CE " + ce + " vs MSE " + mse);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {42, 1, 7})
    void startsBadlyWrongWithTheSigmoidSaturated(long seed) {
        LearningSpeedExperiment.Result r = new LearningSpeedExperiment().compute(engine, seed, TrainingProgress.silent());
        // both runs start from the same weights: the same (bad) accuracy
        assertEquals(r.crossEntropy().accuracyPerEpoch()[0], r.mse().accuracyPerEpoch()[0]);
        assertTrue(r.crossEntropy().accuracyPerEpoch()[0] < 0.2, "start accuracy " + r.crossEntropy().accuracyPerEpoch()[0]);
        // saturated: the MSE on σ(z) is near its maximum 1 and barely moves in the first epochs
        assertTrue(r.mse().lossPerEpoch()[0] > 0.8);
        assertTrue(r.mse().lossPerEpoch()[0] - r.mse().lossPerEpoch()[10] < 0.01);
    }

    @org.junit.jupiter.api.Test
    void firstLossesMatchAnIndependentDoubleComputationOnTheSameData() {
        long seed = 42;
        LearningSpeedExperiment.Result r = new LearningSpeedExperiment().compute(engine, seed, TrainingProgress.silent());
        TwoClassData data = TwoClassData.gaussianBlobs(DemoContext.random(seed, LearningSpeedExperiment.NUMBER),
                LearningSpeedExperiment.EXAMPLES, LearningSpeedExperiment.CENTRE);
        double ce = 0;
        double mse = 0;
        for (int i = 0; i < data.size(); i++) {
            double z = LearningSpeedExperiment.START_WEIGHTS[0] * data.x()[i][0]
                    + LearningSpeedExperiment.START_WEIGHTS[1] * data.x()[i][1];
            int y = data.y()[i];
            ce += y == 1 ? Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
            double p = 1 / (1 + Math.exp(-z));
            mse += (p - y) * (p - y);
        }
        ce /= data.size();
        mse /= data.size();
        assertEquals(ce, r.crossEntropy().lossPerEpoch()[0], 1e-5 * ce);
        assertEquals(mse, r.mse().lossPerEpoch()[0], 1e-5 * mse);
    }
}
