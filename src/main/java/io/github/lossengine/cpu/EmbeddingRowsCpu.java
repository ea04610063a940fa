package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The loop shared by the losses on rows of embeddings (contrastive, triplet, cosine embedding): the
 * first {@code embeddings} inputs are float32 {@code [N, D]} of one shape, an optional last input
 * holds one label per row ({@code [N]}, any dtype). Each row gives one loss; MEAN divides by
 * {@code N}, NONE returns the {@code [N]} row losses. A row is copied into double arrays, its loss
 * and its gradients come from {@link #row} in the same pass, and the gradients are written scaled
 * by the reduction.
 */
abstract class EmbeddingRowsCpu<L extends Loss> implements CpuLoss<L> {
    private final int embeddings;
    private final int workRows;

    /**
     * @param embeddings how many leading inputs are {@code [N, D]} embeddings; the rest (at most one) are labels
     * @param workRows   how many scratch arrays of length {@code D} {@link #row} gets, allocated once per call
     */
    EmbeddingRowsCpu(int embeddings, int workRows) {
        this.embeddings = embeddings;
        this.workRows = workRows;
    }

    /**
     * The loss of one row, in double precision. When {@code grad} is non-null, writes
     * {@code d l / d x[k][j]} into {@code grad[k][j]} for every embedding {@code k} (every element).
     *
     * @param x     the row of each embedding input, each of length {@code D}
     * @param label the row's label (already validated), or NaN for a loss without labels
     * @param work  scratch arrays of length {@code D}, contents undefined on entry
     */
    protected abstract double row(L loss, double[][] x, double label, double[][] grad, double[][] work);

    /** Checks the label values; called before anything is written. */
    protected void validateLabels(String arg, Tensor labels) {
    }

    /**
     * Checks every input as {@link #compute} does, in the same order and with the same messages, before
     * anything is written (what the fused implementations call too).
     */
    final void check(L loss, Tensor[] inputs) {
        List<String> names = loss.inputNames();
        Tensor first = inputs[0];
        for (int k = 0; k < embeddings; k++) {
            Checks.requireFloat(names.get(k), inputs[k]);
            Checks.requireRank(names.get(k), inputs[k], 2, "[N, D]");
            if (k > 0) {
                Checks.requireSameShape(names.get(0), first, names.get(k), inputs[k]);
            }
        }
        long n = first.dim(0);
        Tensor labels = inputs.length > embeddings ? inputs[embeddings] : null;
        if (labels != null) {
            String arg = names.get(embeddings);
            if (labels.rank() != 1 || labels.dim(0) != n) {
                throw new InvalidInputException(arg, "shape " + Arrays.toString(labels.shape()) + " does not match "
                        + names.get(0) + "'s " + Arrays.toString(first.shape()) + ": expected [" + n + "], one label per row");
            }
            validateLabels(arg, labels);
        }
    }

    @Override
    public final LossResult compute(L loss, Tensor[] inputs, Tensor[] gradients) {
        check(loss, inputs);
        List<String> names = loss.inputNames();
        Tensor first = inputs[0];
        long n = first.dim(0);
        int d = Math.toIntExact(first.dim(1));
        Tensor labels = inputs.length > embeddings ? inputs[embeddings] : null;
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, n, names.get(0));
        float[] values = r == Reduction.NONE ? new float[Math.toIntExact(n)] : null;
        double[][] x = new double[embeddings][d];
        boolean wantGrad = false;
        for (int k = 0; k < embeddings; k++) {
            wantGrad |= gradients[k] != null;
        }
        double[][] g = wantGrad ? new double[embeddings][d] : null;
        double[][] work = new double[workRows][d];
        CompensatedSum sum = new CompensatedSum();
        for (long i = 0; i < n; i++) {
            long base = i * d;
            for (int k = 0; k < embeddings; k++) {
                for (int j = 0; j < d; j++) {
                    x[k][j] = inputs[k].getFloat(base + j);
                }
            }
            double l = row(loss, x, labels == null ? Double.NaN : labels.getDouble(i), g, work);
            sum.add(Reductions.float32Range(l));
            if (values != null) {
                values[(int) i] = (float) l;
            }
            for (int k = 0; k < embeddings && g != null; k++) {
                Tensor out = gradients[k];
                for (int j = 0; j < d && out != null; j++) {
                    out.setFloat(base + j, (float) (g[k][j] * scale));
                }
            }
        }
        return Reductions.result(r, sum.value(), scale, values, new long[] {n}, gradients);
    }

    /** The sum of squares of {@code v}, compensated. */
    static double sumOfSquares(double[] v) {
        CompensatedSum s = new CompensatedSum();
        for (double e : v) {
            s.add(e * e);
        }
        return s.value();
    }

    /** Fills {@code v} with {@code u - w + eps}, element by element (PyTorch {@code pairwise_distance}'s difference). */
    static void difference(double[] u, double[] w, double eps, double[] v) {
        for (int j = 0; j < v.length; j++) {
            v[j] = u[j] - w[j] + eps;
        }
    }
}
