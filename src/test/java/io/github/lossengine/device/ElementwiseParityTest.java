package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device parity of the element-wise classification, divergence and hinge losses and of
 * multi-class hinge and margin ranking: one body per loss, every option, against the CPU backend.
 *
 * <p>Tolerances ({@link Parity} for how they apply; the table of every loss is in
 * {@code docs/GPU.md}, "Parity tolerances"): {@link #TOL} ({@code rel 1e-5}) for losses computed
 * with a handful of float32 operations per element, poisson_nll without {@code full} included
 * (with {@code log_input} true or false); {@link #LOOSE} ({@code rel 1e-4}) for focal (a power
 * {@code u^gamma} in float32) and poisson_nll with {@code full} (Stirling's series in float32,
 * whose terms cancel), with either {@code log_input}; the reduced value's absolute slack is 1e-6.
 */
class ElementwiseParityTest {
    static final Parity.Tol TOL = new Parity.Tol(1e-5, 1e-6);
    static final Parity.Tol LOOSE = new Parity.Tol(1e-4, 1e-6);
    static final long[][] SHAPES = {{1, 1}, {4, 5}, {64, 33}, {300, 900}};

    /** Runs every loss variant on every input set from {@code inputs(shape, random)} under MEAN, SUM and NONE. */
    static void run(Backend backend, List<? extends Loss> losses, Parity.Tol tol,
                    BiFunction<long[], RandomTensors, Tensor[]> inputs) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(23);
        for (long[] shape : SHAPES) {
            Tensor[] in = inputs.apply(shape, r);
            for (Loss loss : losses) {
                for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    Parity.check(device, loss.reduction(red), tol, in);
                }
            }
        }
    }

    static float[] positive(RandomTensors r, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (0.5 + r.nextDouble());
        }
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void hinge(Backend backend) {
        run(backend, List.of(Losses.hinge(), Losses.hinge().margin(0.5)), TOL, (s, r) -> new Tensor[] {r.normal(2, s), r.signs(s)});
        LossEngine device = DeviceEngines.open(backend);
        // the kink (margin - y x = 0 passes the gradient), NaN, and labels that are not +-1
        Tensor x = Tensor.of(new float[] {1f, -1f, 0.5f, Float.NaN}, 4);
        Tensor y = Tensor.of(new float[] {1f, -1f, -1f, 1f}, 4);
        Parity.check(device, Losses.hinge().reduction(Reduction.NONE), TOL, x, y);
        Parity.sameRefusal(device, Losses.hinge(), x, Tensor.of(new float[] {1f, 0f, 1f, 1f}, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void squaredHinge(Backend backend) {
        run(backend, List.of(Losses.squaredHinge(), Losses.squaredHinge().margin(2)), TOL, (s, r) -> new Tensor[] {r.normal(2, s), r.signs(s)});
        Parity.sameRefusal(DeviceEngines.open(backend), Losses.squaredHinge(), Tensor.of(new float[2], 2), Tensor.of(new float[] {1f, 2f}, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void multiclassHinge(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(29);
        for (int[] s : new int[][] {{1, 1}, {1, 2}, {6, 4}, {50, 37}, {7, 2000}}) {
            Tensor x = r.normal(1, s[0], s[1]);
            Tensor y = r.indices(s[0], s[1]);
            float[] w = positive(r, s[1]);
            for (MulticlassHinge.Variant v : MulticlassHinge.Variant.values()) {
                for (MulticlassHinge loss : List.of(Losses.multiclassHinge().variant(v), Losses.multiclassHinge().variant(v).p(2),
                        Losses.multiclassHinge().variant(v).margin(0.3).classWeights(w))) {
                    for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                        Parity.check(device, loss.reduction(red), TOL, x, y);
                    }
                }
            }
        }
        // the seeds' rows [10, 8, 8] and [10, -10, -10] (loss 0), ties for Crammer-Singer, a NaN score
        Tensor x = Tensor.of(new float[] {10, 8, 8, 10, -10, -10, 0, 1, 1, 0, Float.NaN, 2}, 4, 3);
        Tensor y = Tensor.ofInts(new int[] {0, 0, 0, 0}, 4);
        for (MulticlassHinge.Variant v : MulticlassHinge.Variant.values()) {
            Parity.check(device, Losses.multiclassHinge().variant(v).reduction(Reduction.NONE), TOL, x, y);
        }
        Parity.sameRefusal(device, Losses.multiclassHinge(), x, Tensor.ofInts(new int[] {0, 3, 0, 0}, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void marginRanking(Backend backend) {
        run(backend, List.of(Losses.marginRanking(), Losses.marginRanking().margin(0.5)), TOL,
                (s, r) -> new Tensor[] {r.normal(1, s), r.normal(1, s), r.signs(s)});
        Parity.sameRefusal(DeviceEngines.open(backend), Losses.marginRanking(), Tensor.of(new float[2], 2),
                Tensor.of(new float[2], 2), Tensor.of(new float[] {1f, 0.5f}, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void binaryCrossEntropy(Backend backend) {
        float[] w = positive(new RandomTensors(3), 900);
        run(backend, List.of(Losses.binaryCrossEntropy()), TOL, (s, r) -> new Tensor[] {r.uniform(0.01, 0.99, s), r.uniform(0, 1, s)});
        run(backend, List.of(Losses.binaryCrossEntropy().weight(java.util.Arrays.copyOf(w, 900))), TOL,
                (s, r) -> new Tensor[] {r.uniform(0.01, 0.99, 2, 900), r.uniform(0, 1, 2, 900)});
        LossEngine device = DeviceEngines.open(backend);
        // p = 0 and 1 (log clamped at -100), hard targets
        Tensor p = Tensor.of(new float[] {0f, 1f, 0f, 1f, 0.5f}, 5);
        Tensor y = Tensor.of(new float[] {0f, 1f, 1f, 0f, 0.5f}, 5);
        Parity.check(device, Losses.binaryCrossEntropy().reduction(Reduction.NONE), TOL, p, y);
        Parity.sameRefusal(device, Losses.binaryCrossEntropy(), Tensor.of(new float[] {0.5f, 1.5f}, 2), Tensor.of(new float[2], 2));
        Parity.sameRefusal(device, Losses.binaryCrossEntropy(), Tensor.of(new float[] {0.5f, 0.5f}, 2), Tensor.of(new float[] {0f, Float.NaN}, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void bceWithLogits(Backend backend) {
        RandomTensors rw = new RandomTensors(5);
        float[] w = positive(rw, 33);
        float[] pw = positive(rw, 33);
        List<Loss> losses = List.of(Losses.bceWithLogits(), Losses.bceWithLogits().posWeight(3f));
        run(backend, losses, TOL, (s, r) -> new Tensor[] {r.normal(3, s), r.uniform(0, 1, s)});
        run(backend, List.of(Losses.bceWithLogits().weight(w).posWeight(pw)), TOL,
                (s, r) -> new Tensor[] {r.normal(3, s[0], 33), r.uniform(0, 1, s[0], 33)});
        LossEngine device = DeviceEngines.open(backend);
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {-inf, inf, -inf, 1e4f, -1e4f, 0f}, 6);
        Tensor y = Tensor.of(new float[] {0f, 1f, 1f, 0f, 1f, 0.5f}, 6);
        Parity.check(device, Losses.bceWithLogits().reduction(Reduction.NONE), TOL, x, y);
        Parity.sameRefusal(device, Losses.bceWithLogits().posWeight(1f, 2f), Tensor.of(new float[3], 3), Tensor.of(new float[3], 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void focal(Backend backend) {
        run(backend, List.of(Losses.focal(), Losses.focal().gamma(0).alpha(-1), Losses.focal().gamma(0.5).alpha(0.7)), LOOSE,
                (s, r) -> new Tensor[] {r.normal(3, s), r.uniform(0, 1, s)});
        Tensor x = Tensor.of(new float[] {-1e4f, 1e4f, 0f, 50f}, 4);
        Tensor y = Tensor.of(new float[] {0f, 1f, 1f, 0f}, 4);
        Parity.check(DeviceEngines.open(backend), Losses.focal().reduction(Reduction.NONE), LOOSE, x, y);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void klDiv(Backend backend) {
        List<Loss> losses = new ArrayList<>(List.of(Losses.klDiv(), Losses.klDiv().reduction(Reduction.BATCHMEAN)));
        run(backend, losses.subList(0, 1), TOL, (s, r) -> new Tensor[] {r.normal(1, s), r.uniform(0, 1, s)});
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(31);
        Tensor x = r.normal(1, 8, 5);
        Parity.check(device, Losses.klDiv().reduction(Reduction.BATCHMEAN), TOL, x, r.uniform(0, 1, 8, 5));
        Parity.check(device, Losses.klDiv().logTarget(true).reduction(Reduction.BATCHMEAN), TOL, x, r.normal(1, 8, 5));
        // zero target probability: exactly 0 even against x = -inf
        Parity.check(device, Losses.klDiv().reduction(Reduction.NONE), TOL,
                Tensor.of(new float[] {Float.NEGATIVE_INFINITY, -1f}, 2), Tensor.of(new float[] {0f, 0.5f}, 2));
        Parity.sameRefusal(device, Losses.klDiv(), Tensor.of(new float[2], 2), Tensor.of(new float[] {0.5f, -0.1f}, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void poissonNll(Backend backend) {
        BiFunction<long[], RandomTensors, Tensor[]> counts = (s, r) -> {
            Tensor y = r.uniform(0, 1, s);
            float[] a = y.floatArrayOrNull();
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextInt(7);
            }
            return new Tensor[] {r.normal(1, s), y};
        };
        run(backend, List.of(Losses.poissonNll()), TOL, counts);
        run(backend, List.of(Losses.poissonNll().full(true)), LOOSE, counts);
        BiFunction<long[], RandomTensors, Tensor[]> rates = (s, r) -> new Tensor[] {r.uniform(0, 4, s), counts.apply(s, r)[1]};
        run(backend, List.of(Losses.poissonNll().logInput(false)), TOL, rates);
        run(backend, List.of(Losses.poissonNll().logInput(false).full(true).eps(1e-3)), LOOSE, rates);
        LossEngine device = DeviceEngines.open(backend);
        Parity.sameRefusal(device, Losses.poissonNll(), Tensor.of(new float[2], 2), Tensor.of(new float[] {1f, -1f}, 2));
        Parity.sameRefusal(device, Losses.poissonNll().logInput(false), Tensor.of(new float[] {1f, -0.5f}, 2), Tensor.of(new float[] {1f, 2f}, 2));
    }
}
