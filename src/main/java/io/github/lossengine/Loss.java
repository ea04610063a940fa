package io.github.lossengine;

import java.util.List;

/**
 * A loss function with its options: an immutable value made by the static factories in
 * {@link Losses} and changed fluently, each option method returning a new value, e.g.
 * {@code Losses.softmaxCrossEntropy().labelSmoothing(0.1).ignoreIndex(-100)}.
 *
 * <p>Every loss has a {@link #reduction()} ({@link Reduction#MEAN} unless set), a catalogue
 * {@link #name()} shared with the command-line tool, and a fixed list of positional inputs. The
 * semantics are those of {@code torch.nn.functional} where PyTorch has the loss; each
 * implementation's Javadoc gives the formula, the gradient, its NaN/Inf behaviour and where it
 * departs from PyTorch or from the seeds.
 *
 * <p>Thread-safety: every loss is immutable and can be shared freely between threads.
 */
public interface Loss {

    /** The catalogue name, e.g. {@code softmax_cross_entropy}. */
    String name();

    /** How per-element losses are combined. */
    Reduction reduction();

    /** The same loss with another reduction. */
    Loss reduction(Reduction reduction);

    /**
     * The names of the positional inputs in order, e.g. {@code [input, target]} or
     * {@code [anchor, positive, negative]}. Error messages name inputs by these names.
     */
    List<String> inputNames();

    /** Number of positional inputs. */
    default int arity() {
        return inputNames().size();
    }

    /**
     * Whether the loss has a gradient with respect to input {@code i}. Input 0 always has one; pair
     * and triplet losses also differentiate their other tensor inputs, never labels or indices.
     */
    boolean differentiable(int i);
}
