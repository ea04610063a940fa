package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.exception.ND4JIllegalArgumentException;
import org.nd4j.linalg.exception.ND4JIllegalStateException;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A lossengine loss as a DeepLearning4J loss function:
 * {@code new OutputLayer.Builder(new LossEngineLossFunction(Losses.softmaxCrossEntropy().labelSmoothing(0.1)))}.
 *
 * <p><b>Contract</b> (ND4J's {@link ILossFunction}): {@link #computeGradientAndScore} is one fused
 * lossengine call giving the score and {@code dL/dPreOutput}. The gradient is that of the
 * <em>sum</em> of the example scores (DL4J's updater divides by the minibatch size); the score is
 * that sum, divided by the minibatch size (rows, masked ones included) when {@code average} is set.
 * An example's score is its row's loss for softmax cross-entropy, nll and multiclass hinge; for an
 * element-wise loss it is the mean of its outputs' losses with reduction {@code MEAN} (as
 * {@code LossMSE}, {@code LossMAE}) and their sum with {@code SUM} or {@code BATCHMEAN} (as
 * {@code LossL2}). lossengine's own MEAN (over the rows not ignored, weighted by class weights) is
 * therefore <em>not</em> what DL4J reports: DL4J divides by the minibatch size, ignored rows
 * included. Labels, class indices and masks: {@link LabelTargets}, {@link ExampleWeights}.
 *
 * <p><b>Activations.</b> The fast combinations pass {@code preOutput} straight to lossengine, whose
 * kernel does the softmax or sigmoid: softmax cross-entropy with {@code Activation.SOFTMAX} or
 * {@code IDENTITY} (the loss takes the logits either way; with SOFTMAX the network's output is the
 * probabilities), {@code bce_with_logits} and {@code focal} with {@code SIGMOID} or {@code IDENTITY},
 * and any loss with {@code IDENTITY}. Any other activation is applied first and its backprop chained
 * (two copies of {@code preOutput}), as DL4J's own losses do.
 *
 * <p><b>Copies.</b> On ND4J's CPU backend {@code preOutput} and same-shape labels are read in place
 * when they are dense C-order float32 ({@link NdArrayViews}), otherwise copied once, and the
 * gradient is written straight into the new ND4J array that is returned. On any other ND4J backend
 * (CUDA) arrays go through host copies made by ND4J, one each way ({@link NdArrayViews}). Class
 * indices are copied to int32. Arguments are never written.
 *
 * <p><b>NaN.</b> A NaN in an example's inputs makes its score (and so the total) NaN, as lossengine
 * does; a masked-out (weight 0) or ignored row contributes exactly 0, even if its inputs are NaN.
 *
 * <p><b>Errors.</b> Bad input throws {@link ND4JIllegalArgumentException} whose message is
 * lossengine's {@link InvalidInputException} message (prefixed with the loss) and whose cause is
 * that exception, before any gradient is written. A backend that cannot be opened throws
 * {@link ND4JIllegalStateException}.
 *
 * <p><b>Serialisation.</b> The loss is stored in DL4J's JSON as its catalogue name, every option
 * ({@link LossSpec}) and the backend, so saved models restore and Spark ships it to executors; Java
 * serialisation stores the same three fields.
 *
 * <p>Thread-safety: immutable; the shared engine ({@link SharedEngines}) is thread-safe.
 */
public final class LossEngineLossFunction implements ILossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("loss")
    private final String lossName;
    @JsonProperty("options")
    private final LinkedHashMap<String, String> options;
    @JsonProperty("backend")
    private final String backend;
    @JsonIgnore
    private transient volatile LossShape shape;

    /** The loss on the best available backend (or the one {@code -Dlossengine.backend} names). */
    public LossEngineLossFunction(Loss loss) {
        this(loss, Backend.AUTO);
    }

    /**
     * The loss on the named backend.
     *
     * @throws ND4JIllegalArgumentException for a loss a DL4J output layer cannot feed (pair and
     *         triplet losses, {@code gaussian_nll}, reduction {@code NONE}, a cross-entropy normaliser)
     */
    public LossEngineLossFunction(Loss loss, Backend backend) {
        this(Objects.requireNonNull(loss, "loss").name(), LossSpec.options(loss), backend.id());
    }

    /** The form DL4J's JSON stores: the catalogue name, the options as text, the backend's id. */
    @JsonCreator
    public LossEngineLossFunction(@JsonProperty("loss") String loss, @JsonProperty("options") Map<String, String> options,
                                  @JsonProperty("backend") String backend) {
        this.lossName = Objects.requireNonNull(loss, "loss");
        this.options = options == null ? new LinkedHashMap<>() : new LinkedHashMap<>(options);
        this.backend = backend == null ? Backend.AUTO.id() : backend;
        wrapped(() -> Backend.parse(this.backend, "backend"));
        this.shape = wrapped(() -> LossShape.of(LossSpec.build(lossName, this.options)));
    }

    /** The lossengine loss (with the reduction given at construction). */
    public Loss loss() {
        return shape().loss();
    }

    /** The backend asked for ({@code AUTO}: the best available). */
    public Backend backend() {
        return Backend.parse(backend, "backend");
    }

    private LossShape shape() {
        LossShape s = shape;
        if (s == null) {
            s = wrapped(() -> LossShape.of(LossSpec.build(lossName, options)));
            shape = s;
        }
        return s;
    }

    private ExampleLosses.Result run(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                                     boolean withGradient) {
        LossShape s = shape();
        return wrapped(() -> ExampleLosses.compute(SharedEngines.get(backend()), s, labels, preOutput, activationFn,
                mask, withGradient));
    }

    private <T> T wrapped(Supplier<T> call) {
        try {
            return call.get();
        } catch (InvalidInputException e) {
            throw new ND4JIllegalArgumentException("lossengine " + lossName + ": " + e.getMessage(), e);
        } catch (BackendUnavailableException e) {
            throw new ND4JIllegalStateException("lossengine " + lossName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        ExampleLosses.Result r = run(labels, preOutput, activationFn, mask, false);
        return average ? r.sum() / r.scores().length : r.sum();
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        ExampleLosses.Result r = run(labels, preOutput, activationFn, mask, false);
        return ExampleLosses.column(r.scores(), preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return run(labels, preOutput, activationFn, mask, true).gradient();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        ExampleLosses.Result r = run(labels, preOutput, activationFn, mask, true);
        double score = average ? r.sum() / r.scores().length : r.sum();
        return new Pair<>(score, r.gradient());
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "LossEngineLossFunction(" + lossName + ", " + options + ", backend=" + backend + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossEngineLossFunction f && f.lossName.equals(lossName) && f.options.equals(options)
                && f.backend.equals(backend);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lossName, options, backend);
    }
}
