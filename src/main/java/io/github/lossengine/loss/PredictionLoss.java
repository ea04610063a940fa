package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import java.util.List;

/**
 * A loss of predictions and targets: inputs {@code [input, target]}, a gradient for the predictions
 * only.
 */
public interface PredictionLoss extends Loss {
    /** The input names of every prediction loss. */
    List<String> INPUTS = List.of("input", "target");

    @Override
    default List<String> inputNames() {
        return INPUTS;
    }

    @Override
    default boolean differentiable(int i) {
        return i == 0;
    }
}
