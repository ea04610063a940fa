package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FloatKernels.BLOCK;
import static io.github.lossengine.cpu.FloatKernels.LANES;

/**
 * {@link SoftTargetKernels} in plain Java, one element at a time, summed lane by lane as
 * {@link ScalarKernels} describes (the same bits as the vector kernels'); the vector kernels' tails.
 * Stateless and thread-safe.
 */
final class ScalarSoftTargetKernels implements SoftTargetKernels {
    static final ScalarSoftTargetKernels INSTANCE = new ScalarSoftTargetKernels();

    /** The mass {@code a_i} of an element (see {@link SoftTargetKernels}). */
    static float mass(float zi, float ti, float wi, float onTarget, float spread, float total, boolean offTarget) {
        float on = onTarget * ti;
        float u = offTarget ? Math.max(total - ti, 0f) : 1f;
        float q = zi != Float.NEGATIVE_INFINITY ? on + spread * u : on;
        return wi * q;
    }

    @Override
    public boolean probabilities(float[] t, int from, int len) {
        return probabilities(t, from, from + len, true);
    }

    /** {@code ok} and whether every {@code t[i]}, {@code i} in {@code [from, to)}, is finite and {@code >= 0}. */
    static boolean probabilities(float[] t, int from, int to, boolean ok) {
        boolean all = ok;
        for (int i = from; i < to; i++) {
            float v = t[i];
            all &= v >= 0f & v < Float.POSITIVE_INFINITY;
        }
        return all;
    }

    @Override
    public void mass(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, int len, float onTarget, float spread,
                     float total, boolean offTarget, float m, double[] sums) {
        double mass = 0;
        double distance = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int end = Math.min(len, b + BLOCK);
            int bound = ScalarKernels.bound(b, end);
            double a = 0;
            double d = 0;
            for (int l = 0; l < LANES; l++) {
                long lane = mass(z, zFrom, t, tFrom, w, wFrom, b + l, bound, LANES, onTarget, spread, total, offTarget, m);
                a += ScalarKernels.high(lane);
                d += ScalarKernels.low(lane);
            }
            long tail = mass(z, zFrom, t, tFrom, w, wFrom, bound, end, 1, onTarget, spread, total, offTarget, m);
            mass += a + ScalarKernels.high(tail);
            distance += d + ScalarKernels.low(tail);
        }
        sums[0] = mass;
        sums[1] = distance;
    }

    /** One lane of {@link #mass} over {@code i = start, start + step, ... < end}: its two float sums as a pair. */
    private static long mass(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, int start, int end, int step,
                             float onTarget, float spread, float total, boolean offTarget, float m) {
        float a = 0;
        float d = 0;
        for (int i = start; i < end; i += step) {
            float zi = z[zFrom + i];
            if (zi != Float.NEGATIVE_INFINITY) {
                float ai = mass(zi, t[tFrom + i], w == null ? 1f : w[wFrom + i], onTarget, spread, total, offTarget);
                a += ai;
                d += ai * (m - zi);
            }
        }
        return ScalarKernels.pair(a, d);
    }

    @Override
    public int gradient(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, float[] g, int gFrom, int len,
                        float onTarget, float spread, float total, boolean offTarget, float f, float s, int[] blocks) {
        return gradient(z, zFrom, t, tFrom, w, wFrom, g, gFrom, 0, len, onTarget, spread, total, offTarget, f, s, blocks,
                0);
    }

    /**
     * {@link #gradient(float[], int, float[], int, float[], int, float[], int, int, float, float, float, boolean,
     * float, float, int[])} over {@code i} in {@code [from, to)}, appending to {@code blocks} after its first
     * {@code n} (the vector kernels' tail); returns the new count.
     */
    static int gradient(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, float[] g, int gFrom, int from,
                        int to, float onTarget, float spread, float total, boolean offTarget, float f, float s,
                        int[] blocks, int n) {
        int last = n == 0 ? -1 : blocks[n - 1];
        for (int i = from; i < to; i++) {
            float zi = z[zFrom + i];
            if (zi == Float.NEGATIVE_INFINITY) {
                g[gFrom + i] = 0f;
                continue;
            }
            float as = mass(zi, t[tFrom + i], w == null ? 1f : w[wFrom + i], onTarget, spread, total, offTarget) * s;
            float gi = (g[gFrom + i] * f - as) + 0f;
            g[gFrom + i] = gi;
            int block = i & -LANES;
            if (Math.abs(gi) < 0.125f * as && block != last) {
                blocks[n++] = block;
                last = block;
            }
        }
        return n;
    }
}
