package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.RandomTensors;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device parity of the losses on rows of embeddings (contrastive, triplet, cosine embedding) and of
 * gaussian_nll, every option, gradients for every tensor input, against the CPU backend.
 *
 * <p>Tolerance {@code rel 1e-4, abs 1e-6}: the row's norms and dot products are float32 segment
 * sums over D terms (the CPU sums in double), and the gradients divide by them; a general p-norm
 * also goes through {@code pow} in float32.
 */
class EmbeddingParityTest {
    static final Parity.Tol TOL = new Parity.Tol(1e-4, 1e-6);
    static final int[][] SHAPES = {{1, 1}, {5, 3}, {40, 64}, {6, 3000}};

    static void run(Backend backend, List<? extends Loss> losses, BiFunction<int[], RandomTensors, Tensor[]> inputs) {
        run(backend, losses, inputs, SHAPES);
    }

    static void run(Backend backend, List<? extends Loss> losses, BiFunction<int[], RandomTensors, Tensor[]> inputs, int[][] shapes) {
        LossEngine device = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(37);
        for (int[] s : shapes) {
            Tensor[] in = inputs.apply(s, r);
            for (Loss loss : losses) {
                for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    Parity.check(device, loss.reduction(red), TOL, in);
                }
            }
        }
    }

    static Tensor zeroOne(RandomTensors r, int n) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
        }
        return Tensor.of(y, n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void contrastive(Backend backend) {
        List<Loss> losses = List.of(Losses.contrastive(), Losses.contrastive().margin(20).eps(0));
        run(backend, losses, (s, r) -> new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), zeroOne(r, s[0])});
        // integer labels work as well; a label that is neither 0 nor 1 is refused
        run(backend, losses.subList(0, 1), (s, r) -> {
            int[] y = new int[s[0]];
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextInt(2);
            }
            return new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), Tensor.ofInts(y, s[0])};
        });
        Tensor x = Tensor.of(new float[4], 2, 2);
        Parity.sameRefusal(DeviceEngines.open(backend), Losses.contrastive(), x, x.sameShape(x) ? Tensor.of(new float[4], 2, 2) : x,
                Tensor.of(new float[] {0f, 2f}, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void triplet(Backend backend) {
        List<Loss> losses = List.of(Losses.triplet(), Losses.triplet().swap(true), Losses.triplet().p(1).margin(2),
                Losses.triplet().p(3).swap(true), Losses.triplet().eps(0), Losses.triplet().eps(0.1).p(1).swap(true),
                Losses.triplet().eps(1e-3).p(1.5).margin(0.5));
        run(backend, losses, (s, r) -> new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1])});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void cosineEmbedding(Backend backend) {
        // not D = 1: there cos is +-1 and the gradient is 0 up to cancellation of O(1/|x|) terms
        run(backend, List.of(Losses.cosineEmbedding(), Losses.cosineEmbedding().margin(-0.2)),
                (s, r) -> new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), r.signs(s[0])},
                new int[][] {{1, 2}, {5, 3}, {40, 64}, {6, 3000}});
        Tensor x = Tensor.of(new float[4], 2, 2);
        Parity.sameRefusal(DeviceEngines.open(backend), Losses.cosineEmbedding(), x, Tensor.of(new float[4], 2, 2),
                Tensor.of(new float[] {1f, 0f}, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void gaussianNll(Backend backend) {
        List<Loss> losses = List.of(Losses.gaussianNll(), Losses.gaussianNll().full(true).eps(1e-2));
        run(backend, losses, (s, r) -> new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), r.uniform(0.1, 2, s[0], s[1])});
        // one variance per row: [N] and [N, 1]
        run(backend, losses, (s, r) -> new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), r.uniform(0.1, 2, s[0])});
        run(backend, losses, (s, r) -> new Tensor[] {r.normal(1, s[0], s[1]), r.normal(1, s[0], s[1]), r.uniform(0.1, 2, s[0], 1)});
        LossEngine device = DeviceEngines.open(backend);
        Tensor mu = Tensor.of(new float[4], 2, 2);
        Parity.sameRefusal(device, Losses.gaussianNll(), mu, Tensor.of(new float[4], 2, 2), Tensor.of(new float[] {1f, -1f}, 2));
        Parity.sameRefusal(device, Losses.gaussianNll(), mu, Tensor.of(new float[4], 2, 2), Tensor.of(new float[3], 3));
        Parity.check(device, Losses.gaussianNll().reduction(Reduction.SUM), TOL, Tensor.of(new float[0], 0, 3),
                Tensor.of(new float[0], 0, 3), Tensor.of(new float[0], 0));
    }
}
