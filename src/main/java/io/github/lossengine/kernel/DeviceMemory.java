package io.github.lossengine.kernel;

/**
 * A block of device memory owned by a backend (or wrapped for a caller who owns it). Closing it
 * frees memory the backend allocated; closing a wrapper of caller memory does nothing. Idempotent.
 */
public interface DeviceMemory extends AutoCloseable {

    /** Size in bytes. */
    long bytes();

    @Override
    void close();
}
