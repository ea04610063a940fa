package io.github.lossengine.cpu;
import java.util.*;
/**
 * Times each pass of {@link FusedSoftTargetCrossEntropy}'s row alone, one row of C classes, one
 * thread (ns per element): the copies the staged path makes, maximum, count of masked classes,
 * exp-sum, target masses, gradient (with the refinement flags), the target check, 37 refinement
 * exps (the hits of a 1000-class row of {@link SoftTargetEndToEndTiming}'s inputs), and the old
 * all-entries refinement check. Run (after {@code mvn package}):
 * {@code javac --add-modules jdk.incubator.vector -cp target/lossengine.jar -d /tmp/t
 * src/bench/java/io/github/lossengine/cpu/SoftTargetPassTiming.java} and
 * {@code java --add-modules jdk.incubator.vector -cp /tmp/t:target/lossengine.jar
 * io.github.lossengine.cpu.SoftTargetPassTiming 1000} (a second argument {@code scalar}: the scalar kernels).
 */
public final class SoftTargetPassTiming {
    static double sink;
    public static void main(String[] a) {
        int C = Integer.parseInt(a[0]);
        FloatKernels k = a.length > 1 && a[1].equals("scalar") ? new ScalarKernels() : KernelSelection.kernels();
        SoftTargetKernels s = k.softTargets();
        Random r = new Random(1);
        float[] z = new float[C], t = new float[C], g = new float[C], zs = new float[C], ts = new float[C];
        double ts0 = 0;
        for (int i = 0; i < C; i++) { z[i] = (float) r.nextGaussian() * 2; t[i] = r.nextFloat(); ts0 += t[i]; }
        for (int i = 0; i < C; i++) t[i] /= (float) ts0;
        double[] sums = new double[2]; int[] blocks = new int[C / 8 + 1];
        int reps = 20_000_000 / C;
        for (int round = 0; round < 3; round++) {
            long t0;
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { System.arraycopy(z, 0, zs, 0, C); System.arraycopy(t, 0, ts, 0, C); } rep("copy z,t", t0, reps, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) sink += k.max(z, 0, C); rep("max", t0, reps, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) sink += k.countNegativeInfinity(z, 0, C); rep("count -inf", t0, reps, C);
            float m = k.max(z, 0, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) sink += k.expSum(z, 0, C, m, g, 0); rep("expSum", t0, reps, C);
            double es = k.expSum(z, 0, C, m, g, 0);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { s.mass(z, 0, t, 0, null, 0, C, 0.9f, 0.1f / C, 0f, false, m, sums); sink += sums[0]; } rep("mass", t0, reps, C);
            float[] g2 = g.clone();
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { System.arraycopy(g2, 0, g, 0, C); sink += s.gradient(z, 0, t, 0, null, 0, g, 0, C, 0.9f, 0.1f / C, 0f, false, (float) (1 / es), 1f, blocks); } rep("copy+gradient+flags", t0, reps, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { sink += s.probabilities(t, 0, C) ? 1 : 0; } rep("validate t", t0, reps, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { double q = 0; for (int c = 0; c < 37; c++) q += DoubleMath.exp(-c * 0.37 - 6.9); sink += q; } rep("37 DoubleMath.exp", t0, reps, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { double q = 0; for (int c = 0; c < 37; c++) q += StrictMath.exp(-c * 0.37 - 6.9); sink += q; } rep("37 StrictMath", t0, reps, C);
            t0 = System.nanoTime(); for (int i = 0; i < reps; i++) { sink += refineCheck(z, t, g, 0.9f, 0.1f / C, 1f); } rep("refine check", t0, reps, C);
            System.out.println("refine hits per row: " + refineCheck(z, t, g, 0.9f, 0.1f / C, 1f));
        }
    }
    static int refineCheck(float[] zs, float[] ts, float[] gs, float on, float sp, float sc) {
        int n = 0;
        for (int c = 0; c < zs.length; c++) {
            float zc = zs[c];
            if (zc == Float.NEGATIVE_INFINITY) continue;
            float aa = ScalarSoftTargetKernels.mass(zc, ts[c], 1f, on, sp, 0f, false) * sc;
            if (Math.abs(gs[c]) < 0.125f * aa) n++;
        }
        return n;
    }
    static void rep(String what, long t0, int reps, int C) {
        System.out.printf("%-14s %.3f ns/elem%n", what, (System.nanoTime() - t0) / (double) reps / C);
    }
}
