package io.github.lossengine.cli;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.loss.AllIgnoredPolicy;
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
import io.github.lossengine.loss.MarginRanking;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PoissonNll;
import io.github.lossengine.loss.SmoothL1;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.loss.SquaredHinge;
import io.github.lossengine.loss.Triplet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BiFunction;

/**
 * The {@code compute} command's view of each loss's options: which {@code --param key=value} keys
 * it takes (the option names of the loss table) and the fluent method each one calls, whether
 * {@code --weight} sets class weights or element weights, and whether its target holds class
 * indices.
 *
 * <p>Values: numbers as Java parses them ({@code 0.1}, {@code 1e-6}); integers for
 * {@code ignore_index}; booleans {@code true|false} (also {@code 1|0}); the enum options by their
 * lower-case names; {@code pos_weight} a number or a comma-separated list. A loss with no entry
 * here takes no parameters and no weight. Thread-safety: immutable after class initialisation.
 */
final class LossParameters {
    private static final Map<Class<?>, Table<?>> TABLES = new HashMap<>();
    private static final Table<Loss> NONE = new Table<>();

    static {
        Table<SoftmaxCrossEntropy> ce = table(SoftmaxCrossEntropy.class).indexTargets()
                .param("label_smoothing", (l, v) -> l.labelSmoothing(number(v)))
                .param("ignore_index", (l, v) -> l.ignoreIndex(integer(v)))
                .param("smoothing", (l, v) -> l.labelSmoothing(l.labelSmoothing(), choice(v, SmoothingConvention.class)))
                .param("all_ignored", (l, v) -> l.allIgnored(choice(v, AllIgnoredPolicy.class)))
                .param("z_loss", (l, v) -> l.zLoss(number(v)))
                .param("softcap", (l, v) -> l.softcap(number(v)))
                .param("normalizer", (l, v) -> l.normalizer(number(v)))
                .weight(SoftmaxCrossEntropy::classWeights, true);
        Table<LinearCrossEntropy> linear = table(LinearCrossEntropy.class).indexTargets();
        // the cross-entropy's options, applied to its part of the fused loss
        ce.params.forEach((key, setter) -> linear.param(key, (l, v) -> l.ce(setter.apply(l.ce(), v))));
        linear.param("chunk_rows", (l, v) -> l.chunkRows(int32(v)))
                .param("max_workspace_bytes", (l, v) -> l.maxWorkspaceBytes(integer(v)))
                .param("allow_tf32", (l, v) -> l.allowTf32(bool(v)))
                .weight(LinearCrossEntropy::classWeights, true);
        table(Nll.class).indexTargets()
                .param("ignore_index", (l, v) -> l.ignoreIndex(integer(v)))
                .param("all_ignored", (l, v) -> l.allIgnored(choice(v, AllIgnoredPolicy.class)))
                .weight(Nll::classWeights, true);
        table(MulticlassHinge.class).indexTargets()
                .param("variant", (l, v) -> l.variant(choice(v, MulticlassHinge.Variant.class)))
                .param("p", (l, v) -> l.p(int32(v)))
                .param("margin", (l, v) -> l.margin(number(v)))
                .weight(MulticlassHinge::classWeights, true);
        table(BinaryCrossEntropy.class)
                .weight(BinaryCrossEntropy::weight, false);
        table(BceWithLogits.class)
                .param("pos_weight", (l, v) -> l.posWeight(numbers(v)))
                .weight(BceWithLogits::weight, false);
        table(Huber.class).param("delta", (l, v) -> l.delta(number(v)));
        table(SmoothL1.class).param("beta", (l, v) -> l.beta(number(v)));
        table(KlDiv.class).param("log_target", (l, v) -> l.logTarget(bool(v)));
        table(Hinge.class).param("margin", (l, v) -> l.margin(number(v)));
        table(SquaredHinge.class).param("margin", (l, v) -> l.margin(number(v)));
        table(Contrastive.class)
                .param("margin", (l, v) -> l.margin(number(v)))
                .param("eps", (l, v) -> l.eps(number(v)));
        table(Triplet.class)
                .param("margin", (l, v) -> l.margin(number(v)))
                .param("p", (l, v) -> l.p(number(v)))
                .param("eps", (l, v) -> l.eps(number(v)))
                .param("swap", (l, v) -> l.swap(bool(v)));
        table(Focal.class)
                .param("gamma", (l, v) -> l.gamma(number(v)))
                .param("alpha", (l, v) -> l.alpha(number(v)));
        table(PoissonNll.class)
                .param("log_input", (l, v) -> l.logInput(bool(v)))
                .param("full", (l, v) -> l.full(bool(v)))
                .param("eps", (l, v) -> l.eps(number(v)));
        table(GaussianNll.class)
                .param("full", (l, v) -> l.full(bool(v)))
                .param("eps", (l, v) -> l.eps(number(v)));
        table(CosineEmbedding.class).param("margin", (l, v) -> l.margin(number(v)));
        table(MarginRanking.class).param("margin", (l, v) -> l.margin(number(v)));
    }

