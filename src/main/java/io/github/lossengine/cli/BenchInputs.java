package io.github.lossengine.cli;

import io.github.lossengine.Loss;
import io.github.lossengine.Tensor;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Valid inputs for {@code lossengine bench}, for every loss of the catalogue, from a fixed seed: the
 * same values on every run. Row losses take {@code [rows, classes]} (class indices in
 * {@code [0, classes)}; embeddings of {@code classes} dimensions for the pair and triplet losses),
 * element-wise losses any shape.
 */
final class BenchInputs {
    /** Losses whose inputs are {@code [N, C]} rows (with class indices or a per-row label). */
    static final Set<String> ROW_LOSSES = Set.of("softmax_cross_entropy", "nll", "multiclass_hinge", "contrastive",
            "triplet", "cosine_embedding");

    private final SplittableRandom rnd;

    BenchInputs(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** The inputs of {@code loss} with the given shape (row losses: {@code [N, C]}). */
    Tensor[] of(Loss loss, long[] shape) {
        int n = Math.toIntExact(count(shape));
        int rows = Math.toIntExact(shape[0]);
        switch (loss.name()) {
            case "softmax_cross_entropy":
            case "multiclass_hinge":
                return new Tensor[] {Tensor.of(normal(n, 2), shape), indices(rows, (int) shape[1])};
            case "nll":
                return new Tensor[] {Tensor.of(logSoftmax(normal(n, 2), (int) shape[1]), shape),
                    indices(rows, (int) shape[1])};
            case "contrastive":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(normal(n, 1), shape),
                    Tensor.of(bits(rows), rows)};
            case "triplet":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(normal(n, 1), shape),
                    Tensor.of(normal(n, 1), shape)};
            case "cosine_embedding":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(normal(n, 1), shape),
                    Tensor.of(signs(rows), rows)};
            case "margin_ranking":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(normal(n, 1), shape),
                    Tensor.of(signs(n), shape)};
            case "binary_cross_entropy":
                return new Tensor[] {Tensor.of(uniform(n, 0.01, 0.99), shape), Tensor.of(uniform(n, 0, 1), shape)};
            case "bce_with_logits":
            case "focal":
                return new Tensor[] {Tensor.of(normal(n, 2), shape), Tensor.of(uniform(n, 0, 1), shape)};
            case "kl_div":
                return new Tensor[] {Tensor.of(uniform(n, -6, -0.01), shape), Tensor.of(uniform(n, 0, 1), shape)};
            case "hinge":
            case "squared_hinge":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(signs(n), shape)};
            case "poisson_nll":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(counts(n), shape)};
            case "gaussian_nll":
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(normal(n, 1), shape),
                    Tensor.of(uniform(n, 0.1, 2), shape)};
            default: // mse, mae, huber, smooth_l1, log_cosh
                return new Tensor[] {Tensor.of(normal(n, 1), shape), Tensor.of(normal(n, 1), shape)};
        }
    }

    /**
     * {@code linear_cross_entropy}'s inputs: hidden [rows, hidden] (sigma 1), weight [classes, hidden]
     * (sigma {@code 1 / sqrt(hidden)}, so that the logits have about unit spread) and class indices.
     */
    Tensor[] linearHead(int rows, int hidden, int classes) {
        return new Tensor[] {Tensor.of(normal(rows * hidden, 1), rows, hidden),
            Tensor.of(normal(classes * hidden, 1 / Math.sqrt(hidden)), classes, hidden), indices(rows, classes)};
    }

    /**
     * The shape {@code [N, V]} of {@code bench --loss linear_cross_entropy}, from {@code --rows},
     * {@code --hidden} and {@code --classes} (all required, {@code --elements} refused); hidden [N, D]
     * and the weight [V, D] must each fit a heap array.
     */
    static long[] linearHeadShape(Long rows, Long hidden, Long classes, Long elements) {
        if (elements != null) {
            throw new BadArgumentException("--elements: linear_cross_entropy takes --rows N --hidden D --classes V");
        }
        String[] flags = {"--rows", "--hidden", "--classes"};
        Long[] values = {rows, hidden, classes};
        for (int i = 0; i < flags.length; i++) {
            if (values[i] == null) {
                throw new BadArgumentException(flags[i] + ": missing; linear_cross_entropy needs --rows N --hidden D --classes V");
            }
            if (values[i] < 1) {
                throw new BadArgumentException(flags[i] + " " + values[i] + ": must be >= 1");
            }
        }
        long most = Math.max(rows, classes);
        if (most > BenchCommand.MAX_HOST / hidden) {
            throw new BadArgumentException("--hidden " + hidden + ": " + most + " x " + hidden
                    + " does not fit a heap array (at most " + BenchCommand.MAX_HOST + " elements)");
        }
        return new long[] {rows, classes};
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private float[] normal(int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller, one value per draw
            double u = 1.0 - rnd.nextDouble();
            a[i] = (float) (sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble()));
        }
        return a;
    }

    private float[] uniform(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(lo, hi);
        }
        return a;
    }

    private float[] signs(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextBoolean() ? 1f : -1f;
        }
        return a;
    }

    private float[] bits(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextInt(2);
        }
        return a;
    }

    private float[] counts(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextInt(6);
        }
        return a;
    }

    private Tensor indices(int rows, int classes) {
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(classes);
        }
        return Tensor.ofInts(y);
    }

    /** Row-wise log-softmax, in place. */
    private static float[] logSoftmax(float[] z, int classes) {
        for (int off = 0; off < z.length; off += classes) {
            double m = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                m = Math.max(m, z[off + c]);
            }
            double s = 0;
            for (int c = 0; c < classes; c++) {
                s += Math.exp(z[off + c] - m);
            }
            double lse = m + Math.log(s);
            for (int c = 0; c < classes; c++) {
                z[off + c] = (float) (z[off + c] - lse);
            }
        }
        return z;
    }
}
