package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Experiment 3: seed 000's two multi-class cross-entropy variants, by hand for 3 classes. */
class CrossEntropyVariantsExperimentTest extends EngineFixture {

    @Test
    void variantsMatchTheirFormulasAndTheSecondIsAlwaysHigher() {
        CrossEntropyVariantsExperiment.Result r = new CrossEntropyVariantsExperiment().compute(engine);
        assertEquals(0.01, r.p()[0], 1e-12);
        assertEquals(0.98, r.p()[r.p().length - 1], 1e-12);
        for (int i = 0; i < r.p().length; i++) {
            double p = r.p()[i];
            double other = (1 - p) / 2;
            double v1 = -Math.log(p);
            double v2 = v1 - 2 * Math.log(1 - other);
            assertEquals(v1, r.variant1()[i], 1e-5 * Math.max(1, v1), "variant 1 at p = " + p);
            assertEquals(v2, r.variant2()[i], 1e-5 * Math.max(1, v2), "variant 2 at p = " + p);
            assertTrue(r.variant2()[i] > r.variant1()[i], "p = " + p);
        }
    }

    @Test
    void theSeedsWorkedExampleInBase10() {
        // seed 000: "a score of 0.8 for the correct label: loss 0.09; .08: loss 1.09": its numbers are base-10
        // logarithms (-log10 0.8 = 0.097, -log10 0.08 = 1.097), the engine's are natural ones
        CrossEntropyVariantsExperiment.Result r = new CrossEntropyVariantsExperiment().compute(engine);
        assertEquals(0.097, r.variant1()[r.at(0.8)] / Math.log(10), 1e-3);
        assertEquals(1.097, r.variant1()[r.at(0.08)] / Math.log(10), 1e-3);
    }
}
