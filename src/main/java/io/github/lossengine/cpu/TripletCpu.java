package io.github.lossengine.cpu;

import io.github.lossengine.loss.Triplet;
import java.util.Arrays;

/**
 * CPU {@link Triplet}: {@code max(0, margin + d(a, pos) - d(a, neg))} per row with
 * {@code d(u, v) = ||u - v + eps||_p}; with swap, {@code d(a, neg)} becomes
 * {@code min(d(a, neg), d(pos, neg))} and the gradient follows the smaller distance (half to each
 * on a tie, as PyTorch's {@code minimum}).
 */
final class TripletCpu extends EmbeddingRowsCpu<Triplet> {
    TripletCpu() {
        super(3, 6);
    }

    @Override
    protected double row(Triplet loss, double[][] x, double label, double[][] grad, double[][] work) {
        double[] a = x[0];
        double[] pos = x[1];
        double[] neg = x[2];
        double p = loss.p();
        double[] vAp = work[0];
        double[] vAn = work[1];
        double[] vPn = work[2];
        difference(a, pos, loss.eps(), vAp);
        difference(a, neg, loss.eps(), vAn);
        // the value sees a distance beyond FLT_MAX as +Inf, as the kernel's float32 distances (docs/GPU.md,
        // overflow policy); the gradient v / ||v|| uses the norm itself (the kernel's scaled norm)
        double nAp = PNorm.of(vAp, p);
        double nAn = PNorm.of(vAn, p);
        double nPn = Double.NaN;
        double dAp = Reductions.float32Range(nAp);
        double dAn = Reductions.float32Range(nAn);
        double dPn = Double.NaN;
        if (loss.swap()) {
            difference(pos, neg, loss.eps(), vPn);
            nPn = PNorm.of(vPn, p);
            dPn = Reductions.float32Range(nPn);
        }
        double[] shares = new double[2];
        double dNeg = negativeDistance(loss.swap(), dAn, dPn, shares);
        double wAn = shares[0];
        double wPn = shares[1];
        // the distances' difference first: margin + dAp - dNeg left to right loses the margin once the
        // distances dwarf it, so the value was 0 while the gradient said the hinge was active
        double inner = loss.margin() + (dAp - dNeg);
        double l = Math.max(0, inner);
        if (grad == null) {
            return l;
        }
        double[] gA = grad[0];
        double[] gPos = grad[1];
        double[] gNeg = grad[2];
        if (inner < 0) {
            Arrays.fill(gA, 0);
            Arrays.fill(gPos, 0);
            Arrays.fill(gNeg, 0);
            return l;
        }
        // the clamp passes the gradient at inner == 0 (PyTorch clamp_min); NaN propagates
        double[] uAp = work[3];
        double[] uAn = work[4];
        double[] uPn = work[5];
        PNorm.gradient(vAp, nAp, p, uAp);
        weightedGradient(vAn, nAn, p, wAn, uAn);
        weightedGradient(vPn, nPn, p, wPn, uPn);
        for (int j = 0; j < a.length; j++) {
            gA[j] = uAp[j] - uAn[j];
            gPos[j] = -uAp[j] - uPn[j];
            gNeg[j] = uAn[j] + uPn[j];
        }
        return l;
    }

    /**
     * The negative's distance: {@code d(a, neg)}, or with {@code swap} {@code min(d(a, neg), d(pos, neg))}
     * (NaN kept); writes the shares of the gradient through {@code d(a, neg)} and {@code d(pos, neg)} into
     * {@code shares[0]} and {@code shares[1]}: the smaller distance's, half each on a tie (PyTorch's
     * {@code minimum}), also where one is NaN. Shared with {@link FusedTriplet}.
     */
    static double negativeDistance(boolean swap, double dAn, double dPn, double[] shares) {
        shares[0] = 1;
        shares[1] = 0;
        if (!swap) {
            return dAn;
        }
        if (dPn < dAn) {
            shares[0] = 0;
            shares[1] = 1;
        } else if (!(dAn < dPn)) {
            shares[0] = 0.5;
            shares[1] = 0.5;
        }
        return Math.min(dAn, dPn);
    }

    /** {@code w} times the norm's gradient; exactly 0 where {@code w = 0}, even for a distance that is not used. */
    private static void weightedGradient(double[] v, double norm, double p, double w, double[] out) {
        if (w == 0) {
            Arrays.fill(out, 0);
            return;
        }
        PNorm.gradient(v, norm, p, out);
        for (int j = 0; j < out.length; j++) {
            out[j] *= w;
        }
    }
}
