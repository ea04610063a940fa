package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.util.Arrays;

/**
 * The fused float32 loop of the losses on rows of embeddings (cosine_embedding, triplet,
 * contrastive), the fused twin of {@link EmbeddingRowsCpu}: the same checks (its {@code check}, so
 * the same refusals, before anything is written), rows in parallel in fixed chunks ({@link Chunking}),
 * each row's loss from {@link #row}, summed per chunk with {@link CompensatedSum} and the chunks in
 * chunk order ({@link SumJob}), so the result does not depend on the thread count. A row's sums run in
 * float32 lanes ({@link PairKernels}), its scalars (norms, cosine, clamp) in double, its gradients in
 * float32 with the reduction's scale folded into one factor per term.
 *
 * <p>Storage: float32 embeddings and gradients of any kind (heap arrays in place; ranges, heap and
 * direct {@link java.nio.FloatBuffer}s of either byte order staged row by row through the chunk's
 * scratch rows with one bulk copy each way). The kernels' results depend only on a row's values, so a
 * staged row gives the bits of the array call. Labels may be of any dtype and storage (read one per
 * row). Stateless and thread-safe.
 */
abstract class FusedEmbeddingRows<L extends Loss> implements FusedLoss<L> {
    private final EmbeddingRowsCpu<L> reference;
    private final int embeddings;

    /**
     * @param reference  the reference whose checks this loss shares
     * @param embeddings how many leading inputs are {@code [N, D]} embeddings (a label input may follow)
     */
    FusedEmbeddingRows(EmbeddingRowsCpu<L> reference, int embeddings) {
        this.reference = reference;
        this.embeddings = embeddings;
    }

    /**
     * The loss of row {@code r} (its label {@code label}, NaN for none); writes the gradient rows of
     * {@code r} that are non-null, scaled by {@code r.scale}.
     */
    protected abstract double row(L loss, PairKernels k, Row r, double label);

    /** Whether the fused kernels take the loss's options (otherwise the reference runs). */
    protected boolean takes(L loss) {
        return true;
    }

    /** Float32 embeddings and gradients of any storage kind, and options {@link #takes} takes. */
    @Override
    public final boolean accepts(L loss, Tensor[] inputs, Tensor[] gradients) {
        for (int e = 0; e < embeddings; e++) {
            if (inputs[e].dtype() != DType.FLOAT32 || gradients[e] != null && gradients[e].dtype() != DType.FLOAT32) {
                return false;
            }
        }
        return takes(loss);
    }

