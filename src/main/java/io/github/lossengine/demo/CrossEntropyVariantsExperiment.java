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
 * Experiment 3, the plot Varma (2018) describes but does not show ({@link Sources}): its two multi-class cross-entropy
 * variants against the probability {@code p} of the correct class, 0.01 to 0.98, with {@value #CLASSES}
 * classes and the remaining mass {@code 1 - p} split evenly between the wrong classes.
 * <ul>
 *   <li>variant 1, {@code -log p}: {@code softmax_cross_entropy} on the logits {@code log s} (whose
 *   softmax is {@code s} again) with the correct class as target;</li>
 *   <li>variant 2, {@code -log p - Σ_(j wrong) log(1 - s_j)}: {@code binary_cross_entropy} on the
 *   probabilities {@code s} against the one-hot target, reduction {@code NONE}, summed per row.</li>
 * </ul>
 */
public final class CrossEntropyVariantsExperiment implements Experiment {
    static final int NUMBER = 3;
    /** Number of classes; class 0 is the correct one. */
    static final int CLASSES = 3;
    /** p = 0.010, 0.011, ..., 0.980. */
    static final int POINTS = 971;

    /** Both variants at each probability of the correct class. */
    public record Result(double[] p, double[] variant1, double[] variant2) {
        /** The index of probability {@code prob} on the grid (a multiple of 0.001). */
        public int at(double prob) {
            return (int) Math.round(prob * 1000) - 10;
        }
    }

    /** Evaluates both variants with {@code engine}. */
    public Result compute(LossEngine engine) {
        double[] p = new double[POINTS];
        float[] logits = new float[POINTS * CLASSES];
        float[] probs = new float[POINTS * CLASSES];
        float[] oneHot = new float[POINTS * CLASSES];
        int[] correct = new int[POINTS];
        for (int i = 0; i < POINTS; i++) {
            p[i] = (i + 10) / 1000.0;
            for (int c = 0; c < CLASSES; c++) {
                double s = c == 0 ? p[i] : (1 - p[i]) / (CLASSES - 1);
                probs[i * CLASSES + c] = (float) s;
                logits[i * CLASSES + c] = (float) Math.log(s);
                oneHot[i * CLASSES + c] = c == 0 ? 1f : 0f;
            }
        }
        LossResult v1 = engine.evaluate(Losses.softmaxCrossEntropy().reduction(Reduction.NONE),
                Tensor.of(logits, POINTS, CLASSES), Tensor.ofInts(correct));
        LossResult v2 = engine.evaluate(Losses.binaryCrossEntropy().reduction(Reduction.NONE),
                Tensor.of(probs, POINTS, CLASSES), Tensor.of(oneHot, POINTS, CLASSES));
        double[] variant1 = LogitLossesExperiment.doubles(v1.values());
        double[] variant2 = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            for (int c = 0; c < CLASSES; c++) {
                variant2[i] += v2.values().getDouble((long) i * CLASSES + c);
            }
        }
        return new Result(p, variant1, variant2);
    }

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "The two multi-class cross-entropy variants";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine());
        String base = "03-cross-entropy-variants";
        CsvTable csv = new CsvTable("p_correct", "variant1_neg_log_p", "variant2_plus_wrong_classes", "difference");
        for (int i = 0; i < POINTS; i++) {
            csv.row(r.p()[i], r.variant1()[i], r.variant2()[i], r.variant2()[i] - r.variant1()[i]);
        }
        csv.write(context.file(base + ".csv"));

        XYChart chart = Charts.xy("The two multi-class cross-entropy variants (" + CLASSES + " classes)",
                "probability of the correct class p", "loss (nats)");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(Math.ceil(r.variant2()[0]));
        Charts.roundXTicks(chart, 0, 1);
        Charts.line(chart, "variant 1: −log p", r.p(), r.variant1(), Charts.BLUE, Charts.SOLID);
        Charts.line(chart, "variant 2: −log p − Σ log(1 − s_j) over the wrong classes j", r.p(), r.variant2(), Charts.VERMILION,
                Charts.DASHED);
        String png = base + ".png";
        Charts.png(chart, context.file(png));

        int p8 = r.at(0.8);
        int p08 = r.at(0.08);
        return new ExperimentReport(NUMBER, title(),
                List.of("Varma (2018)'s two variants against the probability p of the correct class (0.01 to 0.98), "
                                + CLASSES + " classes, the other two classes sharing 1 − p evenly; variant 1 by "
                                + "softmax_cross_entropy, variant 2 by binary_cross_entropy summed over the classes.",
                        "Both fall as p grows and variant 2 is always higher, as Varma says; the gap is not constant "
                                + "but shrinks as p → 1. Natural logs: at p = 0.8 variant 1 is "
                                + NumberText.fixed(r.variant1()[p8], 3) + " nats = "
                                + NumberText.fixed(r.variant1()[p8] / Math.log(10), 3)
                                + " in base 10 (Varma's 0.09 uses log10)."),
                png, List.of(base + ".csv"),
                List.of(new ResultRow(NUMBER, "p = 0.8: variant 1 / variant 2 (nats)",
                                NumberText.fixed(r.variant1()[p8], 3) + " / " + NumberText.fixed(r.variant2()[p8], 3)),
                        new ResultRow(NUMBER, "p = 0.08: variant 1 / variant 2 (nats)",
                                NumberText.fixed(r.variant1()[p08], 3) + " / " + NumberText.fixed(r.variant2()[p08], 3))));
    }
}
