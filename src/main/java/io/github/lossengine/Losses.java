package io.github.lossengine;

import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.KlDiv;
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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The loss catalogue: one static factory per loss, each returning the loss with its defaults
 * (reduction {@link Reduction#MEAN}), and lookup by catalogue name as the command-line tool uses.
 */
public final class Losses {
    private static final Map<String, Supplier<Loss>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("softmax_cross_entropy", Losses::softmaxCrossEntropy);
        BY_NAME.put("nll", Losses::nll);
        BY_NAME.put("binary_cross_entropy", Losses::binaryCrossEntropy);
        BY_NAME.put("bce_with_logits", Losses::bceWithLogits);
        BY_NAME.put("mse", Losses::mse);
        BY_NAME.put("mae", Losses::mae);
        BY_NAME.put("huber", Losses::huber);
        BY_NAME.put("smooth_l1", Losses::smoothL1);
        BY_NAME.put("log_cosh", Losses::logCosh);
        BY_NAME.put("kl_div", Losses::klDiv);
        BY_NAME.put("hinge", Losses::hinge);
        BY_NAME.put("squared_hinge", Losses::squaredHinge);
        BY_NAME.put("multiclass_hinge", Losses::multiclassHinge);
        BY_NAME.put("contrastive", Losses::contrastive);
        BY_NAME.put("triplet", Losses::triplet);
        BY_NAME.put("focal", Losses::focal);
        BY_NAME.put("poisson_nll", Losses::poissonNll);
        BY_NAME.put("gaussian_nll", Losses::gaussianNll);
        BY_NAME.put("cosine_embedding", Losses::cosineEmbedding);
        BY_NAME.put("margin_ranking", Losses::marginRanking);
    }

    private Losses() {
    }

    /** The catalogue names, in catalogue order ({@code l1} is accepted as an alias of {@code mae}). */
    public static Set<String> names() {
        return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
    }

    /** The loss with this catalogue name and its defaults; {@code l1} is an alias of {@code mae}. */
    public static Loss byName(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        Supplier<Loss> s = BY_NAME.get(key.equals("l1") ? "mae" : key);
        if (s == null) {
            throw new InvalidInputException("loss", "unknown loss '" + name + "'; known: " + String.join(", ", BY_NAME.keySet()) + ", l1");
        }
        return s.get();
    }

    /** Softmax cross-entropy on logits with class-index or probability targets. */
    public static SoftmaxCrossEntropy softmaxCrossEntropy() {
        return new SoftmaxCrossEntropy();
    }

    /** Negative log-likelihood on log-probabilities. */
    public static Nll nll() {
        return new Nll();
    }

    /** Binary cross-entropy on probabilities. */
    public static BinaryCrossEntropy binaryCrossEntropy() {
        return new BinaryCrossEntropy();
    }

    /** Binary cross-entropy on logits. */
    public static BceWithLogits bceWithLogits() {
        return new BceWithLogits();
    }

    /** Mean squared error (no 1/2). */
    public static Mse mse() {
        return new Mse();
    }

    /** Mean absolute error. */
    public static Mae mae() {
        return new Mae();
    }

    /** Alias of {@link #mae()}. */
    public static Mae l1() {
        return new Mae();
    }

    /** Huber loss, {@code delta = 1}. */
    public static Huber huber() {
        return new Huber();
    }

    /** Smooth L1 loss, {@code beta = 1}. */
    public static SmoothL1 smoothL1() {
        return new SmoothL1();
    }

    /** Log-cosh loss. */
    public static LogCosh logCosh() {
        return new LogCosh();
    }

    /** Kullback-Leibler divergence on log-probabilities. */
    public static KlDiv klDiv() {
        return new KlDiv();
    }

    /** Binary hinge loss, {@code margin = 1}, labels ±1. */
    public static Hinge hinge() {
        return new Hinge();
    }

    /** Squared hinge loss, {@code margin = 1}, labels ±1. */
    public static SquaredHinge squaredHinge() {
        return new SquaredHinge();
    }

    /** Multi-class hinge (Weston-Watkins, PyTorch {@code multi_margin_loss}) by default. */
    public static MulticlassHinge multiclassHinge() {
        return new MulticlassHinge();
    }

    /** Contrastive loss on pairs, labels 0 (similar) / 1 (dissimilar). */
    public static Contrastive contrastive() {
        return new Contrastive();
    }

    /** Triplet margin loss. */
    public static Triplet triplet() {
        return new Triplet();
    }

    /** Sigmoid focal loss. */
    public static Focal focal() {
        return new Focal();
    }

    /** Poisson negative log-likelihood. */
    public static PoissonNll poissonNll() {
        return new PoissonNll();
    }

    /** Gaussian negative log-likelihood. */
    public static GaussianNll gaussianNll() {
        return new GaussianNll();
    }

    /** Cosine embedding loss, labels ±1. */
    public static CosineEmbedding cosineEmbedding() {
        return new CosineEmbedding();
    }

    /** Margin ranking loss, labels ±1. */
    public static MarginRanking marginRanking() {
        return new MarginRanking();
    }
}
