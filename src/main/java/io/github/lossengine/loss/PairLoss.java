package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import java.util.List;

/**
 * A loss of a pair of tensors and their labels: inputs {@code [x1, x2, y]}, gradients for
 * {@code x1} and {@code x2}, none for the labels.
 */
public interface PairLoss extends Loss {
    /** The input names of every pair loss. */
    List<String> INPUTS = List.of("x1", "x2", "y");

    @Override
    default List<String> inputNames() {
        return INPUTS;
    }

    @Override
    default boolean differentiable(int i) {
        return i == 0 || i == 1;
    }
}
