package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;

/**
 * Fused float32 element-wise losses of a prediction and a target of the same shape: value and
 * gradient in one pass, chunks of the elements in parallel, chunk boundaries on multiples of
 * {@link FloatKernels#BLOCK}, each chunk's blocks handed to {@link #block} in order (so a block is
 * the same elements, and its sum the same bits, on any number of threads). Checks as
 * {@link PointwiseCpu}, in the same order and with the same messages, before anything is written.
 */
abstract class FusedPointwise<L extends Loss> implements FusedLoss<L> {

    /** The value-range check of the inputs, on the heap arrays; before anything is written. */
    protected void validate(L loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
    }

    /** The gradient factor handed to {@link #block}, from the reduction's scale: by default the scale in float32. */
    protected float gradientScale(L loss, double scale) {
        return (float) scale;
    }

    /**
     * The arrays and factors of one call, shared by its blocks: predictions, targets, the gradient
     * and per-element values (null where not wanted), the gradient factor, and the element weights
     * and per-column parameter (null where the loss has none).
     */
    record Operands(float[] x, float[] y, float[] g, float[] values, float gScale, ElementWeights weights,
                    ElementWeights columnParameter) {
    }

    /**
     * Elements {@code [from, to)}, one block (at most {@link FloatKernels#BLOCK} elements, starting on
     * a multiple of it): writes {@code o.g()} and {@code o.values()} where non-null, returns the sum of
     * the losses.
     */
    protected abstract double block(L loss, FloatKernels k, Operands o, int from, int to);

    /** Element weights (one per element or per entry of the last dimension), or null; checked as the reference does. */
    protected float[] elementWeights(L loss) {
        return null;
    }

    /** A per-column parameter (one value or one per entry of the last dimension, checked by {@link #validate}), or null. */
    protected float[] columnParameter(L loss) {
        return null;
    }

    @Override
    public boolean accepts(L loss, Tensor[] inputs, Tensor[] gradients) {
        return inputs[0].floatArrayOrNull() != null && inputs[1].floatArrayOrNull() != null
                && FusedLoss.heapFloats(gradients[0]);
    }

    @Override
    public final LossResult compute(L loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k, WorkerPool pool) {
        Tensor x = inputs[0];
        Tensor y = inputs[1];
        String xName = loss.inputNames().get(0);
        Checks.requireFloat(xName, x);
        Checks.requireFloat(loss.inputNames().get(1), y);
        Checks.requireSameShape(xName, x, loss.inputNames().get(1), y);
        long lastDim = x.rank() == 0 ? 1 : x.dim(-1);
        float[] w = elementWeights(loss);
        PointwiseCpu.requireWeightLength(w, x.size(), lastDim);
        validate(loss, x, y, k, pool);
        int n = Math.toIntExact(x.size());
        float[] c = columnParameter(loss);
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, x.rank() == 0 ? 1 : x.dim(0), xName);
        float[] values = r == Reduction.NONE ? new float[n] : null;
        Operands o = new Operands(x.floatArrayOrNull(), y.floatArrayOrNull(), FusedLoss.array(gradients[0]), values,
                gradientScale(loss, scale), ElementWeights.of(w, n, lastDim),
                ElementWeights.of(c, n, c != null && c.length == 1 ? 1 : lastDim));
        int chunks = Chunking.count(n, 1);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(n, chunks, c, FloatKernels.BLOCK);
                int to = (int) Chunking.start(n, chunks, c + 1, FloatKernels.BLOCK);
                double total = 0;
                for (int b = from; b < to; b += FloatKernels.BLOCK) {
                    total += block(loss, k, o, b, Math.min(to, b + FloatKernels.BLOCK));
                }
                return total;
            }
        }.runOn(pool);
        return Reductions.result(r, sum, scale, values, x.shape(), gradients);
    }

    /** A search of one range of indices: the first that fails a check in {@code [from, to)}, or -1. */
    interface RangeSearch {
        int first(int from, int to);
    }

    /** The first index of {@code [0, n)} that {@code search} finds, or -1; chunks in parallel. */
    static int firstIndex(int n, WorkerPool pool, RangeSearch search) {
        int chunks = Chunking.count(n, 1);
        int[] first = new int[chunks];
        pool.run(new WorkerPool.Job(chunks) {
            @Override
            void runChunk(int c) {
                first[c] = search.first((int) Chunking.start(n, chunks, c, FloatKernels.BLOCK),
                        (int) Chunking.start(n, chunks, c + 1, FloatKernels.BLOCK));
            }
        });
        for (int f : first) {
            if (f >= 0) {
                return f;
            }
        }
        return -1;
    }

    /** The first index of {@code y} whose value is not -1 or +1, or -1. */
    static int firstNotPlusMinusOne(float[] y, FloatKernels k, WorkerPool pool) {
        return firstIndex(y.length, pool, (from, to) -> k.firstNotPlusMinusOne(y, from, to));
    }

    /**
     * Refuses the first value of {@code t} outside {@code [lo, hi]} (NaN included), as
     * {@link InvalidInputException#at} words it with {@code problem}; a parallel pass.
     */
    static void requireWithin(String arg, Tensor t, float lo, float hi, String problem, FloatKernels k,
                              WorkerPool pool) {
        float[] a = t.floatArrayOrNull();
        int bad = firstIndex(a.length, pool, (from, to) -> k.firstOutside(a, from, to, lo, hi));
        if (bad >= 0) {
            throw InvalidInputException.at(arg, t, bad, Checks.format(a[bad]), problem);
        }
    }
}
