package io.github.lossengine.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * libtorch through DJL for {@link LinearCrossEntropyRun}: {@code linear} (torch's, no bias), then
 * {@code log_softmax}, {@code gather} of the targets, {@code mean}, negated (cross_entropy with MEAN)
 * and {@code backward()} for the gradients of hidden and weight, on fresh leaves of the resident
 * input tensors (a training step after {@code zero_grad(set_to_none=True)}). The inputs are copied into
 * libtorch tensors once, outside the timing; the gradients stay libtorch tensors (read back only for
 * the check). The Java handles of the intermediates are closed as soon as they are used, so that
 * libtorch holds only what autograd saved (its best memory, as a Python step that keeps no reference).
 */
final class LinearCrossEntropyTorch implements LinearCrossEntropyRun.Contestant {
    private final Engine engine;
    private final NDManager manager;
    private final NDArray h;
    private final NDArray w;
    private final NDArray t;

    LinearCrossEntropyTorch(LinearCrossEntropyRun.Inputs in) {
        engine = Engine.getEngine("PyTorch");
        manager = engine.newBaseManager();
        h = manager.create(in.h(), new Shape(in.n(), in.d()));
        w = manager.create(in.w(), new Shape(in.v(), in.d()));
        t = manager.create(in.t(), new Shape(in.n(), 1));
    }

    @Override
    public String description() {
        return "libtorch " + engine.getVersion() + " CPU via DJL, " + JniUtils.getNumThreads() + " intra-op threads, "
                + "linear + log_softmax/gather/mean + autograd, THP_MEM_ALLOC_ENABLE=" + System.getenv("THP_MEM_ALLOC_ENABLE");
    }

    @Override
    public long inputHash() {
        return LinearCrossEntropyRun.Inputs.hash(h.toFloatArray(), w.toFloatArray(), t.toLongArray());
    }

    @Override
    public LinearCrossEntropyRun.Outcome step(boolean check) {
        try (NDScope scope = new NDScope(); GradientCollector gc = engine.newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray hl = h.stopGradient();
            hl.setRequiresGradient(true);
            NDArray wl = w.stopGradient();
            wl.setRequiresGradient(true);
            // each intermediate's Java handle is closed as soon as the next op has it, so that only what
            // autograd saves stays alive (as in Python, where they go out of reference): libtorch's best memory
            NDArray logits = Linear.linear(hl, wl).singletonOrThrow();
            NDArray logp = logits.logSoftmax(1);
            logits.close();
            NDArray picked = logp.gather(t, 1);
            logp.close();
            NDArray loss = picked.mean().neg();
            picked.close();
            gc.backward(loss);
            double v = loss.getFloat();
            NDArray gh = hl.getGradient();
            NDArray gw = wl.getGradient();
            return new LinearCrossEntropyRun.Outcome(v, check ? gh.toFloatArray() : null, check ? gw.toFloatArray() : null);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
