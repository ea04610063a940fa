package io.github.lossengine;

import java.util.List;

/**
 * The device failed for good while computing: a sticky CUDA error (an illegal address, a launch
 * timeout, a hardware fault; codes 700, 702, 714 to 720, 999) corrupts the CUDA context, so every
 * later call in it would fail too. The message names the kernel that faulted (or, when several ran
 * since the last synchronisation, each of them) and the CUDA error.
 *
 * <p>The engine's session on the device is released when this is thrown: the engine that saw it
 * refuses every later call with this exception, and the next {@link LossEngine#create()} opens a
 * fresh session on the device (or, when that fails, falls back to another backend with the reason).
 */
public class DeviceLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Backend backend;
    private final transient List<String> kernels;

    public DeviceLostException(Backend backend, String message, List<String> kernels) {
        super(backend.id() + " device lost: " + message);
        this.backend = backend;
        this.kernels = List.copyOf(kernels);
    }

    /** The backend whose device failed. */
    public Backend backend() {
        return backend;
    }

    /** The kernels launched since the last successful synchronisation: the one that faulted is among them. */
    public List<String> kernels() {
        return kernels == null ? List.of() : kernels;
    }
}
