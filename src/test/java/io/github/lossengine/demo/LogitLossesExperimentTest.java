package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Experiment 2: hinge, cross-entropy and MSE on σ(z) for target +1, against the formulas by hand. */
class LogitLossesExperimentTest extends EngineFixture {
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "z = {0}")
    @ValueSource(doubles = {-3, -1.5, 0, 0.5, 2, 3})
    void curvesMatchTheFormulas(double z) {
        LogitLossesExperiment.Result r = new LogitLossesExperiment().compute(engine);
        int i = r.at(z);
        assertEquals(z, r.z()[i], 1e-12);
        double s = 1 / (1 + Math.exp(-z));
        assertEquals(Math.max(0, 1 - z), r.hinge()[i], TOLERANCE);
        assertEquals(z < 1 ? -1 : 0, r.hingeGrad()[i], TOLERANCE);
        assertEquals(Math.log1p(Math.exp(-z)), r.crossEntropy()[i], TOLERANCE);
        assertEquals(s - 1, r.crossEntropyGrad()[i], TOLERANCE);
        assertEquals((s - 1) * (s - 1), r.mse()[i], TOLERANCE);
        assertEquals(2 * (s - 1) * s * (1 - s), r.mseGrad()[i], TOLERANCE);
    }

    @ParameterizedTest(name = "z = {0}")
    @ValueSource(doubles = {-3, -2.5})
    void mseSaturatesBelowOneWhileTheOthersKeepGrowing(double z) {
        // seed 004: "MSE saturates at 1 for very wrong predictions"; its gradient fades where CE's does not
        LogitLossesExperiment.Result r = new LogitLossesExperiment().compute(engine);
        int i = r.at(z);
        assertTrue(r.mse()[i] < 1 && r.mse()[i] > 0.8);
        assertTrue(r.crossEntropy()[i] > 2 && r.hinge()[i] > 3);
        assertTrue(Math.abs(r.mseGrad()[i]) < 0.2 * Math.abs(r.crossEntropyGrad()[i]));
    }
}
