package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.cuda.CudaEngine;
import io.github.lossengine.cuda.CudaResult;
import io.github.lossengine.cuda.CudaTensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import org.junit.jupiter.api.Test;

/**
 * {@code linear_cross_entropy} on device-resident CUDA tensors (hidden, weight, target and bias
 * uploaded, the three gradients written into device buffers) against the CPU, in float32 and in
 * bfloat16/float16 (16-bit tensors and gradient buffers). CUDA only: the
 * emulated-driver runs of the build take it (the OpenCL-only run excludes {@code Cuda*Test}).
 */
class CudaLinearCrossEntropyTest {

    @Test
    void deviceResidentInputsOnCudaMatchTheCpu() {
        DeviceEngines.open(Backend.CUDA); // skips with the reason where there is no usable CUDA
        Tensor[] in = LinearCrossEntropyDeviceTest.inputs(23, 17, 90, true, 8);
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).zLoss(1e-3).chunkRows(5);
        LossResult ref = DeviceEngines.cpu().compute(loss, in);
        try (CudaEngine cuda = CudaEngine.create();
             CudaTensor h = cuda.upload(in[0]);
             CudaTensor w = cuda.upload(in[1]);
             CudaTensor t = cuda.upload(in[2]);
             CudaTensor b = cuda.upload(in[3]);
             CudaTensor dh = cuda.allocate(23, 17);
             CudaTensor dw = cuda.allocate(90, 17);
             CudaTensor db = cuda.allocate(90)) {
            CudaResult r = cuda.computeInto(loss, null, new CudaTensor[] {h, w, t, b}, dh, dw, null, db);
            Parity.assertValue(ref.value(), r.value(), LinearCrossEntropyDeviceTest.TOL, "value");
            Parity.assertClose(ref.gradient(0).toFloatArray(), cuda.download(dh).toFloatArray(), 2e-5, "dL/dhidden");
            Parity.assertClose(ref.gradient(1).toFloatArray(), cuda.download(dw).toFloatArray(), 2e-5, "dL/dweight");
            Parity.assertClose(ref.gradient(3).toFloatArray(), cuda.download(db).toFloatArray(), 2e-5, "dL/dbias");
            assertEquals(ref.zLoss(), r.statistics().zLoss(), 1e-6, "z-loss part");
            assertEquals(ref.denominator(), r.statistics().denominator(), 0.0, "denominator");
        }
    }

    @Test
    void deviceResidentSixteenBitTensorsGiveTheHostEnginesBits() {
        LossEngine host = DeviceEngines.open(Backend.CUDA); // skips with the reason where there is no usable CUDA
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).chunkRows(5);
        for (DType d : HalfPrecisionTest.HALVES) {
            Tensor[] in = io.github.lossengine.testing.HalfTensors.round(LinearCrossEntropyDeviceTest.inputs(23, 17, 90, true, 9), d);
            LossResult ref = host.compute(loss, in);
            try (CudaEngine cuda = CudaEngine.create();
                 CudaTensor h = cuda.upload(in[0]);
                 CudaTensor w = cuda.upload(in[1]);
                 CudaTensor t = cuda.upload(in[2]);
                 CudaTensor b = cuda.upload(in[3]);
                 CudaTensor dh = cuda.allocate(d, 23, 17);
                 CudaTensor dw = cuda.allocate(d, 90, 17);
                 CudaTensor db = cuda.allocate(d, 90)) {
                assertEquals(d, h.dtype());
                CudaResult r = cuda.computeInto(loss, null, new CudaTensor[] {h, w, t, b}, dh, dw, null, db);
                assertEquals(ref.value(), r.value(), 0.0, d + " value");
                Parity.assertBitwise(ref.gradient(0).toFloatArray(), cuda.download(dh).toFloatArray(), d + " dL/dhidden");
                Parity.assertBitwise(ref.gradient(1).toFloatArray(), cuda.download(dw).toFloatArray(), d + " dL/dweight");
                Parity.assertBitwise(ref.gradient(3).toFloatArray(), cuda.download(db).toFloatArray(), d + " dL/dbias");
                assertEquals(ref.denominator(), r.statistics().denominator(), 0.0, "denominator");
            }
        }
    }
}
