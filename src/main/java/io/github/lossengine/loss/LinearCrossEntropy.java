package io.github.lossengine.loss;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;
import java.util.Objects;

/**
 * Fused linear + softmax cross-entropy, the language-model head's loss (PyTorch
 * {@code F.linear_cross_entropy}, Liger-Kernel's fused linear cross-entropy): the logits
 * {@code z = h W^T + b} are never held for the whole batch. Inputs, in PyTorch's order:
 * {@code hidden} {@code h} [N, D], {@code linear_weight} {@code W} [V, D] (nn.Linear's layout, out x
 * in), {@code target} [N] class indices (int32/int64) and, with {@link #bias(boolean) bias(true)},
 * {@code linear_bias} {@code b} [V].
 *
 * <p>Dtypes: {@code h}, {@code W} and {@code b} are all float32, or all bfloat16, or all float16; a
 * mix is refused before anything is written, naming the argument and both dtypes, on every backend.
 * With 16-bit inputs the math is the float32 computation on their exact values (the weight widened
 * once per call, hidden one chunk of rows at a time): the value is the float32 value on the widened
 * inputs, and each gradient comes in its input's dtype (or float32 when a float32 buffer is passed to
 * {@link io.github.lossengine.LossEngine#computeInto}), the float32 gradient rounded once to nearest
 * even. dW and db are accumulated in float32 over all chunks and rounded once at the end, never
 * accumulated in 16 bits (Liger-Kernel #512: bf16 accumulation of dW diverged). The extra workspace
 * of 16-bit inputs is {@code 8 (V D + V)} bytes (the float32 weight and bias and their gradients'
 * accumulators) and {@code 8 rows D} (a chunk of hidden and of its gradient): nothing of N x D or
 * N x V.
 *
 * <p>The value is exactly that of {@link SoftmaxCrossEntropy} with index targets on {@code z}, with
 * every option of it that applies to index targets ({@link #ce()} holds them, checked by that
 * class): label smoothing in both conventions, {@code ignore_index}, class weights,
 * {@code all_ignored}, {@code z_loss}, {@code softcap}, {@code normalizer}, and the reductions NONE,
 * SUM and MEAN. With {@code dZ = dL/dz} (the cross-entropy's gradient, scaled by the reduction):
 * {@code dL/dh = dZ W}, {@code dL/dW = dZ^T h}, {@code dL/db = sum_i dZ_i}. A row whose target is
 * {@code ignore_index} has a zero {@code dZ} row, so its {@code dL/dh} row is exactly 0.
 *
 * <p>The work runs in chunks of {@link #chunkRows()} rows: for each chunk the logits
 * {@code h_c W^T + b} go into a chunk buffer [rows, V], the fused cross-entropy turns that buffer in
 * place into {@code dZ} (already divided by the whole batch's MEAN denominator, found first from
 * the targets), then {@code dh_c = dZ W}, {@code dW += dZ^T h_c} and {@code db += sum dZ}. Nothing of
 * size N x V is allocated. With {@code chunkRows} 0 (the default) a chunk is as many rows as fit in
 * {@code max(maxWorkspaceBytes, bytes of hidden)} ({@link #DEFAULT_MAX_WORKSPACE_BYTES} by
 * default). dW and db are accumulated in float32, chunk after chunk and row after row in each: for
 * one chunk size the gradients are bitwise the same from run to run and on any number of threads;
 * another chunk size agrees within float32 rounding.
 *
 * <p>NaN or infinite values in {@code hidden}, {@code W} or {@code b} reach the logits they touch and
 * then behave as in {@link SoftmaxCrossEntropy} (a NaN logit makes its row NaN); a {@code -inf} logit
 * can only come from an infinite input, and is masked as there.
 *
 * <p>Conventions against PyTorch and Liger: {@code ignore_index} (-100), the MEAN denominator
 * {@code sum_i w_(y_i)} and UNIFORM smoothing {@code eps / V} are PyTorch's; Liger's
 * {@code lse_square_scale} is {@link #zLoss(double)} without the class weight, its
 * {@code softcap} is ours. An all-ignored MEAN gives 0 by default (PyTorch: NaN; see
 * {@link AllIgnoredPolicy}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param ce                the cross-entropy options applied to the logits (index targets)
 * @param bias              whether a fourth input {@code linear_bias} [V] is added to the logits
 * @param chunkRows         rows per chunk, or 0 for the default from {@code maxWorkspaceBytes}
 * @param maxWorkspaceBytes the workspace bound from which the default chunk is derived
 * @param allowTf32         whether cuBLAS may run the three products with TF32 tensor cores
 *                          ({@link #allowTf32(boolean)}; off by default)
 */
