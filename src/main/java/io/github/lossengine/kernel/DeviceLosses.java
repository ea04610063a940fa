package io.github.lossengine.kernel;

import io.github.lossengine.Loss;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.LogCosh;
import io.github.lossengine.loss.Mae;
import io.github.lossengine.loss.Mse;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.SmoothL1;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.util.HashMap;
import java.util.Map;

/** The device implementation of each loss, by loss class (one line per loss, as the CPU's registry). */
public final class DeviceLosses {
    private static final Map<Class<?>, DeviceLoss<?>> BY_CLASS = new HashMap<>();

    static {
        BY_CLASS.put(SoftmaxCrossEntropy.class, new SoftmaxCrossEntropyKernel());
        BY_CLASS.put(Nll.class, new NllKernel());
        BY_CLASS.put(Mse.class, PointwiseKernel.<Mse>plain("le_mse_f32"));
        BY_CLASS.put(Mae.class, PointwiseKernel.<Mae>plain("le_mae_f32"));
        BY_CLASS.put(Huber.class, new PointwiseKernel<Huber>("le_huber_f32", l -> new double[] {l.delta()}, l -> null, null));
        BY_CLASS.put(SmoothL1.class, new PointwiseKernel<SmoothL1>("le_smooth_l1_f32", l -> new double[] {l.beta()}, l -> null, null));
        BY_CLASS.put(LogCosh.class, PointwiseKernel.<LogCosh>plain("le_log_cosh_f32"));
    }

    private DeviceLosses() {
    }

    /** The device implementation of {@code loss}, or {@code null} when it has none. */
    @SuppressWarnings("unchecked")
    public static <L extends Loss> DeviceLoss<L> forLoss(L loss) {
        return (DeviceLoss<L>) BY_CLASS.get(loss.getClass());
    }

    /** Whether {@code loss} runs on the device. */
    public static boolean supports(Loss loss) {
        return BY_CLASS.containsKey(loss.getClass());
    }
}
