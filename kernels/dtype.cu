/*
 * 16-bit float tensors on the device (common/dtype.h): an input is widened once into float32
 * scratch before a loss's kernels run, and a gradient asked for in its input's 16-bit type is
 * computed in float32 and rounded once into it afterwards.
 */
KERNEL void le_widen16_f32(GLOBAL const USHORT* RESTRICT in, LONG n, int bf16, GLOBAL float* RESTRICT out) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        out[i] = le_load16(in, i, bf16);
    }
}

KERNEL void le_narrow16_f32(GLOBAL const float* RESTRICT in, LONG n, int bf16, GLOBAL USHORT* RESTRICT out) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        le_store16(out, i, in[i], bf16);
    }
}
