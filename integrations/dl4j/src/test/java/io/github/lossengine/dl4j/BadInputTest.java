package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.exception.ND4JIllegalArgumentException;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gives lossengine's message inside ND4J's exception, and the network is left as it was. */
class BadInputTest {

    private static void assertRefused(ND4JIllegalArgumentException e, String lossengineMessage) {
        assertInstanceOf(InvalidInputException.class, e.getCause());
        assertTrue(e.getMessage().contains(e.getCause().getMessage()), e.getMessage());
        assertTrue(e.getMessage().contains(lossengineMessage), e.getMessage());
    }

    @Test
    void aClassIndexOutOfRangeFailsTheFitAndLeavesTheParameters() {
        DataSet good = Training.classes(12, 3);
        INDArray indices = Nd4j.createFromArray(new float[] {0, 1, 2, 0, 1, 7, 0, 1, 2, 0, 1, 2}).reshape(12, 1);
        MultiLayerNetwork net = Training.network(new LossEngineLossFunction(Losses.softmaxCrossEntropy(), Backend.CPU),
                Activation.SOFTMAX, Training.CLASSES);
        INDArray before = net.params().dup();
        ND4JIllegalArgumentException e = assertThrows(ND4JIllegalArgumentException.class,
                () -> net.fit(new DataSet(good.getFeatures(), indices)));
        assertRefused(e, "= 7: class index out of range [0, 3)");
        assertEquals(before, net.params(), "nothing was updated");
    }

    @Test
    void mismatchedShapesAndFractionalIndicesAreRefused() {
        LossEngineLossFunction mse = new LossEngineLossFunction(Losses.mse(), Backend.CPU);
        INDArray pre = Nd4j.rand(DataType.FLOAT, 4, 3);
        ND4JIllegalArgumentException shape = assertThrows(ND4JIllegalArgumentException.class,
                () -> mse.computeGradient(Nd4j.rand(DataType.FLOAT, 4, 2), pre, new ActivationIdentity(), null));
        assertRefused(shape, "shape");
        LossEngineLossFunction ce = new LossEngineLossFunction(Losses.softmaxCrossEntropy(), Backend.CPU);
        INDArray fractional = Nd4j.createFromArray(new float[] {0, 1.5f, 2, 0}).reshape(4, 1);
        ND4JIllegalArgumentException index = assertThrows(ND4JIllegalArgumentException.class,
                () -> ce.computeScore(fractional, pre, new ActivationIdentity(), null, true));
        assertRefused(index, "labels[1] = 1.5");
    }

    @Test
    void lossesAndOptionsADl4jLayerCannotFeedAreRefusedAtConstruction() {
        assertRefused(assertThrows(ND4JIllegalArgumentException.class,
                () -> new LossEngineLossFunction(Losses.triplet())), "a DL4J output layer gives predictions and labels only");
        assertRefused(assertThrows(ND4JIllegalArgumentException.class,
                () -> new LossEngineLossFunction(Losses.mse().reduction(Reduction.NONE))), "reduction none");
        Map<String, String> options = new HashMap<>();
        options.put("labelSmoothing", "2.0");
        assertRefused(assertThrows(ND4JIllegalArgumentException.class,
                () -> new LossEngineLossFunction("softmax_cross_entropy", options, "cpu")), "must lie in [0, 1]");
        options.clear();
        options.put("smoothnes", "0.1");
        assertRefused(assertThrows(ND4JIllegalArgumentException.class,
                () -> new LossEngineLossFunction("mse", options, "cpu")), "unknown option(s) [smoothnes]");
    }
}
