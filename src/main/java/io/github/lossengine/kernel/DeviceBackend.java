package io.github.lossengine.kernel;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.CpuBackend;
import io.github.lossengine.cpu.SoftmaxStatistics;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.spi.Benchmarking;
import io.github.lossengine.spi.ComputeBackend;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ComputeBackend} over any {@link Device}: host tensors are copied into the engine's
 * workspace, the loss's kernels run, and the gradients (and NONE's per-element values) are copied
 * back. The OpenCL and CUDA backends are this class over their adapters.
 *
 * <p>Invalid input is found on the device (or, for metadata, on the host) before any gradient is
 * written; the exception thrown is the one the CPU backend throws for the same inputs, obtained by
 * asking it, so every backend reports an error with the same argument, position, value and text.
 *
 * <p>Thread-safe: calls are serialised on the device's lock (a device and its compiled kernels may
 * be shared by several engines).
 */
public class DeviceBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceBackend.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final Backend kind;
    private final Device device;
    private final Object lock;
    private final Workspace workspace;
    private final CpuBackend cpu = new CpuBackend();
    private boolean closed;

    /**
     * @param lock the lock that serialises every use of {@code device} (shared by every backend on it)
     */
    public DeviceBackend(Backend kind, Device device, Object lock) {
        this.kind = kind;
        this.device = device;
        this.lock = lock;
        this.workspace = new Workspace(device);
    }

    @Override
    public Backend kind() {
        return kind;
    }

    @Override
    public String detail() {
        return device.describe();
    }

    /** The device this backend runs on. */
    protected Device device() {
        return device;
    }

    /** The lock that serialises the device. */
    protected Object lock() {
        return lock;
    }

    /** Device memory held between calls by this engine. */
    public long workspaceBytes() {
        synchronized (lock) {
            return workspace.bytes();
        }
    }

    @Override
    public LossResult compute(Loss loss, Tensor[] inputs, Tensor[] gradients) {
        DeviceLoss<Loss> impl = DeviceLosses.forLoss(loss);
        if (impl == null) {
            if (LOGGED.add(kind + ":" + loss.name())) {
                LOG.info("{} backend has no kernel for {}: it is computed by the CPU backend", kind.id(), loss.name());
            }
            return cpu.compute(loss, inputs, gradients);
        }
        synchronized (lock) {
            requireOpen();
            device.enter();
            try {
                return computeEntered(impl, loss, inputs, gradients);
            } finally {
                device.exit();
            }
        }
    }

    private LossResult computeEntered(DeviceLoss<Loss> impl, Loss loss, Tensor[] inputs, Tensor[] gradients) {
        DeviceTensor[] din = new DeviceTensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            din[i] = upload("in" + i, inputs[i], impl.takes16(i));
        }
        // a 16-bit gradient of an input the kernels take in 16 bits is written by them as 16 bits
        DType[] gradientTypes = new DType[inputs.length];
        DeviceMemory[] dgrad = new DeviceMemory[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (gradients[i] != null && impl.takes16(i) && gradients[i].dtype().isHalf()) {
                gradientTypes[i] = gradients[i].dtype();
                dgrad[i] = workspace.get("grad" + i + ".16", HalfTransfer.bytes16(gradients[i].size()));
            } else if (gradients[i] != null) {
                dgrad[i] = workspace.get("grad" + i, 4 * gradients[i].size());
            }
        }
        DeviceCall call = new DeviceCall(device, workspace, gradientTypes);
        DeviceOutcome out;
        try {
            out = impl.run(loss, call, din, dgrad);
        } catch (InvalidOnDevice | InvalidInputException e) {
            throw refusal(loss, inputs, e);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (gradientTypes[i] != null) {
                download16(dgrad[i], gradients[i]);
            } else if (gradients[i] != null) {
                download(dgrad[i], gradients[i], "grad" + i);
            }
        }
        Tensor values = null;
        if (loss.reduction() == Reduction.NONE) {
            long[] shape = out.valuesShape();
            Tensor v = Tensor.zeros(shape);
            download(out.values(), v);
            values = v;
        }
        LossResult result = new LossResult(kind, loss.reduction(), out.value(), values, gradients);
        return out.lse() == null ? result
                : result.withStatistics(statistics(crossEntropyOf(loss), inputs[targetIndex(loss)], out));
    }

    /** The softmax cross-entropy of a loss that reports row statistics: itself, or linear_cross_entropy's. */
    private static SoftmaxCrossEntropy crossEntropyOf(Loss loss) {
        return loss instanceof LinearCrossEntropy l ? l.ce() : (SoftmaxCrossEntropy) loss;
    }

    /** The input holding the targets of such a loss: 1, or 2 for linear_cross_entropy (hidden, weight, target). */
    private static int targetIndex(Loss loss) {
        return loss instanceof LinearCrossEntropy ? 2 : 1;
    }

    /** Softmax cross-entropy's statistics: the per-row log-sum-exp copied back, the z-loss part from it. */
    private LossResult.RowStatistics statistics(SoftmaxCrossEntropy loss, Tensor target, DeviceOutcome out) {
        float[] lse = new float[Math.toIntExact(out.valuesShape()[0])];
        device.read(out.lse(), lse, lse.length);
        return SoftmaxStatistics.of(loss, target.dtype().isInteger() ? target : null, loss.classWeights(), lse,
                out.denominator(), out.scale());
    }

    /**
     * The exception for invalid inputs: the CPU backend's for the same inputs (it checks before
     * computing anything), or, if it unexpectedly accepts them, one built from the device's finding.
     */
    private RuntimeException refusal(Loss loss, Tensor[] inputs, RuntimeException found) {
        try {
            cpu.compute(loss, inputs, new Tensor[inputs.length]);
        } catch (InvalidInputException e) {
            return e;
        }
        if (found instanceof InvalidOnDevice d) {
            return new InvalidInputException(d.argument(), d.problem());
        }
        return found;
    }

    /** {@code t} on the device: a 16-bit tensor as 16 bits when {@code as16}, else widened there into float32. */
    private DeviceTensor upload(String role, Tensor t, boolean as16) {
        if (t.dtype().isHalf() && as16) {
            return copyIn(device, workspace.get(role + ".16", deviceBytes(t)), t);
        }
        if (t.dtype().isHalf()) {
            // the 16-bit bits travel as they are and are widened on the device
            DeviceTensor raw = copyIn(device, workspace.get(role + ".16", deviceBytes(t)), t);
            return HalfTransfer.widen(device, raw.memory(), t.dtype(), t.shape(), t.size(), workspace.get(role, 4 * t.size()));
        }
        return copyIn(device, workspace.get(role, deviceBytes(t)), t);
    }

    /**
     * Device tensors as the kernels take them: 16-bit ones widened into float32 workspace ({@code in<i>}),
     * except those the kernels read in 16 bits.
     */
    private DeviceTensor[] widened(DeviceLoss<Loss> impl, DeviceTensor[] inputs) {
        DeviceTensor[] out = inputs.clone();
        for (int i = 0; i < out.length; i++) {
            DeviceTensor t = out[i];
            if (t.dtype().isHalf() && !impl.takes16(i)) {
                out[i] = HalfTransfer.widen(device, t.memory(), t.dtype(), t.shape(), t.size(),
                        workspace.get("in" + i, 4 * t.size()));
            }
        }
        return out;
    }

    /**
     * Bytes {@code t} takes on a device: 4 per float32, 2 per 16-bit float (rounded up to whole ints),
     * 8 per class index (int32 indices are widened).
     */
    public static long deviceBytes(Tensor t) {
        if (t.dtype().isHalf()) {
            return HalfTransfer.bytes16(t.size());
        }
        return (t.isFloat() ? 4L : 8L) * t.size();
    }

    /** Copies {@code t} into {@code m} (at least {@link #deviceBytes} bytes), widening class indices to int64. */
    public static DeviceTensor copyIn(Device device, DeviceMemory m, Tensor t) {
        int count = Math.toIntExact(t.size());
        if (t.dtype().isHalf()) {
            HalfTransfer.write(device, m, t);
            return new DeviceTensor(m, t.dtype(), t.shape());
        }
        if (t.isFloat()) {
            float[] a = t.floatArrayOrNull();
            device.write(m, a != null ? a : t.toFloatArray(), count);
            return new DeviceTensor(m, DType.FLOAT32, t.shape());
        }
        long[] idx = new long[count];
        for (int i = 0; i < count; i++) {
            idx[i] = t.getLong(i);
        }
        device.write(m, idx, count);
        return new DeviceTensor(m, DType.INT64, t.shape());
    }

    /** A host copy of a 16-bit device tensor (its bits). */
    public static Tensor copyOut16(Device device, DeviceTensor t) {
        short[] bits = new short[Math.toIntExact(t.size())];
        HalfTransfer.read(device, t.memory(), bits, bits.length);
        return t.dtype() == DType.BFLOAT16 ? Tensor.ofBFloat16(bits, t.shape()) : Tensor.ofFloat16(bits, t.shape());
    }

    /**
     * Copies {@code tile} into {@code m} {@code repeats} times, one after another (int32 indices
     * widened to int64): a tensor of {@code shape} that never exists on the host.
     */
    static DeviceTensor copyInRepeated(Device device, DeviceMemory m, Tensor tile, long repeats, long[] shape) {
        int count = Math.toIntExact(tile.size());
        if (tile.dtype().isHalf()) {
            if (count % 2 != 0 && repeats != 1) {
                throw new IllegalArgumentException("a 16-bit tile of odd size " + count + " cannot be repeated");
            }
            // the packed bits, moved as float32 words (Float.intBitsToFloat keeps every bit pattern)
            float[] words = HalfTransfer.packedWords(tile);
            for (long r = 0; r < repeats; r++) {
                device.write(m, r * words.length, words, words.length);
            }
            return new DeviceTensor(m, tile.dtype(), shape);
        }
        if (tile.isFloat()) {
            float[] a = tile.toFloatArray();
            for (long r = 0; r < repeats; r++) {
                device.write(m, r * count, a, count);
            }
            return new DeviceTensor(m, DType.FLOAT32, shape);
        }
        long[] idx = new long[count];
        for (int i = 0; i < count; i++) {
            idx[i] = tile.getLong(i);
        }
        for (long r = 0; r < repeats; r++) {
            device.write(m, r * count, idx, count);
        }
        return new DeviceTensor(m, DType.INT64, shape);
    }

    /** A gradient the kernels wrote in 16 bits ({@code dst}'s type) into {@code dst}, copied as 16 bits. */
    private void download16(DeviceMemory m, Tensor dst) {
        int count = Math.toIntExact(dst.size());
        short[] bits = dst.shortArrayOrNull();
        short[] read = bits != null ? bits : new short[count];
        HalfTransfer.read(device, m, read, count);
        if (bits == null) {
            for (int i = 0; i < count; i++) {
                dst.setFloat(i, HalfFloats.widen(dst.dtype(), read[i]));
            }
        }
    }

    /** A gradient into {@code dst}; a 16-bit one on a {@code short[]} is rounded on the device and copied as 16 bits. */
    private void download(DeviceMemory m, Tensor dst, String role) {
        short[] bits = dst.shortArrayOrNull();
        if (bits != null) {
            int count = Math.toIntExact(dst.size());
            DeviceMemory raw = workspace.get(role + ".16", HalfTransfer.bytes16(count));
            HalfTransfer.narrow(device, m, count, dst.dtype(), raw);
            HalfTransfer.read(device, raw, bits, count);
            return;
        }
        download(m, dst);
    }

    private void download(DeviceMemory m, Tensor dst) {
        int count = Math.toIntExact(dst.size());
        float[] a = dst.floatArrayOrNull();
        if (a != null) {
            device.read(m, a, count);
            return;
        }
        float[] tmp = new float[count];
        device.read(m, tmp, count);
        for (int i = 0; i < count; i++) {
            dst.setFloat(i, tmp[i]);
        }
    }

    /**
     * The loss value and NONE's per-element values (copied to the host) of a device-resident call, and
     * softmax cross-entropy's statistics (its log-sum-exp and class indices copied to the host), else null.
     */
    public record ResidentResult(double value, Tensor values, LossResult.RowStatistics statistics) {
    }

    /**
     * Computes a loss on inputs that are already in device memory, writing the gradients into
     * {@code gradients} (device memory, {@code null} where not wanted). Nothing is copied but the
     * reduced value (and, for NONE, the per-element values).
     *
     * @throws InvalidInputException as the CPU backend would throw for the same inputs (they are
     *         copied to the host only on this error path, to ask it)
     * @throws UnsupportedOperationException when the loss has no device kernel
     */
    public ResidentResult computeResident(Loss loss, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        return computeResident(loss, inputs, gradients, new DType[gradients.length]);
    }

    /**
     * As {@link #computeResident(Loss, DeviceTensor[], DeviceMemory[])}, with inputs that may be
     * 16-bit (widened on the device first) and the dtype of each gradient buffer ({@code null} or
     * {@link DType#FLOAT32}: float32; a 16-bit type: computed in float32 and rounded once into it).
     */
    public ResidentResult computeResident(Loss loss, DeviceTensor[] inputs, DeviceMemory[] gradients, DType[] gradientTypes) {
        DeviceLoss<Loss> impl = DeviceLosses.forLoss(loss);
        if (impl == null) {
            throw new UnsupportedOperationException(loss.name() + " has no " + kind.id() + " kernel");
        }
        synchronized (lock) {
            requireOpen();
            device.enter();
            try {
                DeviceTensor[] in = widened(impl, inputs);
                DeviceMemory[] g = gradients.clone();
                DType[] direct = new DType[g.length];
                for (int i = 0; i < g.length; i++) {
                    if (g[i] != null && gradientTypes[i] != null && gradientTypes[i].isHalf()) {
                        if (impl.takes16(i)) {
                            direct[i] = gradientTypes[i];
                        } else {
                            g[i] = workspace.get("grad" + i, 4 * in[i].size());
                        }
                    }
                }
                DeviceOutcome out;
                try {
                    out = impl.run(loss, new DeviceCall(device, workspace, direct), in, g);
                } catch (InvalidOnDevice | InvalidInputException e) {
                    throw refusal(loss, hostCopies(in), e);
                }
                for (int i = 0; i < g.length; i++) {
                    if (g[i] != gradients[i]) {
                        HalfTransfer.narrow(device, g[i], in[i].size(), gradientTypes[i], gradients[i]);
                    }
                }
                Tensor values = null;
                if (loss.reduction() == Reduction.NONE) {
                    values = Tensor.zeros(out.valuesShape());
                    download(out.values(), values);
                }
                LossResult.RowStatistics stats = null;
                if (out.lse() != null) {
                    // class indices copied back for the z-loss part only (probability targets need none)
                    SoftmaxCrossEntropy ce = crossEntropyOf(loss);
                    int t = targetIndex(loss);
                    Tensor target = ce.zLoss() > 0 && in[t].dtype() == DType.INT64
                            ? hostCopies(new DeviceTensor[] {in[t]})[0] : Tensor.zeros(1, 1);
                    stats = statistics(ce, target, out);
                }
                return new ResidentResult(out.value(), values, stats);
            } finally {
                device.exit();
            }
        }
    }

    private Tensor[] hostCopies(DeviceTensor[] inputs) {
        Tensor[] host = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            int n = Math.toIntExact(inputs[i].size());
            if (inputs[i].dtype() == DType.FLOAT32) {
                float[] a = new float[n];
                device.read(inputs[i].memory(), a, n);
                host[i] = Tensor.of(a, inputs[i].shape());
            } else if (inputs[i].dtype().isHalf()) {
                host[i] = copyOut16(device, inputs[i]);
            } else {
                long[] a = new long[n];
                device.read(inputs[i].memory(), a, n);
                host[i] = Tensor.ofLongs(a, inputs[i].shape());
            }
        }
        return host;
    }

    /**
     * Device-resident calls and the device's own copy bandwidth, for {@code lossengine bench}: see
     * {@link DeviceBenchmarking}.
     */
    @Override
    public Benchmarking benchmarking() {
        return new DeviceBenchmarking(this);
    }

    /** Throws when the backend is closed; call under the lock. */
    void requireOpen() {
        if (closed) {
            throw new IllegalStateException(kind.id() + " backend is closed");
        }
    }

    /**
     * Frees the workspace. Never throws: on a device that can no longer be entered (a CUDA session
     * ended by a sticky error) the memory went with the context and only the bookkeeping is done;
     * a failure is logged at WARN. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                boolean entered = false;
                try {
                    device.enter();
                    entered = true;
                } catch (RuntimeException e) {
                    LOG.warn("{} backend closed without entering its device: {}", kind.id(), e.getMessage());
                }
                try {
                    workspace.close();
                } catch (RuntimeException e) {
                    LOG.warn("{} backend: freeing the workspace failed: {}", kind.id(), e.getMessage());
                } finally {
                    if (entered) {
                        device.exit();
                    }
                }
            }
        }
    }
}
