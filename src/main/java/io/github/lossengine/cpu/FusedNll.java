package io.github.lossengine.cpu;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Nll;
import java.util.Arrays;

/**
 * Fused float32 {@link Nll}: {@code l_i = -w_(y_i) x_(i, y_i)} computed in float32, the gradient
 * {@code -w_(y_i) scale} at the target class and 0 elsewhere (each gradient row cleared with one
 * {@link Arrays#fill}, which the JIT vectorises; the loss reads one element per row, so there is no
 * inner loop for {@link FloatKernels} to vectorise). Ignored rows and rows of weight 0 contribute
 * exactly 0 (their gradient rows are all 0). Rows in parallel in fixed chunks ({@link Chunking}); each
 * chunk's losses are added with {@link CompensatedSum} and the chunks in chunk order ({@link SumJob}),
 * so the result does not depend on the thread count. NaN and {@code ±inf} log-probabilities at a target
 * propagate to the loss (the gradient does not depend on them). The same checks and messages as
 * {@link NllCpu}, all before anything is written. Heap {@code float[]} storage only; stateless and
 * thread-safe.
 */
final class FusedNll implements FusedLoss<Nll> {

    @Override
    public boolean accepts(Nll loss, Tensor[] inputs, Tensor[] gradients) {
        // FloatBuffer storage: CpuBackend's heap copies; other ranks: the reference's refusal
        return inputs[0].rank() == 2 && inputs[0].floatArrayOrNull() != null && FusedLoss.heapFloats(gradients[0]);
    }

    @Override
    public LossResult compute(Nll loss, Tensor[] inputs, Tensor[] gradients, FloatKernels k, WorkerPool pool) {
        Tensor xt = inputs[0];
        Tensor target = inputs[1];
        float[] w = loss.classWeights();
        double scale = NllCpu.check(loss, xt, target, w);
        int rows = Math.toIntExact(xt.dim(0));
        int classes = Math.toIntExact(xt.dim(1));
        Reduction r = loss.reduction();

        float[] x = xt.floatArrayOrNull();
        float[] g = FusedLoss.array(gradients[0]);
        float[] values = r == Reduction.NONE ? new float[rows] : null;
        long ignore = loss.ignoreIndex();
        int chunks = Chunking.count(rows, g == null ? 1 : classes);
        double sum = new SumJob(chunks) {
            @Override
            double sumChunk(int c) {
                int from = (int) Chunking.start(rows, chunks, c, 1);
                int to = (int) Chunking.start(rows, chunks, c + 1, 1);
                if (g != null) {
                    Arrays.fill(g, from * classes, to * classes, 0f);
                }
                CompensatedSum s = new CompensatedSum();
                for (int i = from; i < to; i++) {
                    long y = target.getLong(i);
                    float wy = y == ignore || w == null ? 1f : w[(int) y];
                    if (y == ignore || wy == 0) {
                        continue;
                    }
                    int at = i * classes + (int) y;
                    float l = -wy * x[at];
                    s.add(l);
                    if (values != null) {
                        values[i] = l;
                    }
                    if (g != null) {
                        g[at] = (float) (-wy * scale);
                    }
                }
                return s.value();
            }
        }.runOn(pool);
        return ClassRows.result(r, sum, scale, loss.allIgnored(), values, rows, gradients);
    }
}
