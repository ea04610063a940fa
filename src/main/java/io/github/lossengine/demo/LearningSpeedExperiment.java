package io.github.lossengine.demo;

import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.knowm.xchart.XYChart;

/**
 * Experiment 1, the learning-speed claim of Varma (2018), see {@link Sources}: logistic regression {@code σ(w·x + b)} on two
 * Gaussian blobs, started from weights of the wrong sign and large magnitude (so the sigmoid is
 * saturated), trained full-batch at the same learning rate once with cross-entropy
 * ({@code bce_with_logits} on {@code z}) and once with MSE on {@code σ(z)}. Cross-entropy's gradient
 * at {@code z} is {@code σ(z) - y}; MSE's carries the factor {@code σ'(z)}, nearly 0 when saturated,
 * so MSE needs many more epochs to reach 90% accuracy.
 */
public final class LearningSpeedExperiment implements Experiment {
    static final int NUMBER = 1;
    /** Examples in the data set. */
    static final int EXAMPLES = 200;
    /** Class centres at ±(1.5, 0.9). */
    static final double[] CENTRE = {1.5, 0.9};
    /** The badly wrong start: the right direction is about (+1, +1). */
    static final double[] START_WEIGHTS = {-4, -4};
    static final double LEARNING_RATE = 1.0;
    static final int EPOCHS = 300;
    static final double TARGET_ACCURACY = 0.9;

    /**
     * One training run: loss and accuracy before each epoch's update (index 0 = the start) and after
     * the last.
     */
    public record Run(String loss, double[] lossPerEpoch, double[] accuracyPerEpoch) {
        /** The first epoch (number of updates done) at which accuracy reached 90%, if it did. */
        public OptionalInt epochsToTarget() {
            for (int e = 0; e < accuracyPerEpoch.length; e++) {
                if (accuracyPerEpoch[e] >= TARGET_ACCURACY) {
                    return OptionalInt.of(e);
                }
            }
            return OptionalInt.empty();
        }

        /** The epochs to 90% as shown: a number, or "not in N" when it never got there. */
        public String epochsToTargetText() {
            OptionalInt e = epochsToTarget();
            return e.isPresent() ? Integer.toString(e.getAsInt()) : "not within " + (accuracyPerEpoch.length - 1);
        }

        /** The training accuracy after the last epoch. */
        public double finalAccuracy() {
            return accuracyPerEpoch[accuracyPerEpoch.length - 1];
        }
    }

    /** Both runs on the same data from the same start. */
    /**
     * The caption's sentence on where each run ends: speed is the claim, and the slower loss may still
     * end with the higher training accuracy (with the default seed MSE does, 0.960 vs 0.945).
     */
    static String finalAccuracies(Result r) {
        double ce = r.crossEntropy().finalAccuracy();
        double mse = r.mse().finalAccuracy();
        String both = "(" + NumberText.fixed(Math.max(ce, mse), 3) + " vs " + NumberText.fixed(Math.min(ce, mse), 3) + ")";
        if (ce == mse) {
            return "After " + EPOCHS + " epochs both end at training accuracy " + NumberText.fixed(ce, 3);
        }
        return "After " + EPOCHS + " epochs " + (mse > ce ? "MSE" : "cross-entropy") + " ends with the higher training accuracy "
                + both + (mse > ce ? ": cross-entropy learns faster, not to a better fit here" : "");
    }

    public record Result(Run crossEntropy, Run mse) {
    }

    /** Trains both models; each loss and gradient comes from {@code engine}. */
    public Result compute(LossEngine engine, long seed, TrainingProgress progress) {
        TwoClassData data = TwoClassData.gaussianBlobs(DemoContext.random(seed, NUMBER), EXAMPLES, CENTRE);
        Run ce = train(engine, data, new CrossEntropyOnLogits(), progress);
        Run mse = train(engine, data, new MseOnSigmoid(), progress);
        return new Result(ce, mse);
    }

    private static Run train(LossEngine engine, TwoClassData data, Objective objective, TrainingProgress progress) {
        LinearModel model = new LinearModel(START_WEIGHTS, 0);
        int n = data.size();
        float[] z = new float[n];
        Tensor target = Tensor.of(data.targets01());
        double[] dz = new double[n];
        double[] losses = new double[EPOCHS + 1];
        double[] accuracy = new double[EPOCHS + 1];
        try (TrainingProgress.Tracker bar = progress.start("experiment 1, " + objective.label(), EPOCHS)) {
            for (int epoch = 0; epoch <= EPOCHS; epoch++) {
                model.scores(data.x(), z);
                losses[epoch] = objective.lossAndGradient(engine, z, target, dz);
                accuracy[epoch] = data.accuracy(model);
                if (epoch < EPOCHS) {
                    model.step(data.x(), dz, LEARNING_RATE, 0);
                    bar.step();
                }
            }
        }
        return new Run(objective.label(), losses, accuracy);
    }

    /** A loss of the scores {@code z}: its mean value, and {@code dL/dz} written into {@code dz}. */
    private interface Objective {
        String label();

        double lossAndGradient(LossEngine engine, float[] z, Tensor target, double[] dz);
    }

    /** Binary cross-entropy on the logits; the engine's gradient is already {@code dL/dz}. */
    private static final class CrossEntropyOnLogits implements Objective {
        private final Loss loss = Losses.bceWithLogits();

        @Override
        public String label() {
            return "cross-entropy";
        }

        @Override
        public double lossAndGradient(LossEngine engine, float[] z, Tensor target, double[] dz) {
            Tensor grad = Tensor.zeros(z.length);
            LossResult r = engine.computeInto(loss, new Tensor[] {Tensor.of(z), target}, grad);
            for (int i = 0; i < z.length; i++) {
                dz[i] = grad.getDouble(i);
            }
            return r.value();
        }
    }

