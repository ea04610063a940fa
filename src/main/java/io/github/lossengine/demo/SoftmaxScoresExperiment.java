package io.github.lossengine.demo;

import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.awt.Font;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Experiment 7, the example of Varma (2018) ({@link Sources}): the scores {@code [10, 8, 8]} and {@code [10, -10, -10]} with the
 * first class correct. Softmax cross-entropy ({@code softmax_cross_entropy}) gives the first a much
 * higher loss, {@code log(1 + 2e^-2)}, than the second, {@code log(1 + 2e^-20)}; the multi-class hinge
 * ({@code multiclass_hinge}, margin 1) is 0 for both, since the correct score already beats every other
 * by more than the margin, and so is its gradient: the SVM stops optimising, cross-entropy does not.
 */
public final class SoftmaxScoresExperiment implements Experiment {
    static final int NUMBER = 7;
    static final float[][] SCORES = {{10, 8, 8}, {10, -10, -10}};
    static final String[] LABELS = {"[10, 8, 8]", "[10, −10, −10]"};

    /**
     * Per score vector (row): the loss and the Euclidean norm of its gradient with respect to the scores.
     */
    public record Result(double[] crossEntropy, double[] crossEntropyGradNorm, double[] hinge, double[] hingeGradNorm) {
    }

    /** Both losses for both score vectors, one engine call per loss. */
    public Result compute(LossEngine engine) {
        int rows = SCORES.length;
        int classes = SCORES[0].length;
        float[] flat = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(SCORES[r], 0, flat, r * classes, classes);
        }
        Tensor scores = Tensor.of(flat, rows, classes);
        Tensor correct = Tensor.ofInts(new int[rows]);
        LossResult ce = engine.compute(Losses.softmaxCrossEntropy().reduction(Reduction.NONE), scores, correct);
        LossResult hinge = engine.compute(Losses.multiclassHinge().reduction(Reduction.NONE), scores, correct);
        return new Result(LogitLossesExperiment.doubles(ce.values()), rowNorms(ce.gradient(), rows, classes),
                LogitLossesExperiment.doubles(hinge.values()), rowNorms(hinge.gradient(), rows, classes));
    }

    private static double[] rowNorms(Tensor grad, int rows, int classes) {
        double[] norms = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double g = grad.getDouble((long) r * classes + c);
                sum += g * g;
            }
            norms[r] = Math.sqrt(sum);
        }
        return norms;
    }

    /**
     * A bar chart of one quantity for both score vectors on a logarithmic axis, so that 4e-9 has a
     * visible bar next to 0.24, each bar labelled with its value. The hinge's values are exactly 0,
     * which a log axis cannot show: they are a line of the legend, not bars.
     */
    static CategoryChart bars(String title, String yTitle, String ceName, double[] ce, String hingeNote) {
        CategoryChart chart = new CategoryChartBuilder().width(Charts.WIDTH).height(360).title(title)
                .xAxisTitle("scores (class 1 is correct)").yAxisTitle(yTitle).build();
        Charts.style(chart);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(LOG_AXIS_MIN).setYAxisMax(1.0);
        chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
        chart.getStyler().setPlotGridHorizontalLinesVisible(false);
        chart.setCustomYAxisTickLabelsFormatter(SoftmaxScoresExperiment::tickText);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(1.05);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Charts.BLACK);
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        chart.getStyler().setAvailableSpaceFill(0.5);
        List<String> categories = List.of(LABELS);
        chart.addSeries(ceName, categories, List.of(ce[0], ce[1])).setFillColor(Charts.BLUE);
        // a legend line with no bars: a series of values below the axis, in a transparent colour
        chart.addSeries(hingeNote, categories, List.of(LOG_AXIS_MIN / 10, LOG_AXIS_MIN / 10))
                .setFillColor(new java.awt.Color(0, 0, 0, 0));
        return chart;
    }

    /** The bottom of the log axes: below the smallest value, 4e-9. */
    static final double LOG_AXIS_MIN = 1e-10;

    /** A tick (a power of ten, as 10⁻⁴) or a bar's value (as {@link #valueText}): XChart uses one format for both. */
    static String tickText(double v) {
        boolean decade = v > 0 && Math.abs(v / Math.pow(10, Math.round(Math.log10(v))) - 1) < 1e-9;
        return decade ? Charts.powerOfTen(v) : valueText(v);
    }

    /** A tick or bar value: 0 as "0", tiny values in scientific notation, others with 2 to 4 decimals. */
    static String valueText(double v) {
        if (v == 0) {
            return "0";
        }
        if (Math.abs(v) < 1e-3) {
            return NumberText.significant(v);
        }
        return NumberText.fixed(v, 4).replaceAll("0{1,2}$", "");
    }

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "Scores [10, 8, 8] vs [10, -10, -10]";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine());
        String base = "07-softmax-scores";
        CsvTable csv = new CsvTable("scores", "cross_entropy", "cross_entropy_grad_norm", "multiclass_hinge",
                "multiclass_hinge_grad_norm");
        for (int i = 0; i < SCORES.length; i++) {
            csv.row(LABELS[i].replace('−', '-'), r.crossEntropy()[i], r.crossEntropyGradNorm()[i], r.hinge()[i],
                    r.hingeGradNorm()[i]);
        }
        csv.write(context.file(base + ".csv"));

        CategoryChart losses = bars("Scores with class 1 correct: loss (log scale)", "loss",
                "softmax cross-entropy: " + NumberText.fixed(r.crossEntropy()[0], 4) + " / "
                        + NumberText.significant(r.crossEntropy()[1]), r.crossEntropy(),
                "multi-class hinge (margin 1): " + NumberText.compact(r.hinge()[0]) + " / "
                        + NumberText.compact(r.hinge()[1]) + ", exactly (no bar on a log axis)");
        CategoryChart grads = bars("Size of the gradient with respect to the scores (L2 norm, log scale)", "‖dL/dscores‖₂",
                "softmax cross-entropy: " + NumberText.fixed(r.crossEntropyGradNorm()[0], 4) + " / "
                        + NumberText.significant(r.crossEntropyGradNorm()[1]), r.crossEntropyGradNorm(),
                "multi-class hinge: " + NumberText.compact(r.hingeGradNorm()[0]) + " / "
                        + NumberText.compact(r.hingeGradNorm()[1]) + ", exactly");
        String png = base + ".png";
        Charts.png(List.of(losses, grads), context.file(png));

        return new ExperimentReport(NUMBER, title(),
                List.of("Varma (2018)'s example, class 1 correct: softmax cross-entropy and the multi-class hinge loss "
                                + "(Weston-Watkins, margin 1) from the engine, for both score vectors; below, the L2 norm of "
                                + "each loss's gradient with respect to the scores.",
                        "Hinge is 0 for both (every margin is met), with a zero gradient; cross-entropy is "
                                + NumberText.fixed(r.crossEntropy()[0], 4) + " = log(1 + 2e^−2) for [10, 8, 8] but "
                                + NumberText.significant(r.crossEntropy()[1]) + " for [10, −10, −10], and keeps pushing."),
                png, List.of(base + ".csv"),
                List.of(new ResultRow(NUMBER, "cross-entropy: [10,8,8] / [10,-10,-10]",
                                NumberText.fixed(r.crossEntropy()[0], 4) + " / " + NumberText.significant(r.crossEntropy()[1])),
                        new ResultRow(NUMBER, "multi-class hinge: [10,8,8] / [10,-10,-10]",
                                NumberText.compact(r.hinge()[0]) + " / " + NumberText.compact(r.hinge()[1]))));
    }
}
