package io.github.lossengine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.device.DeviceEngines;
import io.github.lossengine.opencl.OpenClBackendProvider;
import io.github.lossengine.testing.HalfTensors;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device workspace is kept between calls, on OpenCL (PoCL here and on CI): calls of one shape
 * allocate device memory only the first time, a bigger call grows the buffers, a smaller one after
 * it reuses the grown ones. The OpenCL device is wrapped in one that counts allocations. Skipped,
 * with the probe's reason, where no OpenCL device exists (never on CI, where that fails).
 */
class WorkspaceReuseTest {

    /** The OpenCL device, counting {@link #allocate} calls and remembering what they returned. */
    private static final class CountingDevice implements Device {
        private final Device inner;
        final List<DeviceMemory> allocated = new ArrayList<>();

        CountingDevice(Device inner) {
            this.inner = inner;
        }

        @Override
        public void enter() {
            inner.enter();
        }

        @Override
        public void exit() {
            inner.exit();
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public DeviceMemory allocate(long bytes) {
            DeviceMemory m = inner.allocate(bytes);
            allocated.add(m);
            return m;
        }

        @Override
        public void write(DeviceMemory dst, long at, float[] src, int count) {
            inner.write(dst, at, src, count);
        }

        @Override
        public void write(DeviceMemory dst, long at, long[] src, int count) {
            inner.write(dst, at, src, count);
        }

        @Override
        public void write(DeviceMemory dst, int[] src, int count) {
            inner.write(dst, src, count);
        }

        @Override
        public void fill(DeviceMemory dst, float value, long count) {
            inner.fill(dst, value, count);
        }

        @Override
        public void read(DeviceMemory src, float[] dst, int count) {
            inner.read(src, dst, count);
        }

        @Override
        public void read(DeviceMemory src, int[] dst, int count) {
            inner.read(src, dst, count);
        }

        @Override
        public void read(DeviceMemory src, long[] dst, int count) {
            inner.read(src, dst, count);
        }

        @Override
        public void copy(DeviceMemory src, DeviceMemory dst, long bytes) {
            inner.copy(src, dst, bytes);
        }

        @Override
        public String copyCall() {
            return inner.copyCall();
        }

        @Override
        public void launch(String name, int groups, KernelArgs args) {
            inner.launch(name, groups, args);
        }
    }