    private LossParameters() {
    }

    /** The options and weight handling of one loss class. */
    private static final class Table<L extends Loss> {
        final Map<String, BiFunction<L, String, L>> params = new LinkedHashMap<>();
        BiFunction<L, float[], L> weight;
        boolean classWeights;
        boolean indexTargets;

        Table<L> param(String key, BiFunction<L, String, L> setter) {
            params.put(key, setter);
            return this;
        }

        Table<L> weight(BiFunction<L, float[], L> setter, boolean perClass) {
            this.weight = setter;
            this.classWeights = perClass;
            return this;
        }

        Table<L> indexTargets() {
            this.indexTargets = true;
            return this;
        }
    }

    private static <L extends Loss> Table<L> table(Class<L> type) {
        Table<L> t = new Table<>();
        TABLES.put(type, t);
        return t;
    }

    @SuppressWarnings("unchecked")
    private static <L extends Loss> Table<L> tableOf(L loss) {
        Table<?> t = TABLES.get(loss.getClass());
        return (Table<L>) (t != null ? t : NONE);
    }

    /** The {@code --param} keys this loss takes, in table order. */
    static Set<String> keys(Loss loss) {
        return tableOf(loss).params.keySet();
    }

    /** Whether the loss's target (input 1) holds class indices, so integer arrays stay integers. */
    static boolean indexTargets(Loss loss) {
        return tableOf(loss).indexTargets;
    }

    /** Whether {@code --weight} sets one weight per class (a 1-D array of C entries). */
    static boolean classWeights(Loss loss) {
        return tableOf(loss).classWeights;
    }

    /** Whether the loss takes {@code --weight}. */
    static boolean takesWeight(Loss loss) {
        return tableOf(loss).weight != null;
    }

    /** Refuses {@code --weight} for a loss that takes none. */
    static void requireWeight(Loss loss) {
        if (!takesWeight(loss)) {
            throw new BadArgumentException("--weight: " + loss.name() + " takes no weight (weights apply to "
                    + "softmax_cross_entropy, nll, multiclass_hinge, binary_cross_entropy and bce_with_logits)");
        }
    }

    /**
     * The loss with {@code key=value} applied.
     *
     * @throws BadArgumentException when the key is not one of this loss's, or the value is malformed
     *                              or refused by the loss
     */
    static <L extends Loss> L apply(L loss, String key, String value) {
        Table<L> t = tableOf(loss);
        BiFunction<L, String, L> setter = t.params.get(key);
        String label = "--param " + key;
        if (setter == null) {
            throw new BadArgumentException(label + ": unknown parameter for " + loss.name() + "; known: "
                    + (t.params.isEmpty() ? "none" : String.join(", ", t.params.keySet())));
        }
        try {
            return setter.apply(loss, value.trim());
        } catch (ValueException e) {
            throw new BadArgumentException(label + " = " + value + ": " + e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw e.argument().equals(key) ? BadArgumentException.relabel(e, label)
                    : BadArgumentException.prefixed(label + " = " + value, e);
        }
    }

    /** The loss with its weight option set; {@code --weight} is refused for losses without one. */
    static <L extends Loss> L withWeight(L loss, float[] weight) {
        requireWeight(loss);
        Table<L> t = tableOf(loss);
        try {
            return t.weight.apply(loss, weight);
        } catch (InvalidInputException e) {
            throw e.argument().equals("weight") ? BadArgumentException.relabel(e, "--weight")
                    : BadArgumentException.prefixed("--weight", e);
        }
    }

    /** A malformed parameter value (not a number, not one of the choices). */
    private static final class ValueException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ValueException(String message) {
            super(message);
        }
    }

    static double number(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new ValueException("expected a number");
        }
    }

    static float[] numbers(String v) {
        String[] parts = v.split(",", -1);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ValueException("expected a number or a comma-separated list of numbers, entry " + i
                        + " is '" + parts[i].trim() + "'");
            }
        }
        return out;
    }

    static long integer(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ValueException("expected an integer");
        }
    }

    /** An integer within int32's range (beyond it, a clear refusal rather than an ArithmeticException). */
    static int int32(String v) {
        long x = integer(v);
        if (x != (int) x) {
            throw new ValueException("expected an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
        }
        return (int) x;
    }

    static boolean bool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
                return true;
            case "false":
            case "0":
                return false;
            default:
                throw new ValueException("expected true or false");
        }
    }

    static <E extends Enum<E>> E choice(String v, Class<E> type) {
        StringJoiner names = new StringJoiner(", ");
        for (E e : type.getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT);
            if (name.equals(v.toLowerCase(Locale.ROOT))) {
                return e;
            }
            names.add(name);
        }
        throw new ValueException("expected one of " + names);
    }
}
