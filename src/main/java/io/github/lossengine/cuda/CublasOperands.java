package io.github.lossengine.cuda;

/**
 * How {@code linear_cross_entropy}'s three row-major products map onto one column-major
 * {@code cublasGemmEx} call each, by swapping operands: a row-major {@code [r, c]} matrix is, read
 * column-major with leading dimension {@code c}, its transpose, so {@code C = A B} (row-major) is
 * computed as {@code C^T = B^T A^T} (column-major), with cuBLAS's A being the row-major right-hand
 * operand. With {@code rows} the chunk's rows, {@code D} the hidden size and {@code V} the classes:
 * <ul>
 * <li>logits {@code Z[rows, V] = H W^T}: {@code Z^T = W H^T}: transa = T on W (lda = D), transb = N on
 *     H (ldb = D), m = V, n = rows, k = D, ldc = V, beta = 0;</li>
 * <li>{@code dH[rows, D] = dZ W}: {@code dH^T = W^T dZ^T}: transa = N on W (lda = D), transb = N on
 *     dZ (ldb = V), m = D, n = rows, k = V, ldc = D, beta = 0;</li>
 * <li>{@code dW[V, D] += dZ^T H}: {@code dW^T += H^T dZ}: transa = N on H (lda = D), transb = T on dZ
 *     (ldb = V), m = D, n = V, k = rows, ldc = D, beta = 1.</li>
 * </ul>
 * A pure function of the shapes (no cuBLAS class is touched), so it is tested without a GPU.
 * Thread-safe (immutable).
 */
public final class CublasOperands {
    /** cuBLAS's {@code CUBLAS_OP_N}. */
    public static final int OP_N = 0;
    /** cuBLAS's {@code CUBLAS_OP_T}. */
    public static final int OP_T = 1;

    /** Which of the product's matrices a cuBLAS operand is. */
    public enum Operand { HIDDEN, WEIGHT, DZ }

    /**
     * The arguments of one column-major {@code cublasGemmEx}: {@code C = alpha op(A) op(B) + beta C},
     * op(A) m x k, op(B) k x n, C m x n.
     */
    public record Call(int transa, int transb, int m, int n, int k, Operand a, int lda, Operand b, int ldb, int ldc,
                       float beta) {
    }

    private CublasOperands() {
    }

    /** {@code logits[rows, V] = H W^T}. */
    public static Call logits(int rows, int d, int v) {
        return new Call(OP_T, OP_N, v, rows, d, Operand.WEIGHT, d, Operand.HIDDEN, d, v, 0f);
    }

    /** {@code dH[rows, D] = dZ W}. */
    public static Call hiddenGradient(int rows, int d, int v) {
        return new Call(OP_N, OP_N, d, rows, v, Operand.WEIGHT, d, Operand.DZ, v, d, 0f);
    }

    /** {@code dW[V, D] += dZ^T H}. */
    public static Call weightGradient(int rows, int d, int v) {
        return new Call(OP_N, OP_T, d, v, rows, Operand.HIDDEN, d, Operand.DZ, v, d, 1f);
    }
}
