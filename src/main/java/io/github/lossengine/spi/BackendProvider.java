package io.github.lossengine.spi;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;

/**
 * A source of one compute backend, found through {@link java.util.ServiceLoader} (the CPU provider
 * is also registered directly, so a shaded jar that lost {@code META-INF/services} still works).
 *
 * <p>Implementations must not touch native code in a static initialiser or a constructor: all
 * native loading happens in {@link #probe()}, which never throws, and is cached.
 */
public interface BackendProvider {

    /** Which backend this provides. */
    Backend backend();

    /** Higher ranks are tried first in automatic selection (CUDA 300, OpenCL 200, CPU 0). */
    int rank();

    /** Whether the backend can be used here, and why not. Never throws; cached after the first call. */
    Probe probe();

    /**
     * Opens the backend for one engine.
     *
     * @throws BackendUnavailableException when it cannot be opened after all, with the reason
     */
    ComputeBackend open();

    /**
     * Opens the backend for one engine with the creator's options; by default ignores them and calls
     * {@link #open()}.
     *
     * @throws BackendUnavailableException when it cannot be opened after all, with the reason
     */
    default ComputeBackend open(BackendOptions options) {
        return open();
    }
}
