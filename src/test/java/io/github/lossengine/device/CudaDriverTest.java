package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.DType;
import io.github.lossengine.DeviceLostException;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.cuda.CudaBackendProvider;
import io.github.lossengine.cuda.CudaEngine;
import io.github.lossengine.cuda.CudaResult;
import io.github.lossengine.cuda.CudaTensor;
import io.github.lossengine.kernel.KernelSources;
import io.github.lossengine.testing.RandomTensors;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA host code as training code meets it, on any CUDA driver: the emulated one in the
 * {@code cuda-emulated} test runs (where the tests that inject faults through its control file run
 * too), or a GPU's. Each test opens its own engines, and those that must end the CUDA session first
 * close the shared parity-test engine ({@link DeviceEngines#forgetCuda()}).
 *
 * <p>What each guards against, as found on the emulated driver: copies on the legacy stream racing
 * a caller's non-blocking stream (a fresh upload read as zeros, class weights half-applied, an invalid
 * label not refused); the caller's current context replaced; a sticky fault reported at the next
 * launch and leaving the dead session cached; a stale tensor freeing a newer session's memory; JCuda's
 * exceptions mode breaking the fatbin-to-PTX fallback; {@code wrap} accepting any pointer; a kernel
 * missing from the module found only when first launched.
 */
class CudaDriverTest {
    private static final io.github.lossengine.loss.SoftmaxCrossEntropy CE = Losses.softmaxCrossEntropy().labelSmoothing(0.1);

    @BeforeEach
    void requireCuda() {
        DeviceEngines.open(Backend.CUDA); // skips with the probe's reason where there is no CUDA at all
    }

    @AfterEach
    void clearFaults() {
        JCudaDriver.setExceptionsEnabled(false);
        if (Emulator.active()) {
            Emulator.set();
        }
    }

    /** Training code's side: the primary context and a stream of its own, made with JCuda directly. */
    private static final class TrainingCode implements AutoCloseable {
        final CUdevice device = new CUdevice();
        final CUcontext primary = new CUcontext();
        final CUstream stream = new CUstream();

        TrainingCode(int streamFlags) {
            ok(JCudaDriver.cuDeviceGet(device, 0));
            ok(JCudaDriver.cuDevicePrimaryCtxRetain(primary, device));
            ok(JCudaDriver.cuCtxPushCurrent(primary));
            ok(JCudaDriver.cuStreamCreate(stream, streamFlags));
            ok(JCudaDriver.cuCtxPopCurrent(new CUcontext()));
        }

        @Override
        public void close() {
            ok(JCudaDriver.cuCtxPushCurrent(primary));
            ok(JCudaDriver.cuStreamDestroy(stream));
            ok(JCudaDriver.cuCtxPopCurrent(new CUcontext()));
            ok(JCudaDriver.cuDevicePrimaryCtxRelease(device));
        }
    }

    private static void ok(int rc) {
        assertEquals(0, rc, "CUDA call failed: " + rc);
    }

    private static long address(CUdeviceptr p) {
        long[] a = new long[1];
        ok(JCudaDriver.cuPointerGetAttribute(Pointer.to(a), CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, p));
        return a[0];
    }

    private static CudaTensor filled(CudaEngine cuda, float value, int n, int c) {
        float[] v = new float[n * c];
        Arrays.fill(v, value);
        return cuda.upload(Tensor.of(v, n, c));
    }

    @Test
    void aCallersNonBlockingStreamSeesFreshUploadsClassWeightChangesAndRefusesABadLabelBeforeWriting() {
        Emulator.set("CUDAEMU_DMA_DELAY_MS", "50"); // a slow DMA (where the emulator runs)
        RandomTensors r = new RandomTensors(7);
        int n = 64;
        int c = 300;
        Tensor z = r.normal(2, n, c);
        Tensor y = r.indices(n, c);
        float[] w1 = new float[c];
        float[] w2 = new float[c];
        Arrays.fill(w1, 1f);
        for (int i = 0; i < c; i++) {
            w2[i] = 0.5f + (i % 7);
        }
        try (TrainingCode training = new TrainingCode(CUstream_flags.CU_STREAM_NON_BLOCKING);
             CudaEngine cuda = CudaEngine.create();
             CudaTensor logits = cuda.upload(z);
             CudaTensor labels = cuda.upload(y);
             CudaTensor grad = cuda.allocate(n, c)) {
            CudaResult fresh = cuda.computeInto(CE, training.stream, new CudaTensor[] {logits, labels}, grad);
            LossResult ref = DeviceEngines.cpu().compute(CE, z, y);
            Parity.assertValue(ref.value(), fresh.value(), SoftmaxCrossEntropyParityTest.TOL, "fresh upload on a non-blocking stream");
            Parity.assertClose(ref.gradient().toFloatArray(), cuda.download(grad).toFloatArray(),
                    SoftmaxCrossEntropyParityTest.TOL.rel(), "gradient of a fresh upload");
            for (float[] w : new float[][] {w2, w1, w2}) {
                Loss weighted = CE.classWeights(w);
                CudaResult got = cuda.computeInto(weighted, training.stream, new CudaTensor[] {logits, labels}, grad);
                Parity.assertValue(DeviceEngines.cpu().compute(weighted, z, y).value(), got.value(),
                        SoftmaxCrossEntropyParityTest.TOL, "class weights " + w[1] + " changed between calls");
            }
            long[] badLabels = new long[n];
            for (int i = 0; i < n; i++) {
                badLabels[i] = y.getLong(i);
            }
            badLabels[5] = c;
            Tensor bad = Tensor.ofLongs(badLabels, n);
            InvalidInputException cpu = assertThrows(InvalidInputException.class, () -> DeviceEngines.cpu().compute(CE, z, bad));
            try (CudaTensor badOnDevice = cuda.upload(bad); CudaTensor untouched = filled(cuda, 42f, n, c)) {
                InvalidInputException e = assertThrows(InvalidInputException.class,
                        () -> cuda.computeInto(CE, training.stream, new CudaTensor[] {logits, badOnDevice}, untouched));
                assertEquals(cpu.getMessage(), e.getMessage());
                for (float v : cuda.download(untouched).toFloatArray()) {
                    assertEquals(42f, v, "gradient buffer written before the refusal");
                }
            }
        }
    }

    @Test
    void theCallersOwnCurrentContextIsCurrentAgainAfterEveryCall() {
        CUdevice dev = new CUdevice();
        ok(JCudaDriver.cuDeviceGet(dev, 0));
        CUcontext mine = new CUcontext();
        ok(JCudaDriver.cuCtxCreate(mine, 0, dev)); // training code's own context, current on this thread
        try {
            RandomTensors r = new RandomTensors(3);
            Tensor z = r.normal(1, 8, 20);
            Tensor y = r.indices(8, 20);
            try (LossEngine engine = LossEngine.create(Backend.CUDA)) {
                engine.compute(CE, z, y);
                assertEquals(mine, current(), "after LossEngine.compute");
            }
            assertEquals(mine, current(), "after LossEngine.close");
            try (CudaEngine cuda = CudaEngine.create()) {
                try (CudaTensor logits = cuda.upload(z); CudaTensor labels = cuda.upload(y)) {
                    assertEquals(mine, current(), "after upload");
                    cuda.compute(CE, null, logits, labels).gradient(0).close();
                    assertEquals(mine, current(), "after CudaEngine.compute and closing its gradient");
                    cuda.download(logits);
                    assertEquals(mine, current(), "after download");
                }
            }
            assertEquals(mine, current(), "after CudaEngine.close");
        } finally {
            ok(JCudaDriver.cuCtxDestroy(mine));
        }
    }

    private static CUcontext current() {
        CUcontext c = new CUcontext();
        ok(JCudaDriver.cuCtxGetCurrent(c));
        return c;
    }

    @Test
    void wrapRefusesMisalignedForeignAndOverlongPointersAndTakesRawAddresses() {
        RandomTensors r = new RandomTensors(5);
        Tensor x = r.normal(1, 4, 32);
        Tensor t = r.normal(1, 4, 32);
        try (CudaEngine cuda = CudaEngine.create(); CudaTensor xs = cuda.upload(x); CudaTensor ts = cuda.upload(t)) {
            InvalidInputException misaligned = assertThrows(InvalidInputException.class,
                    () -> cuda.wrap(xs.pointer().withByteOffset(2), DType.FLOAT32, 4));
            assertTrue(misaligned.getMessage().startsWith("pointer: 0x") && misaligned.getMessage().contains("not aligned to 4 bytes"),
                    misaligned.getMessage());
            InvalidInputException tooLong = assertThrows(InvalidInputException.class, () -> cuda.wrap(xs.pointer(), DType.FLOAT32, 5, 32));
            assertTrue(tooLong.getMessage().contains("+ 640 bytes runs past the end of its allocation"), tooLong.getMessage());
            InvalidInputException notDevice = assertThrows(InvalidInputException.class, () -> cuda.wrap(4096L, DType.FLOAT32, 4));
            assertTrue(notDevice.getMessage().startsWith("pointer: is not CUDA device memory"), notDevice.getMessage());
            assertThrows(InvalidInputException.class, () -> cuda.wrap(0L, DType.FLOAT32, 4));

            // a raw address (as ND4J or PyTorch hand them out), and an interior row-aligned view
            LossResult ref = DeviceEngines.cpu().compute(Losses.mse(), x, t);
            try (CudaTensor a = cuda.wrap(address(xs.pointer()), DType.FLOAT32, 4, 32);
                 CudaTensor b = cuda.wrap(address(ts.pointer()), DType.FLOAT32, 4, 32)) {
                assertEquals(ref.value(), cuda.compute(Losses.mse(), null, a, b).value(), 1e-5 * ref.value());
            }
            Tensor lastRows = Tensor.of(Arrays.copyOfRange(x.toFloatArray(), 32, 128), 3, 32);
            Tensor lastTargets = Tensor.of(Arrays.copyOfRange(t.toFloatArray(), 32, 128), 3, 32);
            try (CudaTensor a = cuda.wrap(xs.pointer().withByteOffset(128), DType.FLOAT32, 3, 32);
                 CudaTensor b = cuda.wrap(ts.pointer().withByteOffset(128), DType.FLOAT32, 3, 32)) {
                double want = DeviceEngines.cpu().compute(Losses.mse(), lastRows, lastTargets).value();
                assertEquals(want, cuda.compute(Losses.mse(), null, a, b).value(), 1e-5 * want);
            }

            // memory and a stream of another context are refused, naming the argument
            CUdevice dev = new CUdevice();
            ok(JCudaDriver.cuDeviceGet(dev, 0));
            CUcontext other = new CUcontext();
            ok(JCudaDriver.cuCtxCreate(other, 0, dev));
            CUdeviceptr foreign = new CUdeviceptr();
            CUstream foreignStream = new CUstream();
            ok(JCudaDriver.cuMemAlloc(foreign, 512));
            ok(JCudaDriver.cuStreamCreate(foreignStream, 0));
            try {
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> cuda.wrap(foreign, DType.FLOAT32, 4, 32));
                assertTrue(e.getMessage().contains("is not memory of this engine's CUDA context"), e.getMessage());
                InvalidInputException s = assertThrows(InvalidInputException.class,
                        () -> cuda.computeInto(Losses.mse(), foreignStream, new CudaTensor[] {xs, ts}));
                assertTrue(s.getMessage().startsWith("stream: belongs to CUDA context 0x"), s.getMessage());
            } finally {
                ok(JCudaDriver.cuStreamDestroy(foreignStream));
                ok(JCudaDriver.cuMemFree(foreign));
                ok(JCudaDriver.cuCtxDestroy(other));
            }
            assertEquals(ref.value(), cuda.compute(Losses.mse(), null, xs, ts).value(), 1e-5 * ref.value(), "the engine still works");
        }
    }

    @Test
    void aKernelMissingFromTheModuleMakesTheBackendUnavailableWhenItOpens() {
        // a stale module: the PTX without le_mse_f32 (and no fatbin, so the PTX is what loads)
        KernelSources real = KernelSources.classpath();
        String ptx = real.text(KernelSources.NATIVE + "lossengine.ptx");
        int start = ptx.indexOf(".visible .entry le_mse_f32(");
        int end = ptx.indexOf("\n}\n", start) + 3;
        assertTrue(start > 0 && end > start, "le_mse_f32 is in the committed PTX");
        String stale = ptx.substring(0, start) + ptx.substring(end);
        KernelSources doctored = new KernelSources(name -> name.equals(KernelSources.NATIVE + "lossengine.fatbin") ? null
                : name.equals(KernelSources.NATIVE + "lossengine.ptx") ? new ByteArrayInputStream(stale.getBytes(StandardCharsets.US_ASCII))
                : KernelSources.class.getClassLoader().getResourceAsStream(name));
        DeviceEngines.forgetCuda(); // the module is loaded when a session opens
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> new CudaBackendProvider(doctored).open());
        assertTrue(e.getMessage().contains("the module has no kernel le_mse_f32 (cuModuleGetFunction: CUDA_ERROR_NOT_FOUND (500))"),
                e.getMessage());
        try (LossEngine fine = LossEngine.create(Backend.CUDA)) {
            assertEquals(Backend.CUDA, fine.backend().active(), "the real module still opens");
        }
    }

    @Test
    void withJCudaExceptionsEnabledTheFallbacksAndMessagesAreTheSame() {
        Emulator.require();
        DeviceEngines.forgetCuda();
        Emulator.set("CUDAEMU_REFUSE_FATBIN", "1");
        JCudaDriver.setExceptionsEnabled(true); // JVM-wide, as JCuda's samples do
        RandomTensors r = new RandomTensors(9);
        Tensor z = r.normal(1, 16, 40);
        Tensor y = r.indices(16, 40);
        CudaTensor stale;
        try (LossEngine engine = LossEngine.create(Backend.CUDA)) {
            assertTrue(engine.backend().detail().contains("kernels from PTX"), engine.backend().detail());
            LossResult got = engine.compute(CE, z, y);
            Parity.assertValue(DeviceEngines.cpu().compute(CE, z, y).value(), got.value(), SoftmaxCrossEntropyParityTest.TOL, "CE");
            Tensor bad = Tensor.ofInts(new int[] {0, 40}, 2);
            Tensor two = r.normal(1, 2, 40);
            InvalidInputException cpu = assertThrows(InvalidInputException.class, () -> DeviceEngines.cpu().compute(CE, two, bad));
            assertEquals(cpu.getMessage(), assertThrows(InvalidInputException.class, () -> engine.compute(CE, two, bad)).getMessage());
            try (CudaEngine cuda = CudaEngine.create()) {
                stale = cuda.allocate(16, 40);
            }
        }
        // the session ended with the last engine: closing memory it owned must neither throw nor free anything
        assertDoesNotThrow(stale::close);
    }

    @Test
    void aStickyFaultEndsTheSessionNamingTheKernelAndTheNextEngineGetsAFreshOne() {
        Emulator.require();
        DeviceEngines.forgetCuda();
        RandomTensors r = new RandomTensors(11);
        Tensor z = r.normal(1, 32, 100);
        Tensor y = r.indices(32, 100);
        Emulator.set("CUDAEMU_FAULT_AFTER_LAUNCHES", "1", "CUDAEMU_FAULT_KERNEL", "le_softmax_ce_f32");
        LossEngine engine = LossEngine.create(Backend.CUDA);
        DeviceLostException lost = assertThrows(DeviceLostException.class, () -> engine.compute(CE, z, y));
        assertTrue(lost.getMessage().startsWith("cuda device lost: CUDA_ERROR_ILLEGAL_ADDRESS (700) in kernel le_softmax_ce_f32"),
                lost.getMessage());
        assertEquals(Backend.CUDA, lost.backend());
        assertTrue(lost.kernels().contains("le_softmax_ce_f32"), lost.kernels().toString());
        DeviceLostException again = assertThrows(DeviceLostException.class, () -> engine.compute(CE, z, y));
        assertEquals(lost.getMessage(), again.getMessage(), "the dead engine refuses later calls the same way");
        assertDoesNotThrow(engine::close);
        Emulator.set();
        try (LossEngine fresh = LossEngine.create(Backend.CUDA)) {
            assertEquals(Backend.CUDA, fresh.backend().active());
            Parity.assertValue(DeviceEngines.cpu().compute(CE, z, y).value(), fresh.compute(CE, z, y).value(),
                    SoftmaxCrossEntropyParityTest.TOL, "CE on the fresh session");
        }
    }

    @Test
    void aStaleTensorClosedAfterItsSessionEndedLeavesTheNextSessionsMemoryAlone() {
        Emulator.require();
        DeviceEngines.forgetCuda();
        Emulator.set("CUDAEMU_REUSE_ADDRESSES", "1");
        float[] data = new float[256];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.25f;
        }
        CudaTensor stale;
        long staleAddress;
        try (CudaEngine first = CudaEngine.create()) {
            stale = first.allocate(256);
            staleAddress = address(stale.pointer());
        } // the last engine: the session ends and the context's memory with it
        try (CudaEngine second = CudaEngine.create()) {
            // the emulated driver hands freed addresses out again: find the new tensor that got the stale one
            java.util.List<CudaTensor> held = new java.util.ArrayList<>();
            CudaTensor fresh = null;
            for (int i = 0; i < 64 && fresh == null; i++) {
                CudaTensor t = second.upload(Tensor.of(data, 256));
                held.add(t);
                if (address(t.pointer()) == staleAddress) {
                    fresh = t;
                }
            }
            try {
                assertTrue(fresh != null, "the emulated driver handed out the stale address again within 64 allocations");
                stale.close(); // must not free `fresh`
                assertArrayEquals(data, second.download(fresh).toFloatArray());
                try (CudaTensor other = second.allocate(256)) {
                    assertTrue(address(other.pointer()) != staleAddress, "the address is still in use by the new tensor");
                }
            } finally {
                held.forEach(CudaTensor::close);
            }
        }
    }
}
