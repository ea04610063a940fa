package io.github.lossengine.bench;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.BenchBackends;
import io.github.lossengine.spi.Benchmarking;

/**
 * lossengine through its public API. On the CPU backend: {@code computeInto} with a gradient buffer
 * allocated once. On a device backend: the backend's benchmark hooks, as {@code lossengine bench}
 * uses them (inputs and gradient resident in device memory, so a call is the kernels plus the
 * read-back of the loss, as in a training loop on the device); the check before timing still goes
 * through {@code computeInto}, so the gradient compared with the reference is the device's.
 */
final class LossEngineContestant implements Contestant {
    private final LossEngine engine;
    private final Loss loss;
    private final Tensor[] inputs;
    private final Tensor gradient;
    private final Backend backend;
    private final int threads;
    private final Benchmarking.Call resident;

    LossEngineContestant(Case.Data data, Backend backend, int threads) {
        this.backend = backend;
        this.threads = threads;
        this.engine = LossEngine.builder().backend(backend).threads(threads).build();
        this.loss = data.c().loss();
        this.inputs = data.tensors();
        this.gradient = Tensor.zeros(inputs[0].shape());
        this.resident = backend == Backend.CPU ? null : engine.benchmarking().prepare(loss, inputs);
    }

    /** {@code lossengine} for the CPU backend, {@code lossengine-<backend>} for the others. */
    static String id(Backend backend) {
        return backend == Backend.CPU ? "lossengine" : "lossengine-" + backend.id();
    }

    @Override
    public String id() {
        return id(backend);
    }

    @Override
    public String description() {
        if (backend == Backend.CPU) {
            return "lossengine computeInto, cpu fused: " + BenchBackends.kernelDescription() + ", " + threads
                    + " threads";
        }
        return "lossengine " + engine.backend().active().id() + ", inputs and gradient in device memory: "
                + engine.backend().detail();
    }

    @Override
    public double run() {
        return resident != null ? resident.run() : engine.computeInto(loss, inputs, gradient).value();
    }

    @Override
    public Outcome runForCheck() {
        double v = engine.computeInto(loss, inputs, gradient).value();
        return new Outcome(v, gradient.floatArrayOrNull());
    }

    @Override
    public void close() {
        if (resident != null) {
            resident.close();
        }
        engine.close();
    }
}
