package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Experiment 4: the sigmoid, its derivative, the vanishing-gradient region and what it does to MSE. */
class SigmoidSaturationExperimentTest extends EngineFixture {

    @Test
    void edgeOfTheVanishingRegionIsWhereTheDerivativeIsOnePercent() {
        SigmoidSaturationExperiment.Result r = new SigmoidSaturationExperiment().compute(engine);
        double s = 1 / (1 + Math.exp(-r.edge()));
        assertEquals(0.01, s * (1 - s), 1e-12);
        assertEquals(0.25, r.derivative()[r.z().length / 2], 1e-12);
    }

    @Test
    void crossEntropyKeepsItsGradientWhereMseLosesIt() {
        SigmoidSaturationExperiment.Result r = new SigmoidSaturationExperiment().compute(engine);
        // z = -10, target 1: dCE/dz = σ(-10) - 1, dMSE/dz = 2 (σ(-10) - 1) σ'(-10)
        double s = 1 / (1 + Math.exp(10));
        assertEquals(s - 1, r.crossEntropyGrad()[0], 1e-6);
        assertEquals(2 * (s - 1) * s * (1 - s), r.mseGrad()[0], 1e-8);
        assertTrue(Math.abs(r.mseGrad()[0]) < 1e-3 * Math.abs(r.crossEntropyGrad()[0]));
    }
}
