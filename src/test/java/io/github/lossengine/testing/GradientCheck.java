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
import java.util.function.LongFunction;

/**
 * Checks a loss against an independent double-precision reference: the value within
 * {@link #REL_TOL} relative (for {@link Reduction#NONE}: every per-element value), and every
 * gradient entry against central finite differences of the reference (in double precision) within
 * {@link #REL_TOL} of that entry, plus the small absolute floor {@link #gradientTolerance} explains.
 *
 * <p>The reference receives every input converted exactly to double, labels included, and returns
 * the reduced loss (for {@link Reduction#NONE}: the sum of the per-element losses, whose gradient the
 * engine returns). With {@link Reduction#NONE} a {@link PerElement} reference is also needed: the
 * per-element (per-row) losses in the order of {@link LossResult#values()}. Test inputs must keep
 * every element at least 1e-3 away from a kink of the loss, so that the finite differences see a
 * smooth function.
 */
public final class GradientCheck {
    /** The acceptance tolerance: 1e-5 relative on float32 inputs. */
    public static final double REL_TOL = 1e-5;

    /** The reduced loss from double-precision inputs. */
    @FunctionalInterface
    public interface Reference {
        double value(double[][] inputs);
    }

    /**
     * The absolute floor of the per-entry gradient tolerance, as a fraction of the largest
     * |finite difference| of that input; see {@link #gradientTolerance}.
     */
    public static final double ABS_FLOOR = 1e-8;

    /** The per-element losses of {@link Reduction#NONE} from double-precision inputs, in the order of {@code values()}. */
    @FunctionalInterface
    public interface PerElement {
        double[] values(double[][] inputs);
    }

    /** A reference that also gives the per-element losses: what {@link #elementwise} returns. */
    public interface Elementwise extends Reference, PerElement {
    }

    private GradientCheck() {
    }

    /**
     * Runs the engine and compares value and gradients with the reference; returns the engine's
     * result. With {@link Reduction#NONE} the reference must also be a {@link PerElement} (as
     * {@link #elementwise} is); otherwise use {@link #check(LossEngine, Loss, Reference, PerElement, Tensor...)}.
     */
    public static LossResult check(LossEngine engine, Loss loss, Reference ref, Tensor... inputs) {
        return check(engine, loss, ref, ref instanceof PerElement ? (PerElement) ref : null, inputs);
    }

    /**
     * As {@link #check(LossEngine, Loss, Reference, Tensor...)}, with {@code perElement} giving the
     * per-element losses that {@link Reduction#NONE} compares one by one (it may be null for the
     * other reductions).
     */
    public static LossResult check(LossEngine engine, Loss loss, Reference ref, PerElement perElement, Tensor... inputs) {
        LossResult r = engine.compute(loss, inputs);
        double[][] x = toDouble(inputs);
        if (loss.reduction() == Reduction.NONE) {
            if (perElement == null) {
                fail(loss + ": a NONE check needs the per-element reference values");
            }
            double[] expected = perElement.values(x);
            Tensor values = r.values();
            assertEquals(expected.length, values.size(), loss + ": number of per-element values");
            for (int i = 0; i < expected.length; i++) {
                assertClose(expected[i], values.getFloat(i), loss.name() + " value at " + values.indexString(i));
            }
            assertClose(sum(expected), ref.value(x), loss.name() + ": the NONE reference is the sum of the per-element values");
        } else {
            assertClose(ref.value(x), r.value(), loss.name() + " value");
        }
        for (int k = 0; k < inputs.length; k++) {
            if (!loss.differentiable(k)) {
                continue;
            }
            Tensor g = r.gradient(k);
            assertGradient(loss + ": gradient of input " + k + " (" + loss.inputNames().get(k) + ")",
                    finiteDifference(ref, x, k), g.toFloatArray(), g::indexString);
        }
        return r;
    }

    /**
     * The tolerance of one gradient entry: {@code REL_TOL * |fd_i| + ABS_FLOOR * max_j |fd_j|}.
     *
     * <p>Why a floor at all: an entry whose true value is 0, or tiny next to the others, cannot be
     * matched relatively. Its finite difference {@code (f(x+h) - f(x-h)) / 2h} carries the rounding
     * of the double reference, about 2<sup>-52</sup>·|f| / h ~ 1e-10·|f| with h = 1e-6; and the
     * engine's float32 entry carries the rounding of the float32 terms it is made of, which is
     * relative to those terms, not to their result. Both happen in these tests: with no floor,
     * triplet rows beyond the margin have an exact 0 gradient against a finite difference of 8e-11
     * (rounding noise), and focal entries of 2.7e-7, next to entries thousands of times larger in the same input,
     * differ from the finite difference by 4e-11 (float32 rounding). 1e-8 of the input's largest
     * entry covers both and is far below any error that matters: 1000 times tighter than the
     * relative tolerance on the largest entry.
     */
    public static double gradientTolerance(double fd, double largest) {
        return REL_TOL * Math.abs(fd) + ABS_FLOOR * largest;
    }

    /**
     * Every {@code engine[i]} within {@link #gradientTolerance} of {@code fd[i]}; {@code position}
     * formats an entry's position for the failure message.
     */
    public static void assertGradient(String what, double[] fd, float[] engine, LongFunction<String> position) {
        assertEquals(fd.length, engine.length, what + ": number of entries");
        double largest = 0;
        for (double v : fd) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int i = 0; i < fd.length; i++) {
            double tol = gradientTolerance(fd[i], largest);
            if (!(Math.abs(engine[i] - fd[i]) <= tol)) {
                fail(what + " at " + position.apply(i) + ": engine " + engine[i] + ", finite difference " + fd[i]
                        + ", tolerance " + tol);
            }
        }
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

    public static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
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
     * {@code r} over all elements ({@link Reduction#BATCHMEAN} divides by {@code batch}); its
     * per-element values are the {@code f(x_i, y_i)}.
     */
    public static Elementwise elementwise(Reduction r, long batch, DoubleBinaryOperator f) {
        return reduced(r, -1, batch, in -> {
            double[] v = new double[in[0].length];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.applyAsDouble(in[0][i], in[1][i]);
            }
            return v;
        });
    }

    /**
     * The reference whose per-element losses are {@code terms}, summed and reduced as {@code r}: MEAN
     * divides by {@code count} (by the number of terms when {@code count < 0}), BATCHMEAN by {@code batch}.
     */
    public static Elementwise reduced(Reduction r, long count, long batch, PerElement terms) {
        return new Elementwise() {
            @Override
            public double[] values(double[][] in) {
                return terms.values(in);
            }

            @Override
            public double value(double[][] in) {
                double[] v = terms.values(in);
                return reduce(r, sum(v), count < 0 ? v.length : count, batch);
            }
        };
    }
}
