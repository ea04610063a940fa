package io.github.lossengine.demo;

import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Experiment 5, robust regression: a line {@code y = a x + b} fitted by plain gradient descent with
 * MSE, MAE, Huber ({@code delta = 1}) and log-cosh on points of the line {@code y = 2x + 1} with
 * Gaussian noise, where 10% of the points are outliers far below the line at large {@code x}. The
 * engine gives {@code dL/dŷ}; the model is {@code ŷ = a (x - x̄) + c} (centred for a well-conditioned
 * descent, {@code b = c - a x̄}). The slope error {@code |a - 2|} shows which losses the outliers pull.
 */
public final class RobustRegressionExperiment implements Experiment {
    static final int NUMBER = 5;
    static final int POINTS = 100;
    static final int OUTLIERS = POINTS / 10;
    static final double TRUE_SLOPE = 2;
    static final double TRUE_INTERCEPT = 1;
    static final double NOISE = 0.5;
    static final double LEARNING_RATE = 0.05;
    static final int STEPS = 3000;

    /**
     * The data: {@code x}, {@code y}, and which points are outliers.
     */
    public record Data(double[] x, double[] y, boolean[] outlier) {
    }

    /** One fitted line. */
    public record Fit(String loss, double slope, double intercept) {
        public double slopeError() {
            return Math.abs(slope - TRUE_SLOPE);
        }
    }

    /** The data and the fit of each loss, in the order MSE, MAE, Huber, log-cosh. */
    public record Result(Data data, List<Fit> fits) {
        public Fit fit(String loss) {
            return fits.stream().filter(f -> f.loss().equals(loss)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no fit for " + loss));
        }
    }

    /** Points on the line plus noise; {@value #OUTLIERS} of them moved far below, at large x. */
    static Data data(Random random) {
        double[] x = new double[POINTS];
        double[] y = new double[POINTS];
        boolean[] outlier = new boolean[POINTS];
        for (int i = 0; i < POINTS; i++) {
            x[i] = 10 * random.nextDouble();
            y[i] = TRUE_SLOPE * x[i] + TRUE_INTERCEPT + NOISE * random.nextGaussian();
        }
        int placed = 0;
        while (placed < OUTLIERS) {
            int i = random.nextInt(POINTS);
            if (!outlier[i]) {
                outlier[i] = true;
                x[i] = 7 + 3 * random.nextDouble();
                y[i] = -5 + 5 * random.nextDouble();
                placed++;
            }
        }
        return new Data(x, y, outlier);
    }

    /** Fits the line with each loss; every loss gradient comes from {@code engine}. */
    public Result compute(LossEngine engine, long seed, TrainingProgress progress) {
        Data data = data(DemoContext.random(seed, NUMBER));
        List<Fit> fits = new ArrayList<>();
        fits.add(fit(engine, data, "MSE", Losses.mse(), progress));
        fits.add(fit(engine, data, "MAE", Losses.mae(), progress));
        fits.add(fit(engine, data, "Huber", Losses.huber(), progress));
        fits.add(fit(engine, data, "log-cosh", Losses.logCosh(), progress));
        return new Result(data, fits);
    }

