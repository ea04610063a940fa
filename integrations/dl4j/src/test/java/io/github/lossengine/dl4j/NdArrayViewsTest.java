package io.github.lossengine.dl4j;

import io.github.lossengine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which ND4J arrays are wrapped in place, and that every view reads the array's own elements. */
class NdArrayViewsTest {

    private static INDArray matrix(int rows, int cols) {
        return Nd4j.arange(rows * cols).castTo(DataType.FLOAT).reshape('c', rows, cols).mul(0.5f);
    }

    private static void assertSameElements(INDArray a, Tensor t) {
        assertArrayEquals(a.shape(), t.shape());
        float[] expected = a.dup('c').data().asFloat();
        assertArrayEquals(expected, t.toFloatArray());
    }

    @Test
    void aWholeArrayIsWrappedInPlaceAndSeesLaterWrites() {
        INDArray a = matrix(4, 3);
        assertTrue(NdArrayViews.isZeroCopy(a));
        Tensor t = NdArrayViews.floatView(a);
        assertSameElements(a, t);
        a.putScalar(2, 1, 42f);
        assertEquals(42f, t.getFloat(2 * 3 + 1), "the tensor is a view of the array's memory");
    }

    @Test
    void aViewOfWholeRowsIsWrappedFromItsOffset() {
        INDArray a = matrix(6, 3);
        INDArray rows = a.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
        assertTrue(rows.offset() > 0, "the view starts inside the buffer");
        assertTrue(NdArrayViews.isZeroCopy(rows));
        Tensor t = NdArrayViews.floatView(rows);
        assertSameElements(rows, t);
        a.putScalar(2, 0, -7f);
        assertEquals(-7f, t.getFloat(0));
    }

    @Test
    void aColumnRangeFOrderOrDoubleArrayIsCopied() {
        INDArray a = matrix(4, 3);
        INDArray cols = a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
        INDArray f = a.dup('f');
        INDArray d = a.castTo(DataType.DOUBLE);
        for (INDArray x : new INDArray[] {cols, f, d}) {
            assertFalse(NdArrayViews.isZeroCopy(x), x.shapeInfoToString());
            Tensor t = NdArrayViews.floatView(x);
            assertSameElements(x, t);
        }
        Tensor t = NdArrayViews.floatView(cols);
        a.putScalar(0, 1, 99f);
        assertEquals(0.5f, t.getFloat(0), "a copy does not see later writes");
    }

    @Test
    void anOutputTensorWritesIntoItsArray() {
        NdArrayViews.Output out = NdArrayViews.newOutput(2, 3);
        for (int i = 0; i < 6; i++) {
            out.tensor().setFloat(i, i + 1);
        }
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, out.array().data().asFloat());
        assertEquals('c', out.array().ordering());
    }

    @Test
    void offTheCpuBackendArraysAreReadAndWrittenThroughHostCopies() {
        assertTrue(NdArrayViews.hostBackend(), "these tests run on ND4J's CPU backend");
        INDArray a = matrix(6, 3);
        INDArray rows = a.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
        INDArray cols = a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
        for (INDArray x : new INDArray[] {a, rows, cols, a.dup('f'), a.castTo(DataType.DOUBLE)}) {
            Tensor t = NdArrayViews.floatView(x, false);
            assertSameElements(x, t);
            float before = x.getFloat(0, 0);
            x.putScalar(0, 0, 1234f);
            assertEquals(before, t.getFloat(0), "a host copy, not a view: " + x.shapeInfoToString());
        }
        NdArrayViews.Output out = NdArrayViews.newOutput(false, 2, 3);
        assertFalse(out.inPlace());
        for (int i = 0; i < 6; i++) {
            out.tensor().setFloat(i, i + 1);
        }
        INDArray array = out.array();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, array.data().asFloat());
        assertArrayEquals(new long[] {2, 3}, array.shape());
        assertEquals('c', array.ordering());
        assertEquals(DataType.FLOAT, array.dataType());
        assertTrue(array == out.array(), "one copy, made once");
        assertTrue(NdArrayViews.newOutput(2, 3).inPlace(), "the CPU backend writes in place");
    }
}
