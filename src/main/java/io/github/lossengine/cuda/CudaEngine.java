package io.github.lossengine.cuda;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.kernel.DeviceBackend;
import io.github.lossengine.kernel.DeviceMemory;
import io.github.lossengine.kernel.DeviceTensor;
import java.util.Arrays;
import java.util.Objects;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * Losses on data that already lives on the GPU: training code that holds its logits in CUDA device
 * memory passes the {@link CUdeviceptr} (and, optionally, its {@link CUstream}) and gets the loss and
 * the gradient in device memory, with no copy of the inputs or the gradient through the host.
 *
 * <pre>{@code
 * try (CudaEngine cuda = CudaEngine.create();
 *      CudaTensor logits = cuda.wrap(logitsPtr, DType.FLOAT32, n, c);   // the caller's memory
 *      CudaTensor labels = cuda.upload(Tensor.ofInts(y));               // small: copied once
 *      CudaTensor grad = cuda.allocate(n, c)) {                         // reused every step
 *     CudaResult r = cuda.computeInto(Losses.softmaxCrossEntropy(), stream,
 *             new CudaTensor[] {logits, labels}, grad);
 *     double loss = r.value();                                          // grad.pointer() holds dL/dlogits
 * }
 * }</pre>
 *
 * <p>Class indices on the device are int64 (PyTorch's {@code long}); {@link #upload} converts int32.
 * Every copy, memset and kernel of a call runs on {@code stream} (the legacy default stream when
 * {@code null}), which must belong to this engine's context; the call waits for that stream alone
 * (never the whole context) and returns once the value has been read back, so the gradient is
 * complete. The caller's current CUDA context is current again when any method returns. Invalid inputs are found on
 * the device and reported with the CPU backend's {@link InvalidInputException} before the gradient
 * is written. Workspace memory is kept between calls and freed by {@link #close()}.
 *
 * <p>Thread-safe: calls are serialised per GPU. Requires the CUDA backend to be available
 * ({@link #create()} throws {@link BackendUnavailableException} with the reason otherwise).
 */
public final class CudaEngine implements AutoCloseable {
    private final CudaBackendProvider.Session session;
    private final DeviceBackend backend;

    private CudaEngine(CudaBackendProvider.Session session) {
        this.session = session;
        this.backend = new DeviceBackend(Backend.CUDA, session.cuda, session);
    }

    /**
     * An engine on CUDA device 0.
     *
     * @throws BackendUnavailableException when CUDA cannot be used here, with the reason
     */
    public static CudaEngine create() {
        return new CudaEngine(new CudaBackendProvider().acquire());
    }

    /** The device in use. */
    public String detail() {
        return backend.detail();
    }

    /**
     * A view of the caller's device memory (float32, bfloat16, float16 or int64, row-major); closing it
     * frees nothing. 16-bit tensors are widened into float32 workspace on the device for the losses
     * that take them ({@link io.github.lossengine.LossEngine}); their gradient comes in their dtype
     * from {@link #compute}, or in float32 into a float32 buffer passed to {@link #computeInto}.
     * Validated against the driver before it is accepted: the pointer must belong to this engine's
     * CUDA context, be aligned to its element size, and the whole tensor must lie inside one
     * allocation ({@code cuPointerGetAttribute}, {@code cuMemGetAddressRange}).
     *
     * @throws InvalidInputException naming {@code pointer} and the address when it fails a check
     */
    public CudaTensor wrap(CUdeviceptr pointer, DType dtype, long... shape) {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(dtype, "dtype");
        if (dtype == DType.INT32) {
            throw new InvalidInputException("dtype", "device class indices must be int64; upload int32 indices with upload()");
        }
        int element = dtype.bytes();
        long bytes = Math.multiplyExact(count(shape), element);
        entered(false, () -> {
            session.cuda.requireAllocation(pointer, bytes, element, "pointer");
            return null;
        });
        return new CudaTensor(new CudaDevice.CudaMemory(pointer, bytes, null), dtype, shape);
    }

    /**
     * {@link #wrap(CUdeviceptr, DType, long...)} for a raw device address, as frameworks hand them
     * out (ND4J's {@code AtomicAllocator.getPointer(...).address()}, a PyTorch tensor's
     * {@code data_ptr()} passed through JNI).
     */
    public CudaTensor wrap(long address, DType dtype, long... shape) {
        if (address == 0) {
            throw new InvalidInputException("address", "is 0 (a null device pointer)");
        }
        return wrap(new CUdeviceptr().withByteOffset(address), dtype, shape);
    }

    /** New float32 device memory of this shape, owned by the returned tensor (e.g. a gradient buffer reused every step). */
    public CudaTensor allocate(long... shape) {
        return allocate(DType.FLOAT32, shape);
    }

    /**
     * New device memory of {@code dtype} (float32, bfloat16 or float16) and this shape, owned by the
     * returned tensor; 16-bit memory of an odd number of elements has 2 bytes more, so that
     * {@link #download} (which copies whole ints) stays inside it.
     */
    public CudaTensor allocate(DType dtype, long... shape) {
        if (dtype != DType.FLOAT32 && !dtype.isHalf()) {
            throw new InvalidInputException("dtype", "allocate() makes float tensors, got " + dtype);
        }
        long n = count(shape);
        // 16-bit data is copied two elements to an int (HalfTransfer): an odd count is rounded up to whole ints
        long bytes = dtype.isHalf() ? Math.multiplyExact(4L, (n + 1) / 2) : Math.multiplyExact(dtype.bytes(), n);
        return entered(false, () -> new CudaTensor((CudaDevice.CudaMemory) session.cuda.allocate(bytes), dtype, shape));
    }

    /**
     * Copies a host tensor to new device memory (int32 indices become int64). The copy runs on the
     * legacy default stream and is complete when this returns, so any stream may use the tensor.
     */
    public CudaTensor upload(Tensor host) {
        return entered(true, () -> {
            CudaDevice.CudaMemory m = (CudaDevice.CudaMemory) session.cuda.allocate(DeviceBackend.deviceBytes(host));
            try {
                DeviceTensor d = DeviceBackend.copyIn(session.cuda, m, host);
                session.cuda.finish();
                return new CudaTensor(m, d.dtype(), host.shape());
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        });
    }

    /**
     * Copies a float device tensor (float32, or 16-bit as its bits) to the host, on the legacy default stream (so it waits for work
     * on blocking streams, as {@code cuMemcpyDtoH} does; synchronise a non-blocking stream first).
     */
    public Tensor download(CudaTensor t) {
        if (t.dtype().isHalf()) {
            synchronized (session) {
                session.cuda.enter();
                try {
                    session.cuda.useStream(null);
                    return DeviceBackend.copyOut16(session.cuda, t.tensor());
                } finally {
                    session.cuda.useOwnStream();
                    session.cuda.exit();
                }
            }
        }
        if (t.dtype() != DType.FLOAT32) {
            throw new InvalidInputException("tensor", "download() copies float tensors, got " + t.dtype());
        }
        float[] a = new float[Math.toIntExact(t.size())];
        entered(true, () -> {
            session.cuda.read(t.memory(), a, a.length);
            return null;
        });
        return Tensor.of(a, t.shape());
    }

    /** The loss and, in new device memory (close them when done), the gradients of every differentiable input. */
    public CudaResult compute(Loss loss, CUstream stream, CudaTensor... inputs) {
        checkInputs(loss, inputs);
        CudaTensor[] grads = new CudaTensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                DType d = inputs[i].dtype();
                grads[i] = allocate(d.isHalf() ? d : DType.FLOAT32, inputs[i].shape());
            }
        }
        try {
            return run(loss, stream, inputs, grads);
        } catch (RuntimeException e) {
            for (CudaTensor g : grads) {
                if (g != null) {
                    g.close();
                }
            }
            throw e;
        }
    }

    /**
     * The loss, with the gradients written into the caller's device tensors: {@code gradients[i]}
     * (float32, shaped as {@code inputs[i]}, or {@code null}) receives the gradient of input {@code i}.
     */
    public CudaResult computeInto(Loss loss, CUstream stream, CudaTensor[] inputs, CudaTensor... gradients) {
        checkInputs(loss, inputs);
        if (gradients.length > inputs.length) {
            throw new InvalidInputException("gradients", gradients.length + " buffers for " + inputs.length + " inputs");
        }
        CudaTensor[] grads = Arrays.copyOf(gradients, inputs.length);
        for (int i = 0; i < grads.length; i++) {
            CudaTensor g = grads[i];
            if (g == null) {
                continue;
            }
            String arg = "gradient " + i + " (" + loss.inputNames().get(i) + ")";
            if (!loss.differentiable(i)) {
                throw new InvalidInputException(arg, loss.name() + " has no gradient with respect to " + loss.inputNames().get(i));
            }
            boolean type = g.dtype() == DType.FLOAT32 || (g.dtype().isHalf() && g.dtype() == inputs[i].dtype());
            if (!type || !Arrays.equals(g.shape(), inputs[i].shape())) {
                throw new InvalidInputException(arg, "must be float32 (or the input's 16-bit dtype) of shape "
                        + Arrays.toString(inputs[i].shape()) + ", got " + g);
            }
        }
        return run(loss, stream, inputs, grads);
    }

    private CudaResult run(Loss loss, CUstream stream, CudaTensor[] inputs, CudaTensor[] grads) {
        DeviceTensor[] in = new DeviceTensor[inputs.length];
        DeviceMemory[] g = new DeviceMemory[inputs.length];
        DType[] types = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = inputs[i].tensor();
            g[i] = grads[i] == null ? null : grads[i].memory();
            types[i] = grads[i] == null ? null : grads[i].dtype();
        }
        synchronized (session) {
            if (stream != null) {
                entered(false, () -> {
                    session.cuda.requireStream(stream);
                    return null;
                });
            }
            session.cuda.useStream(stream);
            try {
                DeviceBackend.ResidentResult r = backend.computeResident(loss, in, g, types);
                return new CudaResult(loss.reduction(), loss.reduction() == Reduction.NONE ? Double.NaN : r.value(), r.values(), grads,
                        r.statistics());
            } finally {
                session.cuda.useOwnStream();
            }
        }
    }

    /**
     * Runs {@code body} under the session's lock with its context pushed on this thread (popped
     * after), on the legacy default stream when {@code legacyStream}.
     */
    private <T> T entered(boolean legacyStream, java.util.function.Supplier<T> body) {
        synchronized (session) {
            session.cuda.enter();
            try {
                if (legacyStream) {
                    session.cuda.useStream(null);
                }
                return body.get();
            } finally {
                session.cuda.useOwnStream();
                session.cuda.exit();
            }
        }
    }

    private static void checkInputs(Loss loss, CudaTensor[] inputs) {
        Objects.requireNonNull(loss, "loss");
        if (inputs.length != loss.arity()) {
            throw new InvalidInputException("inputs", loss.name() + " takes " + loss.arity() + " inputs " + loss.inputNames()
                    + ", got " + inputs.length);
        }
        DType[] types = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Objects.requireNonNull(inputs[i], loss.inputNames().get(i));
            types[i] = inputs[i].dtype();
        }
        io.github.lossengine.HalfPrecision.check(loss, types);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new InvalidInputException("shape", Arrays.toString(shape) + ": dimensions must be >= 0");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Frees the workspace and releases the GPU when this was its last engine. Never throws (after a
     * {@link io.github.lossengine.DeviceLostException} only the bookkeeping is left). Idempotent.
     */
    @Override
    public void close() {
        synchronized (session) {
            if (!closed) {
                closed = true;
                try {
                    backend.close();
                } finally {
                    CudaBackendProvider.release(session);
                }
            }
        }
    }

    private boolean closed;
}
