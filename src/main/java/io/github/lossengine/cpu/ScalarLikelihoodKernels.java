package io.github.lossengine.cpu;

/**
 * {@link LikelihoodKernels} in plain Java, one element at a time: each element's loss goes to a
 * per-thread {@link Scratch} row that {@link #laneSum} adds in the lanes' order, so the result is
 * the same bits as {@code VectorLikelihoodKernels}'. The fallback where the Vector API is off or
 * has no double vectors of 256 bits, and the vector kernels' tails. Stateless and thread-safe.
 */
final class ScalarLikelihoodKernels implements LikelihoodKernels {
    static final ScalarLikelihoodKernels INSTANCE = new ScalarLikelihoodKernels();

    /** This thread's row for {@code n <= BLOCK} element losses before {@link #laneSum} (the last double scratch row). */
    private static double[] lanes(int n) {
        if (n > FloatKernels.BLOCK) {
            throw new IllegalArgumentException(n + " elements in one block of at most " + FloatKernels.BLOCK);
        }
        return Scratch.doubles(3)[2];
    }

    /**
     * {@code l[0 .. n)} summed in {@link #LANES} double lanes over the whole groups of {@code LANES}
     * (lane {@code j} takes elements {@code j, j + LANES, ...}, in order), the lanes added in lane order
     * starting from {@code 0.0}, then the remaining elements' own sum (from {@code 0.0}) added.
     */
    static double laneSum(double[] l, int n) {
        int bound = n & -LANES;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i < bound; i += LANES) {
            s0 += l[i];
            s1 += l[i + 1];
            s2 += l[i + 2];
            s3 += l[i + 3];
            s4 += l[i + 4];
            s5 += l[i + 5];
            s6 += l[i + 6];
            s7 += l[i + 7];
        }
        double tail = 0;
        for (int i = bound; i < n; i++) {
            tail += l[i];
        }
        return ((((((((0.0 + s0) + s1) + s2) + s3) + s4) + s5) + s6) + s7) + tail;
    }

    /** Stirling's term {@code y log y - y + log(2 pi y) / 2} (the caller adds it where {@code y > 1}). */
    static double stirling(double y) {
        double logY = DoubleMath.log(y);
        return y * logY - y + 0.5 * logY + HALF_LOG_2PI;
    }

    @Override
    public double poisson(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                          boolean logInput, boolean full, double eps, float gScale) {
        double[] lanes = lanes(to - from);
        for (int i = from; i < to; i++) {
            double xi = x[xo + i];
            double yi = y[yo + i];
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
                l += stirling(yi);
            }
            lanes[i - from] = Reductions.float32Range(l);
            if (values != null) {
                values[i] = (float) l;
            }
            if (g != null) {
                g[go + i] = (float) d * gScale;
            }
        }
        return laneSum(lanes, to - from);
    }

    /** {@inheritDoc} {@code log v} is taken once per run of equal variances (a row's). */
    @Override
    public double gaussian(Offsets a, double[] gVar, float[] values, int from, int to, double eps, double constant,
                           double scale) {
        float[] mu = a.mu();
        float[] y = a.y();
        float[] var = a.var();
        float[] gMu = a.gMu();
        float[] gY = a.gY();
        double[] lanes = lanes(to - from);
        double lastV = Double.NaN;
        double logV = Double.NaN;
        for (int i = from; i < to; i++) {
            double v = Math.max(var[a.vo() + i], eps);
            if (v != lastV) {
                lastV = v;
                logV = DoubleMath.log(v);
            }
            double d = Reductions.float32Range((double) mu[a.muo() + i] - y[a.yo() + i]);
            double rv = Reductions.float32Range(d / v);
            double l = 0.5 * (logV + d * d / v) + constant;
            lanes[i - from] = Reductions.float32Range(l);
            if (values != null) {
                values[i] = (float) l;
            }
            double dMu = rv * scale;
            if (gMu != null) {
                gMu[a.gmo() + i] = (float) dMu;
            }
            if (gY != null) {
                gY[a.gyo() + i] = (float) -dMu;
            }
            if (gVar != null) {
                gVar[i - from] = 0.5 * (1 / v - Reductions.float32Range(rv * rv)) * scale;
            }
        }
        return laneSum(lanes, to - from);
    }
}
