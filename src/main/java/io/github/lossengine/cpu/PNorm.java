package io.github.lossengine.cpu;

/**
 * The p-norm {@code ||v||_p = (sum |v_j|^p)^(1/p)} for real {@code p >= 1} and its gradient
 * {@code sign(v_j) |v_j|^(p-1) / ||v||_p^(p-1)}, in double precision. For {@code p} other than 1 and
 * 2 the terms are scaled by {@code max |v_j|} first, so a large {@code p} does not overflow.
 */
final class PNorm {
    private PNorm() {
    }

    /** {@code ||v||_p}; NaN when an element is NaN, +inf when one is infinite. */
    static double of(double[] v, double p) {
        if (p == 2) {
            return Math.sqrt(EmbeddingRowsCpu.sumOfSquares(v));
        }
        CompensatedSum s = new CompensatedSum();
        if (p == 1) {
            for (double e : v) {
                s.add(Math.abs(e));
            }
            return s.value();
        }
        double max = 0;
        for (double e : v) {
            max = Math.max(max, Math.abs(e));
        }
        if (max == 0 || !Double.isFinite(max)) {
            return max;
        }
        for (double e : v) {
            s.add(Math.pow(Math.abs(e) / max, p));
        }
        return max * Math.pow(s.value(), 1 / p);
    }

    /**
     * Writes {@code d ||v||_p / d v_j = sign(v_j) (|v_j| / norm)^(p-1)} into {@code out}, with
     * {@code norm = of(v, p)}. Where the norm is 0 the gradient is 0 (as PyTorch's {@code norm}
     * backward); for {@code p = 1} it is {@code sign(v_j)}, 0 at {@code v_j = 0}.
     */
    static void gradient(double[] v, double norm, double p, double[] out) {
        for (int j = 0; j < v.length; j++) {
            if (norm == 0) {
                out[j] = 0;
            } else if (p == 2) {
                out[j] = v[j] / norm;
            } else if (p == 1) {
                out[j] = Math.signum(v[j]);
            } else {
                out[j] = Math.signum(v[j]) * Math.pow(Math.abs(v[j]) / norm, p - 1);
            }
        }
    }
}
