/*
 * The 16-bit float types (bfloat16, IEEE binary16) in one place: every kernel computes in float32,
 * and 16-bit data is read with le_load16 and written with le_store16 (bf16 = 1: bfloat16, 0:
 * binary16), as io.github.lossengine.HalfFloats does on the host: widening exact; narrowing to
 * nearest, ties to even, NaN kept (quiet), overflow to +-inf, binary16 subnormals exact.
 */

DEVICE float le_f16_to_f32(UINT h) {
    UINT sign = (h & 0x8000u) << 16;
    UINT exp = (h >> 10) & 0x1fu;
    UINT mant = h & 0x3ffu;
    if (exp == 0x1fu) {
        return AS_FLOAT(sign | 0x7f800000u | (mant << 13));
    }
    if (exp == 0u) {
        float v = (float) mant * 5.9604644775390625e-8f; /* mant * 2^-24, exact */
        return sign ? -v : v;
    }
    return AS_FLOAT(sign | ((exp + 112u) << 23) | (mant << 13));
}

DEVICE UINT le_f32_to_f16(float f) {
    UINT x = AS_UINT(f);
    UINT sign = (x >> 16) & 0x8000u;
    UINT a = x & 0x7fffffffu;
    if (a > 0x7f800000u) {
        return sign | 0x7e00u | ((a >> 13) & 0x3ffu);
    }
    if (a >= 0x477ff000u) {
        return sign | 0x7c00u;
    }
    if (a < 0x38800000u) {
        if (a < 0x33000000u) {
            return sign;
        }
        UINT e = a >> 23;
        UINT m = (a & 0x7fffffu) | 0x800000u;
        UINT shift = 126u - e;
        UINT q = m >> shift;
        UINT rest = m & ((1u << shift) - 1u);
        UINT mid = 1u << (shift - 1u);
        if (rest > mid || (rest == mid && (q & 1u))) {
            q += 1u;
        }
        return sign | q;
    }
    UINT r = a - 0x38000000u;
    r += 0xfffu + ((r >> 13) & 1u);
    return sign | (r >> 13);
}

DEVICE UINT le_f32_to_bf16(float f) {
    UINT x = AS_UINT(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) {
        return (x >> 16) | 0x0040u;
    }
    return (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
}

/* Element i of 16-bit data as float32. */
DEVICE float le_load16(GLOBAL const USHORT* RESTRICT p, LONG i, int bf16) {
    UINT h = p[i];
    return bf16 ? AS_FLOAT(h << 16) : le_f16_to_f32(h);
}

/* v rounded once into element i of 16-bit data. */
DEVICE void le_store16(GLOBAL USHORT* RESTRICT p, LONG i, float v, int bf16) {
    p[i] = (USHORT) (bf16 ? le_f32_to_bf16(v) : le_f32_to_f16(v));
}
