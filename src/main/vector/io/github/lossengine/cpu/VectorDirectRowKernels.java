package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorDirectBufferKernels.load;
import static io.github.lossengine.cpu.VectorDirectBufferKernels.store;
import static io.github.lossengine.cpu.VectorMath.sumLanes;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels on direct native-order buffers, through {@link VectorDirectBufferKernels}' handles and
 * its {@code load} and {@code store} (so they run wherever those reach a buffer's memory): the
 * Weston-Watkins multi-class hinge's stretch ({@link #marginStretch}) with the operations, blocks and
 * lanes of {@code VectorPairKernels.marginStretch}, so the same bits as the array call. A block's
 * elements after its last whole vector (fewer than a vector) are copied into a per-thread scratch row
 * and run through {@link ScalarPairKernels#marginStretchTail}, as the array kernel runs them.
 * Stateless and thread-safe.
 */
final class VectorDirectRowKernels {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = VectorMath.L;
    private static final int BLOCK = FloatKernels.BLOCK;

    private VectorDirectRowKernels() {
    }

    /** {@link DirectBufferKernels#marginStretch}: {@code xb} and {@code gb} are the buffers behind {@code x} and {@code g}. */
    static void marginStretch(Object x, FloatBuffer xb, int from, int to, float shift, int p, float wy, float scale,
                              Object g, FloatBuffer gb, double[] sums) {
        float gj = wy * scale;
        double loss = 0;
        double grad = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            FloatVector l = FloatVector.zero(F);
            FloatVector gs = FloatVector.zero(F);
            int j = b;
            for (int bound = b + F.loopBound(end - b); j < bound; j += L) {
                FloatVector z = load(x, j).add(shift);
                VectorMask<Float> active = z.compare(VectorOperators.LE, 0f).not();
                FloatVector d = VectorPairKernels.marginDerivative(z, p, gj, wy, scale);
                l = l.add(p == 1 ? z : z.mul(z), active);
                gs = gs.add(d, active);
                if (g != null) {
                    store(d.blend(0f, active.not()), g, j);
                }
            }
            tail(xb, j, end, shift, p, wy, scale, gb, sums);
            loss += sumLanes(l) + sums[0];
            grad += sumLanes(gs) + sums[1];
        }
        sums[0] = loss;
        sums[1] = grad;
    }

    /** {@link ScalarPairKernels#marginStretchTail} on elements {@code [from, to)} of the buffers, through scratch. */
    private static void tail(FloatBuffer xb, int from, int to, float shift, int p, float wy, float scale,
                             FloatBuffer gb, double[] sums) {
        float[][] s = Scratch.get(2);
        float[] xs = s[0];
        float[] gs = gb == null ? null : s[1];
        int n = to - from;
        xb.get(from, xs, 0, n);
        ScalarPairKernels.marginStretchTail(xs, 0, n, shift, p, wy, scale, gs, 0, sums);
        if (gs != null) {
            gb.put(from, gs, 0, n);
        }
    }
}
