package io.github.lossengine.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * Device memory kept between calls, by role ("in0", "grad0", "partials", ...): a buffer grows when a
 * call needs more and is otherwise reused, so a training loop with fixed shapes allocates only on
 * its first call. Not thread-safe: used under the backend's lock.
 */
public final class Workspace implements AutoCloseable {
    private final Device device;
    private final Map<String, DeviceMemory> buffers = new HashMap<>();

    public Workspace(Device device) {
        this.device = device;
    }

    /** A buffer of at least {@code bytes} bytes for {@code role}; its contents are undefined. */
    public DeviceMemory get(String role, long bytes) {
        long want = Math.max(16, bytes);
        DeviceMemory m = buffers.get(role);
        if (m != null && m.bytes() >= want) {
            return m;
        }
        if (m != null) {
            m.close();
            buffers.remove(role);
        }
        DeviceMemory fresh = device.allocate(want);
        buffers.put(role, fresh);
        return fresh;
    }

    /** Total bytes held. */
    public long bytes() {
        return buffers.values().stream().mapToLong(DeviceMemory::bytes).sum();
    }

    @Override
    public void close() {
        buffers.values().forEach(DeviceMemory::close);
        buffers.clear();
    }
}
