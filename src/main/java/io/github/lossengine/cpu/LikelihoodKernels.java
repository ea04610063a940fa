package io.github.lossengine.cpu;

/**
 * The inner loops of the fused poisson_nll and gaussian_nll over one block of at most
 * {@link FloatKernels#BLOCK} elements: float32 inputs and outputs, each element computed in double
 * with {@link DoubleMath}'s {@code exp} and {@code log}, i.e. the reference's formulas
 * ({@link PoissonNllCpu}, {@link GaussianNllCpu}) with deterministic transcendental functions.
 *
 * <p>Why double, and why one implementation: both losses are differences of terms that grow with
 * the inputs ({@code e^x - y x}, {@code x - y log(x + eps)}, Stirling's {@code y log y - y + ...},
 * {@code log v + d^2 / v}); where they cancel, float32 rounding of the terms (an ulp of {@code e^x}
 * at {@code e^x = 35} is 4e-6) leaves a per-element loss far outside the fused tolerance (1e-6
 * absolute plus 1e-5 relative, {@code FusedAssertions}), which an earlier float32 attempt at
 * {@code full} did. The loops are plain Java, shared by the scalar and the Vector API kernels, so
 * both give the same bits by construction; they are memory-light but not vectorised (a
 * {@code DoubleVector} twin is future work). Sums: a double per block. Stateless and thread-safe.
 */
final class LikelihoodKernels {
    /** {@code log(2 pi) / 2}. */
    static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private LikelihoodKernels() {
    }

    /**
     * poisson_nll: with {@code logInput} {@code l = e^x - y x}, {@code l' = e^x - y}; otherwise
     * {@code l = x - y log(x + eps)}, {@code l' = 1 - y / (x + eps)}, both terms in {@code y} exactly 0
     * for {@code y = 0}; with {@code full} Stirling's {@code y log y - y + log(2 pi y) / 2} added where
     * {@code y > 1}. Writes {@code g[i] = (float) l' * gScale} and {@code values[i] = (float) l} where
     * non-null; returns the block's sum of {@code l} (each in float32 range).
     */
    static double poisson(float[] x, float[] y, float[] g, float[] values, int from, int to, boolean logInput,
                          boolean full, double eps, float gScale) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double xi = x[i];
            double yi = y[i];
            double l;
            double d;
            if (logInput) {
                double e = DoubleMath.exp(xi);
                l = e - yi * xi;
                d = e - yi;
            } else {
                double w = xi + eps;
                l = xi - (yi == 0 ? 0.0 : yi * DoubleMath.log(w));
                d = 1 - (yi == 0 ? 0.0 : yi / w);
            }
            if (full && yi > 1) {
                double logY = DoubleMath.log(yi);
                l += yi * logY - yi + 0.5 * logY + HALF_LOG_2PI;
            }
            s += Reductions.float32Range(l);
            if (values != null) {
                values[i] = (float) l;
            }
            if (g != null) {
                g[i] = (float) d * gScale;
            }
        }
        return s;
    }

    /**
     * gaussian_nll of element {@code i}, with {@code v = max(var[i], eps)} (NaN kept) and
     * {@code d = mu - y} in double: {@code l = (log v + d^2 / v) / 2 + constant}; writes
     * {@code gMu[i] = (float) (d / v scale)}, {@code gY[i]} its negation, {@code gVar[i] =
     * (1 / v - (d / v)^2) / 2 scale} (in double, for the caller's row sums) and {@code values[i]},
     * each where its array is non-null. {@code d} and {@code d / v} are held in float32 range, as
     * the reference holds them. {@code log v} is taken once per run of equal variances (a row's).
     * Returns the block's sum of {@code l}.
     */
    static double gaussian(float[] mu, float[] y, float[] var, float[] gMu, float[] gY, double[] gVar,
                           float[] values, int from, int to, double eps, double constant, double scale) {
        double s = 0;
        double lastV = Double.NaN;
        double logV = Double.NaN;
        for (int i = from; i < to; i++) {
            double v = Math.max(var[i], eps);
            if (v != lastV) {
                lastV = v;
                logV = DoubleMath.log(v);
            }
            double d = Reductions.float32Range((double) mu[i] - y[i]);
            double rv = Reductions.float32Range(d / v);
            double l = 0.5 * (logV + d * d / v) + constant;
            s += Reductions.float32Range(l);
            if (values != null) {
                values[i] = (float) l;
            }
            double dMu = rv * scale;
            if (gMu != null) {
                gMu[i] = (float) dMu;
            }
            if (gY != null) {
                gY[i] = (float) -dMu;
            }
            if (gVar != null) {
                gVar[i] = 0.5 * (1 / v - Reductions.float32Range(rv * rv)) * scale;
            }
        }
        return s;
    }
}
