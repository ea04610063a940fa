package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.CosineEmbedding;

/**
 * CPU {@link CosineEmbedding}: per row {@code cos = x1.x2 / sqrt((|x1|^2 + EPS)(|x2|^2 + EPS))} with
 * {@code EPS = 1e-12} (PyTorch's), loss {@code 1 - cos} for {@code y = 1} and
 * {@code max(0, cos - margin)} for {@code y = -1}, with
 * {@code d cos / d x1 = x2 / denom - cos x1 / (|x1|^2 + EPS)} and symmetrically for {@code x2}.
 */
final class CosineEmbeddingCpu extends EmbeddingRowsCpu<CosineEmbedding> {
    /** PyTorch's {@code EPSILON} in {@code cosine_embedding_loss}. */
    static final double EPS = 1e-12;

    CosineEmbeddingCpu() {
        super(2, 0);
    }

    @Override
    protected void validateLabels(String arg, Tensor labels) {
        Checks.requirePlusMinusOne(arg, labels);
    }

    @Override
    protected double row(CosineEmbedding loss, double[][] x, double label, double[][] grad, double[][] work) {
        double[] x1 = x[0];
        double[] x2 = x[1];
        CompensatedSum dot = new CompensatedSum();
        for (int j = 0; j < x1.length; j++) {
            dot.add(x1[j] * x2[j]);
        }
        double sq1 = sumOfSquares(x1) + EPS;
        double sq2 = sumOfSquares(x2) + EPS;
        double denom = Math.sqrt(sq1 * sq2);
        double cos = dot.value() / denom;
        double l;
        double dLdCos;
        if (label == 1) {
            l = 1 - cos;
            dLdCos = -1;
        } else {
            double inner = cos - loss.margin();
            l = Math.max(0, inner);
            // the clamp passes the gradient at inner == 0, as PyTorch's clamp_min_
            dLdCos = inner < 0 ? 0 : 1;
        }
        if (grad != null) {
            for (int j = 0; j < x1.length; j++) {
                grad[0][j] = dLdCos * (x2[j] / denom - cos * x1[j] / sq1);
                grad[1][j] = dLdCos * (x1[j] / denom - cos * x2[j] / sq2);
            }
        }
        return l;
    }
}
