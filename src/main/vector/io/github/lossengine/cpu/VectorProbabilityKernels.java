package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorMath.F;
import static io.github.lossengine.cpu.VectorMath.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link ProbabilityKernels} on the Vector API: every lane computes what
 * {@link ScalarProbabilityKernels} computes for its element, with the same operations (branches as
 * blends), so values and gradients are the same bits; sums are per-lane float partial sums added in
 * lane order, then the scalar tail. The losses with a logarithm and an exponential run in several
 * loops over the block's whole vectors, through per-thread {@link Scratch} rows (the block stays in
 * L1): one loop with all of it exceeds C2's inlining node budget, which boxes the vectors.
 * Instantiated only through {@code VectorKernels}. Stateless and thread-safe.
 */
final class VectorProbabilityKernels implements ProbabilityKernels {
    private static final ScalarProbabilityKernels TAIL = new ScalarProbabilityKernels();

    /** Lanes of 1, made where used: a vector held in a static field is not a constant to C2 and is boxed. */
    private static FloatVector one() {
        return FloatVector.broadcast(F, 1f);
    }

    /** The weights of the lanes at {@code i}: {@code w[i + shift]}, or 1 without weights. */
    private static FloatVector weight(float[] w, int i, int shift) {
        return w == null ? one() : FloatVector.fromArray(F, w, i + shift);
    }

