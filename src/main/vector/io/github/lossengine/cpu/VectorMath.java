package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FloatMath.EXP_OVERFLOW;
import static io.github.lossengine.cpu.FloatMath.EXP_UNDERFLOW;
import static io.github.lossengine.cpu.FloatMath.L0;
import static io.github.lossengine.cpu.FloatMath.L1;
import static io.github.lossengine.cpu.FloatMath.L2;
import static io.github.lossengine.cpu.FloatMath.L3;
import static io.github.lossengine.cpu.FloatMath.L4;
import static io.github.lossengine.cpu.FloatMath.L5;
import static io.github.lossengine.cpu.FloatMath.L6;
import static io.github.lossengine.cpu.FloatMath.L7;
import static io.github.lossengine.cpu.FloatMath.L8;
import static io.github.lossengine.cpu.FloatMath.LN2_HI;
import static io.github.lossengine.cpu.FloatMath.LN2_LO;
import static io.github.lossengine.cpu.FloatMath.LOG2E;
import static io.github.lossengine.cpu.FloatMath.P0;
import static io.github.lossengine.cpu.FloatMath.P1;
import static io.github.lossengine.cpu.FloatMath.P2;
import static io.github.lossengine.cpu.FloatMath.P3;
import static io.github.lossengine.cpu.FloatMath.P4;
import static io.github.lossengine.cpu.FloatMath.ROUNDER;
import static io.github.lossengine.cpu.FloatMath.ROUNDER_BITS;
import static io.github.lossengine.cpu.FloatMath.SQRT_HALF_BITS;
import static io.github.lossengine.cpu.FloatMath.TWO_23;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath} lane by lane on the Vector API: the same operations in the same order (fused
 * multiply-adds exactly where {@link FloatMath#FMA} fuses them), so every lane is the bits the
 * scalar function gives for that element; branches become blends. Also the species shared by the
 * vector kernels and their lane sum.
 *
 * <p>Written for C2's inlining budget ({@code NodeCountInliningCutoff}, about 18,000 IR nodes per
 * compilation, of which each Vector API operation costs several hundred while it is parsed): past
 * it, C2 still inlines the Vector API's own methods (late), but no method of ours, and a vector
 * that crosses a call that is not inlined is boxed (an allocation per vector, slower than scalar
 * code). So each function here is a short chain of Vector API calls and small helpers, with its
 * constants in static final fields (free at parse time, where a broadcast per use costs nodes), and
 * a kernel calls one of these first in its loop's body, so that the whole chain is inlined before
 * the cutoff. Stateless and thread-safe.
 */
final class VectorMath {
    /** 256-bit vectors (8 float lanes) where the CPU has them, else 128-bit. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    static final int L = F.length();
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final boolean FMA = FloatMath.FMA;

    static final FloatVector ZERO = FloatVector.zero(F);
    static final FloatVector ONE = FloatVector.broadcast(F, 1f);
    private static final FloatVector LOG2E_V = FloatVector.broadcast(F, LOG2E);
    private static final FloatVector ROUNDER_V = FloatVector.broadcast(F, ROUNDER);
    private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(F, -LN2_HI);
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(F, -LN2_LO);
    private static final FloatVector LN2_HI_V = FloatVector.broadcast(F, LN2_HI);
    private static final FloatVector LN2_LO_V = FloatVector.broadcast(F, LN2_LO);
    private static final FloatVector P0_V = FloatVector.broadcast(F, P0);
    private static final FloatVector P1_V = FloatVector.broadcast(F, P1);
    private static final FloatVector P2_V = FloatVector.broadcast(F, P2);
    private static final FloatVector P3_V = FloatVector.broadcast(F, P3);
    private static final FloatVector P4_V = FloatVector.broadcast(F, P4);
    private static final FloatVector L0_V = FloatVector.broadcast(F, L0);
    private static final FloatVector L1_V = FloatVector.broadcast(F, L1);
    private static final FloatVector L2_V = FloatVector.broadcast(F, L2);
    private static final FloatVector L3_V = FloatVector.broadcast(F, L3);
    private static final FloatVector L4_V = FloatVector.broadcast(F, L4);
    private static final FloatVector L5_V = FloatVector.broadcast(F, L5);
    private static final FloatVector L6_V = FloatVector.broadcast(F, L6);
    private static final FloatVector L7_V = FloatVector.broadcast(F, L7);
    private static final FloatVector L8_V = FloatVector.broadcast(F, L8);
    private static final FloatVector MINUS_HALF = FloatVector.broadcast(F, -0.5f);
    private static final FloatVector HALF = FloatVector.broadcast(F, 0.5f);
    /** The least float with {@code k = 1} in {@link #log}'s reduction: bits {@code SQRT_HALF_BITS + 2^23}. */
    private static final FloatVector SQRT_TWO = FloatVector.broadcast(F, Float.intBitsToFloat(SQRT_HALF_BITS + (1 << 23)));
    private static final FloatVector UNDERFLOW = FloatVector.broadcast(F, EXP_UNDERFLOW);
    private static final FloatVector OVERFLOW = FloatVector.broadcast(F, EXP_OVERFLOW);
    private static final FloatVector POSITIVE_INFINITY = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
    private static final FloatVector NEGATIVE_INFINITY = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    private static final FloatVector NAN = FloatVector.broadcast(F, Float.NaN);
    private static final FloatVector MIN_NORMAL = FloatVector.broadcast(F, Float.MIN_NORMAL);
    private static final FloatVector TWO_23_V = FloatVector.broadcast(F, TWO_23);
    private static final FloatVector TWENTY_THREE = FloatVector.broadcast(F, 23f);
    /** {@code 127 - ROUNDER_BITS}: added to a rounded value's bits, the exponent field of {@code 2^n} before the shift. */
    private static final IntVector EXPONENT_OF_ROUNDED = IntVector.broadcast(I, 127 - ROUNDER_BITS);
    private static final IntVector EXPONENT_BIAS = IntVector.broadcast(I, 127);
    private static final IntVector ROUNDER_BITS_V = IntVector.broadcast(I, ROUNDER_BITS);
    private static final IntVector SQRT_HALF_BITS_V = IntVector.broadcast(I, SQRT_HALF_BITS);

    private VectorMath() {
    }

    /** The lanes of {@code v} added in lane order into a double. */
    static double sumLanes(FloatVector v) {
        double s = 0;
        for (int l = 0; l < L; l++) {
            s += v.lane(l);
        }
        return s;
    }

    /** The {@link #L} floats at the start of {@code lanes} added in lane order into a double. */
    static double sumLanes(float[] lanes) {
        double s = 0;
        for (int l = 0; l < L; l++) {
            s += lanes[l];
        }
        return s;
    }

    /** {@code a b + c}, fused where {@link FloatMath#FMA}. */
    private static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** The rounded {@code x log2(e)} plus {@code ROUNDER}: the integer {@code n} of {@code e^x = 2^n e^r} in its low bits. */
    private static FloatVector rounded(FloatVector x) {
        return fma(x, LOG2E_V, ROUNDER_V);
    }

    /** {@code e^r - 1} for the reduced argument of {@code x}, from {@link #rounded} {@code t} ({@code FloatMath.expm1Reduced}). */
    private static FloatVector expm1Reduced(FloatVector x, FloatVector t) {
        FloatVector n = t.sub(ROUNDER_V);
        FloatVector r = fma(n, MINUS_LN2_HI, x);
        r = fma(n, MINUS_LN2_LO, r);
        FloatVector p = fma(r, P0_V, P1_V);
        p = fma(p, r, P2_V);
        p = fma(p, r, P3_V);
        p = fma(p, r, P4_V);
        return fma(p, r.mul(r), r);
    }

    /** {@code 2^n} for the integer {@code n} that {@link #rounded} {@code t} holds: {@code (bits - ROUNDER_BITS + 127) << 23} in one addition. */
    private static FloatVector pow2OfRounded(FloatVector t) {
        return t.reinterpretAsInts().add(EXPONENT_OF_ROUNDED).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** {@code 2^k} for integers {@code k} in {@code [-126, 127]}. */
    private static FloatVector pow2(IntVector k) {
        return k.add(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** {@link FloatMath#exp}: {@code e^x} for {@code x <= 0}. */
    static FloatVector exp(FloatVector x) {
        FloatVector t = rounded(x);
        FloatVector p2 = pow2OfRounded(t);
        return fma(expm1Reduced(x, t), p2, p2).blend(ZERO, x.lt(UNDERFLOW));
    }

    /** {@link FloatMath#expAny}: {@code e^x} for any {@code x}. */
    static FloatVector expAny(FloatVector x) {
        FloatVector t = rounded(x);
        IntVector k = t.reinterpretAsInts().sub(ROUNDER_BITS_V);
        IntVector h = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector e = expm1Reduced(x, t).add(ONE).mul(pow2(h)).mul(pow2(k.sub(h)));
        return e.blend(ZERO, x.lt(UNDERFLOW)).blend(POSITIVE_INFINITY, x.compare(VectorOperators.GT, OVERFLOW));
    }

    /** {@link FloatMath#expm1}: {@code e^x - 1} for {@code 0 <= x <= 88}. */
    static FloatVector expm1(FloatVector x) {
        FloatVector t = rounded(x);
        FloatVector p2 = pow2OfRounded(t);
        return fma(expm1Reduced(x, t), p2, p2.sub(ONE));
    }

    /** {@link FloatMath#log}: {@code ln x}, with every special case ({@code ±0}, subnormal, {@code +inf}, below 0, NaN). */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.lt(MIN_NORMAL);
        IntVector bits = x.blend(x.mul(TWO_23_V), subnormal).reinterpretAsInts();
        IntVector k = bits.sub(SQRT_HALF_BITS_V).lanewise(VectorOperators.ASHR, 23);
        FloatVector m = bits.sub(k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats().sub(ONE);
        FloatVector fk = floatOf(k).sub(ZERO.blend(TWENTY_THREE, subnormal));
        return logReduced(m, fk).blend(POSITIVE_INFINITY, x.eq(POSITIVE_INFINITY))
                .blend(NAN, x.compare(VectorOperators.GT, ZERO).not())
                .blend(NEGATIVE_INFINITY, x.eq(ZERO));
    }

    /**
     * {@link FloatMath#log} of {@code x} in [1, 2] (a NaN lane gives a number, not NaN: for callers
     * whose NaN lanes stay NaN through their other operands). There the reduction's {@code k} is 0
     * below {@code sqrt 2} (the float of bits {@code SQRT_HALF_BITS + 2^23}) and 1 from it, and
     * {@code 2^-k x} is {@code x} or {@code x / 2} exactly: the same values as {@link #log}'s integer
     * steps, from a compare and two selects, and without its special cases, which no such lane takes.
     */
    static FloatVector logOneToTwo(FloatVector x) {
        VectorMask<Float> upper = x.compare(VectorOperators.GE, SQRT_TWO);
        return logReduced(x.blend(x.mul(HALF), upper).sub(ONE), ZERO.blend(ONE, upper));
    }

    /**
     * {@code k} as a float: its bits added to ROUNDER's, then ROUNDER taken off (exact for
     * {@code |k| < 2^22}; a convert(I2F) here was not intrinsified on JDK 17, which boxed every vector
     * of the loop).
     */
    private static FloatVector floatOf(IntVector k) {
        return k.add(ROUNDER_BITS_V).reinterpretAsFloats().sub(ROUNDER_V);
    }

    /** {@code k ln2 + ln(1 + m)}: Cephes' polynomial. */
    private static FloatVector logReduced(FloatVector m, FloatVector fk) {
        FloatVector z = m.mul(m);
        FloatVector p = fma(m, L0_V, L1_V);
        p = fma(p, m, L2_V);
        p = fma(p, m, L3_V);
        p = fma(p, m, L4_V);
        p = fma(p, m, L5_V);
        p = fma(p, m, L6_V);
        p = fma(p, m, L7_V);
        p = fma(p, m, L8_V);
        FloatVector y = fma(fk, LN2_LO_V, p.mul(m).mul(z));
        y = fma(MINUS_HALF, z, y);
        return fma(fk, LN2_HI_V, m.add(y));
    }

    /** {@link FloatMath#log1p(float)}: {@code ln(1 + u)} for finite {@code u >= -1}. */
    static FloatVector log1p(FloatVector u) {
        FloatVector w = u.add(ONE);
        FloatVector c = u.sub(w.sub(ONE));
        return log(w).add(c.div(w).blend(ZERO, c.eq(ZERO)));
    }

    /** {@link FloatMath#log1p(float, float, float)}: with {@code w = 1 + u} and {@code 1 / w} at hand. */
    static FloatVector log1p(FloatVector u, FloatVector w, FloatVector inverseW, FloatVector logW) {
        return fma(u.sub(w.sub(ONE)), inverseW, logW);
    }
}
