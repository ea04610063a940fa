package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorMath.sumLanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatKernels} on the JDK Vector API ({@code jdk.incubator.vector}), 256-bit vectors (8 float
 * lanes) where the CPU has them, else 128-bit. Compiled from its own source root with
 * {@code --add-modules jdk.incubator.vector} and instantiated only by {@link KernelSelection}, by
 * reflection, when that module is in the boot layer: nothing else refers to this class.
 *
 * <p>Every lane does what {@link ScalarKernels} does for one element ({@link VectorMath} performs
 * {@link FloatMath}'s operation sequences lane by lane); sums are one float partial sum per lane
 * per block, the lanes then added into a double in lane order, then the scalar tail, which
 * {@link ScalarKernels} reproduces: where this class runs {@link FloatKernels#LANES} lanes (256-bit
 * vectors, also on AVX-512 CPUs) both give the same bits; with 128-bit vectors (4 lanes) sums
 * differ in the last bits. No {@code reduceLanes(ADD)}, whose order is unspecified, and no {@code EXP} operator,
 * whose last bit may differ between the interpreter and compiled code: results never depend on
 * the JIT, so they are deterministic.
 */
final class VectorKernels implements FloatKernels {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = VectorMath.L;
    /** The elements after the last whole vector of a range: the scalar kernels, element by element. */
    private static final ScalarKernels TAIL = new ScalarKernels();
    private static final ProbabilityKernels PROBABILITY = new VectorProbabilityKernels();
    private static final RegressionKernels REGRESSION = new VectorRegressionKernels();
    private static final SoftTargetKernels SOFT_TARGETS = new VectorSoftTargetKernels();
    private static final LikelihoodKernels LIKELIHOOD = VectorDoubleMath.supported()
            ? new VectorLikelihoodKernels() : ScalarLikelihoodKernels.INSTANCE;

    /**
     * @throws UnsupportedOperationException when the CPU has no float vectors of at least 128 bits
     */
    VectorKernels() {
        if (FloatVector.SPECIES_PREFERRED.vectorBitSize() < 128) {
            throw new UnsupportedOperationException("the CPU's preferred vector size is "
                    + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        }
    }

    /** The Vector API GEMM where the CPU has FMA, else the blocked Java one. */
    @Override
    public RangeGemm gemm() {
        return FloatMath.FMA ? new VectorGemm() : new BlockedGemm();
    }

    @Override
    public String description() {
        return "Java Vector API, " + F.vectorBitSize() + "-bit (" + L + " float lanes" + (FloatMath.FMA ? ", FMA" : "") + ")";
    }

    /**
     * Four running maxima over groups of four vectors, then one over the remaining whole vectors:
     * the vector {@code max} with {@link Math#max} semantics is a chain of several instructions, and
     * four independent chains overlap where one would wait on itself (about 2.7 times faster on a
     * 32768-float row). The maximum does not depend on the order, so the result is the one maximum.
     */
    @Override
    public float max(float[] a, int from, int to) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m;
        FloatVector m2 = m;
        FloatVector m3 = m;
        int i = from;
        for (int bound = from + ((to - from) & -(4 * L)); i < bound; i += 4 * L) {
            m = m.max(FloatVector.fromArray(F, a, i));
            m1 = m1.max(FloatVector.fromArray(F, a, i + L));
            m2 = m2.max(FloatVector.fromArray(F, a, i + 2 * L));
            m3 = m3.max(FloatVector.fromArray(F, a, i + 3 * L));
        }
        m = m.max(m1).max(m2.max(m3));
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            m = m.max(FloatVector.fromArray(F, a, i));
        }
        float r = TAIL.max(a, i, to);
        for (int l = 0; l < L; l++) {
            r = Math.max(r, m.lane(l));
        }
        return r;
    }

    @Override
    public int countNegativeInfinity(float[] a, int from, int to) {
        int n = 0;
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            n += FloatVector.fromArray(F, a, i).compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY).trueCount();
        }
        return n + TAIL.countNegativeInfinity(a, i, to);
    }

    /**
     * The blocks before the last have no tail (their length, {@link FloatKernels#BLOCK}, is whole
     * vectors), so the scalar tail is called once, after the last block: a call inside the loop over
     * blocks would make C2 keep the exp's fifteen constants on the stack across it and reload them at
     * every use in the inner loop (measured on softmax cross-entropy 512x32768, one thread: 0.71 against
     * 0.63 ns per logit). The sum is the same:
     * each block's lanes, then its tail (0 for whole blocks), added in block order.
     */
    @Override
    public double expSum(float[] z, int from, int to, float m, float[] out, int outFrom) {
        double total = 0;
        int shift = outFrom - from;
        int b = from;
        for (; to - b > BLOCK; b += BLOCK) {
            total += expLanes(z, b, b + BLOCK, m, out, shift);
        }
        int bound = b + F.loopBound(to - b);
        return total + (expLanes(z, b, bound, m, out, shift) + TAIL.expSum(z, bound, to, m, out, bound + shift));
    }

    /**
     * {@link #expSum} of the whole vectors {@code [from, bound)} of one block: each lane's compensated
     * float sum from 1, the lanes added in order into a double, less the {@code L} ones.
     */
    private static double expLanes(float[] z, int from, int bound, float m, float[] out, int shift) {
        // each lane starts from 1 (taken off at the end), as ScalarKernels.expSum
        FloatVector acc = FloatVector.broadcast(F, 1f);
        FloatVector lost = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, z, i).sub(m));
            if (out != null) {
                e.intoArray(out, i + shift);
            }
            FloatVector t = acc.add(e);
            lost = lost.add(acc.sub(t).add(e));
            acc = t;
        }
        return (sumLanes(acc) - L) + sumLanes(lost);
    }

    @Override
    public void scale(float[] g, int from, int to, float f) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector.fromArray(F, g, i).mul(f).intoArray(g, i);
        }
        TAIL.scale(g, i, to, f);
    }

    /** As {@link #expSum}: the whole blocks without a call in their loop, the scalar tail once, after the last block. */
    @Override
    public void smoothedRow(float[] z, int zFrom, float[] g, int gFrom, float[] w, int wFrom, int len, float f,
                            float s, float m, double[] sums) {
        double distance = 0;
        double weight = 0;
        int b = 0;
        for (; len - b > BLOCK; b += BLOCK) {
            smoothedLanes(z, zFrom, g, gFrom, w, wFrom, b, b + BLOCK, f, s, m, sums);
            distance += sums[0];
            weight += sums[1];
        }
        int bound = b + F.loopBound(len - b);
        smoothedLanes(z, zFrom, g, gFrom, w, wFrom, b, bound, f, s, m, sums);
        double d = sums[0];
        double ws = sums[1];
        TAIL.smoothedRow(z, zFrom + bound, g, gFrom + bound, w, wFrom + bound, len - bound, f, s, m, sums);
        sums[0] = distance + (d + sums[0]);
        sums[1] = weight + (ws + sums[1]);
    }

    /** {@link #smoothedRow}'s whole vectors {@code [from, bound)} of one block: its two lane sums into {@code sums}. */
    private static void smoothedLanes(float[] z, int zFrom, float[] g, int gFrom, float[] w, int wFrom, int from,
                                      int bound, float f, float s, float m, double[] sums) {
        FloatVector ones = FloatVector.broadcast(F, 1f);
        FloatVector d = FloatVector.zero(F);
        FloatVector ws = FloatVector.zero(F);
        for (int i = from; i < bound; i += L) {
            FloatVector zi = FloatVector.fromArray(F, z, zFrom + i);
            VectorMask<Float> open = zi.compare(VectorOperators.NE, Float.NEGATIVE_INFINITY);
            FloatVector wi = w == null ? ones : FloatVector.fromArray(F, w, wFrom + i);
            d = d.add(wi.mul(FloatVector.broadcast(F, m).sub(zi)), open);
            ws = ws.add(wi, open);
            if (g != null) {
                FloatVector gi = FloatVector.fromArray(F, g, gFrom + i).mul(f).sub(wi.mul(s));
                gi.blend(0f, open.not()).intoArray(g, gFrom + i);
            }
        }
        sums[0] = sumLanes(d);
        sums[1] = sumLanes(ws);
    }

    @Override
    public double squaredError(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                               int to, float gScale) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            int i = b;
            for (int bound = b + F.loopBound(end - b); i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, xo + i).sub(FloatVector.fromArray(F, y, yo + i));
                FloatVector l = d.mul(d);
                acc = acc.add(l);
                if (g != null) {
                    d.add(d).mul(gScale).intoArray(g, go + i);
                }
                if (values != null) {
                    l.intoArray(values, i);
                }
            }
            total += sumLanes(acc) + TAIL.squaredError(x, xo, y, yo, g, go, values, i, end, gScale);
        }
        return total;
    }

    @Override
    public double hinge(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                        float margin, float gScale) {
        double total = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            int i = b;
            for (int bound = b + F.loopBound(end - b); i < bound; i += L) {
                FloatVector yi = FloatVector.fromArray(F, y, yo + i);
                FloatVector t = FloatVector.broadcast(F, margin).sub(yi.mul(FloatVector.fromArray(F, x, xo + i)));
                FloatVector l = zero.max(t);
                acc = acc.add(l);
                if (g != null) {
                    FloatVector gi = yi.mul(-gScale).blend(0f, t.compare(VectorOperators.LT, 0f));
                    gi.blend(Float.NaN, t.test(VectorOperators.IS_NAN)).intoArray(g, go + i);
                }
                if (values != null) {
                    l.intoArray(values, i);
                }
            }
            total += sumLanes(acc) + TAIL.hinge(x, xo, y, yo, g, go, values, i, end, margin, gScale);
        }
        return total;
    }

    @Override
    public double squaredHinge(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                               int to, float margin, float gScale) {
        double total = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            int i = b;
            for (int bound = b + F.loopBound(end - b); i < bound; i += L) {
                FloatVector yi = FloatVector.fromArray(F, y, yo + i);
                FloatVector h = zero.max(FloatVector.broadcast(F, margin).sub(yi.mul(FloatVector.fromArray(F, x, xo + i))));
                FloatVector l = h.mul(h);
                acc = acc.add(l);
                if (g != null) {
                    yi.mul(-2f).mul(h).mul(gScale).intoArray(g, go + i);
                }
                if (values != null) {
                    l.intoArray(values, i);
                }
            }
            total += sumLanes(acc) + TAIL.squaredHinge(x, xo, y, yo, g, go, values, i, end, margin, gScale);
        }
        return total;
    }

    @Override
    public int firstNotPlusMinusOne(float[] y, int from, int to) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            VectorMask<Float> bad = FloatVector.fromArray(F, y, i).abs().compare(VectorOperators.NE, 1f);
            if (bad.anyTrue()) {
                return i + bad.firstTrue();
            }
        }
        return TAIL.firstNotPlusMinusOne(y, i, to);
    }

    @Override
    public int firstOutside(float[] a, int from, int to, float lo, float hi) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, a, i);
            VectorMask<Float> bad = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi)).not();
            if (bad.anyTrue()) {
                return i + bad.firstTrue();
            }
        }
        return TAIL.firstOutside(a, i, to, lo, hi);
    }

    @Override
    public RegressionKernels regression() {
        return REGRESSION;
    }

    /** The direct-buffer kernels on Java 22 and later, else null. */
    @Override
    public String directBuffers() {
        return VectorDirectBufferKernels.READS;
    }

    @Override
    public DirectBufferKernels direct() {
        return VectorDirectBufferKernels.INSTANCE;
    }

    @Override
    public ProbabilityKernels probability() {
        return PROBABILITY;
    }

    /** The {@code DoubleVector} kernels where the CPU has double vectors of 256 bits or more, else the scalar ones (the same bits). */
    @Override
    public LikelihoodKernels likelihood() {
        return LIKELIHOOD;
    }

    @Override
    public SoftTargetKernels softTargets() {
        return SOFT_TARGETS;
    }

    private static final VectorSpecies<Short> S = L == 8 ? ShortVector.SPECIES_128 : ShortVector.SPECIES_64;
    private static final VectorSpecies<Integer> I = L == 8 ? IntVector.SPECIES_256 : IntVector.SPECIES_128;

    /** As the scalar kernel: each bfloat16 widened to int, shifted into the top half, reinterpreted. */
    @Override
    public void widenBFloat16(short[] src, int from, float[] dst, int n) {
        int j = 0;
        for (; j <= n - L; j += L) {
            widenLanes(src, from + j, dst, j);
        }
        TAIL.widenBFloat16(src, from + j, dst, j, n - j);
    }

    /** Shorts of a whole float vector's width: {@code 2 L} bfloat16 patterns. */
    private static final VectorSpecies<Short> S2 = L == 8 ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    /** The order key of {@code -inf}'s pattern 0xff80 (see {@link #widenMaxBFloat16}). */
    private static final short KEY_NEGATIVE_INFINITY = (short) 0x807f;

    /**
     * The maximum on the patterns, {@code 2 L} lanes at a time: a bfloat16 pattern {@code b} orders as
     * the signed integer {@code b ^ ((b >> 15) & 0x7fff)} (sign and magnitude to two's complement,
     * {@code -0} just below {@code +0}); a NaN shows as a magnitude {@code b & 0x7fff} above
     * {@code 0x7f80}. The widening is {@link #widenBFloat16}'s, from the same lines of cache.
     */
    @Override
    public float widenMaxBFloat16(short[] src, int from, float[] dst, int to, int n) {
        ShortVector key = ShortVector.broadcast(S2, KEY_NEGATIVE_INFINITY);
        ShortVector magnitude = ShortVector.zero(S2);
        int j = 0;
        for (; j <= n - 2 * L; j += 2 * L) {
            ShortVector x = ShortVector.fromArray(S2, src, from + j);
            key = key.max(x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.ASHR, 15).and((short) 0x7fff)));
            magnitude = magnitude.max(x.and((short) 0x7fff));
            widenLanes(src, from + j, dst, to + j);
            widenLanes(src, from + j + L, dst, to + j + L);
        }
        float m = TAIL.widenMaxBFloat16(src, from + j, dst, to + j, n - j);
        short top = KEY_NEGATIVE_INFINITY;
        short mag = 0;
        for (int l = 0; l < 2 * L; l++) {
            top = (short) Math.max(top, key.lane(l));
            mag = (short) Math.max(mag, magnitude.lane(l));
        }
        if (mag > 0x7f80) {
            return Float.NaN;
        }
        short bits = (short) (top ^ ((top >> 15) & 0x7fff));
        return Math.max(m, io.github.lossengine.HalfFloats.bfloat16ToFloat(bits));
    }

    private static void widenLanes(short[] src, int from, float[] dst, int to) {
        IntVector x = (IntVector) ShortVector.fromArray(S, src, from).convertShape(VectorOperators.S2I, I, 0);
        x.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, to);
    }

    /**
     * binary16 to float32, exact: the exponent and mantissa shifted into float32's places and
     * multiplied by 2^112 (which rebiases normals and turns subnormals, float32 subnormals after the
     * shift, into their exact values); Inf and NaN (exponent 31) keep their mantissa; the sign or-ed in.
     */
    @Override
    public void widenFloat16(short[] src, int from, float[] dst, int n) {
        int j = 0;
        for (; j <= n - L; j += L) {
            IntVector x = (IntVector) ShortVector.fromArray(S, src, from + j).convertShape(VectorOperators.S2I, I, 0);
            IntVector em = x.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
            IntVector scaled = em.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            VectorMask<Integer> special = x.and(0x7c00).compare(VectorOperators.EQ, 0x7c00);
            scaled.blend(em.or(0x7f800000), special).or(x.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().intoArray(dst, j);
        }
        for (; j < n; j++) {
            dst[j] = io.github.lossengine.HalfFloats.float16ToFloat(src[from + j]);
        }
    }

    /**
     * float32 to binary16 as {@link io.github.lossengine.HalfFloats#floatToFloat16}, lane by lane:
     * normals rebiased with the 13 dropped bits rounded to nearest even; below 2^-14 the float32
     * addition {@code |f| + 0.5} rounds {@code |f| 2^24} to nearest even in the low bits (subnormals
     * and zero); from 65520 up Inf; NaN quiet with its top mantissa bits.
     */
    @Override
    public void roundFloat16(float[] src, short[] dst, int to, int n) {
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector v = FloatVector.fromArray(F, src, j);
            IntVector x = v.reinterpretAsInts();
            IntVector abs = x.and(0x7fffffff);
            IntVector r = abs.sub(0x38000000);
            r = r.add(r.lanewise(VectorOperators.LSHR, 13).and(1)).add(0xfff).lanewise(VectorOperators.LSHR, 13);
            IntVector sub = abs.reinterpretAsFloats().add(0.5f).reinterpretAsInts().sub(0x3f000000);
            r = r.blend(sub, abs.compare(VectorOperators.LT, 0x38800000));
            r = r.blend(0x7c00, abs.compare(VectorOperators.GE, 0x477ff000));
            r = r.blend(abs.lanewise(VectorOperators.LSHR, 13).and(0x3ff).or(0x7e00), abs.compare(VectorOperators.GT, 0x7f800000));
            r = r.or(x.lanewise(VectorOperators.LSHR, 16).and(0x8000));
            ((ShortVector) r.convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, to + j);
        }
        for (; j < n; j++) {
            dst[to + j] = io.github.lossengine.HalfFloats.floatToFloat16(src[j]);
        }
    }

    /** As {@link io.github.lossengine.HalfFloats#floatToBFloat16}: add 0x7fff + the kept lsb, keep the top half; NaN quieted. */
    @Override
    public void roundBFloat16(float[] src, short[] dst, int to, int n) {
        int j = 0;
        for (; j <= n - L; j += L) {
            roundLanes(FloatVector.fromArray(F, src, j), dst, to + j);
        }
        TAIL.roundBFloat16(src, j, dst, to + j, n - j);
    }

    /** {@link #scale} and {@link #roundBFloat16} in one pass. */
    @Override
    public void scaleRoundBFloat16(float[] g, int from, int to, float f, short[] out, int outFrom) {
        int j = from;
        for (int bound = from + F.loopBound(to - from); j < bound; j += L) {
            roundLanes(FloatVector.fromArray(F, g, j).mul(f), out, outFrom + j - from);
        }
        for (; j < to; j++) {
            out[outFrom + j - from] = io.github.lossengine.HalfFloats.floatToBFloat16(g[j] * f);
        }
    }

    private static void roundLanes(FloatVector v, short[] dst, int at) {
        IntVector x = v.reinterpretAsInts();
        IntVector top = x.lanewise(VectorOperators.LSHR, 16);
        IntVector r = x.add(top.and(1)).add(0x7fff).lanewise(VectorOperators.LSHR, 16);
        VectorMask<Integer> nan = v.compare(VectorOperators.NE, v).cast(I);
        ((ShortVector) r.blend(top.or(0x40), nan).convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, at);
    }

    private static final PairKernels PAIR = new VectorPairKernels();

    @Override
    public PairKernels pair() {
        return PAIR;
    }
}