    /** {@link ScalarProbabilityKernels#term}: {@code c v}, exactly 0 where {@code c} is 0. */
    private static FloatVector term(FloatVector c, FloatVector v) {
        return c.mul(v).blend(0f, c.compare(VectorOperators.EQ, 0f));
    }

    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(F, a, i);
    }

    @Override
    public double bce(float[] p, float[] y, float[] w, int wShift, float[] g, float[] values, int from, int to,
                      float gScale) {
        int bound = from + F.loopBound(to - from);
        float[] logP = Scratch.get(1)[0];
        if (g != null) {
            bceGradient(p, y, w, wShift, g, from, bound, gScale);
        }
        floorLog(p, from, bound, logP);
        return bceValues(p, y, w, wShift, values, from, bound, logP)
                + TAIL.bce(p, y, w, wShift, g, values, bound, to, gScale);
    }

    private static void bceGradient(float[] p, float[] y, float[] w, int wShift, float[] g, int from, int bound,
                                    float gScale) {
        for (int i = from; i < bound; i += L) {
            FloatVector pi = load(p, i);
            FloatVector dl = pi.sub(load(y, i)).div(pi.mul(one().sub(pi)).max(BCE_EPSILON));
            term(weight(w, i, wShift), dl).mul(gScale).intoArray(g, i);
        }
    }

    /** {@code max(log p, -100)} of the block's whole vectors into {@code out}. */
    private static void floorLog(float[] p, int from, int bound, float[] out) {
        for (int i = from; i < bound; i += L) {
            VectorMath.log(load(p, i)).max(LOG_FLOOR).intoArray(out, i - from);
        }
    }

    private static double bceValues(float[] p, float[] y, float[] w, int wShift, float[] values, int from, int bound,
                                    float[] logP) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector yi = load(y, i);
            FloatVector pos = yi.mul(load(logP, i - from)).blend(0f, yi.compare(VectorOperators.EQ, 0f));
            FloatVector neg = one().sub(yi).mul(VectorMath.log1p(load(p, i).neg()).max(LOG_FLOOR))
                    .blend(0f, yi.compare(VectorOperators.EQ, 1f));
            acc = emitValue(acc, term(weight(w, i, wShift), FloatVector.zero(F).sub(pos.add(neg))), values, i);
        }
        return VectorMath.sumLanes(acc);
    }

    /** Writes the lanes' values at {@code i} where {@code values} is non-null; returns {@code acc + l}. */
    private static FloatVector emitValue(FloatVector acc, FloatVector l, float[] values, int i) {
        if (values != null) {
            l.intoArray(values, i);
        }
        return acc.add(l);
    }

    /** {@code e = exp(-|x|)} and {@code r = 1 / (1 + e)} of the block's whole vectors, into scratch. */
    private static void logistic(float[] x, int from, int bound, float[] e, float[] r) {
        for (int i = from; i < bound; i += L) {
            FloatVector ei = VectorMath.exp(load(x, i).abs().neg());
            ei.intoArray(e, i - from);
            one().div(ei.add(1f)).intoArray(r, i - from);
        }
    }

    /** {@code log1p(e)} from the scratch {@code e} and {@code r}, lane {@code j} of the block. */
    private static FloatVector softplusTail(float[] e, float[] r, int j) {
        FloatVector ej = load(e, j);
        return VectorMath.log1p(ej, ej.add(1f), load(r, j));
    }

    @Override
    public double bceWithLogits(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift, float[] g,
                                float[] values, int from, int to, float gScale) {
        int bound = from + F.loopBound(to - from);
        float[][] s = Scratch.get(2);
        logistic(x, from, bound, s[0], s[1]);
        if (g != null) {
            bceLogitsGradient(x, y, w, wShift, pw, pShift, g, from, bound, gScale, s);
        }
        return bceLogitsValues(x, y, w, wShift, pw, pShift, values, from, bound, s)
                + TAIL.bceWithLogits(x, y, w, wShift, pw, pShift, g, values, bound, to, gScale);
    }

    private static void bceLogitsGradient(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift,
                                          float[] g, int from, int bound, float gScale, float[][] s) {
        for (int i = from; i < bound; i += L) {
            FloatVector xi = load(x, i);
            FloatVector yi = load(y, i);
            FloatVector r = load(s[1], i - from);
            VectorMask<Float> positive = xi.compare(VectorOperators.GE, 0f);
            FloatVector er = load(s[0], i - from).mul(r);
            FloatVector dl = term(one().sub(yi), er.blend(r, positive))
                    .sub(term(weight(pw, i, pShift).mul(yi), r.blend(er, positive)));
            term(weight(w, i, wShift), dl).mul(gScale).intoArray(g, i);
        }
    }

    private static double bceLogitsValues(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift,
                                          float[] values, int from, int bound, float[][] s) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector xi = load(x, i);
            FloatVector yi = load(y, i);
            FloatVector sp = softplusTail(s[0], s[1], i - from);
            FloatVector l = term(weight(pw, i, pShift).mul(yi), xi.neg().max(0f).add(sp))
                    .add(term(one().sub(yi), xi.max(0f).add(sp)));
            acc = emitValue(acc, term(weight(w, i, wShift), l), values, i);
        }
        return VectorMath.sumLanes(acc);
    }

    @Override
    public double focal(float[] x, float[] y, float[] g, float[] values, int from, int to, float gamma, float alpha,
                        float gScale) {
        int bound = from + F.loopBound(to - from);
        float[][] s = Scratch.get(4);
        logistic(x, from, bound, s[0], s[1]);
        focalTerms(x, y, from, bound, s);
        power(s[3], bound - from, gamma);
        return focalValues(x, y, g, values, from, bound, gamma, alpha, gScale, s)
                + TAIL.focal(x, y, g, values, bound, to, gamma, alpha, gScale);
    }

    /** {@code u^gamma} in place over {@code u[0, n)}: {@link ScalarProbabilityKernels#power}. */
    private static void power(float[] u, int n, float gamma) {
        if (gamma == 2f) {
            for (int j = 0; j < n; j += L) {
                FloatVector uj = load(u, j);
                uj.mul(uj).intoArray(u, j);
            }
        } else if (gamma == 0f) {
            java.util.Arrays.fill(u, 0, n, 1f);
        } else if (gamma != 1f) {
            for (int j = 0; j < n; j += L) {
                VectorMath.exp(VectorMath.log(load(u, j)).mul(gamma)).intoArray(u, j);
            }
        }
    }

    /** The cross-entropy {@code ce} into {@code s[2]} and {@code u = p (1 - y) + q y} into {@code s[3]}. */
    private static void focalTerms(float[] x, float[] y, int from, int bound, float[][] s) {
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector xi = load(x, i);
            FloatVector yi = load(y, i);
            FloatVector ny = one().sub(yi);
            FloatVector r = load(s[1], j);
            FloatVector er = load(s[0], j).mul(r);
            VectorMask<Float> positive = xi.compare(VectorOperators.GE, 0f);
            FloatVector sp = softplusTail(s[0], s[1], j);
            term(yi, xi.neg().max(0f).add(sp)).add(term(ny, xi.max(0f).add(sp))).intoArray(s[2], j);
            er.blend(r, positive).mul(ny).add(r.blend(er, positive).mul(yi)).intoArray(s[3], j);
        }
    }

    private static double focalValues(float[] x, float[] y, float[] g, float[] values, int from, int bound,
                                      float gamma, float alpha, float gScale, float[][] s) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            int j = i - from;
            FloatVector xi = load(x, i);
            FloatVector yi = load(y, i);
            FloatVector ny = one().sub(yi);
            FloatVector at = alpha < 0f ? one() : yi.mul(alpha).add(ny.mul(1f - alpha));
            FloatVector r = load(s[1], j);
            FloatVector er = load(s[0], j).mul(r);
            VectorMask<Float> positive = xi.compare(VectorOperators.GE, 0f);
            FloatVector p = er.blend(r, positive);
            FloatVector q = r.blend(er, positive);
            FloatVector ce = load(s[2], j);
            FloatVector ug = load(s[3], j);
            if (g != null) {
                FloatVector pq = p.mul(q);
                FloatVector d = p.mul(ny).sub(q.mul(yi)).mul(ug);
                FloatVector second = ce.mul(gamma).mul(ug).mul(pq.div(p.mul(ny).add(q.mul(yi))))
                        .mul(one().sub(yi.mul(2f)));
                VectorMask<Float> curved = pq.compare(VectorOperators.GT, 0f);
                d = gamma > 0f ? d.add(second, curved) : d;
                at.mul(d).mul(gScale).intoArray(g, i);
            }
            acc = emitValue(acc, at.mul(ce).mul(ug), values, i);
        }
        return VectorMath.sumLanes(acc);
    }

    @Override
    public double klDiv(float[] x, float[] t, float[] g, float[] values, int from, int to, boolean logTarget,
                        float gScale) {
        int bound = from + F.loopBound(to - from);
        double sum = logTarget ? klDivLogTargets(x, t, g, values, from, bound, gScale)
                : klDivTargets(x, t, g, values, from, bound, gScale);
        return sum + TAIL.klDiv(x, t, g, values, bound, to, logTarget, gScale);
    }

    private static double klDivTargets(float[] x, float[] t, float[] g, float[] values, int from, int bound,
                                       float gScale) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector ti = load(t, i);
            FloatVector l = term(ti, VectorMath.log(ti).sub(load(x, i)));
            acc = VectorRegressionKernels.emit(acc, l, term(ti, one().neg()).mul(gScale), g, values, i);
        }
        return VectorMath.sumLanes(acc);
    }

    private static double klDivLogTargets(float[] x, float[] t, float[] g, float[] values, int from, int bound,
                                          float gScale) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector ti = load(t, i);
            FloatVector prob = VectorMath.expAny(ti);
            FloatVector l = term(prob, ti.sub(load(x, i)));
            acc = VectorRegressionKernels.emit(acc, l, term(prob, one().neg()).mul(gScale), g, values, i);
        }
        return VectorMath.sumLanes(acc);
    }
}
