package io.github.lossengine;

/**
 * Conversions between float32 and the 16-bit float formats (Java 17 has no
 * {@code Float.float16ToFloat}). Widening is exact; narrowing rounds to nearest, ties to even;
 * NaN stays NaN (quiet, sign kept), ±Inf stays ±Inf, and values beyond the format's largest finite
 * one after rounding become ±Inf. binary16 subnormals are produced and read exactly. Stateless and
 * thread-safe.
 */
public final class HalfFloats {
    private static final float[] FLOAT16 = new float[65536];

    static {
        for (int h = 0; h < 65536; h++) {
            FLOAT16[h] = float16ToFloatSlow((short) h);
        }
    }

    private HalfFloats() {
    }

    /** The float32 value of a bfloat16 bit pattern (exact). */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** {@code f} rounded to bfloat16 (nearest, ties to even; NaN stays a quiet NaN). */
    public static short floatToBFloat16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7fffffff) > 0x7f800000) {
            return (short) ((x >>> 16) | 0x0040);
        }
        int rounded = x + 0x7fff + ((x >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** The float32 value of an IEEE binary16 bit pattern (exact). */
    public static float float16ToFloat(short bits) {
        return FLOAT16[bits & 0xffff];
    }

    private static float float16ToFloatSlow(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // subnormal (or zero): mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** {@code f} rounded to IEEE binary16 (nearest, ties to even; overflow to ±Inf; NaN stays a quiet NaN). */
    public static short floatToFloat16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) {
            // >= 65520 (the midpoint above 65504) or Inf
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // below 2^-14: a subnormal half, mant = round(|f| * 2^24); values below 2^-25 round to 0
            if (abs < 0x33000000) {
                return (short) sign;
            }
            int e = abs >>> 23;
            int m = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - e; // |f| = m * 2^(e - 150); half mant = m * 2^(e - 126) = m >> (126 - e)
            int q = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rest > half || (rest == half && (q & 1) != 0)) {
                q++;
            }
            return (short) (sign | q);
        }
        // normal: rebias the exponent, round the 13 dropped bits (a carry into the exponent is right)
        int r = abs - 0x38000000;
        r += 0xfff + ((r >>> 13) & 1);
        return (short) (sign | (r >>> 13));
    }

    /** {@code f} rounded to {@code dtype} ({@link DType#BFLOAT16} or {@link DType#FLOAT16}). */
    public static short round(DType dtype, float f) {
        return dtype == DType.BFLOAT16 ? floatToBFloat16(f) : floatToFloat16(f);
    }

    /** The float32 value of a {@code dtype} bit pattern. */
    public static float widen(DType dtype, short bits) {
        return dtype == DType.BFLOAT16 ? bfloat16ToFloat(bits) : float16ToFloat(bits);
    }
}
