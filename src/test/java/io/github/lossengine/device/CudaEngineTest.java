package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.cuda.CudaEngine;
import io.github.lossengine.cuda.CudaResult;
import io.github.lossengine.cuda.CudaTensor;
import io.github.lossengine.testing.RandomTensors;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * Device-resident inputs on CUDA ({@link CudaEngine}): logits already in device memory, the
 * gradient into the caller's device buffer or one the engine allocates, against the CPU backend.
 * Runs only where the CUDA backend is available (skipped here with the probe's reason).
 */
class CudaEngineTest {

    @Test
    void deviceResidentSoftmaxCrossEntropyMatchesTheCpu() {
        DeviceEngines.open(Backend.CUDA); // skips with the reason where there is no usable GPU
        RandomTensors r = new RandomTensors(41);
        int n = 64;
        int c = 1000;
        Tensor z = r.normal(3, n, c);
        Tensor y = r.indices(n, c);
        LossResult ref = DeviceEngines.cpu().compute(Losses.softmaxCrossEntropy().labelSmoothing(0.1), z, y);
        try (CudaEngine cuda = CudaEngine.create();
             CudaTensor owned = cuda.upload(z);
             CudaTensor labels = cuda.upload(y);
             CudaTensor grad = cuda.allocate(n, c)) {
            // the caller's pointer, wrapped without a copy
            CUdeviceptr p = owned.pointer();
            try (CudaTensor logits = cuda.wrap(p, DType.FLOAT32, n, c)) {
                CudaResult res = cuda.computeInto(Losses.softmaxCrossEntropy().labelSmoothing(0.1), null,
                        new CudaTensor[] {logits, labels}, grad);
                Parity.assertValue(ref.value(), res.value(), SoftmaxCrossEntropyParityTest.TOL, "device-resident CE");
                Parity.assertClose(ref.gradient().toFloatArray(), cuda.download(grad).toFloatArray(),
                        SoftmaxCrossEntropyParityTest.TOL.rel(), "device-resident CE gradient");
                CudaResult again = cuda.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.1).reduction(Reduction.NONE), null,
                        logits, labels);
                try (CudaTensor g = again.gradient(0)) {
                    assertEquals(n, again.values().size());
                    assertTrue(g.size() == (long) n * c);
                }
                // a bad label is reported as the CPU reports it
                try (CudaTensor bad = cuda.upload(Tensor.ofInts(new int[] {c}, 1));
                     CudaTensor one = cuda.upload(r.normal(1, 1, c))) {
                    InvalidInputException e = assertThrows(InvalidInputException.class,
                            () -> cuda.compute(Losses.softmaxCrossEntropy(), null, one, bad));
                    assertTrue(e.getMessage().startsWith("target[0] = " + c), e.getMessage());
                }
            }
        }
    }
}
