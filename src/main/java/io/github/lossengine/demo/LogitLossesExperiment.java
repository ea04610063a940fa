package io.github.lossengine.demo;

import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * Experiment 2, the diagram of the "Loss Functions" notes ({@link Sources}): hinge, cross-entropy and MSE on {@code σ(z)} against the
 * logit {@code z} for target class +1, and their gradients {@code dL/dz}. Each curve is one engine
 * call with reduction {@code NONE} over the whole grid of logits: hinge on {@code z} with label +1,
 * {@code bce_with_logits} on {@code z} with target 1, {@code mse} on {@code σ(z)} with target 1
 * (its {@code dL/dσ} times {@code σ'(z)} by the chain rule).
 */
public final class LogitLossesExperiment implements Experiment {
    static final int NUMBER = 2;
    static final double Z_MIN = -3;
    static final double Z_MAX = 3;
    static final int POINTS = 601;

    /** The three losses and their gradients at each logit of {@link #z()}. */
    public record Result(double[] z, double[] hinge, double[] hingeGrad, double[] crossEntropy,
                         double[] crossEntropyGrad, double[] mse, double[] mseGrad) {

        /** The index of the grid point nearest to {@code logit}. */
        public int at(double logit) {
            return (int) Math.round((logit - Z_MIN) / (Z_MAX - Z_MIN) * (POINTS - 1));
        }
    }

    /** Evaluates the three losses on the grid with {@code engine}. */
    public Result compute(LossEngine engine) {
        double[] z = Charts.grid(Z_MIN, Z_MAX, POINTS);
        float[] zf = new float[POINTS];
        float[] p = new float[POINTS];
        float[] plusOne = new float[POINTS];
        for (int i = 0; i < POINTS; i++) {
            zf[i] = (float) z[i];
            p[i] = (float) Sigmoid.of(zf[i]);
            plusOne[i] = 1f;
        }
        Tensor logits = Tensor.of(zf);
        Tensor target = Tensor.of(plusOne);
        LossResult hinge = engine.compute(Losses.hinge().reduction(Reduction.NONE), logits, target);
        LossResult ce = engine.compute(Losses.bceWithLogits().reduction(Reduction.NONE), logits, target);
        LossResult mse = engine.compute(Losses.mse().reduction(Reduction.NONE), Tensor.of(p), target);
        double[] mseGrad = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            mseGrad[i] = mse.gradient().getDouble(i) * Sigmoid.derivative(zf[i]);
        }
        return new Result(z, doubles(hinge.values()), doubles(hinge.gradient()), doubles(ce.values()),
                doubles(ce.gradient()), doubles(mse.values()), mseGrad);
    }

    static double[] doubles(Tensor t) {
        double[] v = new double[(int) t.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getDouble(i);
        }
        return v;
    }

    /**
     * The hinge's gradient as what it is, a step: −1 up to the kink z = 1 (the engine's value at the
     * kink, marked with a dot) and 0 after it, two separate pieces with no vertical line between them.
     */
    static void hingeGradientJump(XYChart grad, Result r) {
        int kink = r.at(1.0);
        double[] leftZ = java.util.Arrays.copyOfRange(r.z(), 0, kink + 1);
        double[] leftG = java.util.Arrays.copyOfRange(r.hingeGrad(), 0, kink + 1);
        double[] rightZ = java.util.Arrays.copyOfRange(r.z(), kink + 1, POINTS);
        double[] rightG = java.util.Arrays.copyOfRange(r.hingeGrad(), kink + 1, POINTS);
        Charts.line(grad, "hinge (jumps from −1 to 0 at z = 1)", leftZ, leftG, Charts.GREEN, Charts.SOLID);
        Charts.line(grad, HINGE_RIGHT_PIECE, rightZ, rightG, Charts.GREEN, Charts.SOLID).setShowInLegend(false);
        Charts.points(grad, HINGE_KINK, new double[] {r.z()[kink]}, new double[] {r.hingeGrad()[kink]},
                Charts.GREEN, org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE).setShowInLegend(false);
    }

    /** Names of the hinge gradient's second piece and of its value at the kink (not in the legend). */
    static final String HINGE_RIGHT_PIECE = "hinge, z > 1";
    static final String HINGE_KINK = "hinge at z = 1";

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "Hinge, cross-entropy and MSE against the logit";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine());
        String base = "02-losses-vs-logit";
        CsvTable csv = new CsvTable("z", "hinge", "hinge_grad", "cross_entropy", "cross_entropy_grad",
                "mse_sigmoid", "mse_sigmoid_grad");
        for (int i = 0; i < POINTS; i++) {
            csv.row(r.z()[i], r.hinge()[i], r.hingeGrad()[i], r.crossEntropy()[i], r.crossEntropyGrad()[i],
                    r.mse()[i], r.mseGrad()[i]);
        }
        csv.write(context.file(base + ".csv"));

        XYChart loss = Charts.xy("Three classification losses for target class +1", "logit z", "loss");
        loss.getStyler().setYAxisMin(0.0).setYAxisMax(4.0).setXAxisMin(Z_MIN).setXAxisMax(Z_MAX);
        Charts.roundXTicks(loss, Z_MIN, Z_MAX);
        Charts.line(loss, "hinge max(0, 1 − z)", r.z(), r.hinge(), Charts.GREEN, Charts.SOLID);
        Charts.line(loss, "cross-entropy log(1 + e^−z)", r.z(), r.crossEntropy(), Charts.BLUE, Charts.DASHED);
        Charts.line(loss, "MSE on σ(z): (σ(z) − 1)²", r.z(), r.mse(), Charts.VERMILION, Charts.DASH_DOT);
        XYChart grad = Charts.xy("Their gradients", "logit z", "dL/dz");
        grad.getStyler().setYAxisMin(-1.1).setYAxisMax(0.1).setXAxisMin(Z_MIN).setXAxisMax(Z_MAX);
        Charts.roundXTicks(grad, Z_MIN, Z_MAX);
        hingeGradientJump(grad, r);
        Charts.line(grad, "cross-entropy σ(z) − 1", r.z(), r.crossEntropyGrad(), Charts.BLUE, Charts.DASHED);
        Charts.line(grad, "MSE on σ(z): 2(σ(z) − 1)σ'(z)", r.z(), r.mseGrad(), Charts.VERMILION, Charts.DASH_DOT);
        String png = base + ".png";
        Charts.png(List.of(loss, grad), context.file(png));

        int wrong = r.at(Z_MIN);
        return new ExperimentReport(NUMBER, title(),
                List.of("Loss and gradient for target class +1 against the logit z, one engine call per loss over "
                                + POINTS + " logits from " + NumberText.compact(Z_MIN) + " to " + NumberText.compact(Z_MAX)
                                + " (the diagram of the \"Loss Functions\" notes, with the gradients added).",
                        "Hinge is piecewise linear and exactly 0 past z = 1; cross-entropy decays smoothly; MSE on σ(z) "
                                + "is bounded: it only approaches 1 as z → −∞ (" + NumberText.fixed(r.mse()[wrong], 3)
                                + " at z = −3) while its gradient fades (at z = −3: "
                                + NumberText.fixed(r.mseGrad()[wrong], 3) + " vs cross-entropy's "
                                + NumberText.fixed(r.crossEntropyGrad()[wrong], 3) + ")."),
                png, List.of(base + ".csv"),
                List.of(new ResultRow(NUMBER, "loss at z = -3: hinge / CE / MSE on sigmoid(z)",
                                NumberText.fixed(r.hinge()[wrong], 3) + " / " + NumberText.fixed(r.crossEntropy()[wrong], 3)
                                        + " / " + NumberText.fixed(r.mse()[wrong], 3)),
                        new ResultRow(NUMBER, "dL/dz at z = -3: hinge / CE / MSE on sigmoid(z)",
                                NumberText.fixed(r.hingeGrad()[wrong], 3) + " / "
                                        + NumberText.fixed(r.crossEntropyGrad()[wrong], 3) + " / "
                                        + NumberText.fixed(r.mseGrad()[wrong], 3))));
    }
}
