package io.github.lossengine.spi;

/**
 * What a {@link BackendProvider} found out about its backend.
 *
 * @param available      whether it can be opened
 * @param autoSelectable whether automatic selection may pick it (an OpenCL CPU device such as PoCL is
 *                       available but only when asked for by name)
 * @param reason         why it is unavailable or not auto-selectable, or a description of the device
 */
public record Probe(boolean available, boolean autoSelectable, String reason) {

    public static Probe available(String description) {
        return new Probe(true, true, description);
    }

    public static Probe explicitOnly(String reason) {
        return new Probe(true, false, reason);
    }

    public static Probe unavailable(String reason) {
        return new Probe(false, false, reason);
    }
}
