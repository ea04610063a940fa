package io.github.lossengine.bench;

import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import io.github.lossengine.cli.BenchCatalogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One row of the catalogue table: a loss of the catalogue (or one option of it, e.g. probability
 * targets) at one representative shape, with {@code lossengine bench}'s inputs for it (fixed seed),
 * and what libtorch has of it. Element-wise losses at 16M elements, class-row losses at 4096x1000,
 * embedding pair and triplet losses at 4096x256.
 *
 * @param id      the row's name, e.g. {@code mse 16M} or {@code softmax_cross_entropy probs 4096x1000}
 * @param loss    the loss with its options (MEAN reduction)
 * @param shape   the input shape
 * @param variant null, or which input variant ({@code probs}: probability targets)
 * @param torch   libtorch's name for it ({@code torch.nn.functional}), or null with {@code why}
 * @param why     why libtorch has no row, when {@code torch} is null
 */
record CatalogueCase(String id, Loss loss, long[] shape, String variant, String torch, String why) {
    static final long ELEMENTS = 1L << 24;
    static final long[] ROWS = {4096, 1000};
    static final long[] EMBEDDINGS = {4096, 256};

    /** Every loss of the catalogue but linear_cross_entropy (a GEMM-bound loss, compared in its own cases). */
    static List<CatalogueCase> all(boolean quick) {
        long[] flat = {quick ? 1L << 20 : ELEMENTS};
        long[] rows = quick ? new long[] {256, 1000} : ROWS;
        long[] emb = quick ? new long[] {256, 256} : EMBEDDINGS;
        List<CatalogueCase> c = new ArrayList<>();
        c.add(of("softmax_cross_entropy", Losses.softmaxCrossEntropy(), rows, null, "cross_entropy"));
        c.add(of("softmax_cross_entropy probs", Losses.softmaxCrossEntropy(), rows, "probs",
                "cross_entropy (probability targets)"));
        c.add(of("softmax_cross_entropy smoothing 0.1", Losses.softmaxCrossEntropy().labelSmoothing(0.1), rows, null,
                "cross_entropy (label_smoothing=0.1)"));
        c.add(of("nll", Losses.nll(), rows, null, "nll_loss"));
        c.add(of("multiclass_hinge", Losses.multiclassHinge(), rows, null, "multi_margin_loss"));
        c.add(of("mse", Losses.mse(), flat, null, "mse_loss"));
        c.add(of("mae", Losses.mae(), flat, null, "l1_loss"));
        c.add(of("huber", Losses.huber(), flat, null, "huber_loss"));
        c.add(of("smooth_l1", Losses.smoothL1(), flat, null, "smooth_l1_loss"));
        c.add(none("log_cosh", Losses.logCosh(), flat, "libtorch has no log-cosh loss"));
        c.add(of("binary_cross_entropy", Losses.binaryCrossEntropy(), flat, null, "binary_cross_entropy"));
        c.add(of("bce_with_logits", Losses.bceWithLogits(), flat, null, "binary_cross_entropy_with_logits"));
        c.add(of("bce_with_logits pos_weight 2", Losses.bceWithLogits().posWeight(2f), flat, null,
                "binary_cross_entropy_with_logits (pos_weight=2)"));
        c.add(none("focal", Losses.focal(), flat, "libtorch has none (torchvision's sigmoid_focal_loss is Python)"));
        c.add(of("kl_div", Losses.klDiv(), flat, null, "kl_div (reduction='mean')"));
        c.add(of("poisson_nll", Losses.poissonNll(), flat, null, "poisson_nll_loss"));
        c.add(of("gaussian_nll", Losses.gaussianNll(), flat, null, "gaussian_nll_loss (grads of input, target, var)"));
        c.add(of("hinge", Losses.hinge(), flat, null,
                "no libtorch loss: relu(1 - y x) from its ops, as the tables above"));
        c.add(none("squared_hinge", Losses.squaredHinge(), flat, "libtorch has no squared hinge loss"));
        c.add(of("margin_ranking", Losses.marginRanking(), flat, null, "margin_ranking_loss"));
        c.add(none("contrastive", Losses.contrastive(), emb, "libtorch has no contrastive loss"));
        c.add(of("triplet", Losses.triplet(), emb, null, "triplet_margin_loss"));
        c.add(of("cosine_embedding", Losses.cosineEmbedding(), emb, null, "cosine_embedding_loss"));
        return c;
    }

    private static CatalogueCase of(String name, Loss loss, long[] shape, String variant, String torch) {
        return new CatalogueCase(name + " " + shapeText(shape), loss, shape, variant, torch, null);
    }

    private static CatalogueCase none(String name, Loss loss, long[] shape, String why) {
        return new CatalogueCase(name + " " + shapeText(shape), loss, shape, null, null, why);
    }

    static String shapeText(long[] shape) {
        if (shape.length == 2) {
            return shape[0] + "x" + shape[1];
        }
        return shape[0] % (1 << 20) == 0 ? (shape[0] >> 20) + "M" : Long.toString(shape[0]);
    }

    /** Whether the CPU backend has a fused float32 kernel for the loss (the storage table's losses). */
    boolean fused() {
        switch (loss.name()) {
            case "squared_hinge":
            case "margin_ranking":
            case "contrastive":
            case "triplet":
            case "cosine_embedding":
                return false;
            default:
                return true;
        }
    }

    long elements() {
        return shape.length == 2 ? shape[0] * shape[1] : shape[0];
    }

    /** {@code lossengine bench}'s inputs (seeded by the shape), probability targets for {@code probs}. */
    Tensor[] inputs() {
        long seed = 0x5EED + shape[0] * 31 + (shape.length == 2 ? shape[1] : 0) + loss.name().hashCode();
        Tensor[] in = BenchCatalogue.inputs(loss, shape, seed);
        if ("probs".equals(variant)) {
            int n = (int) shape[0];
            int k = (int) shape[1];
            float[] t = new float[n * k];
            SplittableRandom rnd = new SplittableRandom(seed + 1);
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    t[i * k + j] = (float) rnd.nextDouble();
                    s += t[i * k + j];
                }
                for (int j = 0; j < k; j++) {
                    t[i * k + j] = (float) (t[i * k + j] / s);
                }
            }
            in[1] = Tensor.of(t, n, k);
        }
        return in;
    }

    /** The indices of the inputs that get a gradient. */
    int[] differentiable(Tensor[] inputs) {
        return java.util.stream.IntStream.range(0, inputs.length).filter(loss::differentiable).toArray();
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
