package io.github.lossengine.cpu;

import io.github.lossengine.loss.Triplet;

/**
 * Fused float32 {@link Triplet} for {@code p = 1} and {@code p = 2} (other {@code p} run the reference
 * {@link TripletCpu}): per row the differences {@code a - pos + eps}, {@code a - neg + eps} (and
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
 * as {@link FusedEmbeddingRows}. Stateless and thread-safe.
 */
final class FusedTriplet extends FusedEmbeddingRows<Triplet> {
    private static final int AP = 0;
    private static final int AN = 1;
    private static final int PN = 2;

    FusedTriplet() {
        super(new TripletCpu(), 3);
    }

    @Override
    protected boolean takes(Triplet loss) {
        return loss.p() == 1 || loss.p() == 2;
    }

    @Override
    protected double row(Triplet loss, PairKernels k, Row r, double label) {
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
