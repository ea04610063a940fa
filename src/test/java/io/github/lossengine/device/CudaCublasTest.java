package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.cuda.CudaEngine;
import io.github.lossengine.cuda.CudaResult;
import io.github.lossengine.cuda.CudaTensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import java.util.Arrays;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which GEMM {@code linear_cross_entropy} uses on CUDA, and that cuBLAS's path gives the CPU's
 * results on the call's stream. The emulated runs of the build cover both paths: the fatbin run has
 * the fake {@code libcublas.so.12} (src/test/native/cudaemu/cublasemu.c) on {@code LD_LIBRARY_PATH}
 * ({@code lossengine.test.cublas=fake}), the PTX run has none ({@code absent}). On a GPU the
 * property is unset, and the tests check whichever path the engine reports.
 */
class CudaCublasTest {
    private static final String CUBLAS = "linear_cross_entropy uses cuBLAS (cublasGemmEx";
    private static final String BUILT_IN = "linear_cross_entropy uses the built-in GEMM kernel (le_gemm_f32): cuBLAS unavailable: ";
    private static final LinearCrossEntropy LOSS = Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).chunkRows(7);

    /** What the build says this run has: "fake", "absent", or "" (a real driver: whatever is installed). */
    private static String expected() {
        return System.getProperty("lossengine.test.cublas", "");
    }

    @BeforeEach
    void requireCuda() {
        DeviceEngines.open(Backend.CUDA); // skips with the probe's reason where there is no CUDA at all
    }

    @AfterEach
    void clearSettings() {
        if (Emulator.active()) {
            Emulator.set();
        }
    }

    @Test
    void theDetailSaysWhichGemmAndWhy() {
        try (CudaEngine cuda = CudaEngine.create()) {
            String detail = cuda.detail();
            switch (expected()) {
                case "fake" -> assertTrue(detail.contains(CUBLAS + ", float32 operands, CUBLAS_COMPUTE_32F"), detail);
                case "absent" -> assertTrue(detail.contains(BUILT_IN + "libcublas.so.12 not found (the NVIDIA driver does"
                        + " not provide it"), detail);
                default -> assertTrue(detail.contains(CUBLAS) || detail.contains(BUILT_IN), detail);
            }
            assertEquals(detail, cuda.detail(), "the choice is made once per session");
        }
        try (LossEngine engine = LossEngine.create(Backend.CUDA)) {
            String detail = engine.backend().detail();
            assertTrue(detail.contains("linear_cross_entropy uses "), detail);
        }
    }

    @Test
    void valuesAndAllThreeGradientsMatchTheCpuAndRepeatBitwise() {
        LossEngine device = DeviceEngines.open(Backend.CUDA);
        for (LinearCrossEntropy loss : new LinearCrossEntropy[] {LOSS, Losses.linearCrossEntropy().chunkRows(1),
            LOSS.zLoss(1e-3).chunkRows(0)}) {
            Tensor[] in = LinearCrossEntropyDeviceTest.inputs(37, 29, 70, loss.bias(), 11);
            LossResult first = Parity.check(device, loss, LinearCrossEntropyDeviceTest.TOL, in);
            LossResult again = device.compute(loss, in);
            assertEquals(Double.doubleToRawLongBits(first.value()), Double.doubleToRawLongBits(again.value()), "value of " + loss);
            for (int g : loss.bias() ? new int[] {0, 1, 3} : new int[] {0, 1}) {
                Parity.assertBitwise(first.gradient(g).toFloatArray(), again.gradient(g).toFloatArray(),
                        "gradient " + g + " of " + loss + " run to run");
            }
        }
        assertTrue(device.backend().detail().contains(expected().equals("absent") ? BUILT_IN : expected().equals("fake")
                ? CUBLAS : "linear_cross_entropy uses "), device.backend().detail());
    }

    /**
     * cuBLAS must run on the call's stream: with a caller's non-blocking stream and a slow DMA, a GEMM
     * on any other stream would read the chunk before the kernel that wrote it, or accumulate dW into
     * a buffer whose zero-fill (a memset, delayed) lands after it.
     */
    @Test
    void theProductsRunOnTheCallersNonBlockingStream() {
        Emulator.set("CUDAEMU_DMA_DELAY_MS", "40"); // a slow DMA (where the emulator runs)
        int n = 23;
        int d = 17;
        int v = 90;
        Tensor[] in = LinearCrossEntropyDeviceTest.inputs(n, d, v, true, 8);
        float[] cw = new float[v];
        for (int c = 0; c < v; c++) {
            cw[c] = 0.5f + (c % 4);
        }
        LinearCrossEntropy loss = LOSS.classWeights(cw).chunkRows(5);
        LossResult ref = DeviceEngines.cpu().compute(loss, in);
        CUdevice dev = new CUdevice();
        CUcontext primary = new CUcontext();
        CUstream stream = new CUstream();
        ok(JCudaDriver.cuDeviceGet(dev, 0));
        ok(JCudaDriver.cuDevicePrimaryCtxRetain(primary, dev));
        ok(JCudaDriver.cuCtxPushCurrent(primary));
        ok(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING));
        ok(JCudaDriver.cuCtxPopCurrent(new CUcontext()));
        try (CudaEngine cuda = CudaEngine.create();
             CudaTensor h = cuda.upload(in[0]);
             CudaTensor w = cuda.upload(in[1]);
             CudaTensor t = cuda.upload(in[2]);
             CudaTensor b = cuda.upload(in[3]);
             CudaTensor dh = cuda.upload(filled(42f, n, d));
             CudaTensor dw = cuda.upload(filled(42f, v, d));
             CudaTensor db = cuda.upload(filled(42f, v))) {
            for (int call = 0; call < 2; call++) {
                CudaResult r = cuda.computeInto(loss, stream, new CudaTensor[] {h, w, t, b}, dh, dw, null, db);
                Parity.assertValue(ref.value(), r.value(), LinearCrossEntropyDeviceTest.TOL, "value, call " + call);
                Parity.assertClose(ref.gradient(0).toFloatArray(), cuda.download(dh).toFloatArray(), 2e-5, "dL/dhidden");
                Parity.assertClose(ref.gradient(1).toFloatArray(), cuda.download(dw).toFloatArray(), 2e-5, "dL/dweight");
                Parity.assertClose(ref.gradient(3).toFloatArray(), cuda.download(db).toFloatArray(), 2e-5, "dL/dbias");
            }
            if (expected().equals("fake")) {
                assertTrue(cuda.detail().contains(CUBLAS), cuda.detail());
            }
        } finally {
            ok(JCudaDriver.cuCtxPushCurrent(primary));
            ok(JCudaDriver.cuStreamDestroy(stream));
            ok(JCudaDriver.cuCtxPopCurrent(new CUcontext()));
            ok(JCudaDriver.cuDevicePrimaryCtxRelease(dev));
        }
    }

    @Test
    void tf32IsUsedOnlyWhenTheLossAllowsIt() {
        LossEngine device = DeviceEngines.open(Backend.CUDA);
        Tensor[] in = LinearCrossEntropyDeviceTest.inputs(37, 29, 70, true, 12);
        LossResult fp32 = device.compute(LOSS, in);
        LossResult tf32 = device.compute(LOSS.allowTf32(true), in);
        LossResult cpu = DeviceEngines.cpu().compute(LOSS, in);
        boolean cublas = device.backend().detail().contains(CUBLAS);
        if (expected().equals("fake")) {
            assertTrue(cublas, device.backend().detail());
        }
        // TF32 keeps 10 mantissa bits: agreement to about 1e-3, and different bits from float32
        Parity.assertClose(cpu.gradient(1).toFloatArray(), tf32.gradient(1).toFloatArray(), 5e-3, "dW with TF32");
        Parity.assertValue(cpu.value(), tf32.value(), new Parity.Tol(5e-3, 1e-4), "value with TF32");
        boolean same = Arrays.equals(fp32.gradient(1).toFloatArray(), tf32.gradient(1).toFloatArray());
        assertEquals(!cublas, same, cublas ? "cuBLAS ignored allowTf32" : "the built-in kernel must ignore allowTf32");
    }

    /**
     * Also with JCublas2's exceptions turned on (JVM-wide, as a program may do): the failing status
     * then arrives as an exception, and the fallback and its reason must be the same.
     */
    @Test
    void aFailingCublasCreateFallsBackToTheBuiltInKernelWithTheReason() {
        Emulator.require();
        Assumptions.assumeTrue(expected().equals("fake"), "needs the fake libcublas.so.12 (the cuda-emulated fatbin run);"
                + " this run has lossengine.test.cublas=" + expected());
        Tensor[] in = LinearCrossEntropyDeviceTest.inputs(19, 13, 40, true, 3);
        for (boolean exceptions : new boolean[] {false, true}) {
            Emulator.set("CUDAEMU_CUBLAS_CREATE_RESULT", "3");
            DeviceEngines.forgetCuda(); // the next engine opens a new session, which makes the choice again
            JCublas2.setExceptionsEnabled(exceptions);
            try (LossEngine engine = LossEngine.create(Backend.CUDA)) {
                String detail = engine.backend().detail();
                assertTrue(detail.contains(BUILT_IN + "cublasCreate failed: CUBLAS_STATUS_ALLOC_FAILED (3)"),
                        "exceptions " + exceptions + ": " + detail);
                assertFalse(detail.contains(CUBLAS), detail);
                Parity.check(engine, LOSS, LinearCrossEntropyDeviceTest.TOL, in);
            } finally {
                JCublas2.setExceptionsEnabled(false);
            }
            Emulator.set();
            try (LossEngine engine = LossEngine.create(Backend.CUDA)) {
                assertTrue(engine.backend().detail().contains(CUBLAS), "a new session tries cuBLAS again: "
                        + engine.backend().detail());
            }
        }
    }

    private static Tensor filled(float value, long... shape) {
        long size = 1;
        for (long s : shape) {
            size *= s;
        }
        float[] v = new float[Math.toIntExact(size)];
        Arrays.fill(v, value);
        return Tensor.of(v, shape);
    }

    private static void ok(int rc) {
        assertEquals(0, rc, "CUDA call failed: " + rc);
    }
}
