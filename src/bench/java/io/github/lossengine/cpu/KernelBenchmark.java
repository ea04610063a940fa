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
 * The inner loops of the fused losses on one cache-resident row ({@code n} floats), single-threaded:
 * ns per element of each kernel, scalar against Vector API, and {@code Math.exp} for comparison.
 * {@code -p n=...} for other sizes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {
    @Param({"vector", "scalar"})
    public String kernels;

    @Param({"32768"})
    public int n;

    private FloatKernels k;
    private float[] z;
    private float[] y;
    private float[] g;
    private float max;

    @Setup
    public void setup() {
        k = BenchBackends.kernelsNamed(kernels);
        Random rnd = new Random(1);
        z = new float[n];
        y = new float[n];
        g = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (rnd.nextGaussian() * 2);
            y[i] = rnd.nextBoolean() ? 1f : -1f;
        }
        max = k.max(z, 0, n);
    }

    @Benchmark
    public float max() {
        return k.max(z, 0, n);
    }

    @Benchmark
    public double expSum() {
        return k.expSum(z, 0, n, max, g, 0);
    }

    @Benchmark
    public float[] scale() {
        k.scale(g, 0, n, 0.5f);
        return g;
    }

    @Benchmark
    public double squaredError() {
        return k.squaredError(z, y, g, null, 0, n, 1e-3f);
    }

    @Benchmark
    public double hinge() {
        return k.hinge(z, y, g, null, 0, n, 1f, 1e-3f);
    }

    @Benchmark
    public double mathExp() {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(z[i] - max);
        }
        return s;
    }
}
