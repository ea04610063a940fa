package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * CPU {@link LinearCrossEntropy}: chunks of rows, each through one buffer [rows, V]. Per chunk
 * {@code c}: (1) the logits {@code h_c W^T} into the buffer ({@link Gemm.Call#logits}), plus the bias,
 * (2) {@link FusedSoftmaxCrossEntropy#block} turns them in place into {@code dZ} (one exp per
 * logit, already scaled by the MEAN factor of the whole batch, found first from all the targets),
 * (3) {@code dh_c = dZ W} and (4) {@code dW += dZ^T h_c} ({@link Gemm.Call#gradients}) and
 * {@code db += sum_i dZ_i}, row after row. Each step splits its work between the engine's threads in
 * parts fixed by the shapes, and every output element is summed in a fixed order, so the results
 * depend on the chunk size (and the GEMM) only, never on the thread count. The GEMM is
 * {@link GemmSelection}'s (OpenBLAS where it loads, else the kernels' Java GEMM); the reference path
 * (scalar kernels) always uses the kernels' Java GEMM.
 *
 * <p>Every input is checked before anything is written. The workspace is the chunk buffer (taken
 * from the allocator this instance was made with, which a test can count) and a few arrays of one
 * entry per row; nothing of size N x V. The same code runs with the vectorised kernels (as a
 * {@link FusedLoss}) and, without them, with {@link ScalarKernels} on the calling thread (as the
 * {@link CpuLoss}). Dtypes and storage are {@link LinearOperands}'s business: hidden, the weight
 * and the bias are all float32 or all of one 16-bit type (a mix is refused), and whatever is not a
 * heap {@code float[]} (16-bit tensors, {@code FloatBuffer}s, ranges) is widened or copied into
 * float32 (hidden chunk by chunk, the weight once per call), the gradients computed in float32 and
 * rounded once into their buffers; the workspace then adds the float32 weight, the dW accumulator
 * and two [rows, D] chunks (see there), still nothing of N x V.
 *
 * <p>Thread-safe: no state but the GEMM and the allocator.
 */
final class LinearCrossEntropyCpu implements FusedLoss<LinearCrossEntropy>, CpuLoss<LinearCrossEntropy> {
    private final Gemm gemm;
    private final IntFunction<float[]> workspace;

    /** With the GEMM of the kernels each call gets ({@link FloatKernels#gemm()}). */
    LinearCrossEntropyCpu() {
        this(null, float[]::new);
    }

    /** With the given GEMM (null: the kernels') and an allocator of the chunk buffer. */
    LinearCrossEntropyCpu(Gemm gemm, IntFunction<float[]> workspace) {
        this.gemm = gemm;
        this.workspace = workspace;
    }

    /** The shapes of a call whose inputs passed every check, and the cross-entropy's checks over the whole batch. */
    record Checked(int rows, int hidden, int classes, SoftmaxCrossEntropyCpu.Checked ce) {
    }

    /**
     * Checks every input, throwing {@link InvalidInputException} before anything is written: hidden
     * [N, D] and linear_weight [V, D] of the same D and the same float type (float32, bfloat16 or
     * float16; linear_bias too), linear_bias [V], target [N] of indices in
     * [0, V) or ignore_index, the class weights, and an empty MEAN.
     */
    static Checked check(LinearCrossEntropy loss, Tensor[] inputs) {
        Tensor h = inputs[0];
        Tensor w = inputs[1];
        Tensor target = inputs[2];
        Checks.requireFloat("hidden", h);
        Checks.requireRank("hidden", h, 2, "[N, D]");
        Checks.requireFloat("linear_weight", w);
        Checks.requireRank("linear_weight", w, 2, "[V, D] (nn.Linear's out x in)");
        Checks.requireLinearOperandTypes(h.dtype(), w.dtype(), loss.bias() ? inputs[3].dtype() : null);
        if (w.dim(1) != h.dim(1)) {
            throw new InvalidInputException("linear_weight", "shape " + Arrays.toString(w.shape()) + ": D = "
                    + w.dim(1) + " differs from hidden's D = " + h.dim(1) + " (hidden " + Arrays.toString(h.shape()) + ")");
        }
        long classes = w.dim(0);
        if (classes == 0 && h.dim(0) > 0) {
            throw new InvalidInputException("linear_weight", "shape " + Arrays.toString(w.shape()) + ": no classes");
        }
        if (loss.bias()) {
            Tensor b = inputs[3];
            Checks.requireFloat("linear_bias", b);
            if (b.rank() != 1 || b.dim(0) != classes) {
                throw new InvalidInputException("linear_bias", "shape " + Arrays.toString(b.shape())
                        + ": must be [V] = [" + classes + "] (linear_weight " + Arrays.toString(w.shape()) + ")");
            }
        }
        ClassRows.requireShape("target", target, h.dim(0));
        if (classes > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("linear_weight", "V = " + classes + " classes: a row of logits does not fit a Java array");
        }
        SoftmaxCrossEntropyCpu.Checked ce = SoftmaxCrossEntropyCpu.check(loss.ce(), h.dim(0), classes, target, null,
                "hidden");
        return new Checked((int) h.dim(0), (int) h.dim(1), (int) classes, ce);
    }

    @Override
    public boolean accepts(LinearCrossEntropy loss, Tensor[] inputs, Tensor[] gradients) {
        return true;
    }

    /** The reference path (no vectorised kernels): the same chunks, with the scalar kernels on the calling thread. */
    @Override
    public LossResult compute(LinearCrossEntropy loss, Tensor[] inputs, Tensor[] gradients) {
        ScalarKernels scalar = new ScalarKernels();
        try (WorkerPool caller = new WorkerPool(1)) {
            return compute(loss, inputs, gradients, scalar, caller, gemm != null ? gemm : scalar.gemm());
        }
    }

    @Override
    public LossResult compute(LinearCrossEntropy loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                              WorkerPool pool) {
        return compute(loss, inputs, gradients, k, pool, gemm != null ? gemm : GemmSelection.gemm(k));
    }

    private LossResult compute(LinearCrossEntropy loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k,
                               WorkerPool pool, Gemm gemm) {
        Checked c = check(loss, inputs);
        int n = c.rows();
        int d = c.hidden();
        int v = c.classes();
        Tensor target = inputs[2];
        Reduction r = loss.reduction();
        int rowsPerChunk = loss.rowsPerChunk(n, d, v);
        LinearOperands ops = new LinearOperands(inputs, gradients, loss.bias(), d, rowsPerChunk, k, workspace);
        float[] w = ops.w;
        float[] b = ops.b;
        float[] dh = ops.hiddenGradient();
        float[] dw = ops.dw;
        float[] db = ops.db;
        boolean wantGradient = dh != null || dw != null || db != null;
        float[] block = n == 0 ? new float[0] : workspace.apply(rowsPerChunk * v);
        long[] chunkTarget = new long[rowsPerChunk];
        float[] chunkValues = r == Reduction.NONE ? new float[rowsPerChunk] : null;
        float[] chunkLse = new float[rowsPerChunk];
        float[] values = r == Reduction.NONE ? new float[n] : null;
        float[] lse = new float[n];
        fillZero(dw);
        fillZero(db);
        CompensatedSum sum = new CompensatedSum();
        try (Gemm.Call products = gemm.open(w, d, v, rowsPerChunk, dw, pool)) {
            for (int r0 = 0; r0 < n; r0 += rowsPerChunk) {
                int m = Math.min(rowsPerChunk, n - r0);
                products.logits(ops.hidden(r0, m), ops.hiddenOffset(r0), m, block);
                if (b != null) {
                    run(pool, v, BlockedGemm.COLUMNS, (j0, j1) -> addBias(block, m, v, b, j0, j1));
                }
                for (int i = 0; i < m; i++) {
                    chunkTarget[i] = target.getLong(r0 + i);
                }
                sum.add(FusedSoftmaxCrossEntropy.block(loss.ce(), c.ce(), block, m, Tensor.ofLongs(chunkTarget),
                        wantGradient, chunkValues, chunkLse, k, pool));
                System.arraycopy(chunkLse, 0, lse, r0, m);
                if (values != null) {
                    System.arraycopy(chunkValues, 0, values, r0, m);
                }
                products.gradients(block, m, dh, ops.hiddenGradientOffset(r0), dw != null);
                if (dh != null) {
                    ops.hiddenGradientDone(r0, m);
                }
                if (db != null) {
                    run(pool, v, 8, (j0, j1) -> addColumnSums(block, m, v, j0, j1, db));
                }
            }
        }
        ops.finish();
        SoftmaxCrossEntropyCpu.Checked ce = c.ce();
        return ClassRows.result(r, sum.value(), ce.scale(), loss.ce().allIgnored(), values, n, gradients)
                .withStatistics(SoftmaxStatistics.of(loss.ce(), target, ce.weights(), lse, ce.denominator(), ce.scale()));
    }

    /** {@code z[i, j] += b[j]} for the chunk's rows, columns {@code [j0, j1)}. */
    private static void addBias(float[] z, int m, int v, float[] b, int j0, int j1) {
        for (int i = 0; i < m; i++) {
            int o = i * v;
            for (int j = j0; j < j1; j++) {
                z[o + j] += b[j];
            }
        }
    }

    /** {@code db[j] += dZ[i, j]} row after row, columns {@code [j0, j1)}. */
    private static void addColumnSums(float[] dz, int m, int v, int j0, int j1, float[] db) {
        for (int i = 0; i < m; i++) {
            int o = i * v;
            for (int j = j0; j < j1; j++) {
                db[j] += dz[o + j];
            }
        }
    }

    /** A range of a step's output: {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /**
     * {@code range} over {@code [0, units)} cut into parts aligned to {@code align} units (about one
     * per 64 aligned blocks, at most {@link Chunking#MAX_CHUNKS}), run on {@code pool}.
     */
    static void run(WorkerPool pool, int units, int align, Range range) {
        int blocks = (units + align - 1) / align;
        int parts = Math.max(1, Math.min(Chunking.MAX_CHUNKS, blocks));
        if (parts == 1 || pool.threads() == 1) {
            range.run(0, units);
            return;
        }
        pool.run(new WorkerPool.Job(parts) {
            @Override
            void runChunk(int p) {
                int from = (int) Math.min(units, (long) blocks * p / parts * align);
                int to = (int) Math.min(units, (long) blocks * (p + 1) / parts * align);
                if (from < to) {
                    range.run(from, to);
                }
            }
        });
    }

    private static void fillZero(float[] a) {
        if (a != null) {
            Arrays.fill(a, 0f);
        }
    }
}
