package io.github.lossengine.bench;

import io.github.lossengine.Loss;
import io.github.lossengine.Tensor;
import io.github.lossengine.spi.ComputeBackend;

/** A CPU backend variant called directly (the reference, or the fused path on scalar kernels). */
final class BackendContestant implements Contestant {
    private final String id;
    private final String description;
    private final ComputeBackend backend;
    private final Loss loss;
    private final Tensor[] inputs;
    private final Tensor gradient;

    BackendContestant(String id, String description, ComputeBackend backend, Case.Data data) {
        this.id = id;
        this.description = description;
        this.backend = backend;
        this.loss = data.c().loss();
        this.inputs = data.tensors();
        this.gradient = Tensor.zeros(inputs[0].shape());
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
        return backend.compute(loss, inputs.clone(), new Tensor[] {gradient, null}).value();
    }

    @Override
    public Outcome runForCheck() {
        return new Outcome(run(), gradient.floatArrayOrNull());
    }

    @Override
    public void close() {
        backend.close();
    }
}
