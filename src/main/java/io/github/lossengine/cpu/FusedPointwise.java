package io.github.lossengine.cpu;

import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Fused float32 element-wise losses of a prediction and a target of the same shape: value and
 * gradient in one pass, chunks of the elements in parallel, chunk boundaries on multiples of
 * {@link FloatKernels#BLOCK}, each chunk's blocks handed to {@link #block} in order (so a block is
 * the same elements, and its sum the same bits, on any number of threads). Checks as
 * {@link PointwiseCpu}, in the same order and with the same messages, before anything is written.
 *
 * <p>Storage: float32 tensors of any kind (heap arrays, heap or direct {@link java.nio.FloatBuffer}s
 * of either byte order, {@link Tensor#ofRange} views). When the predictions, the targets and the
 * gradient all live in heap arrays ({@link Tensor#floatBackingArrayOrNull()}: whole arrays, writable
 * heap buffer slices, {@link Tensor#ofRange} views) the kernels run on those arrays in place, each
 * operand at its own offset where the loss's kernel takes offsets ({@link #offsets()}); otherwise
 * each chunk stages its blocks through its own {@code float[BLOCK]} scratch ({@link Tensor#read} and
 * {@link Tensor#write}, one bulk copy per block): for a loss whose kernel takes offsets only the
 * operands outside heap arrays, at the block's element indices; for the others every operand, and
 * the kernel runs on the same block at index 0.
 * A kernel's result depends only on the block's contents and length, so a staged or offset call
 * gives the bits of the array call; nothing the size of the problem is copied. Staging costs one
 * extra pass through the core per operand (measured: mse 16M from direct buffers about 2x the
 * {@code float[]} time on 2 threads, where the kernel runs at memory speed). So where
 * {@link FloatKernels#direct()} has kernels (the Vector API on Java 22 and later) and the three
 * operands are direct buffers of native byte order, a loss with {@link #directBlocks()} (by default
 * those with {@link #offsets()}; not poisson_nll, whose double-lane kernel has no direct form, so its
 * direct operands are staged alone) runs {@link #directBlock} on the buffers' memory in place, every
 * block but a last one with a partial vector, which is staged (on Java 17 and 18 through
 * {@code ByteBuffer} views of the buffers' memory, {@link DirectBufferKernels}; where a buffer has no
 * view, {@link DirectBufferKernels#memory} null, all three operands are staged), as are the other
 * byte order and a read-only gradient. 16-bit operands (bfloat16, float16: {@code short[]} or
 * {@link java.nio.ShortBuffer}) are never in place: each block is widened into the chunk's float32
 * scratch (exact), the float32 kernel runs on it, and a 16-bit gradient is the float32 one rounded
 * to nearest even ({@link HalfStaging}); so a 16-bit call gives the bits of the float32 call on the
 * widened inputs, rounded once, on any thread count and with or without the Vector API. The
 * validation passes stage the same way
 * ({@link #firstIndex(Tensor, WorkerPool, ArraySearch)}; labels of a direct buffer are checked in
 * place where there are direct kernels).
 */
abstract class FusedPointwise<L extends Loss> implements FusedLoss<L> {

    /** The value-range check of the inputs (of any storage kind); before anything is written. */
    protected void validate(L loss, Tensor x, Tensor y, FloatKernels k, WorkerPool pool) {
    }

    /** The gradient factor handed to {@link #block}, from the reduction's scale: by default the scale in float32. */
    protected float gradientScale(L loss, double scale) {
        return (float) scale;
    }

    /**
     * The arrays and factors a block reads: predictions, targets, the gradient and per-element
     * values (null where not wanted), the gradient factor, the element weights and per-column
     * parameter (null where the loss has none), and {@code base}, the element whose entries the
     * arrays hold at index 0 (0 for the caller's whole arrays, the block's first element for staged
     * scratch). {@code xo}, {@code yo} and {@code go}: where element {@code i} of the predictions,
     * targets and gradient sits in its array, at {@code i + xo} (and so on: negative for a block
     * staged into scratch); non-zero only for a loss whose kernel takes offsets ({@link #offsets()}).
     */
    record Operands(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, float gScale,
                    ElementWeights weights, ElementWeights columnParameter, int base) {
        /** The shift from a kernel index to its element weight's, for the block at kernel index {@code from}. */
        int weightShift(int from) {
            return ElementWeights.shift(weights, from, base);
        }

        /** The shift from a kernel index to its column parameter's, for the block at kernel index {@code from}. */
        int columnShift(int from) {
            return ElementWeights.shift(columnParameter, from, base);
        }
    }

    /**
     * Elements {@code [from, to)}, one block (at most {@link FloatKernels#BLOCK} elements, starting on
     * a multiple of it): writes {@code o.g()} and {@code o.values()} where non-null, returns the sum of
     * the losses.
     */
    protected abstract double block(L loss, FloatKernels k, Operands o, int from, int to);

    /**
     * Whether {@link #block} hands {@link Operands#xo()}, {@link Operands#yo()} and
     * {@link Operands#go()} to its kernel, so that views into larger heap arrays run in place, and
     * {@link #directBlock} runs direct native-order buffers in place where {@link FloatKernels#direct()}
     * has kernels; where not, views (unless every offset is 0) and direct buffers are staged.
     */
    protected boolean offsets() {
        return false;
    }

    /**
     * Whether {@link #directBlock} runs direct native-order buffers in place (where
     * {@link FloatKernels#direct()} has kernels); by default where {@link #offsets()}. A loss with
     * offsets but no direct kernel (poisson_nll: double lanes) stages only its direct operands, block
     * by block, and runs its array kernel on the others in place.
     */
    protected boolean directBlocks() {
        return offsets();
    }

    /** The handles and factors of a call on direct buffers: predictions, targets, gradient (or null). */
    record DirectOperands(Object x, Object y, Object g, float[] values, float gScale) {
    }

    /**
     * One block {@code [from, to)} of whole vectors on direct buffers, as {@link #block} computes it
     * (the same kernel's operations, the same bits); only called where {@link #offsets()}.
     */
    protected double directBlock(L loss, DirectBufferKernels d, DirectOperands o, int from, int to) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no direct-buffer kernel");
    }

    /** Whether {@code t} is a direct float buffer of native byte order (writable if {@code write}), or null (no gradient). */
    static boolean nativeDirect(Tensor t, boolean write) {
        FloatBuffer b = t == null ? null : t.floatBufferOrNull();
        return t == null || b != null && b.isDirect() && b.order() == ByteOrder.nativeOrder()
                && !(write && b.isReadOnly());
    }

    /** Element weights (one per element or per entry of the last dimension), or null; checked as the reference does. */
    protected float[] elementWeights(L loss) {
        return null;
    }

    /** A per-column parameter (one value or one per entry of the last dimension, checked by {@link #validate}), or null. */
    protected float[] columnParameter(L loss) {
        return null;
    }

    /**
     * Float predictions, targets and gradient (or none) of any storage kind: float32, or bfloat16 and
     * float16 (each its own, in any mix), which are staged ({@link HalfStaging}).
     */
    @Override
    public boolean accepts(L loss, Tensor[] inputs, Tensor[] gradients) {
        return inputs[0].isFloat() && inputs[1].isFloat() && (gradients[0] == null || gradients[0].isFloat());
    }

    /** Whether {@code t} holds float32 elements (of any storage kind). */
    static boolean float32(Tensor t) {
        return t.dtype() == DType.FLOAT32;
    }

    /** Whether {@code t} lives in a heap array ({@link Tensor#floatBackingArrayOrNull()}), or is null (no gradient). */
    static boolean inHeapArray(Tensor t) {
        return t == null || t.floatBackingArrayOrNull() != null;
    }

    /** {@code t}'s offset in its heap array; 0 for null. */
    static int offset(Tensor t) {
        return t == null ? 0 : t.floatBackingOffset();
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
        Tensor g = gradients[0];
        boolean inPlace = inHeapArray(x) && inHeapArray(y) && inHeapArray(g)
                && (offsets() || offset(x) == 0 && offset(y) == 0 && offset(g) == 0);
        // with offsets only the operands outside heap arrays are staged (null here); without, all of them
        boolean heap = inPlace || offsets();
        Operands o = new Operands(heap ? x.floatBackingArrayOrNull() : null, offset(x),
                heap ? y.floatBackingArrayOrNull() : null, offset(y),
                heap && g != null ? g.floatBackingArrayOrNull() : null, offset(g), values,
                gradientScale(loss, scale), ElementWeights.of(w, n, lastDim),
                ElementWeights.of(c, n, c != null && c.length == 1 ? 1 : lastDim), 0);
        DirectBufferKernels d = k.direct();
        DirectOperands direct = !inPlace && d != null && directBlocks() && nativeDirect(x, false)
                && nativeDirect(y, false) && nativeDirect(g, true)
                ? directOperands(d, x, y, g, values, o.gScale()) : null;
        int chunks = Chunking.count(n, 1);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(n, chunks, c, FloatKernels.BLOCK);
                int to = (int) Chunking.start(n, chunks, c + 1, FloatKernels.BLOCK);
                if (inPlace) {
                    return chunk(loss, k, o, from, to);
                }
                if (direct != null) {
                    return directChunk(loss, k, d, o, direct, x, y, g, from, to);
                }
                return offsets() ? partlyStagedChunk(loss, k, o, x, y, g, from, to)
                        : stagedChunk(loss, k, o, x, y, g, from, to);
            }
        }.runOn(pool);
        return Reductions.result(r, sum, scale, values, x.shape(), gradients);
    }

    /** The handles on the three buffers, or null when {@code d} cannot read one of them in place (then all are staged). */
    private static DirectOperands directOperands(DirectBufferKernels d, Tensor x, Tensor y, Tensor g, float[] values,
                                                 float gScale) {
        Object xm = d.memory(x.floatBufferOrNull());
        Object ym = d.memory(y.floatBufferOrNull());
        Object gm = g == null ? null : d.memory(g.floatBufferOrNull());
        return xm == null || ym == null || (g != null && gm == null) ? null
                : new DirectOperands(xm, ym, gm, values, gScale);
    }

    /** The blocks of {@code [from, to)} on the caller's arrays. */
    private double chunk(L loss, FloatKernels k, Operands o, int from, int to) {
        double total = 0;
        for (int b = from; b < to; b += FloatKernels.BLOCK) {
            total += block(loss, k, o, b, Math.min(to, b + FloatKernels.BLOCK));
        }
        return total;
    }

    /**
     * The blocks of {@code [from, to)} through this chunk's scratch: each block's predictions and
     * targets read into it, the kernel run on it at index 0, its gradient and values written back.
     */
    private double stagedChunk(L loss, FloatKernels k, Operands whole, Tensor x, Tensor y, Tensor g, int from,
                               int to) {
        int block = FloatKernels.BLOCK;
        float[] xs = new float[block];
        float[] ys = new float[block];
        float[] gs = g == null ? null : new float[block];
        float[] vs = whole.values() == null ? null : new float[block];
        double total = 0;
        for (int b = from; b < to; b += block) {
            int len = Math.min(to, b + block) - b;
            HalfStaging.read(x, b, xs, len, k);
            HalfStaging.read(y, b, ys, len, k);
            Operands o = new Operands(xs, 0, ys, 0, gs, 0, vs, whole.gScale(), whole.weights(), whole.columnParameter(),
                    b);
            total += block(loss, k, o, 0, len);
            if (gs != null) {
                HalfStaging.write(gs, g, b, len, k);
            }
            if (vs != null) {
                System.arraycopy(vs, 0, whole.values(), b, len);
            }
        }
        return total;
    }

    /**
     * The blocks of {@code [from, to)} on direct buffers in place; a block whose length is not a
     * whole number of vectors (the last one of the tensor, at most) staged, through
     * {@link #partlyStagedChunk}, whose kernel adds its lanes and its scalar tail as the array call.
     */
    private double directChunk(L loss, FloatKernels k, DirectBufferKernels d, Operands whole, DirectOperands direct,
                               Tensor x, Tensor y, Tensor g, int from, int to) {
        double total = 0;
        for (int b = from; b < to; b += FloatKernels.BLOCK) {
            int end = Math.min(to, b + FloatKernels.BLOCK);
            total += (end - b) % FloatKernels.LANES == 0 ? directBlock(loss, d, direct, b, end)
                    : partlyStagedChunk(loss, k, whole, x, y, g, b, end);
        }
        return total;
    }

    /**
     * The blocks of {@code [from, to)} for a loss whose kernel takes offsets: the operands that
     * {@code whole} holds in heap arrays in place, each of the others (null in {@code whole}) read
     * into this chunk's scratch block by block and handed to the kernel at offset {@code -b}, so
     * that the kernel runs on element indices (the gradient written back after the block). Only
     * what is not in a heap array is copied: direct inputs with a {@code float[]} gradient copy two
     * operands, not three.
     */
    private double partlyStagedChunk(L loss, FloatKernels k, Operands whole, Tensor x, Tensor y, Tensor g,
                                     int from, int to) {
        int block = FloatKernels.BLOCK;
        float[] xs = whole.x() == null ? new float[block] : null;
        float[] ys = whole.y() == null ? new float[block] : null;
        float[] gs = g != null && whole.g() == null ? new float[block] : null;
        double total = 0;
        for (int b = from; b < to; b += block) {
            int end = Math.min(to, b + block);
            if (xs != null) {
                HalfStaging.read(x, b, xs, end - b, k);
            }
            if (ys != null) {
                HalfStaging.read(y, b, ys, end - b, k);
            }
            Operands o = new Operands(xs != null ? xs : whole.x(), xs != null ? -b : whole.xo(),
                    ys != null ? ys : whole.y(), ys != null ? -b : whole.yo(), gs != null ? gs : whole.g(),
                    gs != null ? -b : whole.go(), whole.values(), whole.gScale(), whole.weights(),
                    whole.columnParameter(), 0);
            total += block(loss, k, o, b, end);
            if (gs != null) {
                HalfStaging.write(gs, g, b, end - b, k);
            }
        }
        return total;
    }

    /** A search of one range of indices: the first that fails a check in {@code [from, to)}, or -1. */
    interface RangeSearch {
        int first(int from, int to);
    }

    /** A search of {@code a[from, to)}: the first index that fails a check, or -1. */
    interface ArraySearch {
        int first(float[] a, int from, int to);
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

    /**
     * The first element of the float32 tensor {@code t} that {@code search} finds, or -1; chunks in
     * parallel, on a heap array (at the view's offset) in place, on other storage block by block
     * through per-chunk scratch.
     */
    static int firstIndex(Tensor t, WorkerPool pool, ArraySearch search) {
        float[] a = t.floatBackingArrayOrNull();
        int n = Math.toIntExact(t.size());
        if (a != null) {
            int off = t.floatBackingOffset();
            return firstIndex(n, pool, (from, to) -> {
                int f = search.first(a, off + from, off + to);
                return f < 0 ? -1 : f - off;
            });
        }
        return firstIndex(n, pool, (from, to) -> {
            float[] s = new float[FloatKernels.BLOCK];
            for (int b = from; b < to; b += FloatKernels.BLOCK) {
                int len = Math.min(to, b + FloatKernels.BLOCK) - b;
                t.read(b, s, 0, len);
                int f = search.first(s, 0, len);
                if (f >= 0) {
                    return b + f;
                }
            }
            return -1;
        });
    }

    /**
     * The first index of {@code y} whose value is not -1 or +1, or -1; a direct native-order buffer
     * read in place where {@link FloatKernels#direct()} has kernels (its last partial vector with
     * {@link Tensor#getFloat}), other storage as {@link #firstIndex(Tensor, WorkerPool, ArraySearch)}.
     */
    static int firstNotPlusMinusOne(Tensor y, FloatKernels k, WorkerPool pool) {
        DirectBufferKernels d = k.direct();
        if (d == null || !nativeDirect(y, false)) {
            return firstIndex(y, pool, k::firstNotPlusMinusOne);
        }
        Object m = d.memory(y.floatBufferOrNull());
        if (m == null) {
            return firstIndex(y, pool, k::firstNotPlusMinusOne);
        }
        return firstIndex(Math.toIntExact(y.size()), pool, (from, to) -> {
            int whole = from + ((to - from) & -FloatKernels.LANES);
            int f = d.firstNotPlusMinusOne(m, from, whole);
            for (int i = whole; f < 0 && i < to; i++) {
                float v = y.getFloat(i);
                f = v == 1f || v == -1f ? -1 : i;
            }
            return f;
        });
    }

    /** Refuses the first label of {@code y} (named {@code name}) that is not exactly -1 or +1, as {@link Checks} does. */
    static void requirePlusMinusOne(String name, Tensor y, FloatKernels k, WorkerPool pool) {
        int bad = firstNotPlusMinusOne(y, k, pool);
        if (bad >= 0) {
            throw Checks.notPlusMinusOne(name, y, bad);
        }
    }

    /** The first index of {@code t} whose value is below 0 ({@code -0} and NaN are not), or -1. */
    static int firstNegative(Tensor t, WorkerPool pool) {
        return firstIndex(t, pool, (a, from, to) -> {
            for (int i = from; i < to; i++) {
                if (a[i] < 0) {
                    return i;
                }
            }
            return -1;
        });
    }

    /**
     * Refuses the first value of {@code t} outside {@code [lo, hi]} (NaN included), as
     * {@link InvalidInputException#at} words it with {@code problem}; a parallel pass.
     */
    static void requireWithin(String arg, Tensor t, float lo, float hi, String problem, FloatKernels k,
                              WorkerPool pool) {
        int bad = firstIndex(t, pool, (a, from, to) -> k.firstOutside(a, from, to, lo, hi));
        if (bad >= 0) {
            throw InvalidInputException.at(arg, t, bad, Checks.format(t.getFloat(bad)), problem);
        }
    }
}
