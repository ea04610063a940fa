package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device parity of the regression family (mse, mae, huber, smooth_l1, log_cosh): one body per loss,
 * run on every device backend, against the CPU backend.
 *
 * <p>Tolerance {@code rel 1e-5, abs 1e-6}: float32 per-element arithmetic (a few ulp, log_cosh's
 * {@code |d| + log1p(exp(-2|d|)) - log 2} loses up to ~1e-7 absolute near 0, covered by the
 * max-relative term) and a float32 tree sum over at most 3e5 elements (~1e-6 relative).
 */
class RegressionParityTest {
    static final Parity.Tol TOL = new Parity.Tol(1e-5, 1e-6);

    /** Random inputs of several shapes (one large enough to use every group several times), plus edge cases. */
    static List<Tensor[]> inputs() {
        RandomTensors r = new RandomTensors(7);
        List<Tensor[]> cases = new ArrayList<>();
        long[][] shapes = {{1, 1}, {3, 7}, {64, 33}, {300, 1000}, {5}};
        for (long[] s : shapes) {
            cases.add(new Tensor[] {r.normal(2, s), r.normal(2, s)});
        }
        // kinks exactly (d = 0, |d| = 1 = default delta and beta), extremes, NaN
        cases.add(new Tensor[] {Tensor.of(new float[] {0f, 1f, -1f, 2.5f, 1e4f, -1e4f, 3f}, 7),
                Tensor.of(new float[] {0f, 0f, 0f, 1.5f, -1e4f, 1e4f, 3f}, 7)});
        cases.add(new Tensor[] {Tensor.of(new float[] {1f, Float.NaN, 2f}, 3), Tensor.of(new float[] {0f, 0f, 0f}, 3)});
        return cases;
    }

    private static void run(Backend backend, Loss loss) {
        LossEngine device = DeviceEngines.open(backend);
        for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            for (Tensor[] in : inputs()) {
                Parity.check(device, loss.reduction(red), TOL, in);
            }
        }
        // empty input: SUM is 0, MEAN is refused with the CPU's message; mismatched shapes refused alike
        Tensor empty = Tensor.of(new float[0], 0, 4);
        Parity.check(device, loss.reduction(Reduction.SUM), TOL, empty, empty);
        Parity.sameRefusal(device, loss, empty, empty);
        Parity.sameRefusal(device, loss, Tensor.of(new float[6], 2, 3), Tensor.of(new float[6], 3, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void mse(Backend backend) {
        run(backend, Losses.mse());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void mae(Backend backend) {
        run(backend, Losses.mae());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void huber(Backend backend) {
        run(backend, Losses.huber());
        run(backend, Losses.huber().delta(0.25));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void smoothL1(Backend backend) {
        run(backend, Losses.smoothL1());
        run(backend, Losses.smoothL1().beta(3.0));
        // beta = 0: the L1 loss (gradient sign(d), 0 at d = 0)
        run(backend, Losses.smoothL1().beta(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void logCosh(Backend backend) {
        run(backend, Losses.logCosh());
    }
}
