package io.github.lossengine;

/** A backend that was asked for by name cannot be used here; the message says why. */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Backend backend;

    public BackendUnavailableException(Backend backend, String reason) {
        super(backend.id() + " backend unavailable: " + reason);
        this.backend = backend;
    }

    public BackendUnavailableException(Backend backend, String reason, Throwable cause) {
        super(backend.id() + " backend unavailable: " + reason, cause);
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }
}
