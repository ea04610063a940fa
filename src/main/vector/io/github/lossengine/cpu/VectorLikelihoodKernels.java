package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorDoubleMath.D;
import static io.github.lossengine.cpu.VectorDoubleMath.DL;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LikelihoodKernels} on {@code DoubleVector}s: every lane computes what
 * {@link ScalarLikelihoodKernels} computes for its element, with the same double operations
 * ({@link VectorDoubleMath}; branches as blends), so values and gradients are the same bits. Inputs
 * are widened from float32 lanes and outputs narrowed to them ({@code convertShape}, exact and
 * correctly rounded as the scalar casts). A block's losses go through a per-thread double
 * {@link Scratch} row into {@link #LANES} double partial sums ({@link #laneSum}), the order of
 * {@link ScalarLikelihoodKernels#laneSum}, on 8-lane and 4-lane vectors alike; the elements after
 * the block's last whole group of {@code LANES} are the scalar kernels'. The logarithms run in loops
 * of their own through scratch rows (the block stays in L1): one loop with all of it would exceed
 * C2's inlining budget, which boxes the vectors. Instantiated only through {@code VectorKernels},
 * where the CPU has double vectors of 256 bits or more. Stateless and thread-safe.
 */
final class VectorLikelihoodKernels implements LikelihoodKernels {
    /** The float32 lanes that widen to one double vector. */
    private static final VectorSpecies<Float> H = DL == 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    /** The smallest magnitude whose float32 rounding is infinite: {@code 2^128 - 2^103}, halfway past {@code Float.MAX_VALUE}. */
    private static final double FLOAT_OVERFLOW = 0x1.ffffffp127;
    private static final ScalarLikelihoodKernels TAIL = ScalarLikelihoodKernels.INSTANCE;

    /** The float32 lanes of {@code a} at {@code i}, widened to double (exact). */
    static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(H, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    private static FloatVector narrow(DoubleVector v) {
        return (FloatVector) v.convertShape(VectorOperators.D2F, H, 0);
    }

    private static DoubleVector load(double[] a, int j) {
        return DoubleVector.fromArray(D, a, j);
    }

    /** {@link Reductions#float32Range} lane by lane: {@code ±inf} where float32 rounding overflows. */
    static DoubleVector float32Range(DoubleVector v) {
        return v.blend(Double.POSITIVE_INFINITY, v.compare(VectorOperators.GE, FLOAT_OVERFLOW))
                .blend(Double.NEGATIVE_INFINITY, v.compare(VectorOperators.LE, -FLOAT_OVERFLOW));
    }

    /**
     * {@code row[0 .. n)}, {@code n} a multiple of {@link #LANES}, summed as
     * {@link ScalarLikelihoodKernels#laneSum} sums it; overwrites the row's first lanes.
     */
    private static double laneSum(double[] row, int n) {
        if (DL == LANES) {
            DoubleVector acc = DoubleVector.zero(D);
            for (int j = 0; j < n; j += LANES) {
                acc = acc.add(load(row, j));
            }
            return VectorDoubleMath.sumLanes(acc, 0.0, row);
        }
        DoubleVector low = DoubleVector.zero(D);
        DoubleVector high = DoubleVector.zero(D);
        for (int j = 0; j < n; j += LANES) {
            low = low.add(load(row, j));
            high = high.add(load(row, j + DL));
        }
        return VectorDoubleMath.sumLanes(high, VectorDoubleMath.sumLanes(low, 0.0, row), row);
    }

    @Override
    public double poisson(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                          boolean logInput, boolean full, double eps, float gScale) {
        int bound = from + ((to - from) & -LANES);
        double[][] s = Scratch.doubles(2);
        if (full) {
            stirling(y, yo, from, bound, s[1]);
        }
        Offsets o = new Offsets(x, xo, y, yo, null, 0, g, go, null, 0);
        if (logInput) {
            VectorDoubleMath.exp(x, xo + from, xo + bound, s[0]);
            poissonLogInput(o, values, from, bound, full, gScale, s);
        } else {
            for (int i = from; i < bound; i += DL) {
                widen(x, xo + i).add(eps).intoArray(s[0], i - from);
            }
            VectorDoubleMath.log(s[0], bound - from, s[0]);
            poissonRates(o, values, from, bound, full, eps, gScale, s);
        }
        return laneSum(s[0], bound - from)
                + TAIL.poisson(x, xo, y, yo, g, go, values, bound, to, logInput, full, eps, gScale);
    }

    /** {@link ScalarLikelihoodKernels#stirling} of the block's whole groups into {@code out}. */
    private static void stirling(float[] y, int yo, int from, int bound, double[] out) {
        int n = bound - from;
        for (int i = from; i < bound; i += DL) {
            widen(y, yo + i).intoArray(out, i - from);
        }
        VectorDoubleMath.log(out, n, out);
        for (int i = from; i < bound; i += DL) {
            DoubleVector yi = widen(y, yo + i);
            DoubleVector logY = load(out, i - from);
            yi.mul(logY).sub(yi).add(logY.mul(0.5)).add(HALF_LOG_2PI).intoArray(out, i - from);
        }
    }

    /** {@code l += } Stirling's term from {@code s[1]} where {@code y > 1} and {@code full}. */
    private static DoubleVector addStirling(DoubleVector l, DoubleVector y, boolean full, double[][] s, int j) {
        return full ? l.add(load(s[1], j), y.compare(VectorOperators.GT, 1.0)) : l;
    }

    /** The end of an element: its loss in float32 range to {@code s[0]}, values and gradient where wanted. */
    private static void emit(DoubleVector l, DoubleVector d, float[] g, int go, float[] values, float gScale,
                             double[][] s, int i, int j) {
        float32Range(l).intoArray(s[0], j);
        if (values != null) {
            narrow(l).intoArray(values, i);
        }
        if (g != null) {
            narrow(d).mul(gScale).intoArray(g, go + i);
        }
    }

    /** With {@code logInput}: {@code e^x} read from {@code s[0]}, which the element's loss then replaces. */
    private static void poissonLogInput(Offsets o, float[] values, int from, int bound, boolean full, float gScale,
                                        double[][] s) {
        for (int i = from; i < bound; i += DL) {
            int j = i - from;
            DoubleVector xi = widen(o.mu(), o.muo() + i);
            DoubleVector yi = widen(o.y(), o.yo() + i);
            DoubleVector e = load(s[0], j);
            DoubleVector l = addStirling(e.sub(yi.mul(xi)), yi, full, s, j);
            emit(l, e.sub(yi), o.gMu(), o.gmo(), values, gScale, s, i, j);
        }
    }

    /** Without {@code logInput}: {@code log(x + eps)} read from {@code s[0]}, which the element's loss then replaces. */
    private static void poissonRates(Offsets o, float[] values, int from, int bound, boolean full, double eps,
                                     float gScale, double[][] s) {
        for (int i = from; i < bound; i += DL) {
            int j = i - from;
            DoubleVector xi = widen(o.mu(), o.muo() + i);
            DoubleVector yi = widen(o.y(), o.yo() + i);
            VectorMask<Double> none = yi.compare(VectorOperators.EQ, 0.0);
            DoubleVector w = xi.add(eps);
            DoubleVector l = addStirling(xi.sub(yi.mul(load(s[0], j)).blend(0.0, none)), yi, full, s, j);
            DoubleVector d = DoubleVector.broadcast(D, 1.0).sub(yi.div(w).blend(0.0, none));
            emit(l, d, o.gMu(), o.gmo(), values, gScale, s, i, j);
        }
    }

    @Override
    public double gaussian(Offsets a, double[] gVar, float[] values, int from, int to, double eps, double constant,
                           double scale) {
        int bound = from + ((to - from) & -LANES);
        double[][] s = Scratch.doubles(2);
        float[] var = a.var();
        int vo = a.vo();
        for (int i = from; i < bound; i += DL) {
            widen(var, vo + i).max(eps).intoArray(s[0], i - from);
        }
        VectorDoubleMath.log(s[0], bound - from, s[0]);
        for (int i = from; i < bound; i += DL) {
            int j = i - from;
            DoubleVector v = widen(var, vo + i).max(eps);
            DoubleVector d = float32Range(widen(a.mu(), a.muo() + i).sub(widen(a.y(), a.yo() + i)));
            DoubleVector rv = float32Range(d.div(v));
            DoubleVector l = load(s[0], j).add(d.mul(d).div(v)).mul(0.5).add(constant);
            float32Range(l).intoArray(s[0], j);
            if (values != null) {
                narrow(l).intoArray(values, i);
            }
            FloatVector dMu = narrow(rv.mul(scale));
            if (a.gMu() != null) {
                dMu.intoArray(a.gMu(), a.gmo() + i);
            }
            if (a.gY() != null) {
                dMu.neg().intoArray(a.gY(), a.gyo() + i);
            }
            if (gVar != null) {
                DoubleVector.broadcast(D, 1.0).div(v).sub(float32Range(rv.mul(rv))).mul(0.5).mul(scale)
                        .intoArray(gVar, j);
            }
        }
        double tail = TAIL.gaussian(a, gVar == null ? null : s[1], values, bound, to, eps, constant, scale);
        if (gVar != null) {
            System.arraycopy(s[1], 0, gVar, bound - from, to - bound);
        }
        return laneSum(s[0], bound - from) + tail;
    }
}
