package io.github.lossengine.demo;

import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.awt.Color;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Experiment 4, the other plot Varma (2018) refers to ({@link Sources}): the sigmoid and its derivative, with the
 * vanishing-gradient region marked where {@code σ'(z) < }{@value #VANISHING}, that is
 * {@code |z| > log(s / (1 - s))} with {@code s = (1 + sqrt(1 - 4·0.01)) / 2} (about 4.6). A second
 * panel shows what that does to training: the size of {@code dL/dz} for target 1, from the engine,
 * for cross-entropy ({@code bce_with_logits}, no {@code σ'} factor) and MSE on {@code σ(z)} (carries it).
 */
public final class SigmoidSaturationExperiment implements Experiment {
    static final int NUMBER = 4;
    static final double Z_MIN = -10;
    static final double Z_MAX = 10;
    static final int POINTS = 401;
    /** The derivative below which the gradient counts as vanishing. */
    static final double VANISHING = 0.01;

    /**
     * The curves and the edge of the vanishing-gradient region.
     *
     * @param edge {@code σ'(z) < 0.01} exactly where {@code |z| > edge}
     */
    public record Result(double[] z, double[] sigmoid, double[] derivative, double[] crossEntropyGrad,
                         double[] mseGrad, double edge) {
    }

    /** The sigmoid on the grid, and the two losses' gradients from {@code engine}. */
    public Result compute(LossEngine engine) {
        double[] z = Charts.grid(Z_MIN, Z_MAX, POINTS);
        double[] s = new double[POINTS];
        double[] ds = new double[POINTS];
        float[] zf = new float[POINTS];
        float[] p = new float[POINTS];
        float[] ones = new float[POINTS];
        for (int i = 0; i < POINTS; i++) {
            zf[i] = (float) z[i];
            s[i] = Sigmoid.of(zf[i]);
            ds[i] = Sigmoid.derivative(zf[i]);
            p[i] = (float) s[i];
            ones[i] = 1f;
        }
        LossResult ce = engine.compute(Losses.bceWithLogits().reduction(Reduction.SUM), Tensor.of(zf), Tensor.of(ones));
        LossResult mse = engine.compute(Losses.mse().reduction(Reduction.SUM), Tensor.of(p), Tensor.of(ones));
        double[] ceGrad = new double[POINTS];
        double[] mseGrad = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            ceGrad[i] = ce.gradient().getDouble(i);
            mseGrad[i] = mse.gradient().getDouble(i) * ds[i];
        }
        double top = (1 + Math.sqrt(1 - 4 * VANISHING)) / 2;
        return new Result(z, s, ds, ceGrad, mseGrad, Math.log(top / (1 - top)));
    }

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "Sigmoid and its derivative";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine());
        String base = "04-sigmoid-saturation";
        CsvTable csv = new CsvTable("z", "sigmoid", "sigmoid_derivative", "vanishing", "ce_grad_target1",
                "mse_sigmoid_grad_target1");
        for (int i = 0; i < POINTS; i++) {
            csv.row(r.z()[i], r.sigmoid()[i], r.derivative()[i], Math.abs(r.z()[i]) > r.edge() ? 1 : 0,
                    r.crossEntropyGrad()[i], r.mseGrad()[i]);
        }
        csv.write(context.file(base + ".csv"));

        XYChart curves = Charts.xy("Sigmoid and its derivative", "z", "value");
        curves.getStyler().setYAxisMin(0.0).setYAxisMax(1.05).setXAxisMin(Z_MIN).setXAxisMax(Z_MAX);
        Charts.roundXTicks(curves, Z_MIN, Z_MAX);
        shade(curves, r.edge(), 0, 1.05);
        Charts.line(curves, "σ(z)", r.z(), r.sigmoid(), Charts.BLUE, Charts.SOLID);
        Charts.line(curves, "σ'(z) = σ(z)(1 − σ(z))", r.z(), r.derivative(), Charts.VERMILION, Charts.DASHED);

        XYChart grads = Charts.xy("Gradient reaching z for target 1 (engine)", "z", "|dL/dz| (log scale)");
        double[] ce = abs(r.crossEntropyGrad());
        double[] mse = abs(r.mseGrad());
        Charts.roundXTicks(grads, Z_MIN, Z_MAX);
        double[] range = Charts.logYAxis(grads, ce, mse);
        shade(grads, r.edge(), range[0], range[1]);
        Charts.line(grads, "cross-entropy |σ(z) − 1|", r.z(), ce, Charts.BLUE, Charts.SOLID);
        Charts.line(grads, "MSE on σ(z) |2(σ(z) − 1)σ'(z)|", r.z(), mse, Charts.VERMILION, Charts.DASHED);
        String png = base + ".png";
        Charts.png(List.of(curves, grads), context.file(png));

        int left = 0;
        return new ExperimentReport(NUMBER, title(),
                List.of("σ(z) and σ'(z) on [" + NumberText.compact(Z_MIN) + ", " + NumberText.compact(Z_MAX)
                                + "]; shaded: the vanishing-gradient region σ'(z) < " + NumberText.compact(VANISHING)
                                + ", |z| > " + NumberText.fixed(r.edge(), 2) + ". Below: |dL/dz| for target 1 from the engine.",
                        "σ' peaks at 0.25 and vanishes in both tails. A wrong prediction far left (z = "
                                + NumberText.compact(Z_MIN) + ") still gets |dL/dz| = "
                                + NumberText.significant(ce[left]) + " from cross-entropy but only "
                                + NumberText.significant(mse[left]) + " from MSE, which multiplies by σ'."),
                png, List.of(base + ".csv"),
                List.of(new ResultRow(NUMBER, "vanishing-gradient region: sigmoid'(z) < 0.01", "|z| > " + NumberText.fixed(r.edge(), 2)),
                        new ResultRow(NUMBER, "|dL/dz| at z = -10, target 1: CE / MSE on sigmoid(z)",
                                NumberText.significant(ce[left]) + " / " + NumberText.significant(mse[left]))));
    }

    private static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }

    /**
     * Shades |z| > edge over the whole height of the plot, whose axis runs from {@code low} to
     * {@code high}: the bands reach well past both ends (and past the x range) and the plot area clips
     * them, so they also fill the strip XChart leaves between the axis ends and the plot's border.
     */
    private static void shade(XYChart chart, double edge, double low, double high) {
        Color fill = new Color(120, 120, 120, 45);
        boolean log = chart.getStyler().isYAxisLogarithmic();
        double bottom = log ? low / 1e3 : low - (high - low);
        double top = log ? high * 1e3 : high + (high - low);
        double outside = Z_MAX - Z_MIN;
        XYSeries leftBand = chart.addSeries("vanishing gradient, σ' < " + NumberText.compact(VANISHING),
                new double[] {Z_MIN - outside, Z_MIN - outside, -edge, -edge}, new double[] {bottom, top, top, bottom});
        XYSeries rightBand = chart.addSeries("vanishing gradient (right)",
                new double[] {edge, edge, Z_MAX + outside, Z_MAX + outside}, new double[] {bottom, top, top, bottom});
        for (XYSeries band : List.of(leftBand, rightBand)) {
            band.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(fill);
            band.setLineColor(fill);
            band.setMarker(SeriesMarkers.NONE);
        }
        rightBand.setShowInLegend(false);
    }
}
