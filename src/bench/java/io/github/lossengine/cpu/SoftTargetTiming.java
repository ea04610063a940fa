package io.github.lossengine.cpu;

import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.Arrays;
import java.util.Random;

/**
 * Times softmax cross-entropy with probability targets, 256 x 32768, label smoothing 0.1: the
 * double reference ({@link SoftmaxCrossEntropyCpu}, one thread) against the fused path
 * ({@link FusedSoftTargetCrossEntropy}) on the Vector API and the scalar kernels, 2 threads; median
 * and minimum of 7 calls after 3, twice. Run (after {@code mvn package}):
 * {@code javac --add-modules jdk.incubator.vector -cp target/classes:SLF4J_API_JAR -d /tmp/t
 * src/bench/java/io/github/lossengine/cpu/SoftTargetTiming.java} and
 * {@code java --add-modules jdk.incubator.vector -cp /tmp/t:target/classes:SLF4J_API_JAR
 * io.github.lossengine.cpu.SoftTargetTiming}.
 */
public final class SoftTargetTiming {
    private SoftTargetTiming() {
    }

    public static void main(String[] a) {
        int rows = 256, classes = 32768;
        Tensor[] in = inputs(rows, classes, 3, new Random(1));
        Tensor[] g = {Tensor.zeros(rows, classes), null};
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().labelSmoothing(0.1);
        WorkerPool pool = new WorkerPool(2);
        FusedSoftmaxCrossEntropy f = new FusedSoftmaxCrossEntropy();
        SoftmaxCrossEntropyCpu ref = new SoftmaxCrossEntropyCpu();
        FloatKernels v = KernelSelection.kernels(), s = new ScalarKernels();
        for (int round = 0; round < 2; round++) {
            System.out.println("reference (1 thread) " + med(() -> ref.compute(loss, in, g)));
            System.out.println("fused " + v.description() + " " + med(() -> f.compute(loss, in, g, v, pool)));
            System.out.println("fused scalar " + med(() -> f.compute(loss, in, g, s, pool)));
        }
        System.exit(0);
    }

    /** Logits N(0, sigma^2) [rows, classes] and uniform targets normalized per row. */
    static Tensor[] inputs(int rows, int classes, double sigma, Random rnd) {
        float[] z = new float[rows * classes];
        float[] t = new float[rows * classes];
        for (int i = 0; i < z.length; i++) { z[i] = (float) (rnd.nextGaussian() * sigma); t[i] = rnd.nextFloat(); }
        for (int r = 0; r < rows; r++) { double s = 0; for (int c = 0; c < classes; c++) s += t[r * classes + c]; for (int c = 0; c < classes; c++) t[r * classes + c] /= (float) s; }
        return new Tensor[] {Tensor.of(z, rows, classes), Tensor.of(t, rows, classes)};
    }

    static String med(Runnable r) {
        for (int i = 0; i < 3; i++) r.run();
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) { long t0 = System.nanoTime(); r.run(); ms[i] = (System.nanoTime() - t0) / 1e6; }
        Arrays.sort(ms);
        return String.format("median %.1f ms, min %.1f ms, load %s", ms[3], ms[0], load());
    }

    static String load() {
        try { return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).substring(0, 14); } catch (Exception e) { return "?"; }
    }
}
