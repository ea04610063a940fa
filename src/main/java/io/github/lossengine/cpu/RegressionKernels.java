package io.github.lossengine.cpu;

/**
 * The float32 inner loops of the fused regression losses (mae, huber, smooth_l1, log_cosh) over
 * one block of at most {@link FloatKernels#BLOCK} elements of heap arrays: each returns the sum of
 * the block's losses (float partial sums added into a double; see {@link FloatKernels} for the
 * contract) and writes {@code g[i]} and {@code values[i]} where those arrays are non-null. Two
 * implementations, {@link ScalarRegressionKernels} and {@code VectorRegressionKernels}, which give
 * every element's value and gradient the same bits ({@link FloatMath}), and their sums the same bits
 * (the lane order of {@link FloatKernels#LANES}). Stateless and thread-safe.
 */
interface RegressionKernels {

    /**
     * The piecewise quadratic and linear loss of {@code d = x - y}, {@code a = |d|}:
     * {@code l = (a a / 2) quad} where {@code a < beta}, else {@code (a - beta / 2) lin}; gradient
     * {@code g = (d quad) gScale}, else {@code (sign(d) lin) gScale} ({@code sign(0) = 0}). Huber is
     * {@code quad = 1, lin = delta}, smooth_l1 {@code quad = 1 / beta, lin = 1}, mae {@code beta = 0}.
     * NaN propagates; {@code a = inf} is linear.
     */
    default double piecewise(float[] x, float[] y, float[] g, float[] values, int from, int to, float beta,
                             float quad, float lin, float gScale) {
        return piecewise(x, 0, y, 0, g, 0, values, from, to, beta, quad, lin, gScale);
    }

    /**
     * {@link #piecewise(float[], float[], float[], float[], int, int, float, float, float, float)} with
     * element {@code i} at {@code x[xo + i]}, {@code y[yo + i]}, {@code g[go + i]} ({@code values[i]}
     * as there): the same bits at any offsets.
     */
    double piecewise(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                     float beta, float quad, float lin, float gScale);

    /**
     * {@code log cosh d}, {@code d = x - y}, {@code a = |d|}: {@code log1p(e^2 / (2 (1 + e)))} with
     * {@code e = expm1(a)} (which keeps {@code d^2 / 2} for tiny {@code d}) for {@code a < }
     * {@value #LOG_COSH_LINEAR}, {@code a - ln 2} beyond (where {@code log1p(e^(-2a))} is below
     * float32's resolution); gradient {@code tanh(d) gScale} with {@code tanh a = q / (q + 2)},
     * {@code q = e (e + 2)}, and 1 beyond. NaN propagates; {@code ±inf} gives {@code inf} and
     * {@code ±gScale}.
     */
    default double logCosh(float[] x, float[] y, float[] g, float[] values, int from, int to, float gScale) {
        return logCosh(x, 0, y, 0, g, 0, values, from, to, gScale);
    }

    /** {@link #logCosh(float[], float[], float[], float[], int, int, float)} at offsets, as {@link #piecewise(float[], int, float[], int, float[], int, float[], int, int, float, float, float, float)}. */
    double logCosh(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                   float gScale);

    /** Where {@link #logCosh} turns to {@code a - ln 2} and {@code tanh a = 1}. */
    float LOG_COSH_LINEAR = 10f;
}
