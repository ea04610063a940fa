package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.spi.BackendOptions;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;

/** The pure-Java backend: always available, lowest rank. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public Backend backend() {
        return Backend.CPU;
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public Probe probe() {
        return Probe.available("pure Java, always available");
    }

    @Override
    public ComputeBackend open() {
        return open(BackendOptions.defaults());
    }

    @Override
    public ComputeBackend open(BackendOptions options) {
        return new CpuBackend(options.threads());
    }
}
