package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.spi.Benchmarking;
import java.util.ArrayList;
import java.util.List;

/**
 * The device backends' {@link Benchmarking}: the inputs are copied to device memory once and the
 * gradients allocated there once, so that a timed call is what a training loop with device-resident
 * tensors pays: the kernels, and the read-back of the reduced value that ends the call (and, for
 * {@link Reduction#NONE}, of the per-element values). The copy bandwidth is the device's own
 * device-to-device copy ({@link Device#copy}), timed the same way, so the two are comparable.
 *
 * <p>A loss without a device kernel runs as the engine runs it, on the CPU backend, through
 * {@link DeviceBackend#compute} with host buffers allocated once.
 *
 * <p>Not thread-safe (a prepared call is used by one thread); every device access takes the backend's
 * lock, so other engines on the same device stay safe.
 */
final class DeviceBenchmarking implements Benchmarking {
    /** Copies before the timed ones: the first touches of fresh device memory are not timed. */
    private static final int WARM_UP_COPIES = 2;

    private final DeviceBackend backend;

    DeviceBenchmarking(DeviceBackend backend) {
        this.backend = backend;
    }

    @Override
    public Call prepare(Loss loss, Tensor[] inputs) {
        return checked(DeviceLosses.forLoss(loss) == null ? Benchmarking.hostCall(backend, loss, inputs)
                : new ResidentCall(loss, inputs.clone()));
    }

    /** Runs {@code call} once before returning it, so that invalid inputs are refused here, as compute refuses them. */
    private static Call checked(Call call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            call.close();
            throw e;
        }
        return call;
    }

    @Override
    public Call prepareRepeated(Loss loss, Tensor[] tiles, long repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        if (DeviceLosses.forLoss(loss) == null) {
            throw new UnsupportedOperationException(loss.name() + " has no " + backend.kind().id() + " kernel: it runs on host arrays");
        }
        return checked(new ResidentCall(loss, tiles.clone(), repeats));
    }

    /** Inputs and gradients in device memory of their own, outside the engine's workspace. */
    private final class ResidentCall implements Call {
        private final Loss loss;
        private final DeviceTensor[] inputs;
        private final DeviceMemory[] gradients;
        /** Per gradient, its type: a 16-bit input's own (as the CPU and PyTorch return it), else float32. */
        private final DType[] gradientTypes;
        private final List<DeviceMemory> held = new ArrayList<>();

        ResidentCall(Loss loss, Tensor[] host) {
            this(loss, host, 1);
        }

        /** Input {@code i} is {@code tiles[i]} repeated {@code repeats} times along its first dimension. */
        ResidentCall(Loss loss, Tensor[] tiles, long repeats) {
            this.loss = loss;
            this.inputs = new DeviceTensor[tiles.length];
            this.gradients = new DeviceMemory[tiles.length];
            this.gradientTypes = new DType[tiles.length];
            synchronized (backend.lock()) {
                backend.requireOpen();
                Device device = backend.device();
                device.enter();
                try {
                    for (int i = 0; i < tiles.length; i++) {
                        long[] shape = tiles[i].shape();
                        if (shape.length > 0) {
                            shape[0] = Math.multiplyExact(shape[0], repeats);
                        } else if (repeats != 1) {
                            throw new IllegalArgumentException("a scalar input cannot be repeated");
                        }
                        long elements = Math.multiplyExact(tiles[i].size(), repeats);
                        DeviceMemory m = hold(device.allocate(Math.multiplyExact(DeviceBackend.deviceBytes(tiles[i]), repeats)));
                        inputs[i] = repeats == 1 ? DeviceBackend.copyIn(device, m, tiles[i])
                                : DeviceBackend.copyInRepeated(device, m, tiles[i], repeats, shape);
                        if (loss.differentiable(i)) {
                            boolean half = tiles[i].dtype().isHalf();
                            gradientTypes[i] = half ? tiles[i].dtype() : DType.FLOAT32;
                            gradients[i] = hold(device.allocate(half ? HalfTransfer.bytes16(elements)
                                    : Math.multiplyExact(4L, elements)));
                        }
                    }
                } catch (RuntimeException e) {
                    held.forEach(DeviceMemory::close);
                    held.clear();
                    throw e;
                } finally {
                    device.exit();
                }
            }
        }

        private DeviceMemory hold(DeviceMemory m) {
            held.add(m);
            return m;
        }

        @Override
        public double run() {
            DeviceBackend.ResidentResult r = backend.computeResident(loss, inputs, gradients, gradientTypes);
            return loss.reduction() == Reduction.NONE ? Double.NaN : r.value();
        }

        @Override
        public void close() {
            synchronized (backend.lock()) {
                release();
            }
        }

        private void release() {
            // CudaMemory.close binds its own context and never throws; OpenCL needs no binding
            held.forEach(DeviceMemory::close);
            held.clear();
        }
    }

    @Override
    public double[] copySeconds(long bytes, int repeats) {
        if (bytes <= 0 || repeats <= 0) {
            throw new IllegalArgumentException("copySeconds needs bytes > 0 and repeats > 0, got " + bytes + ", " + repeats);
        }
        synchronized (backend.lock()) {
            backend.requireOpen();
            Device device = backend.device();
            device.enter();
            try (DeviceMemory src = device.allocate(bytes); DeviceMemory dst = device.allocate(bytes)) {
                return Benchmarking.timeRepeats(WARM_UP_COPIES, repeats, () -> device.copy(src, dst, bytes));
            } finally {
                device.exit();
            }
        }
    }

    @Override
    public String copyDescription() {
        return backend.device().copyCall() + " within device memory";
    }
}
