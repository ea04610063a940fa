package io.github.lossengine.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * libtorch on the CPU through DJL's PyTorch engine (run offline from the jars,
 * {@code -Dai.djl.offline=true}; threads set by {@code ai.djl.pytorch.num_threads}). The inputs are
 * copied into libtorch tensors once, outside the timing, as a libtorch training loop holds them;
 * the gradient stays in libtorch. Two ways:
 * <ul>
 *   <li>{@link Mode#AUTOGRAD}: the loss from tensor ops ({@code log_softmax} + {@code gather} +
 *       {@code mean} for cross-entropy) and its gradient by {@code backward()} on a fresh leaf, as a
 *       training step with {@code zero_grad(set_to_none=True)} does;</li>
 *   <li>{@link Mode#EXPLICIT}: the closed form without autograd ({@code softmax}, then
 *       {@code (p - onehot) / N} in place with a one-hot target built once), the best case.</li>
 * </ul>
 */
final class TorchContestant implements Contestant {
    /** How the gradient is obtained. */
    enum Mode { AUTOGRAD, EXPLICIT }

    private final Case c;
    private final Mode mode;
    private final Engine engine;
    private final NDManager manager;
    private final NDArray x;
    private final NDArray y;
    private final NDArray labels;
    private final NDArray onehot;

    TorchContestant(Case.Data data, Mode mode) {
        this.c = data.c();
        this.mode = mode;
        this.engine = Engine.getEngine("PyTorch");
        this.manager = engine.newBaseManager();
        if (c.rowLoss()) {
            x = manager.create(data.x(), new Shape(c.rows(), c.cols()));
            long[] l = new long[c.rows()];
            for (int i = 0; i < l.length; i++) {
                l[i] = data.labels()[i];
            }
            labels = manager.create(l, new Shape(c.rows(), 1));
            y = null;
            onehot = mode == Mode.EXPLICIT && c.kind() == Case.Kind.SOFTMAX_CE
                    ? labels.reshape(c.rows()).oneHot(c.cols(), DataType.FLOAT32) : null;
        } else {
            x = manager.create(data.x());
            y = manager.create(data.y());
            labels = null;
            onehot = null;
        }
    }

    /** Whether this mode exists for the case's loss. */
    static boolean supports(Case c, Mode mode) {
        return mode == Mode.AUTOGRAD || c.kind() != Case.Kind.MULTICLASS_HINGE;
    }

    @Override
    public String id() {
        return id(mode);
    }

    /** {@code torch-autograd} or {@code torch-explicit}. */
    static String id(Mode mode) {
        return mode == Mode.AUTOGRAD ? "torch-autograd" : "torch-explicit";
    }

    @Override
    public String description() {
        return description(engine, mode == Mode.AUTOGRAD ? "autograd" : "explicit gradient formula");
    }

    /** libtorch's version and thread count, then {@code how}. */
    static String description(Engine engine, String how) {
        return "libtorch " + engine.getVersion() + " CPU via DJL, " + JniUtils.getNumThreads() + " intra-op threads, " + how;
    }

    @Override
    public double run() {
        return step(false).value();
    }

    @Override
    public Outcome runForCheck() {
        return step(true);
    }

    private Outcome step(boolean copyGradient) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            if (mode == Mode.EXPLICIT) {
                return explicit(copyGradient);
            }
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray leaf = x.stopGradient();
                leaf.setRequiresGradient(true);
                NDArray loss = forward(leaf);
                gc.backward(loss);
                NDArray grad = leaf.getGradient();
                double v = loss.getFloat();
                return new Outcome(v, copyGradient ? grad.toFloatArray() : null);
            }
        }
    }

    private NDArray forward(NDArray leaf) {
        switch (c.kind()) {
            case SOFTMAX_CE:
                return leaf.logSoftmax(1).gather(labels, 1).mean().neg();
            case MULTICLASS_HINGE:
                // (sum_j max(0, 1 - x_y + x_j) - 1) / C per row: the j = y term is exactly 1 (gradient 0)
                return leaf.sub(leaf.gather(labels, 1)).add(1f).maximum(0f).sum().sub((float) c.rows())
                        .div((float) c.elements());
            case MSE: {
                NDArray d = leaf.sub(y);
                return d.mul(d).mean();
            }
            default:
                return y.mul(leaf).neg().add(1f).maximum(0f).mean();
        }
    }

    private Outcome explicit(boolean copyGradient) {
        NDArray grad;
        double v;
        switch (c.kind()) {
            case SOFTMAX_CE: {
                NDArray p = x.softmax(1);
                v = -p.gather(labels, 1).log().mean().getFloat();
                grad = p.subi(onehot).muli(1f / c.rows());
                break;
            }
            case MSE: {
                NDArray d = x.sub(y);
                v = d.square().mean().getFloat();
                grad = d.muli(2f / c.elements());
                break;
            }
            default: {
                NDArray m = y.mul(x).neg().add(1f);
                v = m.maximum(0f).mean().getFloat();
                grad = m.gte(0f).toType(DataType.FLOAT32, false).mul(y).muli(-1f / c.elements());
                break;
            }
        }
        return new Outcome(v, copyGradient ? grad.toFloatArray() : null);
    }

    @Override
    public void close() {
        manager.close();
    }
}
