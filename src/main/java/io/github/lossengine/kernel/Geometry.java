package io.github.lossengine.kernel;

/**
 * Launch geometry shared by every device backend, so that CUDA and OpenCL run the same kernels
 * with the same groups and therefore the same reduction order.
 *
 * <p>Every group has {@link #GROUP_SIZE} threads (the constant {@code GROUP_SIZE} in
 * {@code kernels/common/reduce.h}). Element-wise kernels use a grid-stride loop over at most
 * {@link #MAX_GROUPS} groups. Row kernels split a group into segments of {@code seg} threads
 * (a power of two), one row per segment: many rows per group when rows are short, one group per
 * row when they are long. Each first-stage group writes one row of partial sums; one group then
 * adds them in a fixed order ({@code le_reduce_partials_f32}).
 *
 * @param groups     number of groups to launch (at least 1)
 * @param segment    threads per row (row kernels), {@link #GROUP_SIZE} for element-wise kernels
 */
public record Geometry(int groups, int segment) {
    /** Threads per group; must equal {@code GROUP_SIZE} in {@code kernels/common/reduce.h}. */
    public static final int GROUP_SIZE = 256;
    /** Upper bound on first-stage groups (and so on the partial sums the second stage adds). */
    public static final int MAX_GROUPS = 1024;
    /** Floats of local memory a row group may use to cache its rows; {@code ROW_CACHE} in reduce.h. */
    public static final int ROW_CACHE = 4096;
    /** Elements a thread should handle at least, before another thread is given to a row. */
    static final int ELEMENTS_PER_THREAD = 4;

    /** Rows handled by one group at a time. */
    public int rowsPerGroup() {
        return GROUP_SIZE / segment;
    }

    /** Geometry of an element-wise kernel over {@code n} elements. */
    public static Geometry elementwise(long n) {
        long groups = (n + GROUP_SIZE - 1) / GROUP_SIZE;
        return new Geometry((int) Math.max(1, Math.min(MAX_GROUPS, groups)), GROUP_SIZE);
    }

    /**
     * Geometry of a row kernel over {@code rows} rows of {@code cols} elements: the segment is the
     * smallest power of two with at most {@value #ELEMENTS_PER_THREAD} elements per thread, capped
     * at the group size.
     */
    public static Geometry rows(long rows, long cols) {
        int seg = 1;
        while (seg < GROUP_SIZE && (long) seg * ELEMENTS_PER_THREAD < cols) {
            seg <<= 1;
        }
        int perGroup = GROUP_SIZE / seg;
        long groups = (rows + perGroup - 1) / perGroup;
        return new Geometry((int) Math.max(1, Math.min(MAX_GROUPS, groups)), seg);
    }

    /** Whether the group's rows fit in its local-memory row cache (read once instead of twice). */
    public boolean rowsFitCache(long cols) {
        return cols * rowsPerGroup() <= ROW_CACHE;
    }
}
