package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.KlDiv;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.LogCosh;
import io.github.lossengine.loss.Mae;
import io.github.lossengine.loss.MarginRanking;
import io.github.lossengine.loss.Mse;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PoissonNll;
import io.github.lossengine.loss.SmoothL1;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.loss.SquaredHinge;
import io.github.lossengine.loss.Triplet;
import io.github.lossengine.spi.Benchmarking;
import io.github.lossengine.spi.ComputeBackend;
import java.util.Map;

/**
 * The pure-Java backend. Every loss has a reference implementation ({@link CpuLoss}: double
 * precision, float32 gradients, compensated sums in a fixed order). The losses that dominate
 * training time (softmax cross-entropy with class-index or probability targets, multi-class hinge,
 * nll, linear_cross_entropy, the element-wise losses: mse, mae, huber, smooth_l1, log_cosh, hinge,
 * squared_hinge, binary_cross_entropy, bce_with_logits, focal, kl_div, poisson_nll, gaussian_nll, and the row and
 * pair losses: cosine_embedding, margin_ranking, triplet with p = 1 or 2, contrastive) also have a
 * fused implementation ({@link FusedLoss}): float32 kernels (poisson_nll and gaussian_nll compute
 * each element in double, {@link LikelihoodKernels}), chunks in parallel on the engine's threads,
 * the JDK Vector API where the JVM has it enabled ({@link KernelSelection}), results within the
 * documented tolerance of the reference and independent of the thread count, and the same bits on
 * the Vector API and the scalar kernels where the former run 8 float lanes ({@link FloatKernels}).
 *
 * <p>Storage: every fused loss takes float32 tensors of every storage kind ({@code float[]}, heap and
 * direct {@link java.nio.FloatBuffer}s of either byte order, {@link Tensor#ofRange} views) itself,
 * staging rows or blocks through small per-thread scratch (nll reads its one entry per row in place)
 * with the same bits as from a {@code float[]} ({@link FusedPointwise}, {@link FusedEmbeddingRows}),
 * so that a result's bits never depend on the storage and nothing the size of the problem is copied.
 * Options and dtypes the fused implementations do not take go to the reference.
 *
 * <p>Thread-safe: calls may run concurrently (each runs its chunks on its own thread plus idle
 * workers). {@link #close()} stops the worker threads.
 */
public final class CpuBackend implements ComputeBackend {
    private static final Map<Class<?>, FusedLoss<?>> FUSED = Map.ofEntries(
            Map.entry(SoftmaxCrossEntropy.class, new FusedSoftmaxCrossEntropy()),
            Map.entry(Mse.class, new FusedMse()),
            Map.entry(Mae.class, new FusedMae()),
            Map.entry(Huber.class, new FusedHuber()),
            Map.entry(SmoothL1.class, new FusedSmoothL1()),
            Map.entry(LogCosh.class, new FusedLogCosh()),
            Map.entry(BinaryCrossEntropy.class, new FusedBinaryCrossEntropy()),
            Map.entry(BceWithLogits.class, new FusedBceWithLogits()),
            Map.entry(Focal.class, new FusedFocal()),
            Map.entry(KlDiv.class, new FusedKlDiv()),
            Map.entry(PoissonNll.class, new FusedPoissonNll()),
            Map.entry(GaussianNll.class, new FusedGaussianNll()),
            Map.entry(Hinge.class, new FusedHinge()),
            Map.entry(SquaredHinge.class, new FusedSquaredHinge()),
            Map.entry(MulticlassHinge.class, new FusedMulticlassHinge()),
            Map.entry(Nll.class, new FusedNll()),
            Map.entry(CosineEmbedding.class, new FusedCosineEmbedding()),
            Map.entry(MarginRanking.class, new FusedMarginRanking()),
            Map.entry(Triplet.class, new FusedTriplet()),
            Map.entry(Contrastive.class, new FusedContrastive()),
            Map.entry(LinearCrossEntropy.class, new LinearCrossEntropyCpu()));

    private final WorkerPool pool;
    private final FloatKernels kernels;

    /**
     * A backend computing on the calling thread only: no worker threads, so nothing needs closing
     * (what a device backend uses for the losses it has no kernel for).
     */
    public CpuBackend() {
        this(1);
    }

    /** A backend computing on {@code threads} threads with the kernels {@link KernelSelection} chose. */
    public CpuBackend(int threads) {
        this(threads, KernelSelection.kernels());
    }

    /**
     * A backend computing on {@code threads} threads with the given kernels; {@code null} kernels:
     * the reference implementations only.
     */
    CpuBackend(int threads, FloatKernels kernels) {
        this.pool = new WorkerPool(threads);
        this.kernels = kernels;
    }

    @Override
    public Backend kind() {
        return Backend.CPU;
    }

    @Override
    public String detail() {
        return "pure Java on " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", " + pool.threads() + " threads of " + Runtime.getRuntime().availableProcessors() + " processors"
                + ", fused kernels: " + (kernels == null ? "off (reference only)" : KernelSelection.active().line()
                + "; linear_cross_entropy GEMM: " + GemmSelection.choose(kernels).line());
    }

    /** The number of threads a call runs on. */
    public int threads() {
        return pool.threads();
    }

    @Override
    @SuppressWarnings("unchecked")
    public LossResult compute(Loss loss, Tensor[] inputs, Tensor[] gradients) {
        FusedLoss<Loss> fused = (FusedLoss<Loss>) FUSED.get(loss.getClass());
        if (kernels != null && fused != null) {
            if (fused.accepts(loss, inputs, gradients)) {
                return fused.compute(loss, inputs, gradients, kernels, pool);
            }
        }
        return CpuLosses.forLoss(loss).compute(loss, inputs, gradients);
    }

    @Override
    public Benchmarking benchmarking() {
        return new CpuBenchmarking(this, pool);
    }

    @Override
    public void close() {
        pool.close();
    }
}
