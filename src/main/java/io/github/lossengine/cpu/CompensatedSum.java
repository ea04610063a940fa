package io.github.lossengine.cpu;

/**
 * Neumaier's compensated summation in double precision: the error of a sum of n terms is bounded by
 * about one ulp of the result plus n·ε² times the sum of magnitudes, instead of n·ε times it for a
 * plain loop. Terms are added in the caller's (fixed) order, so the result is the same bits on every
 * run. Not thread-safe: one instance per loop.
 */
public final class CompensatedSum {
    private double sum;
    private double compensation;

    public void add(double x) {
        double t = sum + x;
        if (Math.abs(sum) >= Math.abs(x)) {
            compensation += (sum - t) + x;
        } else {
            compensation += (x - t) + sum;
        }
        sum = t;
    }

    /** The compensated sum. Non-finite terms make it non-finite (NaN for +inf + -inf), as a plain sum. */
    public double value() {
        double v = sum + compensation;
        return Double.isNaN(v) && !Double.isNaN(sum) ? sum : v;
    }
}
