package io.github.lossengine.cpu;

/**
 * The float32 inner loops of softmax cross-entropy with probability (soft) targets, over one row
 * (or a stretch of one) of heap arrays. The target mass of class {@code i} is
 * {@code a_i = w_i q_i} ({@code w} null: all 1), with
 * {@code q_i = onTarget t_i + spread u_i} where the logit {@code z_i} is not {@code -inf} (an
 * open class) and {@code q_i = onTarget t_i} where it is; {@code u_i = 1} (label smoothing
 * {@code UNIFORM}) or {@code max(total - t_i, 0)} ({@code offTarget}: the row's other classes'
 * probability). Each {@code a_i} is computed by the same float32 operations in both
 * implementations ({@link ScalarSoftTargetKernels}, {@code VectorSoftTargetKernels}), and their sums
 * follow {@link FloatKernels}' lane contract, so both give the same bits. Stateless and thread-safe.
 */
interface SoftTargetKernels {

    /** Whether every {@code t[from + i]}, {@code i} in {@code [0, len)}, is finite and {@code >= 0} (no NaN). */
    boolean probabilities(float[] t, int from, int len);

    /**
     * Over the open classes of {@code i} in {@code [0, len)}: {@code sums[0] = sum a_i} and
     * {@code sums[1] = sum a_i (m - z_i)} (with {@code m} the row's maximum, so every term is
     * {@code >= 0}); {@code z} at {@code zFrom + i}, {@code t} at {@code tFrom + i}, {@code w} at {@code wFrom + i}.
     */
    void mass(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, int len, float onTarget, float spread,
              float total, boolean offTarget, float m, double[] sums);

    /**
     * The gradient row: {@code g[gFrom + i] = (g[gFrom + i] f - a_i s) + 0} for the open classes
     * ({@code g} holds {@code exp(z_i - m)}), exactly 0 for the masked ones. Returns how many
     * 8-element blocks ({@code i} from a multiple of {@link FloatKernels#LANES}) hold an open class
     * whose result cancels, {@code |g_i| < 0.125 (a_i s)} in float32, and writes their first indices
     * {@code i}, ascending, to {@code blocks} (at least {@code ceil(len / 8)} long): the entries the
     * caller refines. The same blocks on both implementations, since the test is on the same bits.
     */
    int gradient(float[] z, int zFrom, float[] t, int tFrom, float[] w, int wFrom, float[] g, int gFrom, int len,
                 float onTarget, float spread, float total, boolean offTarget, float f, float s, int[] blocks);
}
