package io.github.lossengine.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A 2-layer MLP trained with DJL's Trainer on synthetic 3-class data: the tests' training loop. */
final class DjlTraining {
    static final int ROWS = 60;
    static final int FEATURES = 4;
    static final int CLASSES = 3;

    private DjlTraining() {
    }

    /** What a run gives: the loss of every step and the final parameters, flattened. */
    record Run(float[] losses, float[] parameters) {
    }

    static float[][] features(long seed) {
        Random random = new Random(seed);
        float[][] x = new float[ROWS][FEATURES];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = (float) ((j % CLASSES == i % CLASSES ? 1.5 : -0.5) + 0.8 * random.nextGaussian());
            }
        }
        return x;
    }

    static float[] classes() {
        float[] y = new float[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = i % CLASSES;
        }
        return y;
    }

    /** Trains a fresh MLP (parameters from a fixed engine seed) for {@code steps} SGD steps with {@code loss}. */
    static Run train(Loss loss, float[][] x, float[] y, int steps) {
        Engine.getInstance().setRandomSeed(1234);
        SequentialBlock mlp = new SequentialBlock()
                .add(Linear.builder().setUnits(8).build())
                .add(Activation::tanh)
                .add(Linear.builder().setUnits(CLASSES).build());
        try (Model model = Model.newInstance("mlp")) {
            model.setBlock(mlp);
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(ROWS, FEATURES));
                NDManager m = trainer.getManager();
                NDArray features = m.create(x);
                NDArray labels = m.create(y);
                float[] losses = new float[steps];
                for (int s = 0; s < steps; s++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray pred = trainer.forward(new NDList(features)).singletonOrThrow();
                        NDArray l = loss.evaluate(new NDList(labels), new NDList(pred));
                        losses[s] = l.getFloat();
                        gc.backward(l);
                    }
                    trainer.step();
                }
                return new Run(losses, parameters(mlp));
            }
        }
    }

    private static float[] parameters(SequentialBlock block) {
        List<Float> all = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            for (float v : p.getValue().getArray().toFloatArray()) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }
}
