/*
 * The dense products of linear_cross_entropy (io.github.lossengine.kernel.LinearCrossEntropyKernel):
 * one tiled GEMM with strides (the logits h W^T + b, dH = dZ W, dW += dZ^T h), the bias gradient's
 * column sums, and copies with offsets (a chunk's targets, per-row values). Float32 accumulation,
 * every output entry summed by one thread in a fixed order: no atomics, no warp intrinsics, so the
 * results are the same on every run.
 */
#define LE_TILE 16

/*
 * C[i, j] = sum_p A(i, p) B(p, j) (+ bias[j]) for i < m, j < n, p ascending in tiles of 16, added to
 * C[i, j] when accumulate is set; A(i, p) = a[aOff + i sai + p sap], B(p, j) = b[bOff + p sbp + j sbj],
 * C[i, j] = c[cOff + i ldc + j]. One group of 256 threads per 16 x 16 tile of C (tiles row-major over
 * ceil(n / 16) columns), one entry per thread; 16 x 16 tiles of A and B go through local memory.
 */
KERNEL void le_gemm_f32(GLOBAL const float* RESTRICT a, LONG aOff, LONG sai, LONG sap,
                        GLOBAL const float* RESTRICT b, LONG bOff, LONG sbp, LONG sbj,
                        GLOBAL float* RESTRICT c, LONG cOff, LONG ldc, int m, int n, int k, int accumulate,
                        GLOBAL const float* RESTRICT bias, int hasBias) {
    LOCAL float ta[LE_TILE * LE_TILE];
    LOCAL float tb[LE_TILE * LE_TILE];
    int tilesN = (n + LE_TILE - 1) / LE_TILE;
    int ti = GROUP_ID / tilesN;
    int tj = GROUP_ID - ti * tilesN;
    int ly = LOCAL_ID / LE_TILE;
    int lx = LOCAL_ID - ly * LE_TILE;
    int i = ti * LE_TILE + ly;
    int j = tj * LE_TILE + lx;
    int ja = tj * LE_TILE + ly;
    float acc = 0.0f;
    for (int p0 = 0; p0 < k; p0 += LE_TILE) {
        /* padding is 0 on both sides of the same p, so it adds exactly 0 */
        int pa = p0 + lx;
        ta[ly * LE_TILE + lx] = (i < m && pa < k) ? a[aOff + (LONG) i * sai + (LONG) pa * sap] : 0.0f;
        /* B's tile stored transposed (row lx = p, column ly = j), read along j by consecutive threads */
        tb[lx * LE_TILE + ly] = (ja < n && pa < k) ? b[bOff + (LONG) pa * sbp + (LONG) ja * sbj] : 0.0f;
        SYNC_THREADS;
        for (int q = 0; q < LE_TILE; q++) {
            acc += ta[ly * LE_TILE + q] * tb[q * LE_TILE + lx];
        }
        SYNC_THREADS;
    }
    if (i < m && j < n) {
        LONG at = cOff + (LONG) i * ldc + j;
        float v = hasBias ? acc + bias[j] : acc;
        c[at] = accumulate ? c[at] + v : v;
    }
}

/* db[j] += sum_i dz[i n + j] over i < m, ascending, for every j < n (one thread per column). */
KERNEL void le_column_sums_f32(GLOBAL const float* RESTRICT dz, int m, LONG n, GLOBAL float* RESTRICT db) {
    for (LONG j = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; j < n; j += (LONG) NUM_GROUPS * GROUP_SIZE) {
        float s = 0.0f;
        for (int i = 0; i < m; i++) {
            s += dz[(LONG) i * n + j];
        }
        db[j] += s;
    }
}

/* dst[to + i] = src[from + i] for i < count (class indices). */
KERNEL void le_copy_i64(GLOBAL const LONG* RESTRICT src, LONG from, LONG count, GLOBAL LONG* RESTRICT dst, LONG to) {
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < count; i += (LONG) NUM_GROUPS * GROUP_SIZE) {
        dst[to + i] = src[from + i];
    }
}

/* dst[to + i] = src[from + i] for i < count. */
KERNEL void le_copy_f32(GLOBAL const float* RESTRICT src, LONG from, LONG count, GLOBAL float* RESTRICT dst, LONG to) {
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < count; i += (LONG) NUM_GROUPS * GROUP_SIZE) {
        dst[to + i] = src[from + i];
    }
}