    @Override
    public final LossResult compute(L loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k, WorkerPool pool) {
        reference.check(loss, inputs);
        int n = Math.toIntExact(inputs[0].dim(0));
        int d = Math.toIntExact(inputs[0].dim(1));
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, n, loss.inputNames().get(0));
        float[] values = r == Reduction.NONE ? new float[n] : null;
        Tensor labels = inputs.length > embeddings ? inputs[embeddings] : null;
        PairKernels pk = k.pair();
        int chunks = Chunking.count(n, (long) d * embeddings);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(n, chunks, c, 1);
                int to = (int) Chunking.start(n, chunks, c + 1, 1);
                Row row = new Row(inputs, gradients, embeddings, d, scale);
                CompensatedSum s = new CompensatedSum();
                for (int i = from; i < to; i++) {
                    row.read(i);
                    double l = FusedEmbeddingRows.this.row(loss, pk, row, labels == null ? Double.NaN : labels.getDouble(i));
                    row.write(i);
                    s.add(Reductions.float32Range(l));
                    if (values != null) {
                        values[i] = (float) l;
                    }
                }
                return s.value();
            }
        }.runOn(pool);
        return Reductions.result(r, sum, scale, values, new long[] {n}, gradients);
    }

    /**
     * One row of every embedding and gradient, where the kernels read and write it: {@code x[e]} from
     * {@code xo[e]} (the caller's array at the row's offset, or a scratch row at 0), {@code g[e]} from
     * {@code go[e]} (null where that gradient is not wanted); {@code d} entries each. Also the row's
     * scaled sums ({@link #norm}). One per chunk, confined to its thread.
     */
    static final class Row {
        final float[][] x;
        final int[] xo;
        final float[][] g;
        final int[] go;
        final int d;
        /** The reduction's scale, which every gradient gets. */
        final double scale;
        /** Per slot: the scaled sum of {@link #norm} and its power-of-two scale. */
        final double[] sum = new double[3];
        final float[] k = new float[3];
        final double[] sums = new double[3];
        private final Tensor[] in;
        private final Tensor[] out;
        private final float[][] whole;
        private final float[][] wholeG;

        Row(Tensor[] inputs, Tensor[] gradients, int embeddings, int d, double scale) {
            this.d = d;
            this.scale = scale;
            in = Arrays.copyOf(inputs, embeddings);
            out = Arrays.copyOf(gradients, embeddings);
            x = new float[embeddings][];
            xo = new int[embeddings];
            g = new float[embeddings][];
            go = new int[embeddings];
            whole = new float[embeddings][];
            wholeG = new float[embeddings][];
            for (int e = 0; e < embeddings; e++) {
                whole[e] = in[e].floatArrayOrNull();
                x[e] = whole[e] != null ? whole[e] : new float[d];
                if (out[e] != null) {
                    wholeG[e] = out[e].floatArrayOrNull();
                    g[e] = wholeG[e] != null ? wholeG[e] : new float[d];
                }
            }
        }

        /** Points at row {@code i}: the arrays' offsets, or the row read into scratch. */
        void read(int i) {
            int off = i * d;
            for (int e = 0; e < x.length; e++) {
                if (whole[e] != null) {
                    xo[e] = off;
                } else {
                    in[e].read(off, x[e], 0, d);
                }
                if (wholeG[e] != null) {
                    go[e] = off;
                }
            }
        }

        /** Stores row {@code i}'s staged gradients. */
        void write(int i) {
            for (int e = 0; e < g.length; e++) {
                if (g[e] != null && wholeG[e] == null) {
                    out[e].write((long) i * d, g[e], 0, d);
                }
            }
        }

        /** Sets gradient row {@code e} (where wanted) to +0. */
        void zero(int e) {
            if (g[e] != null) {
                Arrays.fill(g[e], go[e], go[e] + d, 0f);
            }
        }

        /**
         * Into {@code sum[slot]} and {@code k[slot]}: the float-lane sum of {@code |v_j|^p} ({@code p} 1
         * or 2) for {@code v = x[a] - x[b] + eps} scaled by the power of two {@code k[slot]}
         * ({@link RowScale}; 1 unless the unscaled sum is out of range).
         */
        void norm(PairKernels pk, int a, int b, float eps, int p, int slot) {
            float s = 1f;
            double v = pk.differenceSum(x[a], xo[a], x[b], xo[b], d, 1f, eps, p);
            if (RowScale.needed(v)) {
                s = RowScale.of(RowScale.maxAbs(x[a], xo[a], x[b], xo[b], d, eps));
                if (s != 1f) {
                    v = pk.differenceSum(x[a], xo[a], x[b], xo[b], d, s, eps * s, p);
                }
            }
            sum[slot] = v;
            k[slot] = s;
        }

        /**
         * {@code c t(v)} into gradient row {@code e} (added to it when {@code add}), {@code v} the
         * scaled difference of slot {@code slot} ({@link #norm} of {@code x[a] - x[b]}), {@code t(v)}
         * {@code sign(v)} ({@code p = 1}) or {@code v / norm} ({@code p = 2}), the whole multiplied by the
         * reduction's scale when this is the row's {@code last} term; nothing when that gradient is not
         * wanted.
         */
        void term(PairKernels pk, int e, int a, int b, float eps, int p, int slot, float norm, double c, boolean add,
                  boolean last) {
            if (g[e] != null) {
                float s = k[slot];
                pk.differenceTerm(x[a], xo[a], x[b], xo[b], d, s, eps * s, p, norm, (float) c, add,
                        last ? (float) scale : 1f, g[e], go[e]);
            }
        }
    }
}
