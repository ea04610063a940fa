package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FloatKernels.BLOCK;

/**
 * {@link PairKernels} in plain Java, element by element, the sums kept in {@code lanes} float partial
 * sums as the vector kernels' lanes keep them (see {@link PairKernels} for the order), so that both
 * give the same bits. Its static {@code *Tail} methods are also the vector kernels' tails. Stateless
 * and thread-safe.
 */
final class ScalarPairKernels implements PairKernels {
    private final int lanes;

    /** Kernels whose sums have {@code lanes} partial sums: those of a vector of {@code lanes} floats. */
    ScalarPairKernels(int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException(lanes + " lanes");
        }
        this.lanes = lanes;
    }

    /** The scaled difference {@code (a k - b k) + ke}. */
    static float difference(float a, float b, float k, float ke) {
        return (a * k - b * k) + ke;
    }

    private static float normTerm(float v, int p) {
        return p == 1 ? Math.abs(v) : v * v;
    }

    /** The partial sums added into a double in lane order, as {@code VectorMath.sumLanes}. */
    private static double sumLanes(float[] acc) {
        double s = 0;
        for (float v : acc) {
            s += v;
        }
        return s;
    }

    /** The end of the whole groups of {@code lanes} of the block {@code [from, end)}. */
    private int bound(int from, int end) {
        return from + (end - from) / lanes * lanes;
    }

    @Override
    public double differenceSum(float[] a, int ao, float[] b, int bo, int n, float k, float ke, int p) {
        float[] acc = new float[lanes];
        double total = 0;
        for (int s = 0; s < n; s += BLOCK) {
            int end = Math.min(n, s + BLOCK);
            int bound = bound(s, end);
            java.util.Arrays.fill(acc, 0f);
            for (int j = s; j < bound; j++) {
                acc[(j - s) % lanes] += normTerm(difference(a[ao + j], b[bo + j], k, ke), p);
            }
            total += sumLanes(acc) + differenceSumTail(a, ao, b, bo, bound, end, k, ke, p);
        }
        return total;
    }

    /** {@link #differenceSum}'s terms over {@code [from, to)} in one float sum, in order (a block's tail). */
    static double differenceSumTail(float[] a, int ao, float[] b, int bo, int from, int to, float k, float ke, int p) {
        float s = 0;
        for (int j = from; j < to; j++) {
            s += normTerm(difference(a[ao + j], b[bo + j], k, ke), p);
        }
        return s;
    }

    @Override
    public void differenceTerm(float[] a, int ao, float[] b, int bo, int n, float k, float ke, int p, float norm,
                               float c, boolean add, float s, float[] out, int oo) {
        differenceTermTail(a, ao, b, bo, 0, n, k, ke, p, norm, c, add, s, out, oo);
    }

    /** {@link #differenceTerm} over {@code [from, to)}. */
    static void differenceTermTail(float[] a, int ao, float[] b, int bo, int from, int to, float k, float ke, int p,
                                   float norm, float c, boolean add, float s, float[] out, int oo) {
        for (int j = from; j < to; j++) {
            float v = difference(a[ao + j], b[bo + j], k, ke);
            float t = (p == 1 ? Math.signum(v) : v / norm) * c;
            out[oo + j] = (add ? out[oo + j] + t : t) * s;
        }
    }

    @Override
    public void cosineSums(float[] x, int xo, float[] y, int yo, int n, double[] sums) {
        int w = Math.max(1, lanes / 2);
        double[] dot = new double[w];
        double[] xx = new double[w];
        double[] yy = new double[w];
        int bound = n / w * w;
        for (int j = 0; j < bound; j++) {
            double u = x[xo + j];
            double v = y[yo + j];
            int l = j % w;
            dot[l] += u * v;
            xx[l] += u * u;
            yy[l] += v * v;
        }
        cosineSumsTail(x, xo, y, yo, bound, n, sums);
        sums[0] += sumLanes(dot);
        sums[1] += sumLanes(xx);
        sums[2] += sumLanes(yy);
    }

    /** The double partial sums added in lane order. */
    private static double sumLanes(double[] acc) {
        double s = 0;
        for (double v : acc) {
            s += v;
        }
        return s;
    }

    /** {@link #cosineSums} over {@code [from, to)}, each in one double sum in order (the tail). */
    static void cosineSumsTail(float[] x, int xo, float[] y, int yo, int from, int to, double[] sums) {
        double d = 0;
        double s1 = 0;
        double s2 = 0;
        for (int j = from; j < to; j++) {
            double u = x[xo + j];
            double v = y[yo + j];
            d += u * v;
            s1 += u * u;
            s2 += v * v;
        }
        sums[0] = d;
        sums[1] = s1;
        sums[2] = s2;
    }

    @Override
    public void combine(float[] x, int xo, double alpha, float[] y, int yo, double beta, double s, int n, float[] out,
                        int oo) {
        combineTail(x, xo, alpha, y, yo, beta, s, 0, n, out, oo);
    }

    /** {@link #combine} over {@code [from, to)}. */
    static void combineTail(float[] x, int xo, double alpha, float[] y, int yo, double beta, double s, int from, int to,
                            float[] out, int oo) {
        for (int j = from; j < to; j++) {
            out[oo + j] = (float) ((x[xo + j] * alpha - y[yo + j] * beta) * s);
        }
    }

    @Override
    public double marginRanking(float[] x1, float[] x2, float[] y, float[] g1, float[] g2, float[] values, int from,
                                int to, float margin, float gScale) {
        float[] acc = new float[lanes];
        int bound = bound(from, to);
        for (int i = from; i < bound; i++) {
            acc[(i - from) % lanes] += marginRankingElement(x1, x2, y, g1, g2, values, i, margin, gScale);
        }
        return sumLanes(acc) + marginRankingTail(x1, x2, y, g1, g2, values, bound, to, margin, gScale);
    }

    /** {@link #marginRanking} over {@code [from, to)} in one float sum, in order (a block's tail). */
    static double marginRankingTail(float[] x1, float[] x2, float[] y, float[] g1, float[] g2, float[] values,
                                    int from, int to, float margin, float gScale) {
        float s = 0;
        for (int i = from; i < to; i++) {
            s += marginRankingElement(x1, x2, y, g1, g2, values, i, margin, gScale);
        }
        return s;
    }

    private static float marginRankingElement(float[] x1, float[] x2, float[] y, float[] g1, float[] g2,
                                              float[] values, int i, float margin, float gScale) {
        float yi = y[i];
        float t = margin - yi * (x1[i] - x2[i]);
        float l = Math.max(0f, t);
        float s = yi * gScale;
        boolean open = t >= 0f;
        boolean nan = t != t;
        if (g1 != null) {
            g1[i] = open ? -s : nan ? Float.NaN : 0f;
        }
        if (g2 != null) {
            g2[i] = open ? s : nan ? Float.NaN : 0f;
        }
        if (values != null) {
            values[i] = l;
        }
        return l;
    }

    @Override
    public void marginStretch(float[] x, int from, int to, float shift, int p, float wy, float scale, float[] g,
                              int gShift, double[] sums) {
        float[] l = new float[lanes];
        float[] gs = new float[lanes];
        double loss = 0;
        double grad = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            int bound = bound(b, end);
            java.util.Arrays.fill(l, 0f);
            java.util.Arrays.fill(gs, 0f);
            for (int j = b; j < bound; j++) {
                float z = x[j] + shift;
                float d = marginDerivative(z, p, wy, scale);
                boolean active = !(z <= 0);
                if (active) {
                    l[(j - b) % lanes] += p == 1 ? z : z * z;
                    gs[(j - b) % lanes] += d;
                }
                if (g != null) {
                    g[j + gShift] = active ? d : 0f;
                }
            }
            marginStretchTail(x, bound, end, shift, p, wy, scale, g, gShift, sums);
            loss += sumLanes(l) + sums[0];
            grad += sumLanes(gs) + sums[1];
        }
        sums[0] = loss;
        sums[1] = grad;
    }

    /** {@code g_j} of {@link #marginStretch}: {@code wy scale} ({@code p = 1}; NaN for a NaN {@code z}) or {@code ((2 z) wy) scale}. */
    private static float marginDerivative(float z, int p, float wy, float scale) {
        return p == 1 ? (Float.isNaN(z) ? Float.NaN : wy * scale) : (2f * z) * wy * scale;
    }

    /** {@link #marginStretch} over {@code [from, to)}, each sum in one float in order (a block's tail). */
    static void marginStretchTail(float[] x, int from, int to, float shift, int p, float wy, float scale, float[] g,
                                  int gShift, double[] sums) {
        float l = 0;
        float gs = 0;
        for (int j = from; j < to; j++) {
            float z = x[j] + shift;
            float d = marginDerivative(z, p, wy, scale);
            boolean active = !(z <= 0);
            if (active) {
                l += p == 1 ? z : z * z;
                gs += d;
            }
            if (g != null) {
                g[j + gShift] = active ? d : 0f;
            }
        }
        sums[0] = l;
        sums[1] = gs;
    }
}
