package io.github.lossengine;

import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.LinearCrossEntropy;
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
        BY_NAME.put("linear_cross_entropy", Losses::linearCrossEntropy);
    }

    /**
     * Other names {@link #byName} accepts: {@code l1}, and PyTorch's {@code torch.nn.functional} names
     * where they mean the same loss with the same defaults. Not aliases: torchvision's
     * {@code sigmoid_focal_loss} (its default reduction is {@code none}, {@code focal}'s is
     * {@code mean}), {@code hinge_embedding_loss} and {@code soft_margin_loss} (other formulas).
     */
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        ALIASES.put("l1", "mae");
        ALIASES.put("cross_entropy", "softmax_cross_entropy");
        ALIASES.put("nll_loss", "nll");
        ALIASES.put("binary_cross_entropy_with_logits", "bce_with_logits");
        ALIASES.put("mse_loss", "mse");
        ALIASES.put("l1_loss", "mae");
        ALIASES.put("huber_loss", "huber");
        ALIASES.put("smooth_l1_loss", "smooth_l1");
        ALIASES.put("multi_margin_loss", "multiclass_hinge");
        ALIASES.put("triplet_margin_loss", "triplet");
        ALIASES.put("poisson_nll_loss", "poisson_nll");
        ALIASES.put("gaussian_nll_loss", "gaussian_nll");
        ALIASES.put("cosine_embedding_loss", "cosine_embedding");
        ALIASES.put("margin_ranking_loss", "margin_ranking");
    }

    private Losses() {
    }

    /** The catalogue names, in catalogue order (the other names {@link #byName} accepts: {@link #aliases()}). */
    public static Set<String> names() {
        return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
    }

    /**
     * The aliases {@link #byName} accepts, each mapped to its catalogue name: {@code l1} and PyTorch's
     * names ({@code cross_entropy}, {@code mse_loss}, {@code l1_loss}, ...) where PyTorch's function
     * computes the same loss with the same defaults. The loss they give reports its catalogue name.
     */
    public static Map<String, String> aliases() {
        return java.util.Collections.unmodifiableMap(ALIASES);
    }

    /**
     * The loss with this catalogue name or alias ({@link #aliases()}), case-insensitive, and its
     * defaults. An unknown name throws {@link InvalidInputException}, naming the closest known names
     * ("did you mean") and listing the catalogue.
     */
    public static Loss byName(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        Supplier<Loss> s = BY_NAME.get(ALIASES.getOrDefault(key, key));
        if (s == null) {
            java.util.List<String> close = suggestions(key);
            throw new InvalidInputException("loss", "unknown loss '" + name + "'"
                    + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?")
                    + " Known: " + String.join(", ", BY_NAME.keySet()) + " (and the aliases " + String.join(", ", ALIASES.keySet()) + ")");
        }
        return s.get();
    }

    /**
     * The known names (catalogue names and aliases) nearest to {@code key}: within an edit distance of
     * a third of its length (at least 1, at most 3), or containing it or contained in it (from 3
     * letters), the nearest first, at most 3.
     */
    static java.util.List<String> suggestions(String key) {
        java.util.List<String> all = new java.util.ArrayList<>(BY_NAME.keySet());
        all.addAll(ALIASES.keySet());
        int limit = Math.max(1, Math.min(3, key.length() / 3));
        java.util.List<String> close = new java.util.ArrayList<>();
        for (String known : all) {
            boolean part = key.length() >= 3 && (known.contains(key) || key.contains(known) && known.length() >= 3);
            if (part || editDistance(key, known) <= limit) {
                close.add(known);
            }
        }
        close.sort(java.util.Comparator.comparingInt((String k) -> editDistance(key, k)).thenComparing(k -> k));
        return close.subList(0, Math.min(3, close.size()));
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Softmax cross-entropy on logits with class-index or probability targets. */
    public static SoftmaxCrossEntropy softmaxCrossEntropy() {
        return new SoftmaxCrossEntropy();
    }

    /**
     * Fused linear + softmax cross-entropy (the language-model head): inputs hidden [N, D],
     * linear_weight [V, D], target [N] (and linear_bias [V] with {@code bias(true)}); gradients with
     * respect to hidden, the weight and the bias, without ever holding the N x V logits.
     */
    public static LinearCrossEntropy linearCrossEntropy() {
        return new LinearCrossEntropy();
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
