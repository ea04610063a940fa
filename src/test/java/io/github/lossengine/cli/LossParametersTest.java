package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.loss.SmoothingConvention;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link LossParameters}: the option names of the loss table, per loss. */
class LossParametersTest {
    private static final Map<String, List<String>> TABLE = Map.ofEntries(
            Map.entry("softmax_cross_entropy", List.of("label_smoothing", "ignore_index", "smoothing", "all_ignored",
                    "z_loss", "softcap", "normalizer")),
            Map.entry("nll", List.of("ignore_index", "all_ignored")),
            Map.entry("binary_cross_entropy", List.of()),
            Map.entry("bce_with_logits", List.of("pos_weight")),
            Map.entry("mse", List.of()),
            Map.entry("mae", List.of()),
            Map.entry("huber", List.of("delta")),
            Map.entry("smooth_l1", List.of("beta")),
            Map.entry("log_cosh", List.of()),
            Map.entry("kl_div", List.of("log_target")),
            Map.entry("hinge", List.of("margin")),
            Map.entry("squared_hinge", List.of("margin")),
            Map.entry("multiclass_hinge", List.of("variant", "p", "margin")),
            Map.entry("contrastive", List.of("margin", "eps")),
            Map.entry("triplet", List.of("margin", "p", "eps", "swap")),
            Map.entry("focal", List.of("gamma", "alpha")),
            Map.entry("poisson_nll", List.of("log_input", "full", "eps")),
            Map.entry("gaussian_nll", List.of("full", "eps")),
            Map.entry("cosine_embedding", List.of("margin")),
            Map.entry("margin_ranking", List.of("margin")),
            Map.entry("linear_cross_entropy", List.of("label_smoothing", "ignore_index", "smoothing", "all_ignored",
                    "z_loss", "softcap", "normalizer", "chunk_rows", "max_workspace_bytes", "allow_tf32")));

    private static final Set<String> WEIGHTED = Set.of("softmax_cross_entropy", "nll", "multiclass_hinge",
            "binary_cross_entropy", "bce_with_logits", "linear_cross_entropy");

    @Test
    void everyLossHasTheOptionsOfTheTable() {
        assertEquals(TABLE.keySet(), Set.copyOf(Losses.names()), "the table covers the catalogue");
        for (String name : Losses.names()) {
            Loss loss = Losses.byName(name);
            assertEquals(TABLE.get(name), List.copyOf(LossParameters.keys(loss)), name);
            boolean indices = LossParameters.indexTargets(loss);
            assertEquals(Set.of("softmax_cross_entropy", "nll", "multiclass_hinge", "linear_cross_entropy").contains(name),
                    indices, name);
            if (WEIGHTED.contains(name)) {
                LossParameters.requireWeight(loss);
                assertEquals(indices, LossParameters.classWeights(loss), name);
            } else {
                assertThrows(BadArgumentException.class, () -> LossParameters.requireWeight(loss), name);
            }
        }
    }

    @Test
    void valuesReachTheFluentOptions() {
        SoftmaxCrossEntropy ce = LossParameters.apply(Losses.softmaxCrossEntropy(), "smoothing", "OFF_TARGET");
        ce = LossParameters.apply(ce, "label_smoothing", "0.25");
        assertEquals(SmoothingConvention.OFF_TARGET, ce.smoothing(), "label_smoothing keeps the convention");
        assertEquals(0.25, ce.labelSmoothing());
        assertEquals(7, LossParameters.apply(ce, "ignore_index", "7").ignoreIndex());
        BceWithLogits b = LossParameters.apply(Losses.bceWithLogits(), "pos_weight", "3");
        assertEquals(1, b.posWeight().length);
        assertEquals(3f, b.posWeight()[0]);
        assertEquals(List.of(1f, 0.5f, 2f), toList(LossParameters.apply(b, "pos_weight", "1, 0.5,2").posWeight()));
        assertTrue(LossParameters.apply(Losses.triplet(), "swap", "1").swap());
        assertTrue(LossParameters.apply(Losses.linearCrossEntropy(), "allow_tf32", "true").allowTf32());
        assertFalse(Losses.linearCrossEntropy().allowTf32(), "TF32 is off by default");
    }

    private static List<Float> toList(float[] a) {
        Float[] boxed = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            boxed[i] = a[i];
        }
        return List.of(boxed);
    }
}
