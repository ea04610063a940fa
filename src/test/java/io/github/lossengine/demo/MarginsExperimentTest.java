package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

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

    /**
     * The dashed lines as drawn: each runs parallel to its solid boundary at the reported geometric
     * margin, on either side, and that is the smallest distance of a point to the drawn boundary; the
     * axes have equal scales, so the gap on the image is that distance too.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {42, 3, 27})
    void theDrawnMarginLinesAreTheGeometricMargins(long seed) {
        MarginsExperiment.Result r = new MarginsExperiment().compute(engine, seed, TrainingProgress.silent());
        XYChart chart = MarginsExperiment.chart(r);
        for (MarginsExperiment.Classifier c : List.of(r.hinge(), r.crossEntropy())) {
            double[][] boundary = drawn(chart, c.loss() + " boundary");
            double closest = Double.POSITIVE_INFINITY;
            for (double[] x : r.data().x()) {
                closest = Math.min(closest, Math.abs(signedDistance(boundary, x[0], x[1])));
            }
            assertEquals(c.geometricMargin(), closest, 1e-6, c.loss() + ": closest point to the drawn boundary");
            List<String> dashed = chart.getSeriesCollection().stream().map(XYSeries::getName)
                    .filter(name -> name.startsWith(c.loss() + " margin")).toList();
            assertEquals(2, dashed.size(), dashed.toString());
            assertTrue(dashed.get(0).contains(NumberText.fixed(c.geometricMargin(), 3)), "legend: " + dashed.get(0));
            double[] sides = new double[2];
            for (int k = 0; k < 2; k++) {
                double[][] line = drawn(chart, dashed.get(k));
                double start = signedDistance(boundary, line[0][0], line[1][0]);
                double end = signedDistance(boundary, line[0][1], line[1][1]);
                assertEquals(start, end, 1e-6, dashed.get(k) + " is parallel to the boundary");
                assertEquals(c.geometricMargin(), Math.abs(start), 1e-6, dashed.get(k));
                sides[k] = Math.signum(start);
            }
            assertEquals(-sides[0], sides[1], c.loss() + ": one margin line on each side");
        }
        double[] range = {chart.getStyler().getXAxisMin(), chart.getStyler().getXAxisMax(),
                chart.getStyler().getYAxisMin(), chart.getStyler().getYAxisMax()};
        double[] scale = Charts.pixelsPerUnit(chart, range);
        assertEquals(1.0, scale[0] / scale[1], 0.005, "pixels per unit x / y");
    }

    /** A drawn straight line's two end points, {{x_start, x_end}, {y_start, y_end}}. */
    private static double[][] drawn(XYChart chart, String name) {
        XYSeries s = chart.getSeries(name);
        assertTrue(s != null, name + " not drawn");
        assertEquals(2, s.getXData().length, name);
        return new double[][] {s.getXData(), s.getYData()};
    }

    /** The distance of (x, y) from the line through {@code line}'s end points, positive on its left. */
    private static double signedDistance(double[][] line, double x, double y) {
        double dx = line[0][1] - line[0][0];
        double dy = line[1][1] - line[1][0];
        return (dx * (y - line[1][0]) - dy * (x - line[0][0])) / Math.hypot(dx, dy);
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
