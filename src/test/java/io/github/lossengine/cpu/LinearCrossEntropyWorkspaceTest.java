package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The workspace of {@link LinearCrossEntropyCpu} at N = 8192, V = 32768, D = 256, counted through its
 * allocator hook (not with RSS or timing): the largest allocation stays within the default bound of
 * 64 MiB, far from the 1 GiB of the N x V logits. The GEMM is a stub that counts the logits it is
 * asked for (the products themselves are tested elsewhere), so the test measures the chunking only.
 * With 16-bit operands and gradients the workspace adds exactly the float32 weight and bias, their
 * gradients' float32 accumulators, and a chunk of hidden and of its gradient ([rows, D] each).
 */
class LinearCrossEntropyWorkspaceTest {
    static final int N = 8192;
    static final int V = 32768;
    static final int D = 256;

    /** Writes nothing; counts the logits requested and the largest chunk of rows. */
    static final class CountingGemm implements RangeGemm {
        final AtomicLong logits = new AtomicLong();
        final AtomicLong largestRows = new AtomicLong();

        @Override
        public String description() {
            return "counting stub";
        }

        @Override
        public void multiplyTransposed(float[] a, int aOff, int m, float[] b, int j0, int j1, int k, float[] c, int ldc) {
            logits.addAndGet((long) m * (j1 - j0));
            largestRows.accumulateAndGet(m, Math::max);
        }

        @Override
        public void multiply(float[] a, int i0, int i1, int n, float[] b, int k, float[] c, int cOff) {
        }

        @Override
        public void addTransposedProduct(float[] a, int m, int n, float[] b, int bOff, int j0, int j1, int k, float[] c) {
        }
    }

    @Test
    void theLargestWorkspaceAllocationStaysWithinTheBound() {
        AtomicLong largest = new AtomicLong();
        AtomicLong allocations = new AtomicLong();
        IntFunction<float[]> counting = n -> {
            largest.accumulateAndGet(4L * n, Math::max);
            allocations.incrementAndGet();
            return new float[n];
        };
        CountingGemm gemm = new CountingGemm();
        LinearCrossEntropyCpu cpu = new LinearCrossEntropyCpu(gemm, counting);
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            t[i] = (i * 7919L) % V;
        }
        Tensor[] in = {Tensor.zeros(N, D), Tensor.zeros(V, D), Tensor.ofLongs(t, N)};
        Tensor[] g = {Tensor.zeros(N, D), Tensor.zeros(V, D), null};
        LinearCrossEntropy loss = Losses.linearCrossEntropy();
        LossResult r;
        try (WorkerPool pool = new WorkerPool(2)) {
            r = cpu.compute(loss, in, g, KernelSelection.kernels(), pool);
        }
        long bound = LinearCrossEntropy.DEFAULT_MAX_WORKSPACE_BYTES;
        assertTrue(largest.get() <= bound, "largest workspace allocation " + largest.get() + " B > bound " + bound);
        assertEquals(512L * V * 4, largest.get(), "one chunk buffer of 512 rows x V floats");
        assertEquals(1, allocations.get(), "one chunk buffer per call");
        assertTrue(largest.get() * 16 <= 4L * N * V, "far below the N x V logits (" + 4L * N * V + " B)");
        assertEquals((long) N * V, gemm.logits.get(), "every logit computed once, chunk by chunk");
        assertEquals(512, gemm.largestRows.get(), "rows per chunk");
        // the stub leaves the chunk buffer at 0 first: the first chunk's rows are uniform, loss log V
        assertTrue(Double.isFinite(r.value()), "value " + r.value());
    }

    @Test
    void sixteenBitOperandsAddTheFloat32WeightTheAccumulatorsAndTwoChunksOfHidden() {
        List<Long> sizes = Collections.synchronizedList(new ArrayList<>());
        IntFunction<float[]> counting = n -> {
            sizes.add(4L * n);
            return new float[n];
        };
        LinearCrossEntropyCpu cpu = new LinearCrossEntropyCpu(new CountingGemm(), counting);
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            t[i] = (i * 7919L) % V;
        }
        DType bf16 = DType.BFLOAT16;
        Tensor[] in = {Tensor.zeros(bf16, N, D), Tensor.zeros(bf16, V, D), Tensor.ofLongs(t, N), Tensor.zeros(bf16, V)};
        Tensor[] g = {Tensor.zeros(bf16, N, D), Tensor.zeros(bf16, V, D), null, Tensor.zeros(bf16, V)};
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true);
        LossResult r;
        try (WorkerPool pool = new WorkerPool(2)) {
            r = cpu.compute(loss, in, g, KernelSelection.kernels(), pool);
        }
        assertTrue(Double.isFinite(r.value()), "value " + r.value());
        int rows = 512;
        List<Long> expected = new ArrayList<>(List.of(4L * rows * V, // the chunk of logits, as for float32
                4L * V * D, 4L * V * D, // the float32 weight and the dW accumulator
                4L * V, 4L * V, // the float32 bias and the db accumulator
                4L * rows * D, 4L * rows * D)); // a chunk of hidden widened, and of its gradient
        List<Long> got = new ArrayList<>(sizes);
        Collections.sort(expected);
        Collections.sort(got);
        // exactly these: no float32 copy of hidden or of its gradient [N, D], nothing of N x V
        assertEquals(expected, got, "the workspace allocations, in bytes");
        long total = got.stream().mapToLong(Long::longValue).sum();
        long bound = LinearCrossEntropy.DEFAULT_MAX_WORKSPACE_BYTES + 8L * V * D + 8L * V + 8L * rows * D;
        assertTrue(total <= bound, "total " + total + " B > the documented bound " + bound);
    }
}
