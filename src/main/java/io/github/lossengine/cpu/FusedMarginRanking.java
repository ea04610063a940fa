package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MarginRanking;

/**
 * Fused float32 {@link MarginRanking}: {@code t = margin - y (x1 - x2)} in float32 (the margin
 * rounded to float32), loss {@code max(0, t)}, gradients {@code -y scale} for {@code x1} and
 * {@code y scale} for {@code x2} where {@code t >= 0}, 0 where {@code t < 0}, NaN where {@code t} is NaN
 * ({@link PairKernels#marginRanking}). The shape checks are {@link MarginRankingCpu#checkShapes}; the
 * labels are then checked (exactly ±1) in a parallel pass, all before anything is written, with the
 * reference's messages. Chunks of the elements in parallel, chunk boundaries on multiples of
 * {@link FloatKernels#BLOCK}, each block's sum added in order, chunks in chunk order: the same bits
 * on any thread count.
 *
 * <p>Storage: float inputs and gradients of any kind (float32, bfloat16, float16); when one is not
 * a whole float32 heap array, every block is staged through the chunk's scratch ({@link HalfStaging}:
 * one bulk copy per block and tensor, 16-bit values widened exactly and a 16-bit gradient rounded
 * to nearest even), which gives the array call's bits on the widened values. Stateless and thread-safe.
 */
final class FusedMarginRanking implements FusedLoss<MarginRanking> {

    @Override
    public boolean accepts(MarginRanking loss, Tensor[] inputs, Tensor[] gradients) {
        for (int i = 0; i < 3; i++) {
            if (!inputs[i].isFloat() || i < 2 && gradients[i] != null && !gradients[i].isFloat()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public LossResult compute(MarginRanking loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k, WorkerPool pool) {
        Tensor x1 = inputs[0];
        Tensor x2 = inputs[1];
        Tensor y = inputs[2];
        MarginRankingCpu.checkShapes(loss, x1, x2, y);
        FusedPointwise.requirePlusMinusOne(loss.inputNames().get(2), y, k, pool);
        int n = Math.toIntExact(x1.size());
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, x1.rank() == 0 ? 1 : x1.dim(0), loss.inputNames().get(0));
        float[] values = r == Reduction.NONE ? new float[n] : null;
        Tensor[] t = {x1, x2, y, gradients[0], gradients[1]};
        float margin = (float) loss.margin();
        float gScale = (float) scale;
        PairKernels pk = k.pair();
        int chunks = Chunking.count(n, 1);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(n, chunks, c, FloatKernels.BLOCK);
                int to = (int) Chunking.start(n, chunks, c + 1, FloatKernels.BLOCK);
                Blocks b = new Blocks(t, values, k);
                double total = 0;
                for (int at = from; at < to; at += FloatKernels.BLOCK) {
                    int len = Math.min(to, at + FloatKernels.BLOCK) - at;
                    int i = b.read(at, len);
                    total += pk.marginRanking(b.a[0], b.a[1], b.a[2], b.a[3], b.a[4], b.a[5], i, i + len, margin, gScale);
                    b.write(at, len);
                }
                return total;
            }
        }.runOn(pool);
        return Reductions.result(r, sum, scale, values, x1.shape(), gradients);
    }

    /**
     * The arrays a block's kernel reads and writes: {@code a} holds x1, x2, y, g1, g2 (null where not
     * wanted) and the values (null unless NONE), either the caller's whole arrays (blocks at their own
     * index) or, when any tensor is not a whole heap array, scratch blocks (every block at index 0).
     */
    private static final class Blocks {
        final float[][] a = new float[6][];
        private final Tensor[] t;
        private final float[] values;
        private final boolean staged;
        private final FloatKernels k;

        Blocks(Tensor[] t, float[] values, FloatKernels k) {
            this.t = t;
            this.k = k;
            this.values = values;
            boolean whole = true;
            for (Tensor e : t) {
                whole &= e == null || e.floatArrayOrNull() != null;
            }
            staged = !whole;
            for (int e = 0; e < t.length; e++) {
                if (t[e] != null) {
                    a[e] = staged ? new float[FloatKernels.BLOCK] : t[e].floatArrayOrNull();
                }
            }
            if (values != null) {
                a[5] = staged ? new float[FloatKernels.BLOCK] : values;
            }
        }

        /** Stages the inputs of block {@code [at, at + len)}; returns the kernel's index of its first element. */
        int read(int at, int len) {
            if (!staged) {
                return at;
            }
            for (int e = 0; e < 3; e++) {
                HalfStaging.read(t[e], at, a[e], len, k);
            }
            return 0;
        }

        /** Stores the staged gradients and values of block {@code [at, at + len)}. */
        void write(int at, int len) {
            if (!staged) {
                return;
            }
            for (int e = 3; e < 5; e++) {
                if (t[e] != null) {
                    HalfStaging.write(a[e], t[e], at, len, k);
                }
            }
            if (values != null) {
                System.arraycopy(a[5], 0, values, at, len);
            }
        }
    }
}
