package io.github.lossengine.demo;

import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Experiment 6, the max-margin discussion of Varma (2018) ({@link Sources}): a linear classifier {@code z = w·x + b} trained by
 * gradient descent on linearly separable points, once with the hinge loss (labels ±1) and once with
 * cross-entropy ({@code bce_with_logits}, labels 0/1), both with the same small L2 penalty
 * {@code λ|w|²} (Varma's "L2-regularised hinge loss"). Reported: each boundary's geometric
 * margin, the smallest distance of a point to it. Drawn, on axes of equal scale: each decision boundary
 * {@code z = 0} and its margin lines {@code z = ±m} with {@code m = min_i y_i z_i}, the lines through
 * its closest point parallel to it, so that the drawn gap on either side is that geometric margin.
 * (The lines {@code z = ±1} would not be: {@code w} is not normalised, and cross-entropy's {@code |w|}
 * differs from hinge's.)
 */
public final class MarginsExperiment implements Experiment {
    static final int NUMBER = 6;
    static final int POINTS = 60;
    static final double[] CENTRE = {1.8, 1.2};
    static final double[] SPREAD = {1.0, 0.6};
    /** Points closer than this (in x0 + x1, times the label) to the line x0 + x1 = 0 are redrawn: separable. */
    static final double GAP = 0.8;
    static final double L2 = 0.001;
    static final double LEARNING_RATE = 0.1;
    static final int STEPS = 4000;

    /**
     * One trained classifier.
     *
     * @param scoreMargin     {@code m = min_i y_i z_i}, the score of the closest point: the margin
     *                        lines are {@code z = ±m}
     * @param geometricMargin {@code m / |w|}, the smallest distance of a point to the boundary
     *                        (negative if a point is misclassified)
     * @param onMargin        points with {@code y z <= 1.01 m}: on the margin lines (within 1%)
     */
    public record Classifier(String loss, double[] weights, double bias, double scoreMargin, double geometricMargin,
                             double accuracy, int onMargin) {
    }

    /** The data and both classifiers. */
    public record Result(TwoClassData data, Classifier hinge, Classifier crossEntropy) {
    }

    /** Separable points: Gaussian blobs around ±centre, redrawn until they clear the gap. */
    static TwoClassData data(Random random) {
        double[][] x = new double[POINTS][2];
        int[] y = new int[POINTS];
        for (int i = 0; i < POINTS; i++) {
            y[i] = i % 2 == 0 ? 1 : 0;
            double sign = y[i] == 1 ? 1 : -1;
            do {
                x[i][0] = sign * CENTRE[0] + SPREAD[0] * random.nextGaussian();
                x[i][1] = sign * CENTRE[1] + SPREAD[1] * random.nextGaussian();
            } while (sign * (x[i][0] + x[i][1]) <= GAP);
        }
        return new TwoClassData(x, y);
    }

    /** Trains both classifiers; every loss gradient comes from {@code engine}. */
    public Result compute(LossEngine engine, long seed, TrainingProgress progress) {
        TwoClassData data = data(DemoContext.random(seed, NUMBER));
        Classifier hinge = train(engine, data, "hinge", Losses.hinge(), data.targetsPlusMinus(), progress);
        Classifier ce = train(engine, data, "cross-entropy", Losses.bceWithLogits(), data.targets01(), progress);
        return new Result(data, hinge, ce);
    }

    private static Classifier train(LossEngine engine, TwoClassData data, String name, Loss loss, float[] target,
                                    TrainingProgress progress) {
        int n = data.size();
        LinearModel model = new LinearModel(new double[2], 0);
        try (TrainingProgress.Tracker bar = progress.start("experiment 6, " + name, STEPS)) {
            GradientDescent.train(engine, loss, model, data.x(), target, STEPS, LEARNING_RATE, L2, bar);
        }
        double[] w = model.weights();
        double[] yz = new double[n];
        double margin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            yz[i] = (data.y()[i] == 1 ? 1 : -1) * model.score(data.x()[i]);
            margin = Math.min(margin, yz[i]);
        }
        int onMargin = 0;
        for (double v : yz) {
            if (v <= margin + 0.01 * Math.abs(margin)) {
                onMargin++;
            }
        }
        return new Classifier(name, w, model.bias(), margin, margin / Math.hypot(w[0], w[1]), data.accuracy(model),
                onMargin);
    }

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "Margins: hinge vs cross-entropy";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine(), context.seed(), context.progress());
        TwoClassData d = r.data();
        String base = "06-margins";
        CsvTable points = new CsvTable("x0", "x1", "label", "z_hinge", "z_cross_entropy");
        for (int i = 0; i < d.size(); i++) {
            points.row(d.x()[i][0], d.x()[i][1], d.y()[i] == 1 ? 1 : -1, score(r.hinge(), d.x()[i]),
                    score(r.crossEntropy(), d.x()[i]));
        }
        points.write(context.file(base + "-points.csv"));
        CsvTable models = new CsvTable("loss", "w0", "w1", "b", "score_margin", "geometric_margin", "accuracy",
                "points_on_margin_lines");
        for (Classifier c : List.of(r.hinge(), r.crossEntropy())) {
            models.row(c.loss(), c.weights()[0], c.weights()[1], c.bias(), c.scoreMargin(), c.geometricMargin(),
                    c.accuracy(), c.onMargin());
        }
        models.write(context.file(base + "-classifiers.csv"));
        String png = base + ".png";
        Charts.png(chart(r), context.file(png));

        return new ExperimentReport(NUMBER, title(),
                List.of("A linear classifier trained " + STEPS + " gradient-descent steps (learning rate "
                                + NumberText.compact(LEARNING_RATE) + ", L2 penalty " + NumberText.compact(L2)
                                + "|w|²) on " + POINTS + " separable points, with the hinge loss and with cross-entropy.",
                        "Dashed: the lines through each boundary's closest point, at the same distance on both sides. "
                                + "The hinge boundary rests on the few points on its margin lines (" + r.hinge().onMargin()
                                + " here) and leaves the widest gap: smallest point distance "
                                + NumberText.fixed(r.hinge().geometricMargin(), 3) + " vs "
                                + NumberText.fixed(r.crossEntropy().geometricMargin(), 3)
                                + " for cross-entropy, which every point pulls on."),
                png, List.of(base + "-points.csv", base + "-classifiers.csv"),
                List.of(new ResultRow(NUMBER, "geometric margin: hinge / cross-entropy",
                        NumberText.fixed(r.hinge().geometricMargin(), 3) + " / "
                                + NumberText.fixed(r.crossEntropy().geometricMargin(), 3))));
    }

    /**
     * The chart: the points, each boundary (solid) and its margin lines (dashed, named with the margin),
     * on axes with as many pixels per unit in x as in y, so that the gaps are true distances.
     */
    static XYChart chart(Result r) {
        TwoClassData d = r.data();
        double[] box = box(d);
        XYChart chart = Charts.xy("Boundaries (solid) and margins (dashed)", "x₀", "x₁", 640);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Vertical);
        double[] x0 = new double[d.size()];
        double[] x1 = new double[d.size()];
        boolean[] positive = new boolean[d.size()];
        boolean[] negative = new boolean[d.size()];
        for (int i = 0; i < d.size(); i++) {
            x0[i] = d.x()[i][0];
            x1[i] = d.x()[i][1];
            positive[i] = d.y()[i] == 1;
            negative[i] = !positive[i];
        }
        Charts.points(chart, "class +1", x0, x1, positive, Charts.ORANGE, SeriesMarkers.CIRCLE);
        Charts.points(chart, "class −1", x0, x1, negative, Charts.PURPLE, SeriesMarkers.DIAMOND);
        // the lines run well past the points (the plot clips them): equal scales widen one axis's range
        double[] far = {box[0] - 20, box[1] + 20, box[2] - 20, box[3] + 20};
        drawClassifier(chart, r.hinge(), far, Charts.GREEN);
        drawClassifier(chart, r.crossEntropy(), far, Charts.BLUE);
        Charts.equalScales(chart, box);
        return chart;
    }

    private static double score(Classifier c, double[] x) {
        return c.weights()[0] * x[0] + c.weights()[1] * x[1] + c.bias();
    }

    /** The plot area: the points' extent plus a border. */
    private static double[] box(TwoClassData d) {
        double[] b = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};
        for (double[] x : d.x()) {
            b[0] = Math.min(b[0], x[0]);
            b[1] = Math.max(b[1], x[0]);
            b[2] = Math.min(b[2], x[1]);
            b[3] = Math.max(b[3], x[1]);
        }
        return new double[] {Math.floor(b[0] - 0.5), Math.ceil(b[1] + 0.5), Math.floor(b[2] - 0.5), Math.ceil(b[3] + 0.5)};
    }

    private static void drawClassifier(XYChart chart, Classifier c, double[] box, Color colour) {
        double m = c.scoreMargin();
        draw(chart, c.loss() + " boundary", segment(c, 0, box), colour, Charts.SOLID, true);
        draw(chart, c.loss() + " margin " + NumberText.fixed(c.geometricMargin(), 3),
                segment(c, m, box), colour, Charts.DASHED, true);
        draw(chart, c.loss() + " margin, other side", segment(c, -m, box), colour, Charts.DASHED, false);
    }

    private static void draw(XYChart chart, String name, double[][] segment, Color colour, BasicStroke stroke,
                             boolean inLegend) {
        if (segment != null) {
            Charts.line(chart, name, segment[0], segment[1], colour, stroke).setShowInLegend(inLegend);
        }
    }

    /**
     * The part of the line {@code w·x + b = level} inside the box {xmin, xmax, ymin, ymax}, as
     * {{x_start, x_end}, {y_start, y_end}}, or {@code null} when it misses the box.
     */
    static double[][] segment(Classifier c, double level, double[] box) {
        double w0 = c.weights()[0];
        double w1 = c.weights()[1];
        double norm2 = w0 * w0 + w1 * w1;
        if (norm2 == 0) {
            return null;
        }
        double k = (level - c.bias()) / norm2;
        double[] origin = {k * w0, k * w1};
        double[] dir = {-w1, w0};
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        for (int axis = 0; axis < 2; axis++) {
            double min = box[2 * axis];
            double max = box[2 * axis + 1];
            if (dir[axis] == 0) {
                if (origin[axis] < min || origin[axis] > max) {
                    return null;
                }
                continue;
            }
            double t1 = (min - origin[axis]) / dir[axis];
            double t2 = (max - origin[axis]) / dir[axis];
            lo = Math.max(lo, Math.min(t1, t2));
            hi = Math.min(hi, Math.max(t1, t2));
        }
        if (!(lo < hi)) {
            return null;
        }
        return new double[][] {{origin[0] + lo * dir[0], origin[0] + hi * dir[0]},
                {origin[1] + lo * dir[1], origin[1] + hi * dir[1]}};
    }
}
