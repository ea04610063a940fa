package io.github.lossengine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.DType;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.util.function.DoubleBinaryOperator;

/**
 * Checks a loss against an independent double-precision reference: the value within
 * {@link #REL_TOL} relative, and every gradient against central finite differences of the reference
 * (in double precision) within {@link #REL_TOL} of the largest gradient component.
 *
 * <p>The reference receives every input converted exactly to double, labels included, and returns
 * the reduced loss (for {@link Reduction#NONE}: the sum of the per-element losses, whose gradient the
 * engine returns). Test inputs must keep every element at least 1e-3 away from a kink of the loss, so
 * that the finite differences see a smooth function.
 */
public final class GradientCheck {
    /** The acceptance tolerance: 1e-5 relative on float32 inputs. */
    public static final double REL_TOL = 1e-5;

    /** The reduced loss from double-precision inputs. */
    @FunctionalInterface
    public interface Reference {
        double value(double[][] inputs);
    }

    private GradientCheck() {
    }

    /** Runs the engine and compares value and gradients with the reference; returns the engine's result. */
    public static LossResult check(LossEngine engine, Loss loss, Reference ref, Tensor... inputs) {
        LossResult r = engine.compute(loss, inputs);
        double[][] x = toDouble(inputs);
        double expected = ref.value(x);
        double actual = loss.reduction() == Reduction.NONE ? sum(r.values()) : r.value();
        assertClose(expected, actual, loss.name() + " value");
        for (int k = 0; k < inputs.length; k++) {
            if (!loss.differentiable(k)) {
                continue;
            }
            Tensor g = r.gradient(k);
            double[] fd = finiteDifference(ref, x, k);
            double scale = 0;
            for (double v : fd) {
                scale = Math.max(scale, Math.abs(v));
            }
            double tol = REL_TOL * Math.max(scale, 1e-7);
            for (int i = 0; i < fd.length; i++) {
                double gi = g.getFloat(i);
                if (!(Math.abs(gi - fd[i]) <= tol)) {
                    fail(loss + ": gradient of input " + k + " (" + loss.inputNames().get(k) + ") at " + g.indexString(i)
                            + ": engine " + gi + ", finite difference " + fd[i] + ", tolerance " + tol);
                }
            }
        }
        return r;
    }

    /** Central differences of the reference with respect to input {@code k}, step relative to each element. */
    public static double[] finiteDifference(Reference ref, double[][] x, int k) {
        double[] g = new double[x[k].length];
        for (int i = 0; i < g.length; i++) {
            double orig = x[k][i];
            double h = 1e-6 * Math.max(1.0, Math.abs(orig));
            x[k][i] = orig + h;
            double up = ref.value(x);
            x[k][i] = orig - h;
            double down = ref.value(x);
            x[k][i] = orig;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** {@code |expected - actual| <= REL_TOL * max(|expected|, 1e-7)}; both infinite of one sign also pass. */
    public static void assertClose(double expected, double actual, String what) {
        if (Double.isInfinite(expected) || Double.isNaN(expected)) {
            assertEquals(expected, actual, what);
            return;
        }
        double tol = REL_TOL * Math.max(Math.abs(expected), 1e-7);
        assertTrue(Math.abs(expected - actual) <= tol,
                what + ": expected " + expected + ", got " + actual + " (tolerance " + tol + ")");
    }

    public static double[][] toDouble(Tensor... inputs) {
        double[][] x = new double[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            x[k] = new double[(int) inputs[k].size()];
            for (int i = 0; i < x[k].length; i++) {
                x[k][i] = inputs[k].dtype() == DType.FLOAT32 ? inputs[k].getFloat(i) : inputs[k].getLong(i);
            }
        }
        return x;
    }

    public static double sum(Tensor t) {
        double s = 0;
        for (long i = 0; i < t.size(); i++) {
            s += t.getFloat(i);
        }
        return s;
    }

    /** The reference reduction of per-element losses {@code l}: MEAN divides by {@code count}, BATCHMEAN by {@code batch}. */
    public static double reduce(Reduction r, double sum, long count, long batch) {
        switch (r) {
            case MEAN:
                return sum / count;
            case BATCHMEAN:
                return sum / batch;
            default:
                return sum;
        }
    }

    /**
     * The reference of an element-wise loss {@code f(x_i, y_i)} of inputs 0 and 1, summed and reduced as
     * {@code r} over all elements ({@link Reduction#BATCHMEAN} divides by {@code batch}).
     */
    public static Reference elementwise(Reduction r, long batch, DoubleBinaryOperator f) {
        return in -> {
            double s = 0;
            for (int i = 0; i < in[0].length; i++) {
                s += f.applyAsDouble(in[0][i], in[1][i]);
            }
            return reduce(r, s, in[0].length, batch);
        };
    }
}
