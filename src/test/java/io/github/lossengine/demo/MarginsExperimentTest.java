package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Experiment 6: the L2-regularised hinge loss approaches the maximum-margin boundary; cross-entropy's
 * boundary has a smaller margin. The maximum margin is found independently here by searching the
 * direction of the normal: for a unit normal u the best gap is (min over class +1 of u·x - max over
 * class -1 of u·x) / 2.
 */
class MarginsExperimentTest extends EngineFixture {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {42, 3, 27})
    void hingeApproachesTheMaximumMarginAndBeatsCrossEntropy(long seed) {
        MarginsExperiment.Result r = new MarginsExperiment().compute(engine, seed, TrainingProgress.silent());
        assertEquals(1.0, r.hinge().accuracy());
        assertEquals(1.0, r.crossEntropy().accuracy());
        double best = maximumMargin(r.data());
        assertTrue(r.hinge().geometricMargin() <= best + 1e-6, r.hinge() + " exceeds the maximum " + best);
        assertTrue(r.hinge().geometricMargin() > 0.97 * best, r.hinge() + " vs maximum " + best);
        assertTrue(r.crossEntropy().geometricMargin() < r.hinge().geometricMargin(), r.crossEntropy() + " vs " + r.hinge());
        assertTrue(r.hinge().onMargin() >= 2, "support vectors: " + r.hinge().onMargin());
    }

    private static double maximumMargin(TwoClassData d) {
        double best = Double.NEGATIVE_INFINITY;
        double bestAngle = 0;
        int steps = 20_000;
        for (int k = 0; k < steps; k++) {
            double angle = 2 * Math.PI * k / steps;
            double gap = gap(d, angle);
            if (gap > best) {
                best = gap;
                bestAngle = angle;
            }
        }
        double step = 2 * Math.PI / steps;
        for (int k = -1000; k <= 1000; k++) {
            best = Math.max(best, gap(d, bestAngle + step * k / 1000.0));
        }
        return best;
    }

    private static double gap(TwoClassData d, double angle) {
        double ux = Math.cos(angle);
        double uy = Math.sin(angle);
        double minPositive = Double.POSITIVE_INFINITY;
        double maxNegative = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < d.size(); i++) {
            double proj = ux * d.x()[i][0] + uy * d.x()[i][1];
            if (d.y()[i] == 1) {
                minPositive = Math.min(minPositive, proj);
            } else {
                maxNegative = Math.max(maxNegative, proj);
            }
        }
        return (minPositive - maxNegative) / 2;
    }
}
