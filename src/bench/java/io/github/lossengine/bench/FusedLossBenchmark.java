package io.github.lossengine.bench;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.BenchBackends;
import io.github.lossengine.spi.ComputeBackend;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * lossengine's forward+backward on the comparison's cases, through the public API
 * ({@code computeInto}, gradient buffer allocated once): {@code -prof gc} shows what a call
 * allocates. {@code path}: {@code fused} (the default engine), {@code scalar} (fused losses on the
 * scalar kernels), {@code reference} (the double implementations).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FusedLossBenchmark {
    @Param({"softmax_cross_entropy 4096x32768"})
    public String caseName;

    @Param({"fused"})
    public String path;

    @Param({"2"})
    public int threads;

    private LossEngine engine;
    private ComputeBackend backend;
    private Loss loss;
    private Tensor[] inputs;
    private Tensor[] gradients;

    @Setup
    public void setup() {
        Case c = Case.byName(caseName);
        Case.Data data = c.generate();
        loss = c.loss();
        inputs = data.tensors();
        Tensor g = Tensor.zeros(inputs[0].shape());
        gradients = new Tensor[] {g, null};
        switch (path) {
            case "fused":
                engine = LossEngine.builder().backend(Backend.CPU).threads(threads).build();
                break;
            case "scalar":
                backend = BenchBackends.fusedScalar(threads);
                break;
            case "reference":
                backend = BenchBackends.reference(threads);
                break;
            default:
                throw new IllegalArgumentException("path " + path);
        }
    }

    @Benchmark
    public double forwardBackward() {
        if (engine != null) {
            return engine.computeInto(loss, inputs, gradients[0]).value();
        }
        return backend.compute(loss, inputs.clone(), gradients).value();
    }

    @TearDown
    public void close() {
        if (engine != null) {
            engine.close();
        }
        if (backend != null) {
            backend.close();
        }
    }
}
