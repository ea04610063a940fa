package io.github.lossengine.cpu;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.*;
/**
 * Times {@link FusedSoftTargetCrossEntropy} end to end on the Vector API kernels (or the scalar ones
 * without {@code --add-modules}), 2 threads, MEAN, gradient of the logits: arguments rows, classes,
 * label smoothing, and {@code w} for class weights; median and minimum of 15 calls (system property
 * {@code n}) after 10. Logits N(0, 2^2), targets uniform, normalized per row. {@code lossengine bench}
 * has no probability-target option. Run as {@link SoftTargetPassTiming} (with {@code SoftTargetTiming.java} too), class
 * {@code io.github.lossengine.cpu.SoftTargetEndToEndTiming 4096 1000 0}.
 */
public final class SoftTargetEndToEndTiming {
    public static void main(String[] a) {
        int rows = Integer.parseInt(a[0]), classes = Integer.parseInt(a[1]);
        double eps = Double.parseDouble(a[2]);
        boolean weights = a.length > 3 && a[3].equals("w");
        Random rnd = new Random(1);
        Tensor[] in = SoftTargetTiming.inputs(rows, classes, 2, rnd);
        Tensor[] g = {Tensor.zeros(rows, classes), null};
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().labelSmoothing(eps);
        if (weights) { float[] w = new float[classes]; for (int c = 0; c < classes; c++) w[c] = 0.5f + rnd.nextFloat(); loss = loss.classWeights(w); }
        WorkerPool pool = new WorkerPool(2);
        FusedSoftmaxCrossEntropy f = new FusedSoftmaxCrossEntropy();
        FloatKernels v = KernelSelection.kernels();
        final SoftmaxCrossEntropy l = loss;
        for (int i = 0; i < 10; i++) f.compute(l, in, g, v, pool);
        double[] ms = new double[Integer.getInteger("n", 15)];
        for (int i = 0; i < ms.length; i++) { long t0 = System.nanoTime(); f.compute(l, in, g, v, pool); ms[i] = (System.nanoTime() - t0) / 1e6; }
        Arrays.sort(ms);
        System.out.printf("%dx%d eps %s %s: median %.2f ms min %.2f%n", rows, classes, eps, weights ? "weights" : "", ms[7], ms[0]);
        System.exit(0);
    }
}
