package io.github.lossengine.testing;

import io.github.lossengine.Tensor;
import java.util.Set;

/** Valid random inputs for every loss of the catalogue, by catalogue name. */
public final class ValidInputs {
    /** Losses whose every value is >= 0 for valid inputs (per element or per row). */
    public static final Set<String> NON_NEGATIVE = Set.of("softmax_cross_entropy", "nll", "binary_cross_entropy",
            "bce_with_logits", "mse", "mae", "huber", "smooth_l1", "log_cosh", "hinge", "squared_hinge",
            "multiclass_hinge", "contrastive", "triplet", "focal", "cosine_embedding", "margin_ranking",
            "linear_cross_entropy");

    private ValidInputs() {
    }

    /** Inputs for {@code loss} with {@code n} rows of {@code c} columns; logits scaled by {@code scale}. */
    public static Tensor[] of(String loss, int n, int c, double scale, long seed) {
        RandomTensors r = new RandomTensors(seed);
        switch (loss) {
            case "softmax_cross_entropy":
            case "multiclass_hinge":
                return new Tensor[] {r.normal(scale, n, c), r.indices(n, c)};
            case "linear_cross_entropy": {
                // hidden [n, 4] and weight [c, 4]: c classes; with no rows, D = 0 so that every input is empty
                int d = n == 0 ? 0 : 4;
                return new Tensor[] {r.normal(scale, n, d), r.normal(1, c, d), r.indices(n, c)};
            }
            case "nll":
                return new Tensor[] {logSoftmax(r.normal(scale, n, c), n, c), r.indices(n, c)};
            case "binary_cross_entropy":
                return new Tensor[] {r.uniform(0.01, 0.99, n, c), r.uniform(0, 1, n, c)};
            case "bce_with_logits":
            case "focal":
                return new Tensor[] {r.normal(scale, n, c), r.uniform(0, 1, n, c)};
            case "kl_div": {
                Tensor q = logSoftmax(r.normal(scale, n, c), n, c);
                Tensor p = logSoftmax(r.normal(1, n, c), n, c);
                float[] pa = p.floatArrayOrNull();
                for (int i = 0; i < pa.length; i++) {
                    pa[i] = (float) Math.exp(pa[i]);
                }
                return new Tensor[] {q, p};
            }
            case "hinge":
            case "squared_hinge":
                return new Tensor[] {r.normal(scale, n, c), r.signs(n, c)};
            case "contrastive": {
                float[] y = new float[n];
                for (int i = 0; i < n; i++) {
                    y[i] = r.nextInt(2);
                }
                return new Tensor[] {r.normal(1, n, c), r.normal(1, n, c), Tensor.of(y, n)};
            }
            case "triplet":
                return new Tensor[] {r.normal(1, n, c), r.normal(1, n, c), r.normal(1, n, c)};
            case "cosine_embedding":
                return new Tensor[] {r.normal(1, n, c), r.normal(1, n, c), r.signs(n)};
            case "margin_ranking":
                return new Tensor[] {r.normal(1, n), r.normal(1, n), r.signs(n)};
            case "poisson_nll": {
                float[] y = new float[n * c];
                for (int i = 0; i < y.length; i++) {
                    y[i] = r.nextInt(6);
                }
                return new Tensor[] {r.normal(1, n, c), Tensor.of(y, n, c)};
            }
            case "gaussian_nll":
                return new Tensor[] {r.normal(1, n, c), r.normal(1, n, c), r.uniform(0.1, 2, n, c)};
            default: // mse, mae, huber, smooth_l1, log_cosh
                return new Tensor[] {r.normal(scale, n, c), r.normal(scale, n, c)};
        }
    }

    /** Row-wise log-softmax in double precision. */
    public static Tensor logSoftmax(Tensor z, int n, int c) {
        float[] out = new float[n * c];
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, z.getFloat((long) i * c + j));
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += Math.exp(z.getFloat((long) i * c + j) - m);
            }
            double lse = m + Math.log(s);
            for (int j = 0; j < c; j++) {
                out[i * c + j] = (float) (z.getFloat((long) i * c + j) - lse);
            }
        }
        return Tensor.of(out, n, c);
    }
}
