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
 * <p>Kept in small methods: the JIT must inline all of it into the kernels' loops (a vector that
 * crosses a call that is not inlined is boxed, which is slower than scalar code). Stateless and
 * thread-safe.
 */
final class VectorMath {
    /** 256-bit vectors (8 float lanes) where the CPU has them, else 128-bit. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    static final int L = F.length();

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

    /** {@code a b + c}, fused where {@link FloatMath#FMA}. */
    static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FloatMath.FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** {@code a b + c}, fused where {@link FloatMath#FMA}. */
    static FloatVector fma(FloatVector a, float b, float c) {
        return FloatMath.FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** {@code a b + c} with a scalar {@code c}, fused where {@link FloatMath#FMA}. */
    static FloatVector fma(FloatVector a, FloatVector b, float c) {
        return FloatMath.FMA ? a.fma(b, FloatVector.broadcast(F, c)) : a.mul(b).add(c);
    }

    /** {@code e^r - 1} for the reduced argument of {@code x} ({@code FloatMath.expm1Reduced}). */
    private static FloatVector expm1Reduced(FloatVector x, FloatVector n) {
        FloatVector r = fma(n, FloatVector.broadcast(F, -LN2_HI), x);
        r = fma(n, FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = fma(r, P0, P1);
        p = fma(p, r, P2);
        p = fma(p, r, P3);
        p = fma(p, r, P4);
        return fma(p, r.mul(r), r);
    }

    /** The integer {@code n} held in the low bits of the rounded {@code t}. */
    private static IntVector integer(FloatVector t) {
        return t.reinterpretAsInts().sub(ROUNDER_BITS);
    }

    /** {@code 2^k} for integers {@code k} in {@code [-126, 127]}. */
    private static FloatVector pow2(IntVector k) {
        return k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /**
     * {@code 2^n} for the integer {@code n} held in the rounded {@code t}: {@code pow2(integer(t))}
     * with its two integer constants folded into one (the same bits, as integer sums wrap), which
     * keeps one vector register fewer busy in the kernels' loops.
     */
    private static FloatVector pow2Of(FloatVector t) {
        return t.reinterpretAsInts().add(127 - ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** {@link FloatMath#exp}: {@code e^x} for {@code x <= 0}. */
    static FloatVector exp(FloatVector x) {
        FloatVector t = fma(x, LOG2E, ROUNDER);
        FloatVector p2 = pow2Of(t);
        FloatVector e = fma(expm1Reduced(x, t.sub(ROUNDER)), p2, p2);
        return e.blend(0f, x.compare(VectorOperators.LT, EXP_UNDERFLOW));
    }

    /** {@link FloatMath#expAny}: {@code e^x} for any {@code x}. */
    static FloatVector expAny(FloatVector x) {
        FloatVector t = fma(x, LOG2E, ROUNDER);
        IntVector k = integer(t);
        IntVector h = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector e = expm1Reduced(x, t.sub(ROUNDER)).add(1f).mul(pow2(h)).mul(pow2(k.sub(h)));
        return e.blend(0f, x.compare(VectorOperators.LT, EXP_UNDERFLOW))
                .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_OVERFLOW));
    }

    /** {@link FloatMath#expm1}: {@code e^x - 1} for {@code 0 <= x <= 88}. */
    static FloatVector expm1(FloatVector x) {
        FloatVector t = fma(x, LOG2E, ROUNDER);
        FloatVector p2 = pow2Of(t);
        return fma(expm1Reduced(x, t.sub(ROUNDER)), p2, p2.sub(1f));
    }

    /** {@link FloatMath#log}: {@code ln x}. */
    static FloatVector log(FloatVector x) {
        return logFinite(x).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY))
                .blend(Float.NaN, x.compare(VectorOperators.GT, 0f).not())
                .blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
    }

    /** {@code ln x} for finite {@code x > 0}: the reduction to {@code 2^k (1 + m)}. */
    private static FloatVector logFinite(FloatVector x) {
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        IntVector bits = x.blend(x.mul(TWO_23), subnormal).reinterpretAsInts();
        IntVector k = bits.sub(SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);
        FloatVector m = bits.sub(k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats().sub(1f);
        // k as a float: its bits added to ROUNDER's, then ROUNDER taken off (exact for |k| < 2^22; a
        // convert(I2F) here was not intrinsified on JDK 17, which boxed every vector of the loop)
        FloatVector fk = k.add(ROUNDER_BITS).reinterpretAsFloats().sub(ROUNDER)
                .sub(FloatVector.zero(F).blend(23f, subnormal));
        return logReduced(m, fk);
    }

    /** {@code k ln2 + ln(1 + m)}: Cephes' polynomial. */
    private static FloatVector logReduced(FloatVector m, FloatVector fk) {
        FloatVector z = m.mul(m);
        FloatVector p = fma(m, L0, L1);
        p = fma(p, m, L2);
        p = fma(p, m, L3);
        p = fma(p, m, L4);
        p = fma(p, m, L5);
        p = fma(p, m, L6);
        p = fma(p, m, L7);
        p = fma(p, m, L8);
        FloatVector y = fma(fk, FloatVector.broadcast(F, LN2_LO), p.mul(m).mul(z));
        y = fma(FloatVector.broadcast(F, -0.5f), z, y);
        return fma(fk, FloatVector.broadcast(F, LN2_HI), m.add(y));
    }

    /** {@link FloatMath#log1p(float)}: {@code ln(1 + u)} for finite {@code u >= -1}. */
    static FloatVector log1p(FloatVector u) {
        FloatVector w = u.add(1f);
        FloatVector c = u.sub(w.sub(1f));
        return log(w).add(c.div(w).blend(0f, c.compare(VectorOperators.EQ, 0f)));
    }

    /** {@link FloatMath#log1p(float, float, float)}: with {@code w = 1 + u} and {@code 1 / w} at hand. */
    static FloatVector log1p(FloatVector u, FloatVector w, FloatVector inverseW) {
        return fma(u.sub(w.sub(1f)), inverseW, log(w));
    }
}
