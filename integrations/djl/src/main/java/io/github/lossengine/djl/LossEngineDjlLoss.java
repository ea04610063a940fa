package io.github.lossengine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.loss.PairLoss;
import io.github.lossengine.loss.SoftmaxCrossEntropy;

import java.util.Objects;

/**
 * A lossengine loss as a DJL training loss:
 * {@code new DefaultTrainingConfig(new LossEngineDjlLoss(Losses.softmaxCrossEntropy().labelSmoothing(0.1)))}.
 *
 * <p><b>Contract.</b> {@link #evaluate} returns a scalar whose value is lossengine's loss (with the
 * loss's own reduction: MEAN over the rows not ignored, weighted, as PyTorch) and whose autograd
 * gradient with respect to the predictions is lossengine's gradient. DJL has no custom backward for
 * a loss, so the result is the surrogate {@code L + sum(pred * G) - stopGradient(sum(pred * G))},
 * with {@code L} and {@code G} constants computed by one fused lossengine call: its value is
 * {@code L} exactly ({@code s - s = 0}) and its derivative is {@code G}. It uses only engine-independent
 * {@link NDArray} operations (tested with PyTorch).
 *
 * <p><b>Inputs.</b> {@code predictions} holds one array (logits for softmax cross-entropy, as DJL's
 * {@code SoftmaxCrossEntropyLoss} with {@code fromLogit}); {@code labels} one array: class indices
 * {@code [N]} (integer or whole float values, as DJL's sparse labels) for softmax cross-entropy, nll
 * and multiclass hinge, otherwise targets of the predictions' shape (probabilities for softmax
 * cross-entropy). Reduction {@code NONE}, pair and triplet losses and {@code gaussian_nll} are refused.
 *
 * <p><b>Copies.</b> On the PyTorch engine on the CPU nothing is copied: float32 contiguous
 * predictions (and targets) are read in place through {@code toByteBuffer(true)}, and lossengine
 * writes the gradient straight into the memory of a new engine array (checked on every call, see
 * {@link NdBuffers}). Elsewhere (a GPU tensor, a non-contiguous or non-float32 array, another engine)
 * there is one copy each way. Nothing the caller passed is written.
 *
 * <p><b>NaN.</b> As lossengine: a NaN prediction makes the loss NaN. <b>Errors.</b> Bad input throws
 * {@link IllegalArgumentException} with lossengine's message (prefixed with the loss) and the
 * {@link InvalidInputException} as its cause (a gradient array created for the call is closed
 * first); an unavailable backend throws {@link IllegalStateException}.
 *
 * <p>Thread-safety: immutable; the engine is thread-safe. The engine is opened on first use and
 * shared by every instance on the same backend for the life of the JVM.
 */
public final class LossEngineDjlLoss extends Loss {
    private final io.github.lossengine.Loss loss;
    private final Backend backend;

    /** The loss on the best available backend (or the one {@code -Dlossengine.backend} names), named after it. */
    public LossEngineDjlLoss(io.github.lossengine.Loss loss) {
        this(loss, Backend.AUTO);
    }

    /**
     * The loss on {@code backend}, named after the loss.
     *
     * @throws IllegalArgumentException for losses this adapter cannot feed (see the class comment)
     */
    public LossEngineDjlLoss(io.github.lossengine.Loss loss, Backend backend) {
        super("lossengine_" + Objects.requireNonNull(loss, "loss").name());
        if (loss instanceof PairLoss || loss.arity() != 2) {
            throw new IllegalArgumentException("lossengine " + loss.name() + " takes " + loss.inputNames()
                    + "; a DJL loss gets predictions and labels only");
        }
        if (loss.reduction() == Reduction.NONE) {
            throw new IllegalArgumentException("lossengine " + loss.name() + ": reduction none; a DJL loss returns one value");
        }
        this.loss = loss;
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** The wrapped lossengine loss. */
    public io.github.lossengine.Loss loss() {
        return loss;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray pred = predictions.singletonOrThrow();
        NDArray label = labels.singletonOrThrow();
        NDManager manager = pred.getManager();
        Tensor input;
        Tensor target;
        NdBuffers.GradientArray grad;
        try {
            input = NdBuffers.floatTensor(pred);
            target = takesIndices(pred, label) ? NdBuffers.classIndices(label) : NdBuffers.floatTensor(label);
            grad = NdBuffers.gradient(manager, pred.getShape());
        } catch (InvalidInputException e) {
            throw invalid(e);
        }
        LossResult r;
        try {
            r = Engines.get(backend).computeInto(loss, new Tensor[] {input, target}, Tensor.of(grad.buffer(), input.shape()));
        } catch (RuntimeException e) {
            if (grad.inPlace()) {
                grad.array().close();
            }
            if (e instanceof InvalidInputException i) {
                throw invalid(i);
            }
            if (e instanceof BackendUnavailableException b) {
                throw new IllegalStateException("lossengine " + loss.name() + ": " + b.getMessage(), b);
            }
            throw e;
        }
        NDArray g = grad.array();
        NDArray carrier = pred.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(g).sum();
        return carrier.sub(carrier.stopGradient()).add(manager.create((float) r.value()));
    }

    private IllegalArgumentException invalid(InvalidInputException e) {
        return new IllegalArgumentException("lossengine " + loss.name() + ": " + e.getMessage(), e);
    }

    private boolean takesIndices(NDArray pred, NDArray label) {
        boolean indexLoss = loss instanceof SoftmaxCrossEntropy || loss instanceof Nll || loss instanceof MulticlassHinge;
        Shape p = pred.getShape();
        Shape l = label.getShape();
        return indexLoss && p.dimension() == 2 && l.size() == p.get(0) && !l.equals(p)
                && (l.dimension() == 1 || l.dimension() == 2 && l.get(1) == 1);
    }

    /** One engine per backend, opened on first use and kept for the JVM's life. */
    private static final class Engines {
        private static final java.util.Map<Backend, LossEngine> ENGINES = new java.util.concurrent.ConcurrentHashMap<>();

        static LossEngine get(Backend b) {
            return ENGINES.computeIfAbsent(b, x -> x == Backend.AUTO ? LossEngine.create() : LossEngine.create(x));
        }
    }
}
