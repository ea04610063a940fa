package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.loss.MarginRanking;
import io.github.lossengine.loss.Triplet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused float32 cosine_embedding, triplet (p = 1, 2, swap), contrastive and margin_ranking against
 * their double-precision references ({@link FusedAssertions}' tolerance), for every option and
 * reduction, values and every gradient, on the Vector API and the scalar kernels; edge rows (NaN,
 * ±inf, FLT_MAX, 1e19-scale and subnormal rows, zero vectors, D = 0, N = 0); refusals with the
 * reference's message and nothing written; the vector and scalar kernels bit for bit; the same bits on
 * 1, 2 and 3 threads; and the array call's bits from every float32 storage kind through CpuBackend.
 */
class FusedEmbeddingLossesTest {
    private static final float MAX = Float.MAX_VALUE;

    /** A loss, its reference and its fused implementation. */
    record Subject(Loss loss, CpuLoss<Loss> reference, FusedLoss<Loss> fused) {
        @Override
        public String toString() {
            return loss.toString();
        }

        Subject with(Reduction r) {
            return new Subject(loss.reduction(r), reference, fused);
        }
    }

    @SuppressWarnings("unchecked")
    static <L extends Loss> Subject subject(L loss, CpuLoss<L> reference, FusedLoss<L> fused) {
        return new Subject(loss, (CpuLoss<Loss>) reference, (FusedLoss<Loss>) fused);
    }

    static Subject cosine(double margin) {
        return subject(new CosineEmbedding().margin(margin), new CosineEmbeddingCpu(), new FusedCosineEmbedding());
    }

    static Subject triplet(double p, boolean swap, double margin, double eps) {
        return subject(new Triplet().p(p).swap(swap).margin(margin).eps(eps), new TripletCpu(), new FusedTriplet());
    }

    static Subject contrastive(double margin, double eps) {
        return subject(new Contrastive().margin(margin).eps(eps), new ContrastiveCpu(), new FusedContrastive());
    }

    static Subject ranking(double margin) {
        return subject(new MarginRanking().margin(margin), new MarginRankingCpu(), new FusedMarginRanking());
    }

    static List<Subject> subjects() {
        return List.of(cosine(0), cosine(0.3), cosine(-0.5), triplet(2, false, 1, 1e-6), triplet(2, true, 0.5, 1e-6),
                triplet(1, false, 0.5, 0), triplet(1, true, 2, 1e-3), triplet(1.5, false, 1, 1e-6), triplet(3, true, 0.5, 1e-6),
                triplet(7.25, false, 0.25, 1e-6), contrastive(1, 1e-6), contrastive(2.5, 0),
                ranking(0), ranking(0.4));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (Subject s : subjects()) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    // D = 1: a cosine's gradient is O(1) terms cancelling down to O(1e-12), beyond any float tolerance
                    int d1 = s.loss().name().equals("cosine_embedding") ? 2 : 1;
                    for (int[] nd : new int[][] {{1, d1}, {13, 7}, {37, 64}, {5, 1100}}) {
                        out.add(Arguments.of(k, s.with(r), nd[0], nd[1]));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * Random inputs: embeddings whose pair distances spread around the margins (x2 = x1 + r noise with
     * r in (0, 2) per row), labels of both kinds (int32 for cosine, float otherwise); margin_ranking
     * takes [n, d] scores and float ±1 labels.
     */
    static Tensor[] inputs(Loss loss, int n, int d, long seed) {
        Random rnd = new Random(seed);
        float[] a = gaussian(rnd, n * d, 1);
        switch (loss.name()) {
            case "margin_ranking": {
                float[] b = gaussian(rnd, n * d, 0.3);
                float[] y = new float[n * d];
                for (int i = 0; i < y.length; i++) {
                    y[i] = rnd.nextBoolean() ? 1f : -1f;
                }
                return new Tensor[] {Tensor.of(a, n, d), Tensor.of(b, n, d), Tensor.of(y, n, d)};
            }
            case "triplet":
                return new Tensor[] {Tensor.of(a, n, d), Tensor.of(near(rnd, a, n, d), n, d), Tensor.of(near(rnd, a, n, d), n, d)};
            case "cosine_embedding": {
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    y[i] = rnd.nextBoolean() ? 1 : -1;
                }
                return new Tensor[] {Tensor.of(a, n, d), Tensor.of(near(rnd, a, n, d), n, d), Tensor.ofInts(y, n)};
            }
            default: {
                float[] y = new float[n];
                for (int i = 0; i < n; i++) {
                    y[i] = rnd.nextBoolean() ? 1f : 0f;
                }
                return new Tensor[] {Tensor.of(a, n, d), Tensor.of(near(rnd, a, n, d), n, d), Tensor.of(y, n)};
            }
        }
    }

    private static float[] gaussian(Random rnd, int len, double sigma) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return x;
    }

    private static float[] near(Random rnd, float[] a, int n, int d) {
        float[] b = new float[a.length];
        for (int i = 0; i < n; i++) {
            double r = 2 * rnd.nextDouble() / Math.sqrt(Math.max(1, d));
            for (int j = 0; j < d; j++) {
                b[i * d + j] = (float) (a[i * d + j] + r * rnd.nextGaussian());
            }
        }
        return b;
    }

    /** How many leading inputs take a gradient. */
    static int embeddings(Loss loss) {
        return loss.name().equals("triplet") ? 3 : 2;
    }

    /** Zero gradient buffers for the differentiable inputs, null for the labels. */
    static Tensor[] zeros(Loss loss, Tensor[] in) {
        Tensor[] g = new Tensor[in.length];
        for (int e = 0; e < embeddings(loss); e++) {
            g[e] = Tensor.zeros(in[e].shape());
        }
        return g;
    }

    static LossResult fused(Subject s, FloatKernels k, WorkerPool pool, Tensor[] in, Tensor[] g) {
        assertTrue(s.fused().accepts(s.loss(), in, g), "the fused path takes " + s);
        return s.fused().compute(s.loss(), in, g, k, pool);
    }

    /** Values (or the reduced value) and every gradient within the fused tolerance of the reference. */
    static void assertMatchesReference(Subject s, FloatKernels k, Tensor[] in) {
        LossResult ref = s.reference().compute(s.loss(), in, zeros(s.loss(), in));
        LossResult got = fused(s, k, FusedAssertions.THREE, in, zeros(s.loss(), in));
        LossResult valueOnly = fused(s, k, FusedAssertions.TWO, in, new Tensor[in.length]);
        String what = s + " on " + k.description() + " " + Arrays.toString(in[0].shape());
        if (s.loss().reduction() == Reduction.NONE) {
            float[] rv = ref.values().toFloatArray();
            FusedAssertions.assertValuesClose(rv, got.values().toFloatArray(), FusedAssertions.VALUE_ABS, what);
            FusedAssertions.assertValuesClose(rv, valueOnly.values().toFloatArray(), FusedAssertions.VALUE_ABS, what);
        } else {
            FusedAssertions.assertValueClose(ref.value(), got.value(), FusedAssertions.VALUE_ABS, what);
            FusedAssertions.assertValueClose(ref.value(), valueOnly.value(), FusedAssertions.VALUE_ABS, what);
        }
        for (int e = 0; e < embeddings(s.loss()); e++) {
            FusedAssertions.assertGradientClose(ref.gradient(e).toFloatArray(), got.gradient(e).toFloatArray(),
                    what + ": gradient " + e);
        }
    }

    @ParameterizedTest(name = "{0} {1} n={2} d={3}")
    @MethodSource("cases")
    void matchesTheReference(FloatKernels k, Subject s, int n, int d) {
        assertMatchesReference(s, k, inputs(s.loss(), n, d, 31L * n + d));
    }

    /** A triplet-style row set: rows of a, b, c given per row. */
    private static Tensor[] rows(int d, float[][] a, float[][] b, float[][] c, float[] labels) {
        int n = a.length;
        List<Tensor> t = new ArrayList<>();
        for (float[][] x : new float[][][] {a, b, c}) {
            if (x == null) {
                continue;
            }
            float[] flat = new float[n * d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x[i], 0, flat, i * d, d);
            }
            t.add(Tensor.of(flat, n, d));
        }
        if (labels != null) {
            t.add(Tensor.of(labels, n));
        }
        return t.toArray(Tensor[]::new);
    }

    private static float[] fill(int d, float v) {
        float[] r = new float[d];
        Arrays.fill(r, v);
        return r;
    }

    private static float[] ramp(int d, float scale) {
        float[] r = new float[d];
        for (int j = 0; j < d; j++) {
            r[j] = scale * (j % 5 - 2.25f);
        }
        return r;
    }

    private static float[] with(float[] r, int j, float v) {
        float[] c = r.clone();
        c[j] = v;
        return c;
    }

    /** Rows that stress each kernel: NaN, ±inf, FLT_MAX, 1e19-scale and subnormal rows, zeros. */
    private static float[][] edgeRows(int d) {
        return new float[][] {ramp(d, 1), with(ramp(d, 1), d / 2, Float.NaN), with(ramp(d, 1), 0, Float.POSITIVE_INFINITY),
            with(ramp(d, 1), d - 1, Float.NEGATIVE_INFINITY), fill(d, MAX), fill(d, -MAX), ramp(d, 1e19f), ramp(d, 1e30f),
            ramp(d, 1e-30f), ramp(d, 1e-42f), fill(d, 0), with(fill(d, 0), d / 3, 1e-20f), ramp(d, 3e5f)};
    }

    static Stream<Arguments> edgeCases() {
        List<Arguments> out = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (int d : new int[] {3, 19}) {
                out.add(Arguments.of(k, d));
            }
        }
        return out.stream();
    }

    /** Every pair (and triple) of edge rows, every reduction, every loss: NaN and infinities where the reference has them. */
    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("edgeCases")
    void edgeRowsMatchTheReference(FloatKernels k, int d) {
        float[][] e = edgeRows(d);
        int m = e.length;
        float[][] a = new float[m * m][];
        float[][] b = new float[m * m][];
        float[][] c = new float[m * m][];
        float[] pm = new float[m * m];
        float[] bit = new float[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                int r = i * m + j;
                a[r] = e[i];
                b[r] = e[j];
                // the negative repeats the anchor or the positive: mixing scales in a triplet (1e30 against 1e19) makes
                // d(a, pos) - d(a, neg) cancel beyond float32's precision, on the GPU kernels as here
                c[r] = r % 2 == 0 ? e[i] : e[j];
                pm[r] = (r % 3) == 0 ? -1 : 1;
                bit[r] = r % 2;
            }
        }
        for (Subject s : subjects()) {
            if (s.loss() instanceof Triplet tr && tr.swap()) {
                // the swap's min is a kink decided in float32: tiny rows' distances (1e-20 against eps 1e-6) tie in
                // float32 and split the gradient, while in double they differ by 1e-26 (random rows test swap)
                continue;
            }
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                Subject t = s.with(r);
                Tensor[] in;
                switch (s.loss().name()) {
                    case "triplet":
                        in = rows(d, a, b, c, null);
                        break;
                    case "cosine_embedding":
                        in = rows(d, a, b, null, pm);
                        break;
                    case "contrastive":
                        in = rows(d, a, b, null, bit);
                        break;
                    default:
                        Tensor[] pair = rows(d, a, b, null, null);
                        float[] y = new float[m * m * d];
                        for (int i = 0; i < y.length; i++) {
                            y[i] = i % 3 == 0 ? -1 : 1;
                        }
                        in = new Tensor[] {pair[0], pair[1], Tensor.of(y, m * m, d)};
                }
                assertMatchesReference(t, k, in);
            }
        }
    }

    /** The properties the scaling keeps: a 1e19-scale row's cosine with itself is 1, a zero vector's is 0. */
    @Test
    void scaledRowsKeepTheirCosine() {
        Subject s = cosine(0).with(Reduction.NONE);
        float[] big = ramp(8, 1e19f);
        float[] huge = fill(8, MAX);
        Tensor[] in = rows(8, new float[][] {big, huge, fill(8, 0), ramp(8, 1e-42f)},
                new float[][] {big, huge, ramp(8, 1), ramp(8, 1e-42f)}, null, new float[] {1, 1, 1, 1});
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            float[] v = fused(s, k, FusedAssertions.ONE, in, zeros(s.loss(), in)).values().toFloatArray();
            assertEquals(0f, v[0], 1e-6f, "1e19 row with itself");
            assertEquals(0f, v[1], 1e-6f, "FLT_MAX row with itself");
            assertEquals(1f, v[2], 0f, "a zero vector: cosine 0");
            assertEquals(1f, v[3], 1e-6f, "a subnormal row with itself: the 1e-12 in the norms dominates, as in the reference");
        }
    }

    /** D = 0 (every loss) and N = 0 (SUM, NONE): the reference's values; N = 0 with MEAN is refused as it refuses. */
    @Test
    void emptyRowsAndBatches() {
        for (Subject s : subjects()) {
            for (int[] nd : new int[][] {{4, 0}, {0, 5}, {0, 0}}) {
                for (Reduction r : new Reduction[] {Reduction.SUM, Reduction.NONE, Reduction.MEAN}) {
                    Subject t = s.with(r);
                    Tensor[] in = inputs(t.loss(), nd[0], nd[1], 7);
                    if (r == Reduction.MEAN && (nd[0] == 0 || s.loss().name().equals("margin_ranking") && nd[1] == 0)) {
                        assertSameRefusal(t, in);
                    } else {
                        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
                            assertMatchesReference(t, k, in);
                        }
                    }
                }
            }
        }
    }

    /** The reference's refusal and message; every gradient buffer still holds its 42s. */
    static void assertSameRefusal(Subject s, Tensor[] in) {
        InvalidInputException expected = assertThrows(InvalidInputException.class,
                () -> s.reference().compute(s.loss(), in, zeros(s.loss(), in)));
        Tensor[] g = new Tensor[in.length];
        for (int e = 0; e < embeddings(s.loss()); e++) {
            float[] f = new float[(int) in[e].size()];
            Arrays.fill(f, 42f);
            g[e] = Tensor.of(f, in[e].shape());
        }
        assertTrue(s.fused().accepts(s.loss(), in, g));
        InvalidInputException got = assertThrows(InvalidInputException.class,
                () -> s.fused().compute(s.loss(), in, g, KernelSelection.kernels(), FusedAssertions.TWO));
        assertEquals(expected.getMessage(), got.getMessage());
        for (int e = 0; e < embeddings(s.loss()); e++) {
            float[] f = g[e].toFloatArray();
            float[] want = new float[f.length];
            Arrays.fill(want, 42f);
            assertArrayEquals(want, f, s + ": gradient " + e + " written before the refusal");
        }
    }

    @Test
    void refusesAsTheReference() {
        for (Subject s : subjects()) {
            Tensor[] ok = inputs(s.loss(), 6, 4, 3);
            int last = ok.length - 1;
            // a bad label at row 4 (a value each loss refuses)
            boolean labelled = last >= embeddings(s.loss()) || s.loss().name().equals("margin_ranking");
            Tensor[] badLabel = ok.clone();
            float[] y = ok[last].dtype() == DType.FLOAT32 ? ok[last].toFloatArray() : null;
            if (!labelled) {
                y = null;
            } else if (y == null) {
                int[] yi = new int[6];
                Arrays.fill(yi, 1);
                yi[4] = 0;
                badLabel[last] = Tensor.ofInts(yi, 6);
            } else {
                y[y.length - 3] = s.loss().name().equals("contrastive") ? 2f : 0.5f;
                badLabel[last] = Tensor.of(y, ok[last].shape());
            }
            if (labelled) {
                assertSameRefusal(s, badLabel);
            }
            Tensor[] nanLabel = ok.clone();
            if (y != null) {
                float[] yn = ok[last].toFloatArray();
                yn[1] = Float.NaN;
                nanLabel[last] = Tensor.of(yn, ok[last].shape());
                assertSameRefusal(s, nanLabel);
            }
            // a shape that does not match the first input's
            Tensor[] shape = ok.clone();
            shape[1] = Tensor.of(new float[6 * 5], 6, 5);
            assertSameRefusal(s, shape);
            if (!s.loss().name().equals("margin_ranking")) {
                Tensor[] rank = ok.clone();
                rank[0] = Tensor.of(new float[24], 24);
                assertSameRefusal(s, rank);
                if (last >= embeddings(s.loss())) {
                    Tensor[] labels = ok.clone();
                    labels[last] = Tensor.of(new float[5], 5);
                    assertSameRefusal(s, labels);
                }
            }
            Subject mean = s.with(Reduction.MEAN);
            assertSameRefusal(mean, inputs(s.loss(), 0, 3, 1));
        }
    }

    /** The number of float lanes of the selected vector kernels, from their description (8 with 256-bit vectors). */
    static int vectorLanes() {
        Matcher m = Pattern.compile("\\((\\d+) float lanes").matcher(KernelSelection.kernels().description());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Each pair kernel on rows of every length class (whole vectors, tails, several blocks): the vector lanes' bits are the scalar twin's. */
    @Test
    void vectorPairKernelsGiveTheScalarTwinsBits() {
        int lanes = vectorLanes();
        assertTrue(lanes > 0, "the test JVM runs the Vector API kernels: " + KernelSelection.kernels().description());
        PairKernels v = KernelSelection.kernels().pair();
        PairKernels s = new ScalarPairKernels(lanes);
        Random rnd = new Random(5);
        for (int n : new int[] {0, 1, 7, 8, 9, 31, 512, 513, 1100}) {
            float[] a = gaussian(rnd, n + 3, 1e3);
            float[] b = gaussian(rnd, n + 5, 1e3);
            for (int p = 1; p <= 2; p++) {
                assertEquals(s.differenceSum(a, 3, b, 5, n, 0.5f, 1e-3f, p), v.differenceSum(a, 3, b, 5, n, 0.5f, 1e-3f, p),
                        "differenceSum n=" + n + " p=" + p);
                for (boolean add : new boolean[] {false, true}) {
                    float[] os = gaussian(new Random(n), n + 2, 1);
                    float[] ov = os.clone();
                    s.differenceTerm(a, 3, b, 5, n, 0.5f, 1e-3f, p, 3.7f, 0.37f, add, 0.01f, os, 2);
                    v.differenceTerm(a, 3, b, 5, n, 0.5f, 1e-3f, p, 3.7f, 0.37f, add, 0.01f, ov, 2);
                    assertArrayEquals(os, ov, "differenceTerm n=" + n);
                }
            }
            double[] ss = new double[3];
            double[] sv = new double[3];
            s.cosineSums(a, 3, b, 5, n, ss);
            v.cosineSums(a, 3, b, 5, n, sv);
            assertArrayEquals(ss, sv, "cosineSums n=" + n);
            float[] cs = new float[n + 1];
            float[] cv = new float[n + 1];
            s.combine(a, 3, 1.5e-3, b, 5, -0.3, 0.1, n, cs, 1);
            v.combine(a, 3, 1.5e-3, b, 5, -0.3, 0.1, n, cv, 1);
            assertArrayEquals(cs, cv, "combine n=" + n);
            float[] y = new float[n + 3];
            for (int i = 0; i < y.length; i++) {
                y[i] = rnd.nextBoolean() ? 1 : -1;
            }
            float[][] outs = new float[6][n + 3];
            double sumS = s.marginRanking(a, b, y, outs[0], outs[1], outs[2], 3, n + 3, 100f, 0.5f);
            double sumV = v.marginRanking(a, b, y, outs[3], outs[4], outs[5], 3, n + 3, 100f, 0.5f);
            assertEquals(sumS, sumV, "marginRanking n=" + n);
            for (int o = 0; o < 3; o++) {
                assertArrayEquals(outs[o], outs[o + 3], "marginRanking output " + o + " n=" + n);
            }
            for (int p = 1; p <= 2; p++) {
                float[] gs = new float[n + 3];
                float[] gv = new float[n + 3];
                double[] ms = new double[2];
                double[] mv = new double[2];
                s.marginStretch(a, 3, n + 3, 250f, p, 0.7f, 0.01f, gs, ms);
                v.marginStretch(a, 3, n + 3, 250f, p, 0.7f, 0.01f, gv, mv);
                assertArrayEquals(ms, mv, "marginStretch sums n=" + n + " p=" + p);
                assertArrayEquals(gs, gv, "marginStretch gradient n=" + n + " p=" + p);
            }
        }
    }

    /** Whole losses: the Vector API kernels and the scalar kernels give the same bits (values, sums, gradients). */
    @Test
    void vectorAndScalarKernelsGiveTheSameBits() {
        Assumptions.assumeTrue(vectorLanes() == PairKernels.LANES,
                "ScalarKernels' pair kernels have the 256-bit vector kernels' 8 lanes; this CPU's vectors have " + vectorLanes());
        FloatKernels vector = KernelSelection.kernels();
        FloatKernels scalar = new ScalarKernels();
        for (Subject s : subjects()) {
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM}) {
                Subject t = s.with(r);
                for (int[] nd : new int[][] {{37, 64}, {5, 1100}, {3, 9}}) {
                    Tensor[] in = inputs(t.loss(), nd[0], nd[1], nd[1]);
                    assertSameResult(t, fused(t, vector, FusedAssertions.TWO, in, zeros(t.loss(), in)),
                            fused(t, scalar, FusedAssertions.TWO, in, zeros(t.loss(), in)), "vector vs scalar");
                }
            }
        }
    }

    private static void assertSameResult(Subject s, LossResult a, LossResult b, String what) {
        if (s.loss().reduction() == Reduction.NONE) {
            assertArrayEquals(a.values().toFloatArray(), b.values().toFloatArray(), s + " " + what + ": values");
        } else {
            assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()), s + " " + what
                    + ": " + a.value() + " vs " + b.value());
        }
        for (int e = 0; e < embeddings(s.loss()); e++) {
            assertArrayEquals(a.gradient(e).toFloatArray(), b.gradient(e).toFloatArray(), s + " " + what + ": gradient " + e);
        }
    }

    /** Enough rows for several chunks: the same bits on 1, 2 and 3 threads, on both kernel sets. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void sameBitsOnOneTwoAndThreeThreads(FloatKernels k) {
        for (Subject s : subjects()) {
            for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.NONE}) {
                Subject t = s.with(r);
                Tensor[] in = inputs(t.loss(), 3001, 33, 11);
                LossResult one = fused(t, k, FusedAssertions.ONE, in, zeros(t.loss(), in));
                assertSameResult(t, one, fused(t, k, FusedAssertions.TWO, in, zeros(t.loss(), in)), "on 2 threads");
                assertSameResult(t, one, fused(t, k, FusedAssertions.THREE, in, zeros(t.loss(), in)), "on 3 threads");
            }
        }
    }

    /**
     * Through CpuBackend: the array call runs the fused kernels (its bits differ from the reference's),
     * and every storage kind of every input and gradient gives its bits; the array around a range is not written.
     */
    @Test
    void everyStorageGivesTheArraysBits() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (Subject s : List.of(cosine(0.2), triplet(2, true, 0.5, 1e-6), triplet(1, false, 1, 1e-6), contrastive(1, 1e-6),
                    ranking(0.1), ranking(0).with(Reduction.NONE), contrastive(1.5, 0).with(Reduction.NONE))) {
                int n = 301;
                int d = 57;
                Tensor[] arrays = inputs(s.loss(), n, d, 13);
                Tensor[] g0 = zeros(s.loss(), arrays);
                LossResult want = cpu.compute(s.loss(), arrays, g0);
                LossResult ref = s.reference().compute(s.loss(), arrays, zeros(s.loss(), arrays));
                assertSameResult(s, fused(s, KernelSelection.kernels(), FusedAssertions.ONE, arrays, zeros(s.loss(), arrays)),
                        want, "CpuBackend against the fused call");
                if (s.loss().reduction() != Reduction.NONE && !s.loss().name().equals("cosine_embedding")) {
                    // (cosine's double sums often give the reference's very bits)
                    assertNotEquals(Double.doubleToLongBits(ref.value()), Double.doubleToLongBits(want.value()),
                            s + ": CpuBackend runs the fused path, whose last bits differ from the reference's");
                }
                for (String kind : StorageKindsTest.kinds(new float[1], 1).keySet()) {
                    Tensor[] in = new Tensor[arrays.length];
                    for (int e = 0; e < arrays.length; e++) {
                        in[e] = arrays[e].dtype() == DType.FLOAT32 ? kindOf(arrays[e], kind) : arrays[e];
                    }
                    Tensor[] g = new Tensor[arrays.length];
                    float[][] big = new float[arrays.length][];
                    for (int e = 0; e < embeddings(s.loss()); e++) {
                        int size = (int) arrays[e].size();
                        big[e] = new float[size + 10];
                        Arrays.fill(big[e], 12345.5f);
                        g[e] = StorageKindsTest.gradient(kind, big[e], size, arrays[e].shape());
                    }
                    assertTrue(s.fused().accepts(s.loss(), in, g), kind + " storage taken by the fused path");
                    LossResult got = cpu.compute(s.loss(), in, g);
                    assertSameResult(s, want, got, "from " + kind);
                    if (kind.equals("range of an array")) {
                        for (int e = 0; e < embeddings(s.loss()); e++) {
                            for (int j : new int[] {0, 6, big[e].length - 3, big[e].length - 1}) {
                                assertEquals(12345.5f, big[e][j], s + ": the array around gradient " + e + "'s range, at " + j);
                            }
                        }
                    }
                }
            }
        }
    }

    private static Tensor kindOf(Tensor t, String kind) {
        Map<String, Tensor> kinds = StorageKindsTest.kinds(t.toFloatArray(), t.shape());
        return kinds.get(kind);
    }

    /** Every p runs fused; 16-bit embeddings run the reference (the row losses do not take them); margin_ranking takes them. */
    @Test
    void optionsTheFusedPathDoesNotTake() {
        Tensor[] in = inputs(new Triplet(), 3, 4, 1);
        assertTrue(new FusedTriplet().accepts(new Triplet().p(3), in, new Tensor[3]));
        assertTrue(new FusedTriplet().accepts(new Triplet().p(1), in, new Tensor[3]));
        Tensor half = Tensor.ofBFloat16(new short[12], 3, 4);
        assertFalse(new FusedTriplet().accepts(new Triplet(), new Tensor[] {half, in[1], in[2]}, new Tensor[3]));
        Tensor[] mr = inputs(new MarginRanking(), 3, 4, 1);
        assertTrue(new FusedMarginRanking().accepts(new MarginRanking(), new Tensor[] {mr[0], mr[1], half}, new Tensor[3]));
    }

    /**
     * Triplet with p other than 1 and 2 runs the reference's double-precision rows: every row's value
     * and every gradient element are the reference's bits, on both kernel sets and on three threads.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void tripletWithAnyPGivesTheReferenceRowsBits(FloatKernels k) {
        for (double p : new double[] {1.5, 3, 7.25}) {
            for (boolean swap : new boolean[] {false, true}) {
                Subject t = triplet(p, swap, 0.5, 1e-6).with(Reduction.NONE);
                for (int[] nd : new int[][] {{1, 1}, {37, 64}, {5, 1100}}) {
                    Tensor[] in = inputs(t.loss(), nd[0], nd[1], nd[1] + 3);
                    Tensor[] g = zeros(t.loss(), in);
                    LossResult want = new TripletCpu().compute((Triplet) t.loss(), in, g);
                    assertSameResult(t, want, fused(t, k, FusedAssertions.THREE, in, zeros(t.loss(), in)),
                            "p=" + p + " vs the reference on " + k.description());
                }
            }
        }
    }
}
