package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorMath.F;
import static io.github.lossengine.cpu.VectorMath.L;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link RegressionKernels} on the Vector API: every lane computes what
 * {@link ScalarRegressionKernels} computes for its element, with the same operations (branches as
 * blends), so values and gradients are the same bits; the block's sum is one float partial sum per
 * lane, the lanes added into a double in lane order, then the scalar tail. Instantiated only through
 * {@code VectorKernels}. Stateless and thread-safe.
 */
final class VectorRegressionKernels implements RegressionKernels {
    private static final ScalarRegressionKernels TAIL = new ScalarRegressionKernels();

    /** Writes the lanes' gradients and values at {@code i} where those arrays are non-null; returns {@code acc + l}. */
    static FloatVector emit(FloatVector acc, FloatVector l, FloatVector dl, float[] g, float[] values, int i) {
        return emit(acc, l, dl, g, 0, values, i);
    }

    /** {@link #emit(FloatVector, FloatVector, FloatVector, float[], float[], int)} with the gradients at {@code g[go + i]}. */
    static FloatVector emit(FloatVector acc, FloatVector l, FloatVector dl, float[] g, int go, float[] values, int i) {
        if (g != null) {
            dl.intoArray(g, go + i);
        }
        if (values != null) {
            l.intoArray(values, i);
        }
        return acc.add(l);
    }

    /** {@link Math#signum(float)} lane by lane: ±1, and {@code d} itself for ±0 and NaN. */
    static FloatVector signum(FloatVector d) {
        return d.blend(1f, d.compare(VectorOperators.GT, 0f)).blend(-1f, d.compare(VectorOperators.LT, 0f));
    }

    @Override
    public double piecewise(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                            int to, float beta, float quad, float lin, float gScale) {
        float half = 0.5f * beta;
        FloatVector acc = FloatVector.zero(F);
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, xo + i).sub(FloatVector.fromArray(F, y, yo + i));
            FloatVector a = d.abs();
            VectorMask<Float> inside = a.compare(VectorOperators.LT, beta);
            FloatVector l = a.sub(half).mul(lin).blend(a.mul(0.5f).mul(a).mul(quad), inside);
            FloatVector dl = signum(d).mul(lin).blend(d.mul(quad), inside);
            acc = emit(acc, l, dl.mul(gScale), g, go, values, i);
        }
        return VectorMath.sumLanes(acc) + TAIL.piecewise(x, xo, y, yo, g, go, values, i, to, beta, quad, lin, gScale);
    }

    /**
     * Two loops over the block's whole vectors, each small enough for the JIT to inline all of it
     * (one loop with both ran 10x slower: C2's inlining node budget cut it off and boxed its
     * vectors): the first writes the gradient and leaves {@code |d|} and {@code e^2 / (2 (1 + e))} in
     * per-thread scratch, the second takes the log and sums. The second is called through
     * {@link #logCoshValues}, a method handle that is not a constant to C2: a compilation of this
     * method that inlined both loops would pass C2's node cutoff inside the second one's log (whose
     * vectors would then be boxed); through the handle the second loop is always compiled on its own.
     */
    @Override
    public double logCosh(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                          float gScale) {
        float[][] s = Scratch.get(2);
        int bound = from + F.loopBound(to - from);
        logCoshGradient(x, xo, y, yo, g, go, from, bound, gScale, s[0], s[1]);
        return logCoshValues(logCoshValues, values, from, bound, s[0], s[1])
                + TAIL.logCosh(x, xo, y, yo, g, go, values, bound, to, gScale);
    }

    /** {@link #logCoshValues(float[], int, int, float[], float[])} through {@code handle} ({@link #valuesLoop}). */
    static double logCoshValues(MethodHandle handle, float[] values, int from, int bound, float[] abs, float[] u) {
        try {
            return (double) handle.invokeExact(values, from, bound, abs, u);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #logCoshValues(float[], int, int, float[], float[])}; an instance field, which C2 does not fold to a constant. */
    private final MethodHandle logCoshValues = valuesLoop();

    /** A handle on {@link #logCoshValues(float[], int, int, float[], float[])}, for an instance field (not a constant to C2). */
    static MethodHandle valuesLoop() {
        try {
            return MethodHandles.lookup().findStatic(VectorRegressionKernels.class, "logCoshValues",
                    MethodType.methodType(double.class, float[].class, int.class, int.class, float[].class, float[].class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void logCoshGradient(float[] x, int xo, float[] y, int yo, float[] g, int go, int from, int bound,
                                        float gScale, float[] abs, float[] u) {
        for (int i = from; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, xo + i).sub(FloatVector.fromArray(F, y, yo + i));
            FloatVector a = d.abs();
            FloatVector e = VectorMath.expm1(a);
            FloatVector q = e.mul(e.add(2f));
            FloatVector t = q.div(q.add(2f)).blend(1f, a.compare(VectorOperators.GE, LOG_COSH_LINEAR));
            if (g != null) {
                t.blend(t.neg(), d.compare(VectorOperators.LT, 0f)).mul(gScale).intoArray(g, go + i);
            }
            a.intoArray(abs, i - from);
            e.mul(e).div(e.add(1f).mul(2f)).intoArray(u, i - from);
        }
    }

    static double logCoshValues(float[] values, int from, int bound, float[] abs, float[] u) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(F, abs, i - from);
            FloatVector l = VectorMath.log1p(FloatVector.fromArray(F, u, i - from))
                    .blend(a.sub(FloatMath.LN2), a.compare(VectorOperators.GE, LOG_COSH_LINEAR));
            if (values != null) {
                l.intoArray(values, i);
            }
            acc = acc.add(l);
        }
        acc.intoArray(abs, 0);
        return VectorMath.sumLanes(abs);
    }
}
