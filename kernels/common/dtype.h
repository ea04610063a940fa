/*
 * The 16-bit float types (bfloat16, IEEE binary16) in one place: every kernel computes in float32,
 * and 16-bit data is read with le_load16 and written with le_store16 (bf16 = 1: bfloat16, 0:
 * binary16), as io.github.lossengine.HalfFloats does on the host: widening exact; narrowing to
 * nearest, ties to even, NaN kept (quiet), overflow to +-inf, binary16 subnormals exact.
 * A kernel that takes a tensor of any float type gets its type code (LE_F32, LE_BF16, LE_F16) and
 * reads and writes it with le_load_as and le_store_as, so 16-bit data moves as 16 bits.
 */
#define LE_F32 0
#define LE_BF16 1
#define LE_F16 2

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

/* A 16-bit pattern as float32 (exact). */
DEVICE float le_widen16(UINT h, int bf16) {
    return bf16 ? AS_FLOAT(h << 16) : le_f16_to_f32(h);
}

/* Element i of 16-bit data as float32. */
DEVICE float le_load16(GLOBAL const USHORT* RESTRICT p, LONG i, int bf16) {
    return le_widen16(p[i], bf16);
}

/* v rounded once into element i of 16-bit data. */
DEVICE void le_store16(GLOBAL USHORT* RESTRICT p, LONG i, float v, int bf16) {
    p[i] = (USHORT) (bf16 ? le_f32_to_bf16(v) : le_f32_to_f16(v));
}

/* Element i of float data of type dt (LE_F32, LE_BF16 or LE_F16), passed as a float pointer. */
DEVICE float le_load_as(GLOBAL const float* RESTRICT p, LONG i, int dt) {
    return dt == LE_F32 ? p[i] : le_load16((GLOBAL const USHORT*) p, i, dt == LE_BF16);
}

/* v into element i of float data of type dt: stored as float32, or rounded once into 16 bits. */
DEVICE void le_store_as(GLOBAL float* RESTRICT p, LONG i, float v, int dt) {
    if (dt == LE_F32) {
        p[i] = v;
    } else {
        le_store16((GLOBAL USHORT*) p, i, v, dt == LE_BF16);
    }
}

/*
 * Elements i, i + step, i + 2 step, i + 3 step of float data of type dt into v[0..3]: the four loads
 * issued before any conversion (one branch on dt for all four), as the row loops want them in flight.
 */
DEVICE void le_load4_as(GLOBAL const float* RESTRICT p, LONG i, LONG step, int dt, float* v) {
    if (dt == LE_F32) {
        float a = p[i];
        float b = p[i + step];
        float c = p[i + 2 * step];
        float d = p[i + 3 * step];
        v[0] = a;
        v[1] = b;
        v[2] = c;
        v[3] = d;
    } else {
        GLOBAL const USHORT* RESTRICT q = (GLOBAL const USHORT*) p;
        UINT a = q[i];
        UINT b = q[i + step];
        UINT c = q[i + 2 * step];
        UINT d = q[i + 3 * step];
        int bf16 = dt == LE_BF16;
        v[0] = le_widen16(a, bf16);
        v[1] = le_widen16(b, bf16);
        v[2] = le_widen16(c, bf16);
        v[3] = le_widen16(d, bf16);
    }
}
