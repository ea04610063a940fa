package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.DoubleMath.A11;
import static io.github.lossengine.cpu.DoubleMath.A13;
import static io.github.lossengine.cpu.DoubleMath.A15;
import static io.github.lossengine.cpu.DoubleMath.A17;
import static io.github.lossengine.cpu.DoubleMath.A19;
import static io.github.lossengine.cpu.DoubleMath.A3;
import static io.github.lossengine.cpu.DoubleMath.A5;
import static io.github.lossengine.cpu.DoubleMath.A7;
import static io.github.lossengine.cpu.DoubleMath.A9;
import static io.github.lossengine.cpu.DoubleMath.E10;
import static io.github.lossengine.cpu.DoubleMath.E11;
import static io.github.lossengine.cpu.DoubleMath.E12;
import static io.github.lossengine.cpu.DoubleMath.E13;
import static io.github.lossengine.cpu.DoubleMath.E3;
import static io.github.lossengine.cpu.DoubleMath.E4;
import static io.github.lossengine.cpu.DoubleMath.E5;
import static io.github.lossengine.cpu.DoubleMath.E6;
import static io.github.lossengine.cpu.DoubleMath.E7;
import static io.github.lossengine.cpu.DoubleMath.E8;
import static io.github.lossengine.cpu.DoubleMath.E9;
import static io.github.lossengine.cpu.DoubleMath.EXP_OVERFLOW;
import static io.github.lossengine.cpu.DoubleMath.EXP_UNDERFLOW;
import static io.github.lossengine.cpu.DoubleMath.LN2_HI;
import static io.github.lossengine.cpu.DoubleMath.LN2_LO;
import static io.github.lossengine.cpu.DoubleMath.LOG2E;
import static io.github.lossengine.cpu.DoubleMath.SQRT2;
import static io.github.lossengine.cpu.DoubleMath.TWO_54;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DoubleMath}'s {@code exp} and {@code log} lane by lane on {@code DoubleVector}s: the same
 * IEEE operations in the same order (multiplications and additions, never fused), so every lane is
 * the bits the scalar function gives for that element; branches become blends, {@code Math.rint}
 * the addition and subtraction of {@code 1.5 2^52} (the same round-half-even for the reduced
 * arguments, whose magnitude stays below 1100), {@code Math.scalb} two multiplications by powers of
 * two built from their bits (exact but for the last, which rounds once where the result is
 * subnormal, as {@code scalb}'s last step does), {@code getExponent} and the mantissa bit fields.
 * Also the species of the double kernels. Small methods, all inlined into the kernels' loops.
 * Stateless and thread-safe.
 */
final class VectorDoubleMath {
    /** 512-bit vectors (8 double lanes) where the CPU has them, else 256-bit (4 lanes). */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_256;
    static final int DL = D.length();
    /** {@code 1.5 2^52}: adding it rounds a double of magnitude below {@code 2^51} to an integer, held in its low bits. */
    private static final double ROUNDER = 0x1.8p52;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    private static final long MANTISSA = 0x000f_ffff_ffff_ffffL;
    private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);

    private VectorDoubleMath() {
    }

    /** Whether the CPU has double vectors of 256 bits or more (the smallest this class uses). */
    static boolean supported() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /**
     * The lanes of {@code v} added in lane order to {@code s}, through {@code row[0 .. DL)} (a scratch
     * row: {@code lane(l)} with a variable {@code l} is a call that boxes the vector).
     */
    static double sumLanes(DoubleVector v, double s, double[] row) {
        v.intoArray(row, 0);
        for (int l = 0; l < DL; l++) {
            s += row[l];
        }
        return s;
    }

    /** The double of each lane's integer {@code k} (exact for {@code |k| < 2^51}). */
    private static DoubleVector toDouble(LongVector k) {
        return k.add(ROUNDER_BITS).reinterpretAsDoubles().sub(ROUNDER);
    }

    /** {@code 2^k} for integers {@code k} in {@code [-1022, 1023]}. */
    private static DoubleVector pow2(LongVector k) {
        return k.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    }

    /**
     * {@code out[i - from] = }{@link DoubleMath#exp}{@code (x[i])} for {@code i} in {@code [from, bound)},
     * {@code bound - from} a multiple of {@link #DL}: {@code +inf} above ~709.78, 0 at or below
     * ~-745.13 and for {@code -inf}, NaN for NaN. A whole loop, not a function of a vector: C2 inlines
     * the calls of a kernel's loop until the loop has some 18000 nodes (NodeCountInliningCutoff), and
     * the Vector API's calls take many before they are reduced; this loop makes its own calls (the
     * powers of two) first, then only the API's, which are inlined past that count.
     */
    static void exp(float[] x, int from, int bound, double[] out) {
        for (int i = from; i < bound; i += DL) {
            DoubleVector xi = VectorLikelihoodKernels.widen(x, i);
            DoubleVector t = xi.mul(LOG2E).add(ROUNDER);
            LongVector k = t.reinterpretAsLongs().sub(ROUNDER_BITS);
            LongVector h = k.lanewise(VectorOperators.ASHR, 1);
            DoubleVector low = pow2(h);
            DoubleVector high = pow2(k.sub(h));
            DoubleVector n = t.sub(ROUNDER);
            DoubleVector r = xi.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
            DoubleVector p = DoubleVector.broadcast(D, E13);
            p = p.mul(r).add(E12);
            p = p.mul(r).add(E11);
            p = p.mul(r).add(E10);
            p = p.mul(r).add(E9);
            p = p.mul(r).add(E8);
            p = p.mul(r).add(E7);
            p = p.mul(r).add(E6);
            p = p.mul(r).add(E5);
            p = p.mul(r).add(E4);
            p = p.mul(r).add(E3);
            p = p.mul(r).add(0.5);
            p = p.mul(r).add(1.0);
            p = p.mul(r).add(1.0);
            p.mul(low).mul(high)
                    .blend(0.0, xi.compare(VectorOperators.LE, EXP_UNDERFLOW))
                    .blend(Double.POSITIVE_INFINITY, xi.compare(VectorOperators.GT, EXP_OVERFLOW))
                    .intoArray(out, i - from);
        }
    }

    /**
     * {@code out[j] = }{@link DoubleMath#log}{@code (w[j])} for {@code j < n}, {@code n} a multiple of
     * {@link #DL} ({@code out} may be {@code w}): {@code -inf} at {@code ±0}, {@code +inf} at
     * {@code +inf}, NaN below 0 and for NaN. A whole loop, for the reason {@link #exp} gives.
     */
    static void log(double[] w, int n, double[] out) {
        for (int j = 0; j < n; j += DL) {
            DoubleVector wj = DoubleVector.fromArray(D, w, j);
            VectorMask<Double> subnormal = wj.compare(VectorOperators.LT, Double.MIN_NORMAL);
            LongVector bits = wj.blend(wj.mul(TWO_54), subnormal).reinterpretAsLongs();
            DoubleVector k = toDouble(bits.lanewise(VectorOperators.LSHR, 52).sub(1023)).sub(54.0, subnormal);
            DoubleVector m = bits.and(MANTISSA).or(ONE_BITS).reinterpretAsDoubles();
            VectorMask<Double> high = m.compare(VectorOperators.GT, SQRT2);
            m = m.blend(m.mul(0.5), high);
            k = k.add(1.0, high);
            DoubleVector s = m.sub(1.0).div(m.add(1.0));
            DoubleVector z = s.mul(s);
            DoubleVector p = DoubleVector.broadcast(D, A19);
            p = p.mul(z).add(A17);
            p = p.mul(z).add(A15);
            p = p.mul(z).add(A13);
            p = p.mul(z).add(A11);
            p = p.mul(z).add(A9);
            p = p.mul(z).add(A7);
            p = p.mul(z).add(A5);
            p = p.mul(z).add(A3);
            DoubleVector s2 = s.mul(2.0);
            DoubleVector logM = s2.add(s2.mul(z).mul(p));
            k.mul(LN2_HI).add(logM.add(k.mul(LN2_LO)))
                    .blend(Double.POSITIVE_INFINITY, wj.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY))
                    .blend(Double.NaN, wj.compare(VectorOperators.GT, 0.0).not())
                    .blend(Double.NEGATIVE_INFINITY, wj.compare(VectorOperators.EQ, 0.0))
                    .intoArray(out, j);
        }
    }
}