    private static LossResult compute(DeviceBackend backend, Loss loss, Tensor... inputs) {
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                grads[i] = Tensor.zeros(inputs[i].shape());
            }
        }
        LossResult r = backend.compute(loss, inputs, grads);
        assertEquals(Backend.OPENCL, r.backend(), "computed on the device");
        return r;
    }

    @Test
    void sameShapeCallsReuseTheWorkspaceAndABiggerCallGrowsIt() {
        DeviceEngines.open(Backend.OPENCL); // skips with the probe's reason where OpenCL is unavailable
        try (DeviceBackend opened = (DeviceBackend) new OpenClBackendProvider().open()) {
            CountingDevice device = new CountingDevice(opened.device());
            try (DeviceBackend backend = new DeviceBackend(Backend.OPENCL, device, opened.lock())) {
                RandomTensors r = new RandomTensors(61);
                Loss loss = Losses.softmaxCrossEntropy().labelSmoothing(0.1);
                LossResult first = compute(backend, loss, r.normal(2, 64, 100), r.indices(64, 100));
                int allocations = device.allocated.size();
                long bytes = backend.workspaceBytes();
                assertTrue(allocations > 0 && bytes >= 4L * 64 * 100, "the first call allocates the workspace: " + bytes + " bytes");
                for (int call = 0; call < 3; call++) {
                    LossResult again = compute(backend, loss, r.normal(2, 64, 100), r.indices(64, 100));
                    assertTrue(Double.isFinite(again.value()) && again.value() != first.value(), "a new result each call");
                    assertEquals(allocations, device.allocated.size(), "same shape, call " + call + ": no new device memory");
                    assertEquals(bytes, backend.workspaceBytes());
                }
                compute(backend, loss, r.normal(2, 256, 1000), r.indices(256, 1000));
                int grown = device.allocated.size();
                long grownBytes = backend.workspaceBytes();
                assertTrue(grown > allocations, "a bigger call allocates bigger buffers");
                assertTrue(grownBytes >= 4L * 256 * 1000 && grownBytes > bytes, grownBytes + " bytes after growing from " + bytes);
                compute(backend, loss, r.normal(2, 64, 100), r.indices(64, 100));
                assertEquals(grown, device.allocated.size(), "a smaller call after it reuses the grown buffers");
                assertEquals(grownBytes, backend.workspaceBytes());
            }
        }
    }

    @Test
    void aRoleKeepsItsBufferUntilItNeedsMore() {
        DeviceEngines.open(Backend.OPENCL);
        try (DeviceBackend opened = (DeviceBackend) new OpenClBackendProvider().open()) {
            CountingDevice device = new CountingDevice(opened.device());
            synchronized (opened.lock()) {
                opened.device().enter();
                try (Workspace ws = new Workspace(device)) {
                    DeviceMemory a = ws.get("in0", 4000);
                    assertSame(a, ws.get("in0", 4000));
                    assertSame(a, ws.get("in0", 100), "a smaller request is served by the same buffer");
                    DeviceMemory b = ws.get("grad0", 4000);
                    assertNotSame(a, b, "each role has its own buffer");
                    DeviceMemory bigger = ws.get("in0", 8000);
                    assertNotSame(a, bigger);
                    assertEquals(8000, bigger.bytes());
                    assertEquals(List.of(a, b, bigger), device.allocated);
                    assertEquals(8000 + 4000, ws.bytes(), "the outgrown buffer is dropped from the workspace");
                }
            }
        }
    }
    /**
     * 16-bit logits are read by the softmax cross-entropy and nll kernels as 16 bits, and the 16-bit
     * gradient written by them: no float32 copy of either (4 bytes per logit each) is ever allocated,
     * so the whole workspace of a call stays under 2 + 2 bytes per logit plus the per-row buffers.
     * A loss without 16-bit kernels (mse) still widens into float32 workspace.
     */
    @Test
    void halfLogitsAndTheirGradientMoveAsSixteenBits() {
        DeviceEngines.open(Backend.OPENCL);
        try (DeviceBackend opened = (DeviceBackend) new OpenClBackendProvider().open()) {
            CountingDevice device = new CountingDevice(opened.device());
            try (DeviceBackend backend = new DeviceBackend(Backend.OPENCL, device, opened.lock())) {
                RandomTensors r = new RandomTensors(62);
                int rows = 64;
                int classes = 4096;
                long logits = (long) rows * classes;
                for (DType d : List.of(DType.BFLOAT16, DType.FLOAT16)) {
                    Tensor y = r.indices(rows, classes);
                    for (Loss loss : List.of(Losses.softmaxCrossEntropy().labelSmoothing(0.1), Losses.nll())) {
                        Tensor z = HalfTensors.round(r.uniform(-6, -0.01, rows, classes), d);
                        Tensor g = HalfTensors.round(Tensor.zeros(rows, classes), d);
                        LossResult got = backend.compute(loss, new Tensor[] {z, y}, new Tensor[] {g, null});
                        assertEquals(Backend.OPENCL, got.backend());
                        LossResult cpu = new io.github.lossengine.cpu.CpuBackend().compute(loss, new Tensor[] {z, y},
                                new Tensor[] {HalfTensors.round(Tensor.zeros(rows, classes), d), null});
                        assertEquals(cpu.value(), got.value(), 1e-5 * Math.abs(cpu.value()), loss.name() + " " + d);
                        assertTrue(Math.abs(g.getFloat(classes + (int) y.getLong(1))) > 0, "the gradient was written");
                        for (DeviceMemory m : device.allocated) {
                            assertTrue(m.bytes() < 4 * logits, loss.name() + " " + d + ": a buffer of " + m.bytes()
                                    + " bytes, a float32 copy of the " + logits + " logits or their gradient");
                        }
                        assertTrue(backend.workspaceBytes() <= 4 * logits + 64 * 1024, backend.workspaceBytes() + " bytes");
                    }
                }
                Tensor a = HalfTensors.round(r.normal(1, rows, classes), DType.BFLOAT16);
                backend.compute(Losses.mse(), new Tensor[] {a, a}, new Tensor[] {HalfTensors.round(Tensor.zeros(rows, classes),
                        DType.BFLOAT16), null});
                assertTrue(device.allocated.stream().anyMatch(m -> m.bytes() >= 4 * logits), "mse widens into float32");
            }
        }
    }

    /**
     * 16-bit linear_cross_entropy on the device: hidden is widened a chunk of rows at a time and its
     * gradient rounded a chunk at a time (no float32 [N, D] buffer, nothing of N x V); the weight is
     * widened once and dW accumulated in float32 (two buffers of 4 V D bytes).
     */
    @Test
    void sixteenBitLinearCrossEntropyWidensHiddenChunkByChunk() {
        DeviceEngines.open(Backend.OPENCL);
        try (DeviceBackend opened = (DeviceBackend) new OpenClBackendProvider().open()) {
            CountingDevice device = new CountingDevice(opened.device());
            try (DeviceBackend backend = new DeviceBackend(Backend.OPENCL, device, opened.lock())) {
                RandomTensors r = new RandomTensors(63);
                int n = 512;
                int d = 32;
                int v = 128;
                DType bf16 = DType.BFLOAT16;
                Tensor[] in = {HalfTensors.round(r.normal(1, n, d), bf16), HalfTensors.round(r.normal(0.2, v, d), bf16),
                    r.indices(n, v), HalfTensors.round(r.normal(0.1, v), bf16)};
                Tensor[] g = {Tensor.zeros(bf16, n, d), Tensor.zeros(bf16, v, d), null, Tensor.zeros(bf16, v)};
                io.github.lossengine.loss.LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).chunkRows(16);
                LossResult got = backend.compute(loss, in, g);
                assertEquals(Backend.OPENCL, got.backend());
                LossResult cpu = new io.github.lossengine.cpu.CpuBackend().compute(loss, in,
                        new Tensor[] {Tensor.zeros(bf16, n, d), Tensor.zeros(bf16, v, d), null, Tensor.zeros(bf16, v)});
                assertEquals(cpu.value(), got.value(), 1e-5 * Math.abs(cpu.value()));
                assertTrue(Math.abs(g[1].getFloat(0)) > 0, "dW was written");
                for (DeviceMemory m : device.allocated) {
                    assertTrue(m.bytes() < 4L * n * d, "a buffer of " + m.bytes() + " bytes: a float32 copy of hidden ["
                            + n + ", " + d + "] or of its gradient (or more)");
                }
                assertEquals(2, device.allocated.stream().filter(m -> m.bytes() == 4L * v * d).count(),
                        "the float32 weight and the dW accumulator");
            }
        }
    }
}
