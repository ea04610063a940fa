package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FloatKernels.BLOCK;
import static io.github.lossengine.cpu.VectorMath.F;
import static io.github.lossengine.cpu.VectorMath.L;
import static io.github.lossengine.cpu.VectorMath.sumLanes;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PairKernels} on the Vector API: each lane does what {@link ScalarPairKernels} does for its
 * element, with the same operations, and each lane of a sum is one of the scalar kernels' partial sums
 * (the block's tail is the scalar kernels' own), so both give the same bits for
 * {@code new ScalarPairKernels(VectorMath.L)}. Instantiated only through {@code VectorKernels}.
 * Kept in small methods, as {@link VectorMath} explains. Stateless and thread-safe.
 */
final class VectorPairKernels implements PairKernels {
    /** Double lanes, half as many as the float lanes (4 with 256-bit vectors), and the floats they widen. */
    private static final VectorSpecies<Double> D = F.vectorBitSize() >= 256 ? DoubleVector.SPECIES_256
            : DoubleVector.SPECIES_128;
    private static final VectorSpecies<Float> H = D.length() == 4 ? FloatVector.SPECIES_128 : FloatVector.SPECIES_64;

    /** The lanes' scaled differences {@code (a k - b k) + ke} at {@code j}. */
    private static FloatVector difference(float[] a, int ao, float[] b, int bo, int j, float k, float ke) {
        return FloatVector.fromArray(F, a, ao + j).mul(k).sub(FloatVector.fromArray(F, b, bo + j).mul(k)).add(ke);
    }

    @Override
    public double differenceSum(float[] a, int ao, float[] b, int bo, int n, float k, float ke, int p) {
        double total = 0;
        for (int s = 0; s < n; s += BLOCK) {
            int end = Math.min(n, s + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            int j = s;
            for (int bound = s + F.loopBound(end - s); j < bound; j += L) {
                FloatVector v = difference(a, ao, b, bo, j, k, ke);
                acc = acc.add(p == 1 ? v.abs() : v.mul(v));
            }
            total += sumLanes(acc) + ScalarPairKernels.differenceSumTail(a, ao, b, bo, j, end, k, ke, p);
        }
        return total;
    }

    @Override
    public void differenceTerm(float[] a, int ao, float[] b, int bo, int n, float k, float ke, int p, float norm,
                               float c, boolean add, float s, float[] out, int oo) {
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += L) {
            FloatVector v = difference(a, ao, b, bo, j, k, ke);
            FloatVector t = (p == 1 ? VectorRegressionKernels.signum(v) : v.div(norm)).mul(c);
            if (add) {
                t = FloatVector.fromArray(F, out, oo + j).add(t);
            }
            t.mul(s).intoArray(out, oo + j);
        }
        ScalarPairKernels.differenceTermTail(a, ao, b, bo, j, n, k, ke, p, norm, c, add, s, out, oo);
    }

    /** The lanes of {@code f}'s floats from {@code at}, widened to double (exact). */
    private static DoubleVector wide(float[] f, int at) {
        return (DoubleVector) FloatVector.fromArray(H, f, at).convertShape(VectorOperators.F2D, D, 0);
    }

    /** The lanes of {@code v} added in lane order. */
    private static double sumDoubleLanes(DoubleVector v) {
        double s = 0;
        for (int l = 0; l < D.length(); l++) {
            s += v.lane(l);
        }
        return s;
    }

    @Override
    public void cosineSums(float[] x, int xo, float[] y, int yo, int n, double[] sums) {
        DoubleVector dot = DoubleVector.zero(D);
        DoubleVector xx = DoubleVector.zero(D);
        DoubleVector yy = DoubleVector.zero(D);
        int j = 0;
        for (int bound = D.loopBound(n); j < bound; j += D.length()) {
            DoubleVector u = wide(x, xo + j);
            DoubleVector v = wide(y, yo + j);
            dot = dot.add(u.mul(v));
            xx = xx.add(u.mul(u));
            yy = yy.add(v.mul(v));
        }
        ScalarPairKernels.cosineSumsTail(x, xo, y, yo, j, n, sums);
        sums[0] += sumDoubleLanes(dot);
        sums[1] += sumDoubleLanes(xx);
        sums[2] += sumDoubleLanes(yy);
    }

