package io.github.lossengine.kernel;

import io.github.lossengine.Loss;
import io.github.lossengine.loss.BceWithLogits;
import io.github.lossengine.loss.BinaryCrossEntropy;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.KlDiv;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.LogCosh;
import io.github.lossengine.loss.Mae;
import io.github.lossengine.loss.MarginRanking;
import io.github.lossengine.loss.Mse;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PoissonNll;
import io.github.lossengine.loss.SmoothL1;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.loss.SquaredHinge;
import io.github.lossengine.loss.Triplet;
import java.util.HashMap;
import java.util.Map;

/**
 * The device implementation of each loss, by loss class (one line per loss, as the CPU's registry),
 * with the kernel symbol it launches; the kernel sources are {@code kernels/<family>.cu}.
 */
public final class DeviceLosses {
    private static final Map<Class<?>, DeviceLoss<?>> BY_CLASS = new HashMap<>();
    private static final double[] NONE = new double[0];

    static {
        BY_CLASS.put(SoftmaxCrossEntropy.class, new SoftmaxCrossEntropyKernel());
        BY_CLASS.put(Nll.class, new NllKernel());
        BY_CLASS.put(Mse.class, PointwiseKernel.<Mse>plain("le_mse_f32"));
        BY_CLASS.put(Mae.class, PointwiseKernel.<Mae>plain("le_mae_f32"));
        BY_CLASS.put(Huber.class, PointwiseKernel.<Huber>of("le_huber_f32", l -> new double[] {l.delta()}, null));
        BY_CLASS.put(SmoothL1.class, PointwiseKernel.<SmoothL1>of("le_smooth_l1_f32", l -> new double[] {l.beta()}, null));
        BY_CLASS.put(LogCosh.class, PointwiseKernel.<LogCosh>plain("le_log_cosh_f32"));
        BY_CLASS.put(Hinge.class, PointwiseKernel.<Hinge>of("le_hinge_f32", l -> new double[] {l.margin()},
                (l, call, x, y) -> call.requireOneOf(y, l.inputNames().get(1), -1f, 1f, "label")));
        BY_CLASS.put(SquaredHinge.class, PointwiseKernel.<SquaredHinge>of("le_squared_hinge_f32", l -> new double[] {l.margin()},
                (l, call, x, y) -> call.requireOneOf(y, l.inputNames().get(1), -1f, 1f, "label")));
        BY_CLASS.put(MulticlassHinge.class, new MulticlassHingeKernel());
        BY_CLASS.put(MarginRanking.class, new MarginRankingKernel());
        BY_CLASS.put(BinaryCrossEntropy.class, new PointwiseKernel<BinaryCrossEntropy>("le_binary_cross_entropy_f32",
                l -> NONE, BinaryCrossEntropy::weight, l -> null, (l, call, x, y) -> {
                    call.requireRange(x, "input", 0f, 1f, "probability");
                    call.requireRange(y, "target", 0f, 1f, "target");
                }));
        BY_CLASS.put(BceWithLogits.class, new PointwiseKernel<BceWithLogits>("le_bce_with_logits_f32",
                l -> NONE, BceWithLogits::weight, BceWithLogits::posWeight, (l, call, x, y) -> {
                    float[] pw = l.posWeight();
                    long lastDim = x.rank() == 0 ? 1 : x.dim(-1);
                    if (pw != null && pw.length != 1 && pw.length != lastDim) {
                        throw new InvalidOnDevice("pos_weight", pw.length + " entries; expected 1 or " + lastDim);
                    }
                    call.requireRange(y, "target", 0f, 1f, "target");
                }));
        BY_CLASS.put(Focal.class, PointwiseKernel.<Focal>of("le_focal_f32", l -> new double[] {l.gamma(), l.alpha()},
                (l, call, x, y) -> call.requireRange(y, "target", 0f, 1f, "target")));
        BY_CLASS.put(KlDiv.class, PointwiseKernel.<KlDiv>of("le_kl_div_f32", l -> new double[] {l.logTarget() ? 1 : 0},
                (l, call, x, y) -> {
                    if (!l.logTarget()) {
                        call.requireRange(y, "target", 0f, Float.MAX_VALUE, "probability");
                    }
                }));
        BY_CLASS.put(PoissonNll.class, PointwiseKernel.<PoissonNll>of("le_poisson_nll_f32",
                l -> new double[] {l.logInput() ? 1 : 0, l.full() ? 1 : 0, l.eps()}, (l, call, x, y) -> {
                    call.requireRange(y, l.inputNames().get(1), 0f, Float.POSITIVE_INFINITY, "count");
                    if (!l.logInput()) {
                        call.requireNotBelow(x, l.inputNames().get(0), 0f, "rate");
                    }
                }));
        BY_CLASS.put(GaussianNll.class, new GaussianNllKernel());
        BY_CLASS.put(Contrastive.class, new EmbeddingRowsKernel.ContrastiveKernel());
        BY_CLASS.put(Triplet.class, new EmbeddingRowsKernel.TripletKernel());
        BY_CLASS.put(CosineEmbedding.class, new EmbeddingRowsKernel.CosineEmbeddingKernel());
        BY_CLASS.put(LinearCrossEntropy.class, new LinearCrossEntropyKernel());
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
