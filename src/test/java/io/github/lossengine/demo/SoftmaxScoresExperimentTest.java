package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Experiment 7 against seed 000's statements: for scores [10, 8, 8] and [10, -10, -10] (first class
 * correct) the multi-class hinge loss is zero for both, and cross-entropy is much higher for
 * [10, 8, 8]; the values themselves by hand: -log softmax = log(1 + 2 e^-2) and log(1 + 2 e^-20).
 */
class SoftmaxScoresExperimentTest extends EngineFixture {

    @Test
    void hingeIsZeroForBothWithNoGradient() {
        SoftmaxScoresExperiment.Result r = new SoftmaxScoresExperiment().compute(engine);
        assertEquals(0.0, r.hinge()[0]);
        assertEquals(0.0, r.hinge()[1]);
        assertEquals(0.0, r.hingeGradNorm()[0]);
        assertEquals(0.0, r.hingeGradNorm()[1]);
    }

    @Test
    void crossEntropyIsLargerForTheCloserScoresAndEqualsItsHandValue() {
        SoftmaxScoresExperiment.Result r = new SoftmaxScoresExperiment().compute(engine);
        double close = Math.log(1 + 2 * Math.exp(-2));
        double far = Math.log1p(2 * Math.exp(-20));
        assertEquals(close, r.crossEntropy()[0], 1e-6 * close);
        assertEquals(far, r.crossEntropy()[1], 1e-6 * far);
        assertTrue(r.crossEntropy()[0] > 1e6 * r.crossEntropy()[1]);
        // and cross-entropy keeps pushing: gradient p - onehot with p = softmax([10, 8, 8])
        double e = Math.exp(-2);
        double p0 = 1 / (1 + 2 * e);
        double pj = e / (1 + 2 * e);
        assertEquals(Math.sqrt((1 - p0) * (1 - p0) + 2 * pj * pj), r.crossEntropyGradNorm()[0], 1e-6);
    }
}
