/*
 * Kernels every loss family uses: the fixed-order second reduction stage and the input checks that
 * count invalid values on the device (read back before any result is written).
 */

/*
 * Second stage of every reduction: partials[count][width] (one row per first-stage group) are
 * summed column by column into out[width]. One group; thread t adds rows t, t + GROUP_SIZE, ... with
 * Kahan compensation, then a fixed tree combines the threads.
 */
KERNEL void le_reduce_partials_f32(GLOBAL const float* RESTRICT partials, int count, int width,
                                   GLOBAL float* RESTRICT out) {
    LOCAL float buf[GROUP_SIZE];
    for (int k = 0; k < width; k++) {
        float sum = 0.0f;
        float comp = 0.0f;
        for (int i = LOCAL_ID; i < count; i += GROUP_SIZE) {
            le_kahan_add(&sum, &comp, partials[(LONG) i * width + k]);
        }
        float total = le_group_sum(buf, sum);
        if (LOCAL_ID == 0) {
            out[k] = total;
        }
    }
}

/* Records one invalid element: err[0] counts them, err[1] keeps the lowest index (saturated at 2^31 - 1). */
DEVICE void le_report_invalid(GLOBAL int* err, LONG i) {
    ATOMIC_ADD_INT(&err[0], 1);
    ATOMIC_MIN_INT(&err[1], i < 2147483647L ? (int) i : 2147483647);
}

/*
 * Value checks on a float tensor of n elements. mode 0: lo <= x <= hi (NaN invalid);
 * mode 1: x == lo or x == hi (labels such as +-1 or 0/1); mode 2: not x < lo (NaN valid).
 */
KERNEL void le_check_f32(GLOBAL const float* RESTRICT x, LONG n, int mode, float lo, float hi,
                         GLOBAL int* RESTRICT err) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        float v = x[i];
        int ok = mode == 0 ? (v >= lo && v <= hi) : (mode == 1 ? (v == lo || v == hi) : !(v < lo));
        if (!ok) {
            le_report_invalid(err, i);
        }
    }
}

/* Class indices: each must lie in [0, classes) or (when allowIgnore) equal ignoreIndex. */
KERNEL void le_check_labels_i64(GLOBAL const LONG* RESTRICT y, LONG n, LONG classes, LONG ignoreIndex,
                                int allowIgnore, GLOBAL int* RESTRICT err) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        LONG v = y[i];
        if (!((v >= 0 && v < classes) || (allowIgnore && v == ignoreIndex))) {
            le_report_invalid(err, i);
        }
    }
}
