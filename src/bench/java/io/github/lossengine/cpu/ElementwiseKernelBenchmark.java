package io.github.lossengine.cpu;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The compute floor of each element-wise loss: its fused kernel (loss, gradient and sum, as a call of
 * the engine runs them, block by block of {@link FloatKernels#BLOCK} elements) over {@code n} elements
 * that stay in the cache ({@code n = 8192}: inputs, target and gradient take 96 KiB, in L2), one
 * thread, no engine around it. What it measures per element is what the loss costs when memory costs
 * nothing: a loss whose time here, divided over the threads, exceeds the time its bytes take at half
 * the stream bandwidth cannot reach 50% of the stream with these kernels, however memory behaves.
 * The inputs are those of {@code lossengine bench}'s element-wise cases in range (probabilities in
 * (0, 1), logits and differences around 0, positive variances). Run by {@code bench/compare.sh}
 * ({@code jmh-elementwise.json}); {@code -p kernels=vector} or {@code scalar}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseKernelBenchmark {
    @Param({"vector", "scalar"})
    public String kernels;

    @Param({"mse", "mae", "huber", "smooth_l1", "log_cosh", "hinge", "binary_cross_entropy", "bce_with_logits",
            "focal", "kl_div", "poisson_nll", "gaussian_nll"})
    public String loss;

    @Param({"8192"})
    public int n;

    private FloatKernels k;
    private float[] x;
    private float[] y;
    private float[] p;
    private float[] sign;
    private float[] var;
    private float[] g;
    private float[] g2;
    private double[] gVar;
    private float scale;

    @Setup
    public void setup() {
        k = BenchBackends.kernelsNamed(kernels);
        Random rnd = new Random(1);
        x = new float[n];
        y = new float[n];
        p = new float[n];
        sign = new float[n];
        var = new float[n];
        g = new float[n];
        g2 = new float[n];
        gVar = new double[FloatKernels.BLOCK];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
            y[i] = (float) rnd.nextGaussian();
            p[i] = 0.01f + 0.98f * rnd.nextFloat();
            sign[i] = rnd.nextBoolean() ? 1f : -1f;
            var[i] = 0.1f + rnd.nextFloat();
        }
        scale = 1f / n;
    }

    @Benchmark
    public double kernel() {
        double s = 0;
        for (int from = 0; from < n; from += FloatKernels.BLOCK) {
            int to = Math.min(n, from + FloatKernels.BLOCK);
            s += block(from, to);
        }
        return s;
    }

    private double block(int from, int to) {
        switch (loss) {
            case "mse":
                return k.squaredError(x, y, g, null, from, to, scale);
            case "mae":
                return k.regression().piecewise(x, y, g, null, from, to, 0f, 1f, 1f, scale);
            case "huber":
                return k.regression().piecewise(x, y, g, null, from, to, 1f, 1f, 1f, scale);
            case "smooth_l1":
                return k.regression().piecewise(x, y, g, null, from, to, 1f, 1f, 1f, scale);
            case "log_cosh":
                return k.regression().logCosh(x, y, g, null, from, to, scale);
            case "hinge":
                return k.hinge(x, sign, g, null, from, to, 1f, scale);
            case "binary_cross_entropy":
                return k.probability().bce(p, y, null, 0, g, null, from, to, scale);
            case "bce_with_logits":
                return k.probability().bceWithLogits(x, p, null, 0, null, 0, g, null, from, to, scale);
            case "focal":
                return k.probability().focal(x, p, g, null, from, to, 2f, 0.25f, scale);
            case "kl_div":
                return k.probability().klDiv(x, p, g, null, from, to, false, scale);
            case "poisson_nll":
                return k.likelihood().poisson(x, var, g, null, from, to, true, false, 1e-8, scale);
            case "gaussian_nll":
                return k.likelihood().gaussian(x, y, var, g, g2, gVar, null, from, to, 1e-6, 0.0, scale);
            default:
                throw new IllegalArgumentException("loss " + loss);
        }
    }
}
