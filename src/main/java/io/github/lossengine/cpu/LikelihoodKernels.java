package io.github.lossengine.cpu;

/**
 * The inner loops of the fused poisson_nll and gaussian_nll over one block of at most
 * {@link FloatKernels#BLOCK} elements: float32 inputs and outputs, each element computed in double
 * with {@link DoubleMath}'s {@code exp} and {@code log}, i.e. the reference's formulas
 * ({@link PoissonNllCpu}, {@link GaussianNllCpu}) with deterministic transcendental functions.
 * Two implementations, {@link ScalarLikelihoodKernels} and {@code VectorLikelihoodKernels}
 * ({@code DoubleVector} lanes), chosen with the rest of {@link FloatKernels}.
 *
 * <p>Why double: both losses are differences of terms that grow with the inputs ({@code e^x - y x},
 * {@code x - y log(x + eps)}, Stirling's {@code y log y - y + ...}, {@code log v + d^2 / v}); where
 * they cancel, float32 rounding of the terms (an ulp of {@code e^x} at {@code e^x = 35} is 4e-6)
 * leaves a per-element loss far outside the fused tolerance (1e-6 absolute plus 1e-5 relative,
 * {@code FusedAssertions}), which an earlier float32 attempt at {@code full} did.
 *
 * <p>The same bits on both: every element is the same sequence of double operations (no fused
 * multiply-adds, branches as blends), and a block's sum is {@link #LANES} double partial sums, lane
 * {@code l} adding the block's elements {@code l, l + LANES, ...} of its whole groups of
 * {@code LANES} in order, the lanes then added in lane order from {@code 0.0}, then the remaining
 * elements' own double sum ({@link ScalarLikelihoodKernels#laneSum}): a function of the block's
 * contents only, whatever the vector width. Each element's loss enters the sum held in float32
 * range ({@link Reductions#float32Range}). Stateless and thread-safe.
 */
interface LikelihoodKernels {
    /** {@code log(2 pi) / 2}. */
    double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    /** The double partial sums of a block. */
    int LANES = 8;

    /**
     * poisson_nll: with {@code logInput} {@code l = e^x - y x}, {@code l' = e^x - y}; otherwise
     * {@code l = x - y log(x + eps)}, {@code l' = 1 - y / (x + eps)}, both terms in {@code y} exactly 0
     * for {@code y = 0}; with {@code full} Stirling's {@code y log y - y + log(2 pi y) / 2} added where
     * {@code y > 1}. Writes {@code g[i] = (float) l' * gScale} and {@code values[i] = (float) l} where
     * non-null; returns the block's sum of {@code l}.
     */
    default double poisson(float[] x, float[] y, float[] g, float[] values, int from, int to, boolean logInput,
                           boolean full, double eps, float gScale) {
        return poisson(x, 0, y, 0, g, 0, values, from, to, logInput, full, eps, gScale);
    }

    /**
     * {@link #poisson(float[], float[], float[], float[], int, int, boolean, boolean, double, float)} with
     * element {@code i} of the rates, counts and gradient at {@code x[xo + i]}, {@code y[yo + i]} and
     * {@code g[go + i]} (views into larger arrays in place; {@code values[i]} as before): the same
     * operations and lane order, so the bits do not depend on the offsets.
     */
    double poisson(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                   boolean logInput, boolean full, double eps, float gScale);

    /**
     * gaussian_nll of elements {@code [from, to)}, with {@code v = max(var[i], eps)} (NaN kept) and
     * {@code d = mu - y} in double: {@code l = (log v + d^2 / v) / 2 + constant}; writes
     * {@code gMu[i] = (float) (d / v scale)}, {@code gY[i]} its negation, {@code gVar[i - from] =
     * (1 / v - (d / v)^2) / 2 scale} (in double, from index 0: a block's row for the caller's row
     * sums or float32 rounding) and {@code values[i] = (float) l}, each where its array is non-null. {@code d} and {@code d / v} are held in float32
     * range, as the reference holds them. Returns the block's sum of {@code l}.
     */
    default double gaussian(float[] mu, float[] y, float[] var, float[] gMu, float[] gY, double[] gVar,
                            float[] values, int from, int to, double eps, double constant, double scale) {
        return gaussian(new Offsets(mu, 0, y, 0, var, 0, gMu, 0, gY, 0), gVar, values, from, to, eps, constant, scale);
    }

    /**
     * {@link #gaussian(float[], float[], float[], float[], float[], double[], float[], int, int, double, double, double)}
     * on {@link Offsets}: element {@code i} of each array at its own offset ({@code gVar} and
     * {@code values} as before), the same operations and lane order, so the same bits.
     */
    double gaussian(Offsets a, double[] gVar, float[] values, int from, int to, double eps, double constant,
                    double scale);

    /**
     * gaussian_nll's arrays, element {@code i} of each at {@code i} plus its offset: the means, targets,
     * variances and the two float32 gradients (either null where not wanted).
     */
    record Offsets(float[] mu, int muo, float[] y, int yo, float[] var, int vo, float[] gMu, int gmo, float[] gY,
                   int gyo) {
    }
}
