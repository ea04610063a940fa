package io.github.lossengine.spi;

/**
 * What an engine's creator asked of its backend. A backend uses what applies to it and ignores the
 * rest.
 *
 * @param threads the number of threads a CPU backend computes one call on (the caller's thread
 *                included), {@code >= 1}
 */
public record BackendOptions(int threads) {

    public BackendOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** One thread per available processor. */
    public static BackendOptions defaults() {
        return new BackendOptions(Runtime.getRuntime().availableProcessors());
    }
}
