package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A double-precision network's arrays are copied to float32 and the gradient comes back as double. */
class DoublePrecisionTest {

    @Test
    void doubleArraysGiveADoubleGradientCloseToLossMcxent() {
        INDArray pre = Nd4j.rand(DataType.DOUBLE, 6, 4).muli(3);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 6, 4);
        for (int i = 0; i < 6; i++) {
            labels.putScalar(i, i % 4, 1.0);
        }
        Pair<Double, INDArray> expected = new LossMCXENT().computeGradientAndScore(labels, pre.dup(),
                new ActivationSoftmax(), null, true);
        Pair<Double, INDArray> actual = new LossEngineLossFunction(Losses.softmaxCrossEntropy(), Backend.CPU)
                .computeGradientAndScore(labels, pre, new ActivationSoftmax(), null, true);
        assertEquals(DataType.DOUBLE, actual.getSecond().dataType());
        assertEquals(expected.getFirst(), actual.getFirst(), 1e-6 * expected.getFirst());
        assertTrue(expected.getSecond().equalsWithEps(actual.getSecond(), 1e-6), actual.getSecond().toString());
    }
}
