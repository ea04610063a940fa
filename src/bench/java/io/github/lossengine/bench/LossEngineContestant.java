package io.github.lossengine.bench;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.BenchBackends;

/** lossengine through its public API: {@code computeInto} with a gradient buffer allocated once. */
final class LossEngineContestant implements Contestant {
    private final LossEngine engine;
    private final Loss loss;
    private final Tensor[] inputs;
    private final Tensor gradient;
    private final Backend backend;
    private final int threads;

    LossEngineContestant(Case.Data data, Backend backend, int threads) {
        this.backend = backend;
        this.threads = threads;
        this.engine = LossEngine.builder().backend(backend).threads(threads).build();
        this.loss = data.c().loss();
        this.inputs = data.tensors();
        this.gradient = Tensor.zeros(inputs[0].shape());
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
        return "lossengine computeInto, " + engine.backend().active().id()
                + (backend == Backend.CPU ? " fused: " + BenchBackends.kernelDescription() : "") + ", " + threads
                + " threads";
    }

    @Override
    public double run() {
        return engine.computeInto(loss, inputs, gradient).value();
    }

    @Override
    public Outcome runForCheck() {
        double v = run();
        return new Outcome(v, gradient.floatArrayOrNull());
    }

    @Override
    public void close() {
        engine.close();
    }
}