    @Override
    public void combine(float[] x, int xo, double alpha, float[] y, int yo, double beta, double s, int n, float[] out,
                        int oo) {
        int j = 0;
        for (int bound = D.loopBound(n); j < bound; j += D.length()) {
            DoubleVector r = wide(x, xo + j).mul(alpha).sub(wide(y, yo + j).mul(beta)).mul(s);
            ((FloatVector) r.convertShape(VectorOperators.D2F, H, 0)).intoArray(out, oo + j);
        }
        ScalarPairKernels.combineTail(x, xo, alpha, y, yo, beta, s, j, n, out, oo);
    }

    @Override
    public double marginRanking(float[] x1, float[] x2, float[] y, float[] g1, float[] g2, float[] values, int from,
                                int to, float margin, float gScale) {
        FloatVector acc = FloatVector.zero(F);
        FloatVector zero = FloatVector.zero(F);
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector d = FloatVector.fromArray(F, x1, i).sub(FloatVector.fromArray(F, x2, i));
            FloatVector t = FloatVector.broadcast(F, margin).sub(yi.mul(d));
            FloatVector l = zero.max(t);
            acc = acc.add(l);
            if (g1 != null || g2 != null) {
                FloatVector s = yi.mul(gScale);
                VectorMask<Float> shut = t.compare(VectorOperators.LT, 0f);
                VectorMask<Float> nan = t.test(VectorOperators.IS_NAN);
                if (g1 != null) {
                    s.neg().blend(0f, shut).blend(Float.NaN, nan).intoArray(g1, i);
                }
                if (g2 != null) {
                    s.blend(0f, shut).blend(Float.NaN, nan).intoArray(g2, i);
                }
            }
            if (values != null) {
                l.intoArray(values, i);
            }
        }
        return sumLanes(acc) + ScalarPairKernels.marginRankingTail(x1, x2, y, g1, g2, values, i, to, margin, gScale);
    }

    /**
     * The lanes' {@code g_j} of {@link #marginStretch}: {@code gj = wy scale} ({@code p = 1}; NaN for a
     * NaN {@code z}) or {@code ((2 z) wy) scale}; shared with the direct-buffer kernel.
     */
    static FloatVector marginDerivative(FloatVector z, int p, float gj, float wy, float scale) {
        return p == 1 ? FloatVector.broadcast(F, gj).blend(Float.NaN, z.test(VectorOperators.IS_NAN))
                : z.mul(2f).mul(wy).mul(scale);
    }

    @Override
    public void marginStretch(float[] x, int from, int to, float shift, int p, float wy, float scale, float[] g,
                              int gShift, double[] sums) {
        float gj = wy * scale;
        double loss = 0;
        double grad = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            FloatVector l = FloatVector.zero(F);
            FloatVector gs = FloatVector.zero(F);
            int j = b;
            for (int bound = b + F.loopBound(end - b); j < bound; j += L) {
                FloatVector z = FloatVector.fromArray(F, x, j).add(shift);
                VectorMask<Float> active = z.compare(VectorOperators.LE, 0f).not();
                FloatVector d = marginDerivative(z, p, gj, wy, scale);
                l = l.add(p == 1 ? z : z.mul(z), active);
                gs = gs.add(d, active);
                if (g != null) {
                    d.blend(0f, active.not()).intoArray(g, j + gShift);
                }
            }
            ScalarPairKernels.marginStretchTail(x, j, end, shift, p, wy, scale, g, gShift, sums);
            loss += sumLanes(l) + sums[0];
            grad += sumLanes(gs) + sums[1];
        }
        sums[0] = loss;
        sums[1] = grad;
    }
}
