package io.github.lossengine.bench;

import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One benchmark case: a loss at one size, with its inputs generated from a fixed seed (the same on
 * every run and for every contestant).
 *
 * @param kind  which loss
 * @param rows  N for row losses; 1 for element-wise losses
 * @param cols  C (classes) for row losses; the element count for element-wise losses
 */
record Case(Kind kind, int rows, int cols) {

    /** The losses of the comparison. */
    enum Kind {
        SOFTMAX_CE("softmax_cross_entropy"),
        MSE("mse"),
        HINGE("hinge"),
        MULTICLASS_HINGE("multiclass_hinge");

        final String lossName;

        Kind(String lossName) {
            this.lossName = lossName;
        }
    }

    /** The cases of issue #5, in report order. */
    static final List<Case> ALL = List.of(
            new Case(Kind.SOFTMAX_CE, 256, 1000),
            new Case(Kind.SOFTMAX_CE, 4096, 32768),
            new Case(Kind.SOFTMAX_CE, 512, 128256),
            new Case(Kind.MSE, 1, 1 << 24),
            new Case(Kind.HINGE, 1, 1 << 24),
            new Case(Kind.MULTICLASS_HINGE, 4096, 1000));

    /** A short id, e.g. {@code softmax_cross_entropy 4096x32768} or {@code mse 16M}. */
    String id() {
        return kind.lossName + " " + shape();
    }

    String shape() {
        if (rowLoss()) {
            return rows + "x" + cols;
        }
        return cols % (1 << 20) == 0 ? (cols >> 20) + "M" : Integer.toString(cols);
    }

    /** Finds a case by its id or its shape text ({@code 4096x32768}, {@code mse-16M}), case-insensitively. */
    static Case byName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('-', ' ').replace('_', ' ');
        for (Case c : ALL) {
            if (c.id().toLowerCase(Locale.ROOT).replace('_', ' ').equals(n)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown case '" + name + "'; cases: " + ALL);
    }

    boolean rowLoss() {
        return kind == Kind.SOFTMAX_CE || kind == Kind.MULTICLASS_HINGE;
    }

    long elements() {
        return (long) rows * cols;
    }

    /**
     * Bytes a fused forward+backward must move at the least: read the input (and the float target of
     * element-wise losses) and write the gradient, 4 bytes each; class indices are 4 bytes per row.
     */
    long bytesMoved() {
        return rowLoss() ? 8L * elements() + 4L * rows : 12L * elements();
    }

    /** The loss with its defaults (MEAN reduction). */
    Loss loss() {
        return Losses.byName(kind.lossName);
    }

    @Override
    public String toString() {
        return id();
    }

    /** The inputs: float32 predictions or logits, and class indices or float targets. */
    Data generate() {
        SplittableRandom rnd = new SplittableRandom(0x5EED + rows * 31L + cols);
        float[] x = new float[Math.toIntExact(elements())];
        switch (kind) {
            case SOFTMAX_CE:
            case MULTICLASS_HINGE: {
                double sigma = kind == Kind.SOFTMAX_CE ? 2.0 : 1.0;
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (gaussian(rnd) * sigma);
                }
                int[] labels = new int[rows];
                for (int i = 0; i < rows; i++) {
                    labels[i] = rnd.nextInt(cols);
                }
                return new Data(this, x, null, labels);
            }
            default: {
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) gaussian(rnd);
                    y[i] = kind == Kind.HINGE ? (rnd.nextBoolean() ? 1f : -1f) : (float) gaussian(rnd);
                }
                return new Data(this, x, y, null);
            }
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller, one value per call: deterministic across JDKs (SplittableRandom has no nextGaussian in 17)
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * The inputs of a case, shared read-only by every contestant.
     *
     * @param x      predictions [n] or logits/scores [N, C]
     * @param y      float targets of element-wise losses, else null
     * @param labels class indices of row losses, else null
     */
    record Data(Case c, float[] x, float[] y, int[] labels) {
        /** The inputs as lossengine tensors. */
        Tensor[] tensors() {
            if (c.rowLoss()) {
                return new Tensor[] {Tensor.of(x, c.rows(), c.cols()), Tensor.ofInts(labels)};
            }
            return new Tensor[] {Tensor.of(x), Tensor.of(y)};
        }
    }
}
