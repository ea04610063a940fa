package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.HalfTensors;
import io.github.lossengine.cuda.CudaEngine;
import io.github.lossengine.cuda.CudaResult;
import io.github.lossengine.cuda.CudaTensor;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/**
 * Device-resident bfloat16 and float16 tensors ({@code CudaEngine.wrap(..., DType.BFLOAT16, ...)}):
 * the loss and the 16-bit gradient equal the host engine's on the same 16-bit inputs; a float32
 * gradient buffer gets the float32 gradient.
 */
class CudaHalfTensorTest {

    @Test
    void wrappedHalfLogitsGiveTheHostEnginesResult() {
        DeviceEngines.open(Backend.CUDA); // skips with the reason where there is no CUDA driver
        RandomTensors r = new RandomTensors(12);
        int n = 33;
        int c = 700;
        SoftmaxCrossEntropy ce = Losses.softmaxCrossEntropy().labelSmoothing(0.1).zLoss(1e-3);
        for (DType d : HalfPrecisionTest.HALVES) {
            Tensor z = HalfTensors.round(r.normal(3, n, c), d);
            Tensor y = r.indices(n, c);
            LossResult host = DeviceEngines.open(Backend.CUDA).compute(ce, z, y);
            try (CudaEngine cuda = CudaEngine.create();
                 CudaTensor owned = cuda.upload(z);
                 CudaTensor labels = cuda.upload(y);
                 CudaTensor logits = cuda.wrap(owned.pointer(), d, n, c);
                 CudaTensor g32 = cuda.allocate(n, c)) {
                assertEquals(d, logits.dtype());
                CudaResult res = cuda.compute(ce, null, logits, labels);
                try (CudaTensor g = res.gradient(0)) {
                    assertEquals(d, g.dtype());
                    assertEquals(host.value(), res.value(), 1e-6 * Math.abs(host.value()));
                    Parity.assertBitwise(host.gradient().toFloatArray(), cuda.download(g).toFloatArray(), "16-bit gradient " + d);
                    // the statistics, as the host engine reports them
                    assertEquals(host.denominator(), res.statistics().denominator());
                    assertEquals(host.zLoss(), res.statistics().zLoss(), 1e-6 * host.zLoss());
                    Parity.assertBitwise(host.logSumExp().toFloatArray(), res.statistics().logSumExp().toFloatArray(), "lse");
                }
                cuda.computeInto(ce, null, new CudaTensor[] {logits, labels}, g32);
                Tensor f32 = Tensor.zeros(n, c);
                DeviceEngines.open(Backend.CUDA).computeInto(ce, new Tensor[] {z, y}, f32);
                Parity.assertBitwise(f32.toFloatArray(), cuda.download(g32).toFloatArray(), "float32 gradient of " + d);
            }
        }
    }
}
