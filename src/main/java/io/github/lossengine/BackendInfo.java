package io.github.lossengine;

import java.util.List;

/**
 * Which backend an engine uses and why, and every backend that was considered and rejected with
 * its reason.
 *
 * @param active   the backend in use, never {@link Backend#AUTO}
 * @param reason   why it was chosen, e.g. "requested by system property lossengine.backend=cpu"
 * @param detail   a one-line description of the device in use (e.g. "Java 17.0.15, 2 threads")
 * @param rejected backends that were tried first and could not be used, in the order tried
 */
public record BackendInfo(Backend active, String reason, String detail, List<Rejection> rejected) {

    /** A backend that was not used, and why. */
    public record Rejection(Backend backend, String reason) {
        @Override
        public String toString() {
            return backend.id() + ": " + reason;
        }
    }

    public BackendInfo {
        rejected = List.copyOf(rejected);
    }

    /** A multi-line report, as printed by {@code lossengine info}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("active backend: ").append(active.id()).append(" (").append(reason).append(")\n");
        sb.append("device: ").append(detail).append('\n');
        for (Rejection r : rejected) {
            sb.append("rejected ").append(r).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return active.id() + " (" + reason + (rejected.isEmpty() ? "" : "; rejected " + rejected) + ")";
    }
}
