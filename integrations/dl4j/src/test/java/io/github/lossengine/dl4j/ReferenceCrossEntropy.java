package io.github.lossengine.dl4j;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A hand-written softmax cross-entropy, in plain Java doubles, for what LossMCXENT cannot do:
 * label smoothing (PyTorch's uniform convention, target {@code (1 - eps) y + eps / C}) and class
 * indices {@code [N, 1]} whose rows with {@code ignoreIndex} contribute nothing. Takes logits (the
 * activation is ignored: the test networks use SOFTMAX or IDENTITY). Per DL4J's contract the
 * gradient is that of the sum of the example scores.
 */
final class ReferenceCrossEntropy implements ILossFunction {
    private static final long serialVersionUID = 1L;
    private final double eps;
    private final int ignoreIndex;

    ReferenceCrossEntropy(double eps, int ignoreIndex) {
        this.eps = eps;
        this.ignoreIndex = ignoreIndex;
    }

    /** Row scores and the gradient, both in double. */
    private double[][] run(INDArray labels, INDArray logits, double[] scores) {
        int n = (int) logits.size(0);
        int c = (int) logits.size(1);
        double[][] z = logits.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] y = labels.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] grad = new double[n][c];
        for (int i = 0; i < n; i++) {
            double[] target = new double[c];
            if (y[i].length == 1 && c > 1) {
                int k = (int) y[i][0];
                if (k == ignoreIndex) {
                    continue;
                }
                target[k] = 1;
            } else {
                target = y[i].clone();
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z[i]) {
                sum += Math.exp(v - max);
            }
            double lse = max + Math.log(sum);
            for (int j = 0; j < c; j++) {
                double q = (1 - eps) * target[j] + eps / c;
                scores[i] += -q * (z[i][j] - lse);
                grad[i][j] = Math.exp(z[i][j] - lse) - q;
            }
        }
        return grad;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double[] s = new double[(int) preOutput.size(0)];
        run(labels, preOutput, s);
        double total = 0;
        for (double v : s) {
            total += v;
        }
        return average ? total / s.length : total;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[] s = new double[(int) preOutput.size(0)];
        run(labels, preOutput, s);
        return Nd4j.createFromArray(s).reshape(s.length, 1).castTo(preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[][] g = run(labels, preOutput, new double[(int) preOutput.size(0)]);
        return Nd4j.create(g).castTo(preOutput.dataType());
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "ReferenceCrossEntropy(" + eps + ", " + ignoreIndex + ")";
    }
}
