package io.github.lossengine.testing;

import io.github.lossengine.Tensor;
import java.util.SplittableRandom;

/** Seeded random test inputs. */
public final class RandomTensors {
    private final SplittableRandom rnd;

    public RandomTensors(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** Uniform in [lo, hi). */
    public Tensor uniform(double lo, double hi, long... shape) {
        float[] a = new float[(int) count(shape)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return Tensor.of(a, shape);
    }

    /** Standard normal times {@code sigma}. */
    public Tensor normal(double sigma, long... shape) {
        float[] a = new float[(int) count(shape)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (sigma * gaussian());
        }
        return Tensor.of(a, shape);
    }

    /** Integers in [0, bound) as int32. */
    public Tensor indices(int n, int bound) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextInt(bound);
        }
        return Tensor.ofInts(a, n);
    }

    /** Labels -1 or +1 as float32. */
    public Tensor signs(long... shape) {
        float[] a = new float[(int) count(shape)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextBoolean() ? 1f : -1f;
        }
        return Tensor.of(a, shape);
    }

    public double nextDouble() {
        return rnd.nextDouble();
    }

    public int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    private double gaussian() {
        double u = rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
