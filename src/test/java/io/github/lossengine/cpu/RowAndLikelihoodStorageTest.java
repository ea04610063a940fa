package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PoissonNll;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * nll, multiclass_hinge, poisson_nll and gaussian_nll (the fused CPU paths) give the bits of their
 * {@code float[]} call (reduced value, per-element or per-row values with reduction NONE, every
 * gradient) from every float32 storage kind: {@link Tensor#ofRange} views, heap {@code FloatBuffer}
 * slices, direct buffers of native and of the other byte order, first every operand of one kind,
 * then the kinds mixed across the operands. Each view sits at its own offset (3, 7, 11, ... into an
 * array filled with a guard value elsewhere), so a kernel that dropped or swapped an offset would read
 * guard values and fail; the guards around a gradient's view must come back unwritten. Sizes span
 * several chunks and end in a partial vector, so direct calls run both their in-place blocks (where
 * {@link FloatKernels#direct()} has kernels) and their staged tail.
 */
class RowAndLikelihoodStorageTest {
    private static final float GUARD = 12345.5f;
    private static final List<String> KINDS = List.of("array", "range of an array", "heap buffer slice",
            "direct native order", "direct other order");

    /** One operand in storage {@code kind}, holding {@code a}, at offset {@code offset} for views; guards in {@code bigs}. */
    private static Tensor store(String kind, float[] a, int offset, List<Guarded> bigs, long... shape) {
        float[] big = new float[a.length + offset + 5];
        Arrays.fill(big, GUARD);
        System.arraycopy(a, 0, big, offset, a.length);
        switch (kind) {
            case "array":
                return Tensor.of(a.clone(), shape);
            case "range of an array":
                bigs.add(new Guarded(big, offset, a.length));
                return Tensor.ofRange(big, offset, shape);
            case "heap buffer slice":
                bigs.add(new Guarded(big, offset, a.length));
                return Tensor.of(FloatBuffer.wrap(big, offset, a.length).slice(), shape);
            default:
                ByteOrder order = kind.equals("direct native order") ? ByteOrder.nativeOrder()
                        : ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                FloatBuffer d = ByteBuffer.allocateDirect(4 * a.length).order(order).asFloatBuffer();
                d.put(a).flip();
                return Tensor.of(d, shape);
        }
    }

    /** The array behind a view, its offset and length: everything outside {@code [offset, offset + length)} is a guard. */
    private record Guarded(float[] big, int offset, int length) {
    }

    /**
     * {@code loss} on the float inputs {@code floats} (of shapes {@code shapes}; a null entry is
     * {@code other}, a label tensor kept as is) and {@code gradients} gradients of the inputs' shapes
     * ({@code wanted[i]}), in every storage assignment, against the {@code float[]} call.
     */
    private static void check(Loss loss, FusedLoss<?> fused, float[][] floats, long[][] shapes, Tensor other,
                              boolean[] wanted) {
        int n = floats.length;
        try (CpuBackend cpu = new CpuBackend(2)) {
            Tensor[] in0 = new Tensor[n];
            Tensor[] g0 = new Tensor[n];
            for (int i = 0; i < n; i++) {
                in0[i] = floats[i] == null ? other : Tensor.of(floats[i].clone(), shapes[i]);
                g0[i] = wanted[i] ? Tensor.zeros(shapes[i]) : null;
            }
            LossResult want = cpu.compute(loss, in0, g0);
            List<String[]> assignments = new ArrayList<>();
            for (String kind : KINDS) {
                String[] all = new String[2 * n];
                Arrays.fill(all, kind);
                assignments.add(all);
            }
            for (int shift = 1; shift < KINDS.size(); shift++) {
                String[] mixed = new String[2 * n];
                for (int j = 0; j < mixed.length; j++) {
                    mixed[j] = KINDS.get((j * 2 + shift) % KINDS.size());
                }
                assignments.add(mixed);
            }
            for (String[] kinds : assignments) {
                List<Guarded> bigs = new ArrayList<>();
                List<Guarded> gradientBigs = new ArrayList<>();
                Tensor[] in = new Tensor[n];
                Tensor[] g = new Tensor[n];
                for (int i = 0; i < n; i++) {
                    in[i] = floats[i] == null ? other : store(kinds[i], floats[i], 3 + 4 * i, bigs, shapes[i]);
                    if (wanted[i]) {
                        int size = Math.toIntExact(g0[i].size());
                        g[i] = store(kinds[n + i], new float[size], 3 + 4 * (n + i), gradientBigs, shapes[i]);
                    }
                }
                String what = loss + " " + Arrays.toString(kinds);
                @SuppressWarnings({"unchecked", "rawtypes"})
                boolean accepted = ((FusedLoss) fused).accepts(loss, in, g);
                assertTrue(accepted, "the fused path takes " + what);
                LossResult got = cpu.compute(loss, in, g);
                if (loss.reduction() == Reduction.NONE) {
                    assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), what + ": values");
                } else {
                    assertEquals(Double.doubleToRawLongBits(want.value()), Double.doubleToRawLongBits(got.value()),
                            what + ": " + want.value() + " against " + got.value());
                }
                for (int i = 0; i < n; i++) {
                    if (wanted[i]) {
                        assertArrayEquals(g0[i].toFloatArray(), g[i].toFloatArray(), what + ": gradient " + i);
                    }
                }
                for (Guarded b : gradientBigs) {
                    for (int j = 0; j < b.big().length; j++) {
                        if (j < b.offset() || j >= b.offset() + b.length()) {
                            assertEquals(GUARD, b.big()[j], what + ": the array around a gradient's view, at " + j);
                        }
                    }
                }
            }
        }
    }

    private static long[] labels(int rows, int classes, boolean ignored) {
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = ignored && i % 7 == 3 ? -100 : (i * 7919L) % classes;
        }
        return y;
    }

    @Test
    void nllFromEveryStorage() {
        int rows = 2001;
        int classes = 37;
        float[] x = FusedAssertions.logits(new java.util.Random(3), rows, classes, 1.0);
        Tensor y = Tensor.ofLongs(labels(rows, classes, true), rows);
        float[] w = FusedAssertions.positive(new java.util.Random(5), classes);
        for (Nll loss : List.of(new Nll().classWeights(w), new Nll().reduction(Reduction.NONE),
                new Nll().reduction(Reduction.SUM))) {
            check(loss, new FusedNll(), new float[][] {x, null}, new long[][] {{rows, classes}, null}, y,
                    new boolean[] {true, false});
        }
    }

    @Test
    void multiclassHingeFromEveryStorage() {
        int rows = 2001;
        int classes = 37;
        float[] x = FusedAssertions.logits(new java.util.Random(3), rows, classes, 1.0);
        Tensor y = Tensor.ofLongs(labels(rows, classes, false), rows);
        float[] w = FusedAssertions.positive(new java.util.Random(8), classes);
        for (MulticlassHinge loss : List.of(new MulticlassHinge(Reduction.MEAN, MulticlassHinge.Variant.WESTON_WATKINS, 1, 1.0, w),
                new MulticlassHinge(Reduction.NONE, MulticlassHinge.Variant.WESTON_WATKINS, 2, 0.5, null),
                new MulticlassHinge(Reduction.SUM, MulticlassHinge.Variant.CRAMMER_SINGER, 1, 1.0, w))) {
            check(loss, new FusedMulticlassHinge(), new float[][] {x, null}, new long[][] {{rows, classes}, null}, y,
                    new boolean[] {true, false});
        }
    }

    @Test
    void poissonNllFromEveryStorage() {
        int n = 70001;
        SplittableRandom r = new SplittableRandom(11);
        float[] logRate = new float[n];
        float[] rate = new float[n];
        float[] count = new float[n];
        for (int i = 0; i < n; i++) {
            logRate[i] = (float) r.nextDouble(-3, 3);
            rate[i] = i % 97 == 5 ? 0f : (float) r.nextDouble(0, 20);
            count[i] = i % 5 == 0 ? 0f : (float) Math.floor(r.nextDouble(0, 30));
        }
        long[] shape = {n};
        for (PoissonNll loss : List.of(new PoissonNll(), new PoissonNll().full(true).reduction(Reduction.NONE),
                new PoissonNll().logInput(false).full(true), new PoissonNll().logInput(false).reduction(Reduction.SUM))) {
            check(loss, new FusedPoissonNll(), new float[][] {loss.logInput() ? logRate : rate, count},
                    new long[][] {shape, shape}, null, new boolean[] {true, false});
        }
    }

    @Test
    void gaussianNllFromEveryStorage() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 70001;
        float[] mu = new float[n];
        float[] y = new float[n];
        float[] var = new float[n];
        for (int i = 0; i < n; i++) {
            mu[i] = (float) r.nextDouble(-2, 2);
            y[i] = (float) r.nextDouble(-2, 2);
            var[i] = i % 31 == 0 ? 1e-9f : (float) r.nextDouble(0.01, 4);
        }
        long[] shape = {n};
        for (GaussianNll loss : List.of(new GaussianNll(), new GaussianNll().full(true).reduction(Reduction.NONE))) {
            check(loss, new FusedGaussianNll(), new float[][] {mu, y, var}, new long[][] {shape, shape, shape}, null,
                    new boolean[] {true, true, true});
            check(loss, new FusedGaussianNll(), new float[][] {mu, y, var}, new long[][] {shape, shape, shape}, null,
                    new boolean[] {true, false, false});
        }
        int rows = 301;
        int d = 233;
        float[] rowVar = Arrays.copyOf(var, rows);
        for (GaussianNll loss : List.of(new GaussianNll().reduction(Reduction.SUM), new GaussianNll().reduction(Reduction.NONE))) {
            check(loss, new FusedGaussianNll(), new float[][] {Arrays.copyOf(mu, rows * d), Arrays.copyOf(y, rows * d), rowVar},
                    new long[][] {{rows, d}, {rows, d}, {rows, 1}}, null, new boolean[] {true, true, true});
        }
    }
}