    private static Fit fit(LossEngine engine, Data data, String name, Loss loss, TrainingProgress progress) {
        int n = data.x().length;
        double mean = 0;
        for (double v : data.x()) {
            mean += v;
        }
        mean /= n;
        double[][] centred = new double[n][1];
        float[] target = new float[n];
        for (int i = 0; i < n; i++) {
            centred[i][0] = data.x()[i] - mean;
            target[i] = (float) data.y()[i];
        }
        LinearModel model = new LinearModel(new double[] {0}, 0);
        try (TrainingProgress.Tracker bar = progress.start("experiment 5, " + name, STEPS)) {
            GradientDescent.train(engine, loss, model, centred, target, STEPS, LEARNING_RATE, 0, bar);
        }
        double slope = model.weights()[0];
        return new Fit(name, slope, model.bias() - slope * mean);
    }

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "Robust regression: MSE, MAE, Huber, log-cosh";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine(), context.seed(), context.progress());
        Data d = r.data();
        String base = "05-robust-regression";
        CsvTable points = new CsvTable("x", "y", "outlier");
        for (int i = 0; i < d.x().length; i++) {
            points.row(d.x()[i], d.y()[i], d.outlier()[i] ? 1 : 0);
        }
        points.write(context.file(base + "-points.csv"));
        CsvTable fits = new CsvTable("loss", "slope", "intercept", "slope_error");
        fits.row("true line", TRUE_SLOPE, TRUE_INTERCEPT, 0.0);
        for (Fit f : r.fits()) {
            fits.row(f.loss(), f.slope(), f.intercept(), f.slopeError());
        }
        fits.write(context.file(base + "-fits.csv"));

        XYChart chart = Charts.xy("Line fits with 10% outliers", "x", "y", 560);
        Charts.legendInside(chart, org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        boolean[] inlier = new boolean[d.x().length];
        for (int i = 0; i < inlier.length; i++) {
            inlier[i] = !d.outlier()[i];
        }
        Charts.points(chart, "data", d.x(), d.y(), inlier, new java.awt.Color(150, 150, 150), SeriesMarkers.CIRCLE);
        Charts.points(chart, "outliers", d.x(), d.y(), d.outlier(), Charts.BLACK, SeriesMarkers.CROSS);
        double[] ends = {0, 10};
        Charts.line(chart, "true line y = 2x + 1", ends, line(TRUE_SLOPE, TRUE_INTERCEPT, ends), Charts.BLACK,
                Charts.THIN_DASHED);
        java.awt.Color[] colours = {Charts.VERMILION, Charts.BLUE, Charts.GREEN, Charts.PURPLE};
        java.awt.BasicStroke[] strokes = {Charts.SOLID, Charts.DASHED, Charts.DOTTED, Charts.DASH_DOT};
        for (int k = 0; k < r.fits().size(); k++) {
            Fit f = r.fits().get(k);
            Charts.line(chart, f.loss() + " (slope " + NumberText.fixed(f.slope(), 2) + ")", ends,
                    line(f.slope(), f.intercept(), ends), colours[k], strokes[k]);
        }
        String png = base + ".png";
        Charts.png(chart, context.file(png));

        StringBuilder errors = new StringBuilder();
        for (Fit f : r.fits()) {
            errors.append(errors.length() == 0 ? "" : ", ").append(f.loss()).append(' ')
                    .append(NumberText.fixed(f.slopeError(), 3));
        }
        List<ResultRow> rows = new ArrayList<>();
        rows.add(new ResultRow(NUMBER, "slope error |a - 2|: MSE / MAE / Huber / log-cosh",
                NumberText.fixed(r.fit("MSE").slopeError(), 3) + " / " + NumberText.fixed(r.fit("MAE").slopeError(), 3)
                        + " / " + NumberText.fixed(r.fit("Huber").slopeError(), 3) + " / "
                        + NumberText.fixed(r.fit("log-cosh").slopeError(), 3)));
        return new ExperimentReport(NUMBER, title(),
                List.of(POINTS + " points of y = 2x + 1 plus noise (σ = " + NumberText.compact(NOISE) + "), " + OUTLIERS
                                + " of them (10%) replaced by outliers far below the line at x ≥ 7; each line fitted by "
                                + STEPS + " gradient-descent steps, learning rate " + NumberText.compact(LEARNING_RATE) + ".",
                        "MSE's gradient grows with the residual, so the outliers drag its line down; MAE, Huber and log-cosh "
                                + "cap it and stay near the true slope. Slope errors: " + errors + "."),
                png, List.of(base + "-points.csv", base + "-fits.csv"), rows);
    }

    private static double[] line(double slope, double intercept, double[] x) {
        return new double[] {slope * x[0] + intercept, slope * x[1] + intercept};
    }
}
