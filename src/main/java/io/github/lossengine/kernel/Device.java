package io.github.lossengine.kernel;

/**
 * What a device backend offers the shared loss code: memory, copies, and launches of the kernels
 * in {@code kernels/} by name. Implemented by the OpenCL (JOCL) and CUDA (JCuda) adapters, which
 * stay thin: everything about which kernels to run with which arguments lives in this package.
 *
 * <p>Calls are made under the owning backend's lock, so implementations need not be thread-safe.
 * Every method throws {@link DeviceException} when the device reports an error.
 */
public interface Device {

    /**
     * Called at the start of every backend call, under the lock, before any other method: binds the
     * device to the calling thread where the API needs it (CUDA contexts are per thread).
     */
    default void enter() {
    }

    /**
     * Called once after every {@link #enter()}, in a {@code finally}, under the lock: undoes what
     * {@code enter} bound to the thread (CUDA pops the context it pushed, so a caller's own current
     * context is current again). Never throws.
     */
    default void exit() {
    }

    /** One line describing the device. */
    String describe();

    /** New device memory of {@code bytes} bytes (at least 1), contents undefined. */
    DeviceMemory allocate(long bytes);

    /** Copies {@code count} floats from {@code src} to the start of {@code dst}. */
    default void write(DeviceMemory dst, float[] src, int count) {
        write(dst, 0, src, count);
    }

    /** Copies {@code count} longs from {@code src} to the start of {@code dst}. */
    default void write(DeviceMemory dst, long[] src, int count) {
        write(dst, 0, src, count);
    }

    /** Copies {@code count} floats from {@code src} into {@code dst} from float {@code at} on. */
    void write(DeviceMemory dst, long at, float[] src, int count);

    /** Copies {@code count} longs from {@code src} into {@code dst} from long {@code at} on. */
    void write(DeviceMemory dst, long at, long[] src, int count);

    /** Copies {@code count} ints from {@code src} to the start of {@code dst}. */
    void write(DeviceMemory dst, int[] src, int count);

    /** Sets the first {@code count} floats of {@code dst} to {@code value}, ordered with the launches. */
    void fill(DeviceMemory dst, float value, long count);

    /** Copies {@code count} floats from the start of {@code src}. */
    void read(DeviceMemory src, float[] dst, int count);

    /** Copies {@code count} ints from the start of {@code src}. */
    void read(DeviceMemory src, int[] dst, int count);

    /** Copies {@code count} longs from the start of {@code src}. */
    void read(DeviceMemory src, long[] dst, int count);

    /**
     * Copies {@code bytes} bytes from the start of {@code src} to the start of {@code dst}, both device
     * memory, and returns when the copy is complete. Used to measure the device's copy bandwidth.
     */
    void copy(DeviceMemory src, DeviceMemory dst, long bytes);

    /** The device API call {@link #copy} makes, e.g. "clEnqueueCopyBuffer" or "cuMemcpyDtoD". */
    String copyCall();

    /** Launches kernel {@code name} on {@code groups} groups of {@link Geometry#GROUP_SIZE} threads. */
    void launch(String name, int groups, KernelArgs args);

    /**
     * The GEMM {@code linear_cross_entropy}'s products run with on this device: the built-in kernel,
     * unless the backend chose a library for its session (CUDA: cuBLAS, when it loads). Called entered.
     */
    default DeviceGemm gemm() {
        return BuiltInGemm.INSTANCE;
    }
}