public record LinearCrossEntropy(SoftmaxCrossEntropy ce, boolean bias, int chunkRows, long maxWorkspaceBytes,
                                 boolean allowTf32) implements Loss {
    /** The default workspace bound of the chunk buffer: 64 MiB (or the size of hidden, when larger). */
    public static final long DEFAULT_MAX_WORKSPACE_BYTES = 64L << 20;
    private static final List<String> INPUTS = List.of("hidden", "linear_weight", "target");
    private static final List<String> INPUTS_WITH_BIAS = List.of("hidden", "linear_weight", "target", "linear_bias");

    public LinearCrossEntropy {
        Objects.requireNonNull(ce, "ce");
        if (chunkRows < 0) {
            throw new InvalidInputException("chunk_rows", "must be >= 0 (0: from max_workspace_bytes), got " + chunkRows);
        }
        if (maxWorkspaceBytes <= 0) {
            throw new InvalidInputException("max_workspace_bytes", "must be > 0, got " + maxWorkspaceBytes);
        }
    }

    /** Mean reduction, no bias, the default chunking and {@link SoftmaxCrossEntropy}'s defaults. */
    public LinearCrossEntropy() {
        this(new SoftmaxCrossEntropy(), false, 0, DEFAULT_MAX_WORKSPACE_BYTES, false);
    }

    /** These options with float32 products everywhere ({@link #allowTf32()} off). */
    public LinearCrossEntropy(SoftmaxCrossEntropy ce, boolean bias, int chunkRows, long maxWorkspaceBytes) {
        this(ce, bias, chunkRows, maxWorkspaceBytes, false);
    }

    /**
     * This loss with the cross-entropy options of {@code options} (its reduction included; every
     * option of {@link SoftmaxCrossEntropy} applies to the index targets this loss takes).
     */
    public LinearCrossEntropy ce(SoftmaxCrossEntropy options) {
        Objects.requireNonNull(options, "options");
        return new LinearCrossEntropy(options, bias, chunkRows, maxWorkspaceBytes, allowTf32);
    }

    private LinearCrossEntropy with(SoftmaxCrossEntropy options) {
        return ce(options);
    }

    /** With {@code true}, the loss takes a fourth input {@code linear_bias} [V]. */
    public LinearCrossEntropy bias(boolean bias) {
        return new LinearCrossEntropy(ce, bias, chunkRows, maxWorkspaceBytes, allowTf32);
    }

    /** Rows per chunk ({@code >= 1}), or 0 for the default derived from {@link #maxWorkspaceBytes()}. */
    public LinearCrossEntropy chunkRows(int rows) {
        return new LinearCrossEntropy(ce, bias, rows, maxWorkspaceBytes, allowTf32);
    }

    /** The bound ({@code > 0}) of the chunk buffer from which the default {@link #chunkRows()} is derived. */
    public LinearCrossEntropy maxWorkspaceBytes(long bytes) {
        return new LinearCrossEntropy(ce, bias, chunkRows, bytes, allowTf32);
    }

    /**
     * With {@code true}, CUDA's cuBLAS path runs the three products with
     * {@code CUBLAS_COMPUTE_32F_FAST_TF32}: inputs rounded to TF32 (10-bit mantissa) on tensor cores,
     * float32 accumulation, about 1e-3 relative error per product instead of float32's 1e-7, so the
     * results no longer agree with the CPU within this loss's documented float32 tolerance. Off by
     * default ({@code CUBLAS_COMPUTE_32F}, with {@code CUBLAS_DEFAULT_MATH}). Every other path (the
     * CPU, OpenCL, CUDA's built-in GEMM kernel) computes in float32 either way and ignores it.
     */
    public LinearCrossEntropy allowTf32(boolean allow) {
        return new LinearCrossEntropy(ce, bias, chunkRows, maxWorkspaceBytes, allow);
    }

    /**
     * Rows per chunk for a call of {@code rows} x {@code hidden} hidden states and {@code classes}
     * classes: {@link #chunkRows()} when set, else as many rows of {@code classes} float32 logits as fit
     * in {@code max(maxWorkspaceBytes, bytes of hidden)}; at least 1, at most {@code rows} (when
     * {@code rows > 0}), and one Java array.
     */
    public int rowsPerChunk(long rows, long hidden, long classes) {
        long perRow = 4L * Math.max(1, classes);
        long r = chunkRows;
        if (r == 0) {
            long bound = Math.max(maxWorkspaceBytes, 4L * rows * hidden);
            r = bound / perRow;
        }
        r = Math.min(r, (Integer.MAX_VALUE - 8) / Math.max(1, classes));
        return (int) Math.max(1, Math.min(r, rows));
    }

    @Override
    public Reduction reduction() {
        return ce.reduction();
    }

    @Override
    public LinearCrossEntropy reduction(Reduction reduction) {
        LossOptions.requireReduction(reduction, name(), false);
        return with(ce.reduction(reduction));
    }

    /** See {@link SoftmaxCrossEntropy#labelSmoothing(double)}. */
    public LinearCrossEntropy labelSmoothing(double eps) {
        return with(ce.labelSmoothing(eps));
    }

    /** See {@link SoftmaxCrossEntropy#labelSmoothing(double, SmoothingConvention)}. */
    public LinearCrossEntropy labelSmoothing(double eps, SmoothingConvention convention) {
        return with(ce.labelSmoothing(eps, convention));
    }

    /** See {@link SoftmaxCrossEntropy#ignoreIndex(long)}. */
    public LinearCrossEntropy ignoreIndex(long ignoreIndex) {
        return with(ce.ignoreIndex(ignoreIndex));
    }

    /** One weight per class (V entries), or null; see {@link SoftmaxCrossEntropy#classWeights(float[])}. */
    public LinearCrossEntropy classWeights(float[] weights) {
        return with(ce.classWeights(weights));
    }

    /** See {@link SoftmaxCrossEntropy#allIgnored(AllIgnoredPolicy)}. */
    public LinearCrossEntropy allIgnored(AllIgnoredPolicy policy) {
        return with(ce.allIgnored(policy));
    }

    /** See {@link SoftmaxCrossEntropy#zLoss(double)}. */
    public LinearCrossEntropy zLoss(double coef) {
        return with(ce.zLoss(coef));
    }

    /** See {@link SoftmaxCrossEntropy#softcap(double)}. */
    public LinearCrossEntropy softcap(double cap) {
        return with(ce.softcap(cap));
    }

    /** See {@link SoftmaxCrossEntropy#normalizer(double)}. */
    public LinearCrossEntropy normalizer(double normalizer) {
        return with(ce.normalizer(normalizer));
    }

    @Override
    public String name() {
        return "linear_cross_entropy";
    }

    @Override
    public List<String> inputNames() {
        return bias ? INPUTS_WITH_BIAS : INPUTS;
    }

    /** hidden, linear_weight and linear_bias; never the target. */
    @Override
    public boolean differentiable(int i) {
        return i == 0 || i == 1 || (bias && i == 3);
    }
}
