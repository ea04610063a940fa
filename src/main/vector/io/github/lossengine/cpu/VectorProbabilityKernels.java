package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorMath.F;
import static io.github.lossengine.cpu.VectorMath.L;
import static io.github.lossengine.cpu.VectorMath.ONE;
import static io.github.lossengine.cpu.VectorMath.ZERO;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link ProbabilityKernels} on the Vector API: every lane computes what
 * {@link ScalarProbabilityKernels} computes for its element, with the same operations (branches as
 * blends; {@code term(c, v)} as {@code (c v)} blended to 0 where {@code c == 0}), so values and
 * gradients are the same bits; sums are per-lane float partial sums added in lane order, then the
 * scalar tail.
 *
 * <p>Each loss runs as a few stages, each one loop over the block's whole vectors through
 * per-thread {@link Scratch} rows (the block stays in L1): one stage per transcendental function,
 * and stages that combine the rows. A stage's loop calls at most one {@link VectorMath} function,
 * first, and no other method of ours: C2 stops inlining our methods once a compilation has parsed
 * about 18,000 nodes ({@code NodeCountInliningCutoff}; a Vector API operation costs several hundred),
 * and a vector passed to a method that is not inlined is boxed, an allocation per vector. Between
 * stages only arrays are passed, so a stage that is not inlined into its caller costs a call, not
 * boxes. Instantiated only through {@code VectorKernels}. Stateless and thread-safe.
 */
final class VectorProbabilityKernels implements ProbabilityKernels {
    private static final ScalarProbabilityKernels TAIL = new ScalarProbabilityKernels();
    private static final FloatVector LOG_FLOOR_V = FloatVector.broadcast(F, LOG_FLOOR);
    private static final FloatVector BCE_EPSILON_V = FloatVector.broadcast(F, BCE_EPSILON);
    private static final FloatVector MINUS_ONE = FloatVector.broadcast(F, -1f);
    private static final FloatVector TWO = FloatVector.broadcast(F, 2f);

    @Override
    public double bce(float[] p, float[] y, float[] w, int wShift, float[] g, float[] values, int from, int to,
                      float gScale) {
        int bound = from + F.loopBound(to - from);
        float[][] s = Scratch.get(3);
        oneMinus(p, from, bound, s[1]);
        logs(p, from, s[1], bound - from, s[0], s[2]);
        if (g != null) {
            bceGradient(p, y, w, wShift, g, from, bound, gScale);
        }
        return bceValues(p, y, w, wShift, values, from, bound, s)
                + TAIL.bce(p, y, w, wShift, g, values, bound, to, gScale);
    }

    /** {@code 1 + (-p)} of the block's whole vectors into {@code out}: {@code w} of {@code log1p(-p)}. */
    private static void oneMinus(float[] p, int from, int bound, float[] out) {
        for (int i = from; i < bound; i += L) {
            ONE.add(FloatVector.fromArray(F, p, i).neg()).intoArray(out, i - from);
        }
    }

    /**
     * {@code ln a[aFrom + j]} into {@code logA[j]} and {@code ln b[j]} into {@code logB[j]} for
     * {@code j < n}: one loop over both rows, so that a caller that inlines this inlines one
     * {@link VectorMath#log}, not two (the second would pass C2's cutoff).
     */
    private static void logs(float[] a, int aFrom, float[] b, int n, float[] logA, float[] logB) {
        for (int row = 0; row < 2; row++) {
            float[] in = row == 0 ? a : b;
            float[] out = row == 0 ? logA : logB;
            int shift = row == 0 ? aFrom : 0;
            for (int j = 0; j < n; j += L) {
                VectorMath.log(FloatVector.fromArray(F, in, j + shift)).intoArray(out, j);
            }
        }
    }

    private static void bceGradient(float[] p, float[] y, float[] w, int wShift, float[] g, int from, int bound,
                                    float gScale) {
        FloatVector scale = FloatVector.broadcast(F, gScale);
        for (int i = from; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(F, p, i);
            FloatVector dl = pi.sub(FloatVector.fromArray(F, y, i)).div(pi.mul(ONE.sub(pi)).max(BCE_EPSILON_V));
            if (w != null) {
                FloatVector wi = FloatVector.fromArray(F, w, i + wShift);
                dl = wi.mul(dl).blend(ZERO, wi.eq(ZERO));
            }
            dl.mul(scale).intoArray(g, i);
        }
    }

