package io.github.lossengine;

import io.github.lossengine.spi.BackendOptions;
import io.github.lossengine.spi.Benchmarking;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes losses and their gradients on one backend.
 *
 * <pre>{@code
 * try (LossEngine engine = LossEngine.create()) {
 *     LossResult r = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.1),
 *             Tensor.of(logits, n, c), Tensor.ofInts(labels));
 *     double loss = r.value();
 *     Tensor dLogits = r.gradient();
 * }
 * }</pre>
 *
 * <p>Backend choice: {@link #create()} takes the backend named by the system property
 * {@code lossengine.backend} or else the environment variable {@code LOSSENGINE_BACKEND}
 * ({@code auto|cpu|cuda|opencl}); with neither (or {@code auto}) it tries CUDA, then an OpenCL GPU,
 * then the CPU, recording why each was rejected. {@link #create(Backend)} takes the named backend
 * regardless of the property and the variable, and throws {@link BackendUnavailableException} with
 * the reason when it cannot be used. The choice is logged once at INFO through SLF4J and shown by
 * {@link #backend()}.
 *
 * <p>16-bit inputs ({@link DType#BFLOAT16}, {@link DType#FLOAT16}) are taken by softmax
 * cross-entropy, nll, mse, mae, huber, smooth_l1, bce_with_logits, hinge, multiclass_hinge and
 * kl_div (refused by the others): math in float32 on their exact values, the gradient in the
 * input's dtype from {@link #compute}, or in float32 when {@link #computeInto} is given a float32
 * buffer, rounded once at the end.
 *
 * <p>Inputs are never modified, except by {@link #computeInPlace}, which asks for it. Gradients are
 * written into buffers the engine allocates, or into the caller's with {@link #computeInto}. On bad input an {@link InvalidInputException} names the
 * argument, position and value, and nothing has been written.
 *
 * <p>CPU: one call runs on {@link Builder#threads(int)} threads (the caller's and worker threads the
 * engine owns). Softmax cross-entropy with class indices, mse, hinge and multi-class hinge on heap
 * {@code float[]} inputs run as fused float32 kernels, vectorised when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}; they agree with the double-precision reference
 * within the tolerance stated in docs/PERFORMANCE.md and give the same bits on any thread count.
 *
 * <p>Thread-safety: an engine is thread-safe; calls may run concurrently. {@link #close()} releases
 * the backend (and stops its threads); calls after it throw {@link IllegalStateException}. An
 * engine that becomes unreachable without being closed is closed by a {@link Cleaner} (its threads
 * stopped, its device memory freed), with one WARN naming where it was created.
 *
 * <p>Inputs during a call: class-index inputs ({@code int[]}/{@code long[]}) are copied once when the
 * call starts, so the checks and the computation see the same labels (a label changed by another
 * thread cannot cause an index error). Float inputs are read in place, without a copy: another
 * thread writing them during the call gives an unspecified result (or an
 * {@link InvalidInputException} for a value the loss refuses), never another exception. Do not
 * write an input, or read a gradient buffer, while a call that uses it runs.
 */
public final class LossEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LossEngine.class);
    private static final AtomicReference<String> LAST_LOGGED = new AtomicReference<>();

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "lossengine-cleaner");
        t.setDaemon(true);
        return t;
    });
    /** The most threads {@link Builder#threads} accepts: {@value #THREADS_PROPERTY}, else 4 x processors. */
    static final String THREADS_PROPERTY = "lossengine.maxThreads";

    private final ComputeBackend backend;
    private final BackendInfo info;
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    /**
     * Closes the backend once: from {@link #close()}, or from the {@link #CLEANER} when the engine was
     * never closed (then with a WARN naming where it was created). Holds no reference to the engine.
     */
    private static final class Release implements Runnable {
        private final ComputeBackend backend;
        private final String created;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean explicit;

        Release(ComputeBackend backend, String created) {
            this.backend = backend;
            this.created = created;
        }

        @Override
        public void run() {
            if (closed.compareAndSet(false, true)) {
                if (!explicit) {
                    LOG.warn("a lossengine engine ({}) was never closed; closed when it became unreachable. It was created {}",
                            backend.getClass().getSimpleName(), created);
                }
                backend.close();
            }
        }
    }

    private LossEngine(BackendSelector.Selection selection) {
        this.backend = selection.backend();
        this.info = selection.info();
        this.release = new Release(backend, creationSite());
        this.cleanable = CLEANER.register(this, release);
        String line = info.toString();
        if (!line.equals(LAST_LOGGED.getAndSet(line))) {
            LOG.info("lossengine backend: {}", line);
        }
    }

    /** "at Class.method(File:line)" of the first caller outside lossengine's own API classes. */
    private static String creationSite() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith(LossEngine.class.getName()))
                .findFirst()
                .map(f -> "at " + f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("at an unknown place"));
    }

    /** An engine on the best available backend, or on the one the property or variable names. */
    public static LossEngine create() {
        return builder().build();
    }

    /**
     * An engine on the named backend ({@link Backend#AUTO}: the best available, ignoring the
     * property and the variable).
     *
     * @throws BackendUnavailableException when that backend cannot be used here, with the reason
     */
    public static LossEngine create(Backend backend) {
        return builder().backend(backend).build();
    }

    /**
     * What each backend's provider finds on this machine, without opening any backend, highest rank
     * first: available (with the device), usable only when asked for by name (an OpenCL CPU device),
     * or unavailable with the reason. Probes run once per JVM and are cached. An engine's
     * {@link #backend()} lists the backends its selection rejected; when a backend was asked for by
     * name nothing was rejected, and this is how {@code lossengine info} still shows the others.
     */
    public static Map<Backend, Probe> probeBackends() {
        return new BackendSelector(BackendSelector.discover(), LossEngine::lookup).probeAll();
    }

    /** A builder for an engine with options: the backend, the number of CPU threads. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options of a new engine. Not thread-safe; {@link #build()} may be called more than once, each
     * call opening a new engine.
     *
     * <pre>{@code
     * try (LossEngine engine = LossEngine.builder().backend(Backend.CPU).threads(4).build()) { ... }
     * }</pre>
     */
    public static final class Builder {
        private Backend backend;
        private int threads = Runtime.getRuntime().availableProcessors();

        private Builder() {
        }

        /**
         * The backend to open, as {@link LossEngine#create(Backend)}; when not called, the one the
         * property or the variable names, else the best available, as {@link LossEngine#create()}.
         */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * The number of threads the CPU backend computes one call on, the calling thread included
         * ({@code threads - 1} worker threads that the engine owns and stops when it is closed);
         * default: the number of available processors. Results do not depend on it. At most 4 x the
         * available processors, unless the system property {@value #THREADS_PROPERTY} sets another
         * bound.
         *
         * @throws InvalidInputException (argument {@code threads}) when {@code threads < 1} or above the bound
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new InvalidInputException("threads", "must be >= 1, got " + threads);
            }
            int max = maxThreads();
            if (threads > max) {
                throw new InvalidInputException("threads", threads + " is more than " + max + " (4 x the "
                        + Runtime.getRuntime().availableProcessors() + " available processors; -D" + THREADS_PROPERTY
                        + "=N raises the bound)");
            }
            this.threads = threads;
            return this;
        }

        private static int maxThreads() {
            String p = System.getProperty(THREADS_PROPERTY);
            if (p != null) {
                try {
                    return Math.max(1, Integer.parseInt(p.trim()));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(THREADS_PROPERTY, "'" + p + "' is not an integer");
                }
            }
            return 4 * Runtime.getRuntime().availableProcessors();
        }

        /**
         * Opens the engine.
         *
         * @throws BackendUnavailableException when the backend asked for cannot be used here, with the reason
         */
        public LossEngine build() {
            BackendSelector selector = new BackendSelector(BackendSelector.discover(), LossEngine::lookup);
            BackendOptions options = new BackendOptions(threads);
            if (backend == null) {
                BackendSelector.Requested r = selector.requested();
                return new LossEngine(selector.select(r.backend(), r.source(), options));
            }
            String source = backend == Backend.AUTO ? "automatic selection" : "LossEngine.create(" + backend + ")";
            return new LossEngine(selector.select(backend, source, options));
        }
    }

    static String lookup(String key) {
        if (key.startsWith("property:")) {
            return System.getProperty(key.substring("property:".length()));
        }
        return System.getenv(key.substring("env:".length()));
    }

    /** The backend in use, why it was chosen, and what was rejected. */
    public BackendInfo backend() {
        return info;
    }

    /** The loss and the gradients with respect to every differentiable input, in new buffers. */
    public LossResult compute(Loss loss, Tensor... inputs) {
        checkInputs(loss, inputs);
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                grads[i] = Tensor.zeros(gradientType(inputs[i]), inputs[i].shape());
            }
        }
        return run(loss, inputs, grads);
    }

    /** The loss only, without gradients. */
    public LossResult evaluate(Loss loss, Tensor... inputs) {
        checkInputs(loss, inputs);
        return run(loss, inputs, new Tensor[inputs.length]);
    }

    /**
     * The loss, with gradients written into the caller's buffers: {@code gradients[i]} receives the
     * gradient with respect to {@code inputs[i]} and may be {@code null} (not wanted). Nothing is
     * allocated for the gradients; every element of a supplied buffer is overwritten.
     *
     * <p>A buffer that shares storage with an input is refused: the same {@code float[]}, the same
     * {@link java.nio.FloatBuffer} object, or a heap buffer over an input's array in an overlapping
     * range. Two distinct direct buffers viewing the same native memory cannot be told apart through
     * Java 17's public API and are not detected; do not pass such a pair.
     */
    public LossResult computeInto(Loss loss, Tensor[] inputs, Tensor... gradients) {
        checkInputs(loss, inputs);
        Objects.requireNonNull(gradients, "gradients");
        if (gradients.length > inputs.length) {
            throw new InvalidInputException("gradients", gradients.length + " buffers for " + inputs.length + " inputs");
        }
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < gradients.length; i++) {
            Tensor g = gradients[i];
            if (g == null) {
                continue;
            }
            String arg = "gradient " + i + " (" + loss.inputNames().get(i) + ")";
            if (!loss.differentiable(i)) {
                throw new InvalidInputException(arg, loss.name() + " has no gradient with respect to " + loss.inputNames().get(i));
            }
            if (!(g.dtype() == DType.FLOAT32 || g.dtype() == inputs[i].dtype()) || !g.isWritable()) {
                throw new InvalidInputException(arg, "must be a writable float32 tensor (or of the input's 16-bit dtype), got " + g);
            }
            if (!g.sameShape(inputs[i])) {
                throw new InvalidInputException(arg, "shape " + java.util.Arrays.toString(g.shape())
                        + " differs from the input's " + java.util.Arrays.toString(inputs[i].shape()));
            }
            for (int k = 0; k < inputs.length; k++) {
                if (g.sharesStorageWith(inputs[k])) {
                    throw new InvalidInputException(arg, "shares its storage with input " + k + " (" + loss.inputNames().get(k)
                            + "); inputs are never overwritten");
                }
            }
            for (int k = 0; k < i; k++) {
                if (grads[k] != null && g.sharesStorageWith(grads[k])) {
                    throw new InvalidInputException(arg, "shares its storage with gradient " + k + " (" + loss.inputNames().get(k)
                            + "); each gradient needs its own buffer");
                }
            }
            grads[i] = g;
        }
        return run(loss, inputs, grads);
    }

    /**
     * Softmax cross-entropy with its gradient written over the logits: on return {@code logits}
     * holds dL/dlogits (as {@link #compute} would return it), saving one {@code N x C} buffer. An
     * explicit opt-in: no other call modifies an input. {@code logits} must be a writable float32
     * tensor and must not share storage with {@code target}. On bad input (the loss's refusals, a
     * read-only or shared buffer) an {@link InvalidInputException} is thrown and nothing has been
     * written. On a device backend the logits are copied to the device, the gradient is computed
     * into device scratch memory and copied back over them.
     *
     * @return the result; its {@link LossResult#gradient()} is {@code logits}
     * @throws InvalidInputException (argument {@code loss}) for losses other than softmax cross-entropy
     */
    public LossResult computeInPlace(Loss loss, Tensor logits, Tensor target) {
        checkInputs(loss, new Tensor[] {logits, target});
        if (!(loss instanceof io.github.lossengine.loss.SoftmaxCrossEntropy)) {
            throw new InvalidInputException("loss", "an in-place gradient is offered for softmax_cross_entropy only, not "
                    + loss.name());
        }
        if (!logits.isFloat() || !logits.isWritable()) {
            throw new InvalidInputException("input", "an in-place gradient needs a writable float tensor, got " + logits);
        }
        if (logits.sharesStorageWith(target)) {
            throw new InvalidInputException("target", "shares its storage with the input (logits), which the gradient overwrites");
        }
        return run(loss, new Tensor[] {logits, target}, new Tensor[] {logits, null});
    }

    private LossResult run(Loss loss, Tensor[] inputs, Tensor[] grads) {
        if (release.closed.get()) {
            throw new IllegalStateException("engine is closed");
        }
        Tensor[] in = inputs.clone();
        for (int i = 0; i < in.length; i++) {
            // class indices are small: one copy, so that what the checks saw is what is computed
            in[i] = snapshotIndices(in[i]);
        }
        try {
            return backend.compute(loss, in, grads);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** A copy of an integer tensor's storage; float tensors as they are. */
    private static Tensor snapshotIndices(Tensor t) {
        return switch (t.dtype()) {
            case INT32 -> {
                int[] a = new int[(int) t.size()];
                for (int j = 0; j < a.length; j++) {
                    a[j] = (int) t.getLong(j);
                }
                yield Tensor.ofInts(a, t.shape());
            }
            case INT64 -> {
                long[] a = new long[(int) t.size()];
                for (int j = 0; j < a.length; j++) {
                    a[j] = t.getLong(j);
                }
                yield Tensor.ofLongs(a, t.shape());
            }
            default -> t;
        };
    }

    /** The dtype of the gradient {@link #compute} allocates: the input's (a 16-bit one kept, as PyTorch), else float32. */
    private static DType gradientType(Tensor input) {
        return input.dtype().isHalf() ? input.dtype() : DType.FLOAT32;
    }

    private static void checkInputs(Loss loss, Tensor[] inputs) {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.length != loss.arity()) {
            throw new InvalidInputException("inputs", loss.name() + " takes " + loss.arity() + " inputs "
                    + loss.inputNames() + ", got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new InvalidInputException(loss.inputNames().get(i), "must not be null");
            }
        }
        HalfPrecision.check(loss, inputs);
        for (int i = 0; i < inputs.length; i++) {
            long[] shape = inputs[i].shape();
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] > Tensor.MAX_ARRAY) {
                    // only a tensor of zero elements can have one; its index arithmetic would overflow int
                    throw new InvalidInputException(loss.inputNames().get(i), "shape " + java.util.Arrays.toString(shape)
                            + ": dimension " + d + " = " + shape[d] + " is more than " + Tensor.MAX_ARRAY
                            + " (the largest heap array), on every backend");
                }
            }
        }
    }

    /**
     * The backend's measurement hooks, as {@code lossengine bench} uses them: repeated calls on inputs
     * the backend holds (on the device for a GPU backend) and its memory-copy bandwidth; null when the
     * backend has none (then time {@link #computeInto} instead).
     */
    public Benchmarking benchmarking() {
        if (release.closed.get()) {
            throw new IllegalStateException("engine is closed");
        }
        return backend.benchmarking();
    }

    /** Releases the backend. Idempotent. */
    @Override
    public void close() {
        release.explicit = true;
        cleanable.clean();
    }
}
