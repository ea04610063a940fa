package io.github.lossengine.cpu;

import io.github.lossengine.loss.Triplet;

/**
 * Fused {@link Triplet} for every {@code p}. For {@code p = 1} and {@code p = 2}, float32 kernels: per row the differences {@code a - pos + eps}, {@code a - neg + eps} (and
 * {@code pos - neg + eps} with swap) in float32, their p-norms' sums in float32 lanes
 * ({@link PairKernels#differenceSum}, each scaled by its own power of two where it would overflow or
 * underflow, {@link RowScale}), then in double, as {@link TripletCpu}: distances beyond
 * {@code FLT_MAX} are +inf, {@code inner = margin + (d(a, pos) - d(a, neg))} (the distances'
 * difference first, so the margin survives when they dwarf it), the swap's {@code min} with the
 * gradient split in half on a tie, the clamp passing the gradient at {@code inner = 0}. Gradients in
 * float32: {@code w t(v)} per term, their sum times the reduction's scale, with {@code t(v) = v / |v|}
 * ({@code p = 2}, {@code |v|} rounded to float32) or {@code sign(v)}, the
 * term of a distance that is not used exactly absent, all +0 where {@code inner < 0} and where a norm
 * is 0. NaN in a row reaches its loss and gradients. Checks as {@link TripletCpu}; storage and threads
 * as {@link FusedEmbeddingRows}.
 *
 * <p>Any other {@code p} ({@code p >= 1}, as {@link Triplet} takes): each row in double precision with
 * {@link TripletCpu}'s own row ({@link PNorm}, {@code Math.pow} on scaled terms), the row copied into
 * per-thread double scratch and its gradients written as {@code (float) (g * scale)}, so every row's
 * value and gradient are the reference's bits; the same Java code whether the Vector API is present or
 * not (no kernel of {@link PairKernels} runs), so the same bits on both paths and, rows being summed in
 * chunk order, on any thread count. What it gains over the reference is the engine's threads and
 * in-place heap rows (bench/performance-notes.md). Stateless (per-thread scratch) and thread-safe.
 */
final class FusedTriplet extends FusedEmbeddingRows<Triplet> {
    private static final int AP = 0;
    private static final int AN = 1;
    private static final int PN = 2;

    /** The double-precision rows for {@code p} other than 1 and 2. */
    private static final TripletCpu DOUBLE_ROWS = new TripletCpu();
    /** Per thread: the rows' x (3), gradients (3) and work (6) arrays of {@code D} doubles, grown as needed. */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[12][0]);

    FusedTriplet() {
        super(new TripletCpu(), 3);
    }

    @Override
    protected double row(Triplet loss, PairKernels k, Row r, double label) {
        if (loss.p() != 1 && loss.p() != 2) {
            return doubleRow(loss, r);
        }
        int p = (int) loss.p();
        float eps = (float) loss.eps();
        r.norm(k, 0, 1, eps, p, AP);
        r.norm(k, 0, 2, eps, p, AN);
        double sAp = scaledNorm(r.sum[AP], p);
        double sAn = scaledNorm(r.sum[AN], p);
        double dAp = Reductions.float32Range(sAp / r.k[AP]);
        double dAn = Reductions.float32Range(sAn / r.k[AN]);
        double sPn = Double.NaN;
        double dPn = Double.NaN;
        if (loss.swap()) {
            r.norm(k, 1, 2, eps, p, PN);
            sPn = scaledNorm(r.sum[PN], p);
            dPn = Reductions.float32Range(sPn / r.k[PN]);
        }
        double dNeg = TripletCpu.negativeDistance(loss.swap(), dAn, dPn, r.sums);
        double wAn = r.sums[0];
        double wPn = r.sums[1];
        double inner = loss.margin() + (dAp - dNeg);
        double l = Math.max(0, inner);
        if (inner < 0) {
            r.zero(0);
            r.zero(1);
            r.zero(2);
            return l;
        }
        boolean an = wAn != 0;
        boolean pn = wPn != 0;
        float nAp = unit(sAp);
        float nAn = unit(sAn);
        float nPn = unit(sPn);
        // (uAp - uAn) scale, (-uAp - uPn) scale, (uAn + uPn) scale, u = w v / |v| (p = 2) or w sign(v), a term of
        // weight 0 left out, every term 0 where its norm is 0 (PyTorch's norm backward)
        double cAp = sAp == 0 ? 0 : 1;
        double cAn = sAn == 0 ? 0 : wAn;
        double cPn = sPn == 0 ? 0 : wPn;
        r.term(k, 0, 0, 1, eps, p, AP, nAp, cAp, false, !an);
        r.term(k, 1, 0, 1, eps, p, AP, nAp, -cAp, false, !pn);
        if (an) {
            r.term(k, 0, 0, 2, eps, p, AN, nAn, -cAn, true, true);
            r.term(k, 2, 0, 2, eps, p, AN, nAn, cAn, false, !pn);
        }
        if (pn) {
            r.term(k, 1, 1, 2, eps, p, PN, nPn, -cPn, true, true);
            r.term(k, 2, 1, 2, eps, p, PN, nPn, cPn, an, true);
        }
        return l;
    }

    /**
     * A row for {@code p} other than 1 and 2: {@link TripletCpu}'s double-precision row on the row's
     * float32 values, its gradients (where wanted) times the reduction's scale rounded to float32, as
     * the reference writes them.
     */
    private static double doubleRow(Triplet loss, Row r) {
        int d = r.d;
        double[][] s = SCRATCH.get();
        if (s[0].length != d) {
            for (int e = 0; e < s.length; e++) {
                s[e] = new double[d];
            }
        }
        double[][] x = {s[0], s[1], s[2]};
        boolean wantGrad = false;
        for (int e = 0; e < 3; e++) {
            for (int j = 0; j < d; j++) {
                x[e][j] = r.x[e][r.xo[e] + j];
            }
            wantGrad |= r.g[e] != null;
        }
        double[][] g = wantGrad ? new double[][] {s[3], s[4], s[5]} : null;
        double l = DOUBLE_ROWS.row(loss, x, Double.NaN, g, new double[][] {s[6], s[7], s[8], s[9], s[10], s[11]});
        for (int e = 0; e < 3 && g != null; e++) {
            if (r.g[e] != null) {
                for (int j = 0; j < d; j++) {
                    r.g[e][r.go[e] + j] = (float) (g[e][j] * r.scale);
                }
            }
        }
        return l;
    }

    /** The scaled distance {@code k d}: {@code sqrt(sum)} for {@code p = 2}, the sum itself for {@code p = 1}. */
    private static double scaledNorm(double sum, int p) {
        return p == 2 ? Math.sqrt(sum) : sum;
    }

    /**
     * The divisor of a term's {@code v} for {@code p = 2}: the scaled distance {@code k d} rounded to
     * float32 (for a row of one entry {@code sqrt(fl(v^2)) = |v|}, so {@code v / |v|} is exactly ±1, as
     * the kernels' float32 norm gives); 1 where it is 0 (that term's weight is then 0).
     */
    private static float unit(double scaledNorm) {
        return scaledNorm == 0 ? 1f : (float) scaledNorm;
    }
}
