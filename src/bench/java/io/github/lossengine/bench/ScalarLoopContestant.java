package io.github.lossengine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The baseline a Java developer would write: plain loops over {@code float[]}, {@code Math.exp} in
 * double, one exp per element (softmax values stored in the gradient, then normalised), the rows
 * (or elements) split evenly over the same number of threads as everybody else.
 */
final class ScalarLoopContestant implements Contestant {
    private final Case.Data data;
    private final float[] g;
    private final int threads;
    private final ExecutorService pool;

    ScalarLoopContestant(Case.Data data, int threads) {
        this.data = data;
        this.g = new float[data.x().length];
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "scalar-loop");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String id() {
        return "scalar-loop";
    }

    @Override
    public String description() {
        return "plain Java loops, Math.exp, " + threads + " threads";
    }

    @Override
    public double run() {
        Case c = data.c();
        int units = c.rowLoss() ? c.rows() : c.cols();
        List<Future<Double>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) units * t / threads);
            int to = (int) ((long) units * (t + 1) / threads);
            parts.add(pool.submit(() -> range(from, to)));
        }
        double sum = 0;
        try {
            for (Future<Double> f : parts) {
                sum += f.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return c.rowLoss() ? sum / c.rows() : sum / c.cols();
    }

    private double range(int from, int to) {
        switch (data.c().kind()) {
            case SOFTMAX_CE:
                return crossEntropy(from, to);
            case MULTICLASS_HINGE:
                return multiclassHinge(from, to);
            case MSE:
                return mse(from, to);
            default:
                return hinge(from, to);
        }
    }

    private double crossEntropy(int from, int to) {
        float[] z = data.x();
        int classes = data.c().cols();
        float inv = 1f / data.c().rows();
        double loss = 0;
        for (int i = from; i < to; i++) {
            int off = i * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[off + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                float e = (float) Math.exp(z[off + c] - max);
                g[off + c] = e;
                sum += e;
            }
            float f = (float) (inv / sum);
            for (int c = 0; c < classes; c++) {
                g[off + c] *= f;
            }
            int y = data.labels()[i];
            g[off + y] -= inv;
            loss += Math.log(sum) + max - z[off + y];
        }
        return loss;
    }

    private double multiclassHinge(int from, int to) {
        float[] x = data.x();
        int classes = data.c().cols();
        float gj = 1f / ((float) classes * data.c().rows());
        double loss = 0;
        for (int i = from; i < to; i++) {
            int off = i * classes;
            int y = data.labels()[i];
            float xy = x[off + y];
            int active = 0;
            for (int j = 0; j < classes; j++) {
                float m = 1 - xy + x[off + j];
                if (j != y && m > 0) {
                    loss += m;
                    g[off + j] = gj;
                    active++;
                } else {
                    g[off + j] = 0;
                }
            }
            g[off + y] = -active * gj;
        }
        return loss / classes;
    }

    private double mse(int from, int to) {
        float[] x = data.x();
        float[] y = data.y();
        float s = 2f / x.length;
        double loss = 0;
        for (int i = from; i < to; i++) {
            float d = x[i] - y[i];
            loss += d * d;
            g[i] = d * s;
        }
        return loss;
    }

    private double hinge(int from, int to) {
        float[] x = data.x();
        float[] y = data.y();
        float s = 1f / x.length;
        double loss = 0;
        for (int i = from; i < to; i++) {
            float m = 1 - y[i] * x[i];
            if (m >= 0) {
                loss += m;
                g[i] = -y[i] * s;
            } else {
                g[i] = 0;
            }
        }
        return loss;
    }

    @Override
    public Outcome runForCheck() {
        return new Outcome(run(), g);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
