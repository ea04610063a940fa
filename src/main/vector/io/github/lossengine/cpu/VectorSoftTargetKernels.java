package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FloatKernels.BLOCK;
import static io.github.lossengine.cpu.VectorMath.F;
import static io.github.lossengine.cpu.VectorMath.L;
import static io.github.lossengine.cpu.VectorMath.sumLanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link SoftTargetKernels} on the Vector API: every lane computes what
 * {@link ScalarSoftTargetKernels#mass(float, float, float, float, float, float, boolean)} computes for its
 * element (branches as blends); each block's sums are one float partial sum per lane, the lanes added
 * into a double in lane order, then the scalar tail. Instantiated only through {@code VectorKernels}.
 * Stateless and thread-safe.
 */
final class VectorSoftTargetKernels implements SoftTargetKernels {
    private static final ScalarSoftTargetKernels TAIL = ScalarSoftTargetKernels.INSTANCE;

    /** The lanes' masses {@code a_i}; {@code open} where the logit is not {@code -inf}. */
    private static FloatVector mass(FloatVector t, FloatVector w, VectorMask<Float> open, float onTarget,
                                    float spread, float total, boolean offTarget) {
        FloatVector on = t.mul(onTarget);
        FloatVector q = offTarget
                ? on.add(FloatVector.broadcast(t.species(), total).sub(t).max(0f).mul(spread))
                : on.add(spread);
        return w.mul(q.blend(on, open.not()));
    }

    @Override
    public boolean probabilities(float[] t, int from, int len) {
        VectorMask<Float> ok = F.maskAll(true);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, t, from + i);
            ok = ok.and(v.compare(VectorOperators.GE, 0f)).and(v.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
        }
        return ScalarSoftTargetKernels.probabilities(t, from + i, from + len, ok.allTrue());
    }

    @Override
    public void mass(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, int len, float onTarget, float spread,
                     float total, boolean offTarget, float m, double[] sums) {
        double mass = 0;
        double distance = 0;
        FloatVector ones = FloatVector.broadcast(F, 1f);
        for (int b = 0; b < len; b += BLOCK) {
            int end = Math.min(len, b + BLOCK);
            FloatVector a = FloatVector.zero(F);
            FloatVector d = FloatVector.zero(F);
            int i = b;
            for (int bound = b + F.loopBound(end - b); i < bound; i += L) {
                FloatVector zi = FloatVector.fromArray(F, z, zFrom + i);
                VectorMask<Float> open = zi.compare(VectorOperators.NE, Float.NEGATIVE_INFINITY);
                FloatVector wi = w == null ? ones : FloatVector.fromArray(F, w, wFrom + i);
                FloatVector ai = mass(FloatVector.fromArray(F, t, tFrom + i), wi, open, onTarget, spread, total,
                        offTarget);
                a = a.add(ai, open);
                d = d.add(ai.mul(FloatVector.broadcast(F, m).sub(zi)), open);
            }
            TAIL.mass(z, zFrom + i, t, tFrom + i, w, wFrom + i, end - i, onTarget, spread,
                    total, offTarget, m, sums);
            mass += sumLanes(a) + sums[0];
            distance += sumLanes(d) + sums[1];
        }
        sums[0] = mass;
        sums[1] = distance;
    }


    @Override
    public int gradient(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, float[] g, int gFrom, int len,
                        float onTarget, float spread, float total, boolean offTarget, float f, float s, int[] blocks) {
        FloatVector ones = FloatVector.broadcast(F, 1f);
        int n = 0;
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector zi = FloatVector.fromArray(F, z, zFrom + i);
            VectorMask<Float> open = zi.compare(VectorOperators.NE, Float.NEGATIVE_INFINITY);
            FloatVector wi = w == null ? ones : FloatVector.fromArray(F, w, wFrom + i);
            FloatVector as = mass(FloatVector.fromArray(F, t, tFrom + i), wi, open, onTarget, spread, total, offTarget)
                    .mul(s);
            FloatVector gi = FloatVector.fromArray(F, g, gFrom + i).mul(f).sub(as).add(0f);
            gi.blend(0f, open.not()).intoArray(g, gFrom + i);
            if (gi.abs().compare(VectorOperators.LT, as.mul(0.125f)).and(open).anyTrue()) {
                blocks[n++] = i;
            }
        }
        return ScalarSoftTargetKernels.gradient(z, zFrom, t, tFrom, w, wFrom, g, gFrom, i, len, onTarget, spread, total,
                offTarget, f, s, blocks, n);
    }
}
