/*
 * 16-bit float tensors on the device (common/dtype.h): an input is widened once into float32
 * scratch before a loss's kernels run, and a gradient asked for in its input's 16-bit type is
 * computed in float32 and rounded once into it afterwards. The element offsets (from: of the
 * 16-bit input; to: of the 16-bit output) let linear_cross_entropy widen and round one chunk of
 * rows at a time; every other caller passes 0.
 */
KERNEL void le_widen16_f32(GLOBAL const USHORT* RESTRICT in, LONG from, LONG n, int bf16, GLOBAL float* RESTRICT out) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        out[i] = le_load16(in, from + i, bf16);
    }
}

KERNEL void le_narrow16_f32(GLOBAL const float* RESTRICT in, LONG n, int bf16, GLOBAL USHORT* RESTRICT out, LONG to) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        le_store16(out, to + i, in[i], bf16);
    }
}
