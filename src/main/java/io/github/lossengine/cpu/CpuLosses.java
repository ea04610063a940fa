package io.github.lossengine.cpu;

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

/** The CPU implementation of every loss in the catalogue, by loss class. */
final class CpuLosses {
    private static final Map<Class<?>, CpuLoss<?>> BY_CLASS = new HashMap<>();

    static {
        BY_CLASS.put(Mse.class, new MseCpu());
        BY_CLASS.put(Mae.class, new MaeCpu());
        BY_CLASS.put(Huber.class, new HuberCpu());
        BY_CLASS.put(SmoothL1.class, new SmoothL1Cpu());
        BY_CLASS.put(LogCosh.class, new LogCoshCpu());
        BY_CLASS.put(SoftmaxCrossEntropy.class, new SoftmaxCrossEntropyCpu());
        BY_CLASS.put(Nll.class, new NllCpu());
        BY_CLASS.put(BinaryCrossEntropy.class, new BinaryCrossEntropyCpu());
        BY_CLASS.put(BceWithLogits.class, new BceWithLogitsCpu());
        BY_CLASS.put(Focal.class, new FocalCpu());
        BY_CLASS.put(KlDiv.class, new KlDivCpu());
        BY_CLASS.put(Contrastive.class, new ContrastiveCpu());
        BY_CLASS.put(Triplet.class, new TripletCpu());
        BY_CLASS.put(CosineEmbedding.class, new CosineEmbeddingCpu());
        BY_CLASS.put(Hinge.class, new HingeCpu());
        BY_CLASS.put(SquaredHinge.class, new SquaredHingeCpu());
        BY_CLASS.put(MulticlassHinge.class, new MulticlassHingeCpu());
        BY_CLASS.put(PoissonNll.class, new PoissonNllCpu());
        BY_CLASS.put(GaussianNll.class, new GaussianNllCpu());
        BY_CLASS.put(MarginRanking.class, new MarginRankingCpu());
        BY_CLASS.put(LinearCrossEntropy.class, new LinearCrossEntropyCpu());
    }

    private CpuLosses() {
    }

    @SuppressWarnings("unchecked")
    static <L extends Loss> CpuLoss<L> forLoss(L loss) {
        CpuLoss<?> impl = BY_CLASS.get(loss.getClass());
        if (impl == null) {
            throw new IllegalArgumentException("the CPU backend has no implementation of " + loss.name()
                    + " (" + loss.getClass().getName() + ")");
        }
        return (CpuLoss<L>) impl;
    }
}