    /** MSE on {@code p = σ(z)}; the chain rule multiplies the engine's {@code dL/dp} by {@code σ'(z)}. */
    private static final class MseOnSigmoid implements Objective {
        private final Loss loss = Losses.mse();

        @Override
        public String label() {
            return "MSE on sigmoid(z)";
        }

        @Override
        public double lossAndGradient(LossEngine engine, float[] z, Tensor target, double[] dz) {
            float[] p = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                p[i] = (float) Sigmoid.of(z[i]);
            }
            Tensor grad = Tensor.zeros(z.length);
            LossResult r = engine.computeInto(loss, new Tensor[] {Tensor.of(p), target}, grad);
            for (int i = 0; i < z.length; i++) {
                dz[i] = grad.getDouble(i) * Sigmoid.derivative(z[i]);
            }
            return r.value();
        }
    }

    /** A point where a run first reaches 90% accuracy, named with its epoch. */
    private static void markTarget(XYChart chart, Run run, String shortName, java.awt.Color colour) {
        OptionalInt e = run.epochsToTarget();
        if (e.isPresent()) {
            Charts.points(chart, shortName + " at 90%: epoch " + e.getAsInt(), new double[] {e.getAsInt()},
                    new double[] {run.accuracyPerEpoch()[e.getAsInt()]}, colour,
                    org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        }
    }

    @Override
    public int number() {
        return NUMBER;
    }

    @Override
    public String title() {
        return "Learning speed: cross-entropy vs MSE under a sigmoid";
    }

    @Override
    public ExperimentReport run(DemoContext context) throws IOException {
        Result r = compute(context.engine(), context.seed(), context.progress());
        CsvTable csv = new CsvTable("epoch", "ce_loss", "ce_accuracy", "mse_loss", "mse_accuracy");
        double[] epochs = new double[EPOCHS + 1];
        for (int e = 0; e <= EPOCHS; e++) {
            epochs[e] = e;
            csv.row(e, r.crossEntropy().lossPerEpoch()[e], r.crossEntropy().accuracyPerEpoch()[e],
                    r.mse().lossPerEpoch()[e], r.mse().accuracyPerEpoch()[e]);
        }
        String base = "01-learning-speed";
        csv.write(context.file(base + ".csv"));

        XYChart loss = Charts.xy("Learning speed from a saturated start: each run's own loss", "epoch",
                "mean loss (log scale)");
        Charts.roundXTicks(loss, 0, EPOCHS);
        Charts.logYAxis(loss, r.crossEntropy().lossPerEpoch(), r.mse().lossPerEpoch());
        Charts.line(loss, "cross-entropy loss", epochs, r.crossEntropy().lossPerEpoch(), Charts.BLUE, Charts.SOLID);
        Charts.line(loss, "MSE-on-σ(z) loss", epochs, r.mse().lossPerEpoch(), Charts.VERMILION, Charts.DASHED);
        // the two losses are different functions: their values are not comparable, only their trends
        Charts.legendNote(loss, "(different scales: not comparable; compare epochs to 90%)");
        XYChart acc = Charts.xy("Accuracy", "epoch", "training accuracy");
        acc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        Charts.roundXTicks(acc, 0, EPOCHS);
        Charts.line(acc, "cross-entropy", epochs, r.crossEntropy().accuracyPerEpoch(), Charts.BLUE, Charts.SOLID);
        Charts.line(acc, "MSE on σ(z)", epochs, r.mse().accuracyPerEpoch(), Charts.VERMILION, Charts.DASHED);
        Charts.line(acc, "90% accuracy", new double[] {0, EPOCHS}, new double[] {TARGET_ACCURACY, TARGET_ACCURACY},
                Charts.GREY, Charts.THIN_DASHED);
        markTarget(acc, r.crossEntropy(), "CE", Charts.BLUE);
        markTarget(acc, r.mse(), "MSE", Charts.VERMILION);
        String png = base + ".png";
        Charts.png(List.of(loss, acc), context.file(png));

        List<ResultRow> rows = new ArrayList<>();
        rows.add(new ResultRow(NUMBER, "epochs to 90% accuracy, cross-entropy", r.crossEntropy().epochsToTargetText()));
        rows.add(new ResultRow(NUMBER, "epochs to 90% accuracy, MSE on sigmoid(z)", r.mse().epochsToTargetText()));
        rows.add(new ResultRow(NUMBER, "training accuracy after " + EPOCHS + " epochs: CE / MSE",
                NumberText.fixed(r.crossEntropy().finalAccuracy(), 3) + " / " + NumberText.fixed(r.mse().finalAccuracy(), 3)));
        return new ExperimentReport(NUMBER, title(),
                List.of("Logistic regression σ(w·x + b) on " + EXAMPLES + " points of two Gaussian blobs, started at w = ("
                                + NumberText.compact(START_WEIGHTS[0]) + ", " + NumberText.compact(START_WEIGHTS[1]) + "), b = 0 (wrong sign, saturated sigmoid), "
                                + "full-batch gradient descent, learning rate " + NumberText.compact(LEARNING_RATE) + " for both losses "
                                + "(MSE = mean (σ(z) − y)², PyTorch's form without the ½ of Varma (2018), which only helps MSE).",
                        "The two loss values are on different scales and not comparable; the comparison is the epochs "
                                + "to 90% accuracy. Cross-entropy's gradient σ(z) − y stays large while the model is wrong; "
                                + "MSE's carries σ'(z) ≈ 0 and crawls: 90% accuracy after " + r.crossEntropy().epochsToTargetText() + " vs "
                                + r.mse().epochsToTargetText() + " epochs. " + finalAccuracies(r) + "."),
                png, List.of(base + ".csv"), rows);
    }
}
