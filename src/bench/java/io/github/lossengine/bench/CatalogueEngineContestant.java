package io.github.lossengine.bench;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.BenchBackends;
import io.github.lossengine.spi.Benchmarking;
import io.github.lossengine.spi.ComputeBackend;

/**
 * lossengine on one catalogue case, with the gradient of every differentiable input, into buffers
 * allocated once. CPU: {@code computeInto}; a device backend: its benchmark hooks (inputs and
 * gradients resident in device memory), checked through {@code computeInto}; the reference: the CPU
 * backend's double implementations called directly. The check's gradient is every differentiable
 * input's gradient, one after the other.
 */
final class CatalogueEngineContestant implements Contestant {
    private final String id;
    private final String description;
    private final LossEngine engine;
    private final ComputeBackend direct;
    private final Loss loss;
    private final Tensor[] inputs;
    private final Tensor[] gradients;
    private final Benchmarking.Call resident;

    private CatalogueEngineContestant(String id, String description, LossEngine engine, ComputeBackend direct,
                                      Loss loss, Tensor[] inputs, Tensor[] gradients) {
        this.id = id;
        this.engine = engine;
        this.direct = direct;
        this.loss = loss;
        this.inputs = inputs;
        this.gradients = gradients;
        this.resident = engine != null && engine.backend().active() != Backend.CPU
                ? engine.benchmarking().prepare(loss, inputs) : null;
        this.description = description != null ? description : "lossengine " + engine.backend().active().id()
                + ", inputs and gradients in device memory: " + engine.backend().detail();
    }

    /** lossengine on {@code backend} and {@code threads} threads, gradients in {@code gradients} (same storage as given). */
    static CatalogueEngineContestant engine(Backend backend, int threads, Loss loss, Tensor[] inputs,
                                            Tensor[] gradients) {
        LossEngine e = LossEngine.builder().backend(backend).threads(threads).build();
        return new CatalogueEngineContestant(LossEngineContestant.id(backend), backend == Backend.CPU
                ? "lossengine computeInto, cpu fused: " + BenchBackends.kernelDescription() + ", " + threads + " threads"
                : null, e, null, loss, inputs, gradients);
    }

    /** The double-precision reference, one thread, heap gradients. */
    static CatalogueEngineContestant reference(Loss loss, Tensor[] inputs) {
        return new CatalogueEngineContestant("reference", "lossengine double reference, 1 thread", null,
                BenchBackends.reference(1), loss, inputs, heapGradients(loss, inputs));
    }

    /** Float32 heap gradients for every differentiable input, null for the others. */
    static Tensor[] heapGradients(Loss loss, Tensor[] inputs) {
        Tensor[] g = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                g[i] = Tensor.zeros(inputs[i].shape());
            }
        }
        return g;
    }

    /** Every gradient of {@code gradients}, one after the other. */
    static float[] concat(Tensor[] gradients) {
        int n = 0;
        for (Tensor g : gradients) {
            n += g == null ? 0 : (int) g.size();
        }
        float[] all = new float[n];
        int at = 0;
        for (Tensor g : gradients) {
            if (g != null) {
                g.read(0, all, at, (int) g.size());
                at += (int) g.size();
            }
        }
        return all;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public double run() {
        if (resident != null) {
            return resident.run();
        }
        if (direct != null) {
            return direct.compute(loss, inputs.clone(), gradients.clone()).value();
        }
        return engine.computeInto(loss, inputs, gradients).value();
    }

    @Override
    public Outcome runForCheck() {
        double v = direct != null ? run() : engine.computeInto(loss, inputs, gradients).value();
        return new Outcome(v, concat(gradients));
    }

    @Override
    public void close() {
        if (resident != null) {
            resident.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (direct != null) {
            direct.close();
        }
    }
}
