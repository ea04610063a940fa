package io.github.lossengine.cpu;

/**
 * The float32 inner loops of the fused likelihood losses (binary_cross_entropy, bce_with_logits,
 * focal, kl_div) over one block of at most {@link FloatKernels#BLOCK} elements, with
 * the contract of {@link RegressionKernels}: each returns the block's sum of losses and writes
 * {@code g[i]} and {@code values[i]} where non-null; {@link ScalarProbabilityKernels} and
 * {@code VectorProbabilityKernels} give every element the same bits. Element weights {@code w} are
 * read at {@code w[i + wShift]} ({@code w} null: all 1); an element of weight 0 costs exactly 0
 * with gradient 0, also where its loss is infinite. Gradients are {@code (w l') gScale}: the
 * weighted derivative rounded to float32 before the reduction's factor. Stateless and thread-safe.
 */
interface ProbabilityKernels {
    /** PyTorch's floor of {@code log p} and {@code log(1 - p)} in binary cross-entropy. */
    float LOG_FLOOR = -100f;
    /** PyTorch's floor of the binary cross-entropy gradient's denominator {@code p (1 - p)}. */
    float BCE_EPSILON = 1e-12f;

    /**
     * Binary cross-entropy of probabilities {@code p} in [0, 1] (checked before):
     * {@code -(y max(log p, -100) + (1 - y) max(log1p(-p), -100))}, a term whose coefficient is 0
     * exactly 0; gradient {@code (p - y) / max(p (1 - p), 1e-12)}.
     */
    double bce(float[] p, float[] y, float[] w, int wShift, float[] g, float[] values, int from, int to, float gScale);

    /**
     * Binary cross-entropy of logits: {@code c1 softplus(-x) + c0 softplus(x)} with {@code c1 = pw y},
     * {@code c0 = 1 - y} ({@code pw} at {@code pw[i + pShift]}, null: 1), from one {@code e = exp(-|x|)}:
     * {@code softplus(±x) = max(±x, 0) + log1p(e)}; gradient {@code c0 sigmoid(x) - c1 sigmoid(-x)} with
     * {@code sigmoid(|x|) = 1 / (1 + e)} and {@code sigmoid(-|x|) = e / (1 + e)}. A term whose
     * coefficient is 0 is exactly 0 ({@code x = -inf, y = 0} costs 0).
     */
    double bceWithLogits(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift, float[] g,
                         float[] values, int from, int to, float gScale);

    /**
     * Sigmoid focal loss ({@link FocalCpu}'s formulas in float32): {@code l = a_t ce u^gamma} with
     * {@code p, q = sigmoid(±x)}, {@code u = p (1 - y) + q y}, {@code ce} the logit cross-entropy, and
     * gradient {@code a_t [(p (1 - y) - q y) u^gamma + gamma ce u^gamma (p q / u) (1 - 2y)]}, the second
     * term 0 where {@code gamma = 0} or {@code p q = 0}. {@code u^gamma} is {@code u u} for
     * {@code gamma = 2}, {@code u} for 1, 1 for 0, else {@code exp(gamma log u)}.
     * {@code alpha < 0}: {@code a_t = 1}.
     */
    double focal(float[] x, float[] y, float[] g, float[] values, int from, int to, float gamma, float alpha,
                 float gScale);

    /**
     * Kullback-Leibler term of log-probabilities {@code x} and targets {@code t}:
     * {@code t (log t - x)}, or with {@code logTarget} {@code e^t (t - x)}; gradient {@code -t} or
     * {@code -e^t}; a zero target probability gives exactly 0 and gradient 0.
     */
    double klDiv(float[] x, float[] t, float[] g, float[] values, int from, int to, boolean logTarget, float gScale);
}
