package io.github.lossengine.bench;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * ND4J (nd4j-native, linux-x86_64) {@code ILossFunction.computeGradientAndScore}: {@link LossMCXENT}
 * with a softmax activation and one-hot labels, {@link LossMSE} and {@link LossHinge} with the
 * identity, on {@code [rows, cols]} arrays made once outside the timing (element-wise cases as
 * {@code [4096, n / 4096]}). Threads: {@code OMP_NUM_THREADS} (set by the runner) and
 * {@code Environment.setMaxThreads}.
 *
 * <p>ND4J's conventions differ from lossengine's MEAN by constant factors, undone for the check only:
 * its gradient is that of the per-example sum (not divided by the minibatch size), LossMSE divides
 * each example by its number of outputs, and LossHinge sums over outputs.
 */
final class Nd4jContestant implements Contestant {
    private final Case c;
    private final ILossFunction loss;
    private final IActivation activation;
    private final INDArray pre;
    private final INDArray labels;
    private final long rows;
    private final long cols;

    Nd4jContestant(Case.Data data, int threads) {
        this.c = data.c();
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        if (c.rowLoss()) {
            rows = c.rows();
            cols = c.cols();
        } else {
            rows = 4096;
            cols = c.cols() / 4096;
        }
        pre = Nd4j.create(data.x(), new long[] {rows, cols}, 'c');
        switch (c.kind()) {
            case SOFTMAX_CE: {
                loss = new LossMCXENT();
                activation = new ActivationSoftmax();
                labels = Nd4j.zeros(DataType.FLOAT, rows, cols);
                for (int i = 0; i < rows; i++) {
                    labels.putScalar(i, data.labels()[i], 1.0);
                }
                break;
            }
            case MSE:
                loss = new LossMSE();
                activation = new ActivationIdentity();
                labels = Nd4j.create(data.y(), new long[] {rows, cols}, 'c');
                break;
            case HINGE:
                loss = new LossHinge();
                activation = new ActivationIdentity();
                labels = Nd4j.create(data.y(), new long[] {rows, cols}, 'c');
                break;
            default:
                throw new IllegalArgumentException("no ND4J loss for " + c);
        }
    }

    /** Whether ND4J has the case's loss. */
    static boolean supports(Case c) {
        return c.kind() != Case.Kind.MULTICLASS_HINGE;
    }

    @Override
    public String id() {
        return "nd4j";
    }

    @Override
    public String description() {
        return "ND4J " + loss.name() + ".computeGradientAndScore, " + Nd4j.getEnvironment().maxThreads() + " threads";
    }

    @Override
    public double run() {
        Pair<Double, INDArray> r = loss.computeGradientAndScore(labels, pre, activation, null, true);
        r.getSecond().close();
        return r.getFirst();
    }

    @Override
    public Outcome runForCheck() {
        Pair<Double, INDArray> r = loss.computeGradientAndScore(labels, pre, activation, null, true);
        float[] g = r.getSecond().data().asFloat();
        r.getSecond().close();
        double value = r.getFirst();
        double gradFactor = 1.0 / rows;
        switch (c.kind()) {
            case MSE:
                break;
            case HINGE:
                value /= cols;
                gradFactor /= cols;
                break;
            default:
                break;
        }
        for (int i = 0; i < g.length; i++) {
            g[i] *= (float) gradFactor;
        }
        return new Outcome(value, g);
    }

    @Override
    public void close() {
        pre.close();
        labels.close();
    }
}