    /**
     * The losses from {@code ln p} in {@code s[0]}, {@code w = 1 - p} in {@code s[1]} and {@code ln w}
     * in {@code s[2]}: {@code log1p(-p) = ln w + c / w} with {@code c = -p - (w - 1)} (0 where
     * {@code c} is 0), each logarithm floored at -100; the sum leaves its lanes in {@code s[0]}.
     */
    private static double bceValues(float[] p, float[] y, float[] w, int wShift, float[] values, int from, int bound,
                                    float[][] s) {
        float[] logP = s[0];
        float[] oneMinusP = s[1];
        float[] logQ = s[2];
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector q = FloatVector.fromArray(F, oneMinusP, j);
            FloatVector c = FloatVector.fromArray(F, p, i).neg().sub(q.sub(ONE));
            FloatVector log1p = FloatVector.fromArray(F, logQ, j).add(c.div(q).blend(ZERO, c.eq(ZERO)));
            FloatVector pos = yi.mul(FloatVector.fromArray(F, logP, j).max(LOG_FLOOR_V)).blend(ZERO, yi.eq(ZERO));
            FloatVector neg = ONE.sub(yi).mul(log1p.max(LOG_FLOOR_V)).blend(ZERO, yi.eq(ONE));
            FloatVector l = ZERO.sub(pos.add(neg));
            if (w != null) {
                FloatVector wi = FloatVector.fromArray(F, w, i + wShift);
                l = wi.mul(l).blend(ZERO, wi.eq(ZERO));
            }
            if (values != null) {
                l.intoArray(values, i);
            }
            acc = acc.add(l);
        }
        acc.intoArray(logP, 0);
        return VectorMath.sumLanes(logP);
    }

    /**
     * {@code e = exp(-|x|)}, {@code r = 1 / (1 + e)} and {@code ln(1 + e)} of the block's whole vectors
     * into {@code s[0]}, {@code s[1]}, {@code s[2]}: the first stage of the losses of logits, its two
     * functions first in the loop ({@code 1 + e} is in [1, 2]: {@link VectorMath#logOneToTwo}).
     */
    private static void logistic(float[] x, int from, int bound, float[][] s) {
        float[] e = s[0];
        float[] r = s[1];
        float[] logOne = s[2];
        for (int i = from; i < bound; i += L) {
            FloatVector ei = VectorMath.exp(FloatVector.fromArray(F, x, i).abs().neg());
            FloatVector onePlus = ei.add(ONE);
            VectorMath.logOneToTwo(onePlus).intoArray(logOne, i - from);
            ei.intoArray(e, i - from);
            ONE.div(onePlus).intoArray(r, i - from);
        }
    }

    @Override
    public double bceWithLogits(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift, float[] g,
                                float[] values, int from, int to, float gScale) {
        int bound = from + F.loopBound(to - from);
        float[][] s = Scratch.get(3);
        logistic(x, from, bound, s);
        if (g != null) {
            bceLogitsGradient(x, y, w, wShift, pw, pShift, g, from, bound, gScale, s);
        }
        return bceLogitsValues(x, y, w, wShift, pw, pShift, values, from, bound, s)
                + TAIL.bceWithLogits(x, y, w, wShift, pw, pShift, g, values, bound, to, gScale);
    }

    private static void bceLogitsGradient(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift,
                                          float[] g, int from, int bound, float gScale, float[][] s) {
        FloatVector scale = FloatVector.broadcast(F, gScale);
        float[] e = s[0];
        float[] r = s[1];
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector xi = FloatVector.fromArray(F, x, i);
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector ri = FloatVector.fromArray(F, r, j);
            FloatVector er = FloatVector.fromArray(F, e, j).mul(ri);
            VectorMask<Float> positive = xi.compare(VectorOperators.GE, ZERO);
            FloatVector c0 = ONE.sub(yi);
            FloatVector c1 = pw == null ? yi : FloatVector.fromArray(F, pw, i + pShift).mul(yi);
            FloatVector dl = c0.mul(er.blend(ri, positive)).blend(ZERO, c0.eq(ZERO))
                    .sub(c1.mul(ri.blend(er, positive)).blend(ZERO, c1.eq(ZERO)));
            if (w != null) {
                FloatVector wi = FloatVector.fromArray(F, w, i + wShift);
                dl = wi.mul(dl).blend(ZERO, wi.eq(ZERO));
            }
            dl.mul(scale).intoArray(g, i);
        }
    }

    /** The losses from {@code s} as {@link #logistic} left it; the sum leaves its lanes in {@code s[0]}. */
    private static double bceLogitsValues(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift,
                                          float[] values, int from, int bound, float[][] s) {
        float[] e = s[0];
        float[] r = s[1];
        float[] logOne = s[2];
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector ei = FloatVector.fromArray(F, e, j);
            // softplus(±x) = max(±x, 0) + log1p(e)
            FloatVector sp = VectorMath.log1p(ei, ei.add(ONE), FloatVector.fromArray(F, r, j),
                    FloatVector.fromArray(F, logOne, j));
            FloatVector xi = FloatVector.fromArray(F, x, i);
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector c0 = ONE.sub(yi);
            FloatVector c1 = pw == null ? yi : FloatVector.fromArray(F, pw, i + pShift).mul(yi);
            FloatVector l = c1.mul(xi.neg().max(ZERO).add(sp)).blend(ZERO, c1.eq(ZERO))
                    .add(c0.mul(xi.max(ZERO).add(sp)).blend(ZERO, c0.eq(ZERO)));
            if (w != null) {
                FloatVector wi = FloatVector.fromArray(F, w, i + wShift);
                l = wi.mul(l).blend(ZERO, wi.eq(ZERO));
            }
            if (values != null) {
                l.intoArray(values, i);
            }
            acc = acc.add(l);
        }
        acc.intoArray(e, 0);
        return VectorMath.sumLanes(e);
    }

    @Override
    public double focal(float[] x, float[] y, float[] g, float[] values, int from, int to, float gamma, float alpha,
                        float gScale) {
        int bound = from + F.loopBound(to - from);
        float[][] s = Scratch.get(4);
        logistic(x, from, bound, s);
        focalTerms(x, y, from, bound, s);
        int n = bound - from;
        if (gamma == 2f) {
            square(s[3], n);
        } else if (gamma == 0f) {
            java.util.Arrays.fill(s[3], 0, n, 1f);
        } else if (gamma != 1f) {
            // u^gamma = exp(gamma log u): two stages, each called from here (a method calling both
            // would inline both, past C2's cutoff)
            scaledLog(s[3], n, gamma);
            expInPlace(s[3], n);
        }
        if (g != null) {
            focalGradient(x, y, g, from, bound, gamma, alpha, gScale, s);
        }
        return focalValues(y, values, from, bound, alpha, s)
                + TAIL.focal(x, y, g, values, bound, to, gamma, alpha, gScale);
    }

    /** {@code u u} in place over {@code u[0, n)}: {@code u^gamma} for {@code gamma = 2} ({@link ScalarProbabilityKernels#power}). */
    private static void square(float[] u, int n) {
        for (int j = 0; j < n; j += L) {
            FloatVector uj = FloatVector.fromArray(F, u, j);
            uj.mul(uj).intoArray(u, j);
        }
    }

    /** {@code gamma log u} in place over {@code u[0, n)}. */
    private static void scaledLog(float[] u, int n, float gamma) {
        FloatVector scale = FloatVector.broadcast(F, gamma);
        for (int j = 0; j < n; j += L) {
            VectorMath.log(FloatVector.fromArray(F, u, j)).mul(scale).intoArray(u, j);
        }
    }

    /** {@code e^v} in place over {@code v[0, n)}. */
    private static void expInPlace(float[] v, int n) {
        for (int j = 0; j < n; j += L) {
            VectorMath.exp(FloatVector.fromArray(F, v, j)).intoArray(v, j);
        }
    }

    /**
     * From the rows {@link #logistic} left: the cross-entropy {@code ce} into
     * {@code s[2]} (over {@code ln(1 + e)}, which it no longer needs) and {@code u = p (1 - y) + q y}
     * into {@code s[3]}.
     */
    private static void focalTerms(float[] x, float[] y, int from, int bound, float[][] s) {
        float[] e = s[0];
        float[] r = s[1];
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector ei = FloatVector.fromArray(F, e, j);
            FloatVector ri = FloatVector.fromArray(F, r, j);
            FloatVector sp = VectorMath.log1p(ei, ei.add(ONE), ri, FloatVector.fromArray(F, s[2], j));
            FloatVector xi = FloatVector.fromArray(F, x, i);
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector ny = ONE.sub(yi);
            FloatVector er = ei.mul(ri);
            VectorMask<Float> positive = xi.compare(VectorOperators.GE, ZERO);
            yi.mul(xi.neg().max(ZERO).add(sp)).blend(ZERO, yi.eq(ZERO))
                    .add(ny.mul(xi.max(ZERO).add(sp)).blend(ZERO, ny.eq(ZERO))).intoArray(s[2], j);
            er.blend(ri, positive).mul(ny).add(ri.blend(er, positive).mul(yi)).intoArray(s[3], j);
        }
    }

    private static void focalGradient(float[] x, float[] y, float[] g, int from, int bound, float gamma,
                                      float alpha, float gScale, float[][] s) {
        FloatVector scale = FloatVector.broadcast(F, gScale);
        FloatVector gammaV = FloatVector.broadcast(F, gamma);
        FloatVector alphaV = FloatVector.broadcast(F, alpha);
        FloatVector notAlpha = FloatVector.broadcast(F, 1f - alpha);
        boolean weighted = alpha >= 0f;
        float[] e = s[0];
        float[] r = s[1];
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector xi = FloatVector.fromArray(F, x, i);
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector ny = ONE.sub(yi);
            FloatVector ri = FloatVector.fromArray(F, r, j);
            FloatVector er = FloatVector.fromArray(F, e, j).mul(ri);
            VectorMask<Float> positive = xi.compare(VectorOperators.GE, ZERO);
            FloatVector p = er.blend(ri, positive);
            FloatVector q = ri.blend(er, positive);
            FloatVector ug = FloatVector.fromArray(F, s[3], j);
            FloatVector pny = p.mul(ny);
            FloatVector qy = q.mul(yi);
            FloatVector d = pny.sub(qy).mul(ug);
            if (gamma > 0f) {
                FloatVector pq = p.mul(q);
                FloatVector second = FloatVector.fromArray(F, s[2], j).mul(gammaV).mul(ug).mul(pq.div(pny.add(qy)))
                        .mul(ONE.sub(yi.mul(TWO)));
                d = d.add(second, pq.compare(VectorOperators.GT, ZERO));
            }
            FloatVector at = weighted ? yi.mul(alphaV).add(ny.mul(notAlpha)) : ONE;
            at.mul(d).mul(scale).intoArray(g, i);
        }
    }

    /** The losses {@code a_t ce u^gamma} from {@code s[2]} and {@code s[3]}; the sum leaves its lanes in {@code s[0]}. */
    private static double focalValues(float[] y, float[] values, int from, int bound, float alpha, float[][] s) {
        FloatVector alphaV = FloatVector.broadcast(F, alpha);
        FloatVector notAlpha = FloatVector.broadcast(F, 1f - alpha);
        boolean weighted = alpha >= 0f;
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector yi = FloatVector.fromArray(F, y, i);
            FloatVector at = weighted ? yi.mul(alphaV).add(ONE.sub(yi).mul(notAlpha)) : ONE;
            FloatVector l = at.mul(FloatVector.fromArray(F, s[2], j)).mul(FloatVector.fromArray(F, s[3], j));
            if (values != null) {
                l.intoArray(values, i);
            }
            acc = acc.add(l);
        }
        acc.intoArray(s[0], 0);
        return VectorMath.sumLanes(s[0]);
    }

    @Override
    public double klDiv(float[] x, float[] t, float[] g, float[] values, int from, int to, boolean logTarget,
                        float gScale) {
        int bound = from + F.loopBound(to - from);
        float[] s = Scratch.get(1)[0];
        double sum;
        if (logTarget) {
            expAny(t, from, bound, s);
            sum = klDivTerms(x, s, -from, t, 0, g, values, from, bound, gScale, s);
        } else {
            log(t, from, bound, s);
            sum = klDivTerms(x, t, 0, s, -from, g, values, from, bound, gScale, s);
        }
        return sum + TAIL.klDiv(x, t, g, values, bound, to, logTarget, gScale);
    }

    /** {@code e^t} of the block's whole vectors into {@code out}. */
    private static void expAny(float[] t, int from, int bound, float[] out) {
        for (int i = from; i < bound; i += L) {
            VectorMath.expAny(FloatVector.fromArray(F, t, i)).intoArray(out, i - from);
        }
    }

    /** {@code ln t} of the block's whole vectors into {@code out}. */
    private static void log(float[] t, int from, int bound, float[] out) {
        for (int i = from; i < bound; i += L) {
            VectorMath.log(FloatVector.fromArray(F, t, i)).intoArray(out, i - from);
        }
    }

    /**
     * {@code prob (logT - x)}, gradient {@code -prob}, both exactly 0 where {@code prob} is 0, with
     * {@code prob} at {@code prob[i + probShift]} and {@code logT} at {@code logT[i + logShift]}; the
     * sum leaves its lanes in {@code lanes}.
     */
    private static double klDivTerms(float[] x, float[] prob, int probShift, float[] logT, int logShift, float[] g,
                                     float[] values, int from, int bound, float gScale, float[] lanes) {
        FloatVector scale = FloatVector.broadcast(F, gScale);
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(F, prob, i + probShift);
            VectorMask<Float> none = pi.eq(ZERO);
            FloatVector l = pi.mul(FloatVector.fromArray(F, logT, i + logShift).sub(FloatVector.fromArray(F, x, i)))
                    .blend(ZERO, none);
            if (g != null) {
                pi.mul(MINUS_ONE).blend(ZERO, none).mul(scale).intoArray(g, i);
            }
            if (values != null) {
                l.intoArray(values, i);
            }
            acc = acc.add(l);
        }
        acc.intoArray(lanes, 0);
        return VectorMath.sumLanes(lanes);
    }
}
