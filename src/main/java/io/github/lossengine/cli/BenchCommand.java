package io.github.lossengine.cli;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.HalfPrecision;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.spi.Benchmarking;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lossengine bench}: times one loss's forward+backward on the active (or named) backend, on
 * inputs generated from a fixed seed, and the same backend's memory-copy bandwidth in the same run.
 *
 * <p>The backend's {@link Benchmarking} hook keeps the inputs and gradients where the backend
 * computes (on the device for a GPU backend), so a call times the kernels, not host transfers; the
 * copy figure is the backend's own (heap arrays on the engine's threads for the CPU, device to
 * device for CUDA). A backend without the hook is timed through {@link LossEngine#computeInto}
 * (transfers included) and reports no copy figure.
 *
 * <p>Output: a short table, or with {@code --json} one JSON object per line:
 * {@code {"loss":..., "backend":..., "median_ms":..., "min_ms":..., ...}}. Exit status as the other
 * commands (2 for bad arguments, with the flag at fault).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Times a loss's forward and backward pass on the active backend.",
                "Prints the median and minimum milliseconds per call after warm-up, and the backend's "
                        + "memory-copy bandwidth measured in the same run."},
        // footer lines are printed as they are: each stays within 80 columns
        footer = {"", "Row losses (softmax_cross_entropy, nll, multiclass_hinge, contrastive,",
                "triplet, cosine_embedding) take --rows and --classes; element-wise losses",
                "take --elements (or --rows and --classes for a 2-D input).",
                "linear_cross_entropy takes --rows N --hidden D --classes V.",
                "Inputs come from a fixed seed. For the comparison with libtorch and ND4J",
                "see bench/compare.sh and docs/PERFORMANCE.md.",
                "Exit status: 0 success, 2 bad arguments, 1 internal error."})
final class BenchCommand implements Callable<Integer> {
    /** Bytes of heap the inputs and gradients may take, as a fraction of the JVM's maximum heap. */
    private static final double HEAP_SHARE = 0.8;
    /** The most elements one heap array of the inputs holds. */
    static final long MAX_HOST = Integer.MAX_VALUE - 8;
    /** The most elements of the host tile a larger device input is assembled from (64 MiB of floats). */
    static final long TILE = 1L << 24;
    /** The most bytes the bandwidth reference copies. */
    static final long COPY_MAX = 1L << 30;

    @Spec
    private CommandSpec spec;

    @Option(names = "--loss", required = true, paramLabel = "NAME", description = "Loss name from the catalogue.")
    private String lossName;

    @Option(names = "--rows", paramLabel = "N", description = "Rows (batch size) of a row loss, or of a 2-D input.")
    private Long rows;

    @Option(names = "--classes", paramLabel = "C", description = "Classes (or embedding dimensions) per row.")
    private Long classes;

    @Option(names = "--hidden", paramLabel = "D", description = "linear_cross_entropy: the hidden size D.")
    private Long hidden;

    @Option(names = "--elements", paramLabel = "M", description = "Elements of an element-wise loss's 1-D input.")
    private Long elements;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda|opencl",
            description = "Default: the system property lossengine.backend, the variable LOSSENGINE_BACKEND, else auto.")
    private String backend;

    @Option(names = "--threads", paramLabel = "T",
            description = "CPU threads per call (the caller's included). Default: the available processors.")
    private Integer threads;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "3",
            description = "Warm-up calls, at least (see --warmup-seconds). Default: ${DEFAULT-VALUE}.")
    private int warmup;

    @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "1",
            description = "Keep warming up until this much time has passed, so the JIT has compiled the hot path"
                    + " before timing. Default: ${DEFAULT-VALUE}.")
    private double warmupSeconds;

    @Option(names = "--iterations", paramLabel = "I", defaultValue = "10",
            description = "Timed calls. Default: ${DEFAULT-VALUE}.")
    private int iterations;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A loss option, as for compute; repeatable.")
    private List<String> params = new ArrayList<>();

    @Option(names = "--dtype", paramLabel = "fp32|bf16|fp16",
            description = "The float inputs' type (rounded from the float32 inputs); the gradient comes in it, as"
                    + " compute returns it. Default: fp32.")
    private String dtype;

    @Option(names = "--json", description = "One JSON object per line instead of the table.")
    private boolean json;

    @Override
    public Integer call() {
        Loss loss = ComputeCommand.withParams(lossName, params);
        long[] shape = shape(loss);
        if (warmup < 0) {
            throw new BadArgumentException("--warmup " + warmup + ": must be >= 0");
        }
        if (!(warmupSeconds >= 0)) {
            throw new BadArgumentException("--warmup-seconds " + warmupSeconds + ": must be >= 0");
        }
        if (iterations < 1) {
            throw new BadArgumentException("--iterations " + iterations + ": must be >= 1");
        }
        Measurement m;
        try (LossEngine engine = openEngine()) {
            Backend active = engine.backend().active();
            boolean device = active == Backend.CUDA || active == Backend.OPENCL;
            long repeats = hidden != null ? 1 : repeats(shape, device);
            if (repeats == 0) {
                throw tooLargeForTheHost(engine, shape);
            }
            m = measureShape(engine, loss, shape, repeats);
        } catch (InvalidInputException e) {
            throw ComputeCommand.describe(e, loss);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? m.json() : m.text());
        out.flush();
        return 0;
    }

    /** What one run measured. */
    record Measurement(Loss loss, long[] shape, long hidden, String dtype, String backend, String device, int threads,
                       int warmup, double[] samplesMs, long bytes, double copyGbps, String copy, boolean resident) {
        double medianMs() {
            return median(samplesMs);
        }

        double minMs() {
            return Arrays.stream(samplesMs).min().orElse(Double.NaN);
        }

        long elements() {
            return BenchInputs.count(shape);
        }

        double gbps() {
            return bytes / medianMs() / 1e6;
        }

        String json() {
            JsonObject o = new JsonObject().put("loss", loss.name()).put("backend", backend).put("dtype", dtype)
                    .put("median_ms", medianMs()).put("min_ms", minMs()).put("shape", shape);
            if (BenchInputs.ROW_LOSSES.contains(loss.name()) || shape.length == 2) {
                o.put("rows", shape[0]).put("classes", shape[1]);
            }
            if (hidden > 0) {
                // the three GEMMs of N x D x V multiply-adds each
                o.put("hidden", hidden).put("gflops", 6.0 * shape[0] * shape[1] * hidden / medianMs() / 1e6);
            }
            o.put("elements", elements()).put("threads", threads).put("warmup", warmup)
                    .put("iterations", samplesMs.length).put("ns_per_element", medianMs() * 1e6 / elements())
                    .put("bytes", bytes).put("gbps", gbps()).put("copy_gbps", copyGbps)
                    .raw("resident", Boolean.toString(resident)).put("copy", copy).put("device", device);
            return o.toString();
        }

        String text() {
            String size = shape.length == 1 ? Long.toString(shape[0]) + " elements" : shape[0] + "x" + shape[1]
                    + (hidden > 0 ? " (hidden " + hidden + ")" : "");
            StringBuilder sb = new StringBuilder();
            sb.append("lossengine bench: ").append(loss.name()).append(' ').append(size).append(", backend ")
                    .append(backend).append(", ").append(threads).append(threads == 1 ? " thread, " : " threads, ")
                    .append(dtype).append('\n');
            sb.append("device: ").append(device).append('\n');
            sb.append(String.format(Locale.ROOT, "%-26s %12s %12s %10s %10s%n", "", "median ms", "min ms", "ns/elem",
                    "GB/s"));
            sb.append(String.format(Locale.ROOT, "%-26s %12.3f %12.3f %10.3f %10.2f%n", "forward+backward", medianMs(),
                    minMs(), medianMs() * 1e6 / elements(), gbps()));
            if (!Double.isNaN(copyGbps)) {
                sb.append(String.format(Locale.ROOT, "%-26s %12s %12s %10s %10.2f%n", "memory copy, same run", "",
                        "", "", copyGbps));
                sb.append(String.format(Locale.ROOT, "the loss moves its bytes (%,d) at %.0f%% of the copy bandwidth (%s)",
                        bytes, 100 * gbps() / copyGbps, copy));
            } else {
                sb.append("no copy bandwidth: ").append(copy);
            }
            sb.append(String.format(Locale.ROOT, "%n%d timed calls after %d warm-up calls%s", samplesMs.length, warmup,
                    resident ? "" : "; each call includes the host transfers"));
            return sb.toString();
        }
    }

    /**
     * How many copies of a tile along the first dimension make an input of {@code shape}. On a device
     * backend, whose prepared calls keep the inputs in device memory, any input of more than
     * {@link #TILE} elements is assembled there from the smallest tile of whole rows (at most
     * {@link #TILE} elements; {@link Benchmarking#prepareRepeated}), so the host holds 64 MiB however
     * large the shape (16384 x 131072 logits are 2^31 elements, more than a heap array holds); a
     * shape with no such tile is generated whole. On the CPU the inputs are heap arrays: 1, or 0 when
     * they would not fit one.
     */
    static long repeats(long[] shape, boolean device) {
        long n = BenchInputs.count(shape);
        if (device && n > TILE) {
            long perRow = n / shape[0];
            for (long r = 2; r <= shape[0]; r++) {
                long tile = (shape[0] / r) * perRow;
                if (shape[0] % r == 0 && tile <= TILE) {
                    if (tile >= TILE / 16) { // not millions of tiny copies
                        return r;
                    }
                    break;
                }
            }
            if (n > MAX_HOST) {
                throw new BadArgumentException("--rows x --classes: " + n + " elements, and no tile of whole rows ("
                        + perRow + " elements each) has between " + TILE / 16 + " and " + TILE + " elements");
            }
        }
        return n <= MAX_HOST ? 1 : 0;
    }

    /** Generates the inputs (a tile of them when {@code repeats > 1}) and measures. */
    private Measurement measureShape(LossEngine engine, Loss loss, long[] shape, long repeats) {
        long[] tileShape = shape.clone();
        tileShape[0] /= repeats;
        if (repeats == 1) {
            requireHeap(loss, hidden != null ? new long[] {shape[0] + shape[1], hidden} : shape);
        }
        Tensor[] inputs = hidden != null
                ? new BenchInputs(0x5EED).linearHead((int) shape[0], Math.toIntExact(hidden), (int) shape[1])
                : new BenchInputs(0x5EED).of(loss, tileShape);
        DType as = InputTypes.parse(dtype);
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].isFloat()) {
                inputs[i] = InputTypes.convert(inputs[i], as);
            }
        }
        HalfPrecision.check(loss, inputs);
        try {
            return measure(engine, loss, inputs, repeats, shape);
        } catch (UnsupportedOperationException e) {
            // a loss without a device kernel runs on host arrays: the whole shape, where it fits
            if (repeats == 1 || BenchInputs.count(shape) > MAX_HOST) {
                throw tooLargeForTheHost(engine, shape);
            }
            return measureShape(engine, loss, shape, 1);
        } catch (DeviceException e) {
            if (e.getMessage() != null && e.getMessage().contains("OUT_OF_MEMORY")) {
                throw new BadArgumentException(String.format(Locale.ROOT, "%s: %d elements; the inputs and"
                        + " gradients (%.1f GiB) do not fit the %s device: %s", sizeFlags(), BenchInputs.count(shape),
                        bytesMoved(loss, inputs) * (double) repeats / (1L << 30), engine.backend().active().id(), e.getMessage()));
            }
            throw e;
        }
    }

    private Measurement measure(LossEngine engine, Loss loss, Tensor[] inputs, long repeats, long[] shape) {
        Benchmarking hooks = engine.benchmarking();
        Runnable call;
        AutoCloseable prepared = null;
        if (repeats > 1) {
            if (hooks == null) {
                throw new UnsupportedOperationException("no benchmark hooks");
            }
            Benchmarking.Call c = hooks.prepareRepeated(loss, inputs, repeats);
            prepared = c;
            call = c::run;
        } else if (hooks != null) {
            Benchmarking.Call c = hooks.prepare(loss, inputs);
            prepared = c;
            call = c::run;
        } else {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (loss.differentiable(i)) {
                    grads[i] = Tensor.zeros(inputs[i].shape());
                }
            }
            call = () -> engine.computeInto(loss, inputs, grads);
        }
        try {
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int warmupCalls = 0;
            while (warmupCalls < warmup || System.nanoTime() < warmupEnd) {
                call.run();
                warmupCalls++;
            }
            double[] samples = Arrays.stream(Benchmarking.timeRepeats(0, iterations, call)).map(s -> s * 1e3).toArray();
            long bytes = bytesMoved(loss, inputs) * repeats;
            double copyGbps = Double.NaN;
            String copy = "the " + engine.backend().active().id() + " backend has no benchmark hooks";
            if (hooks != null) {
                // the loss's own traffic, in at most 1 GiB per array (one buffer of PoCL, for one, holds
                // at most 2 GiB): as many source arrays as the loss reads per gradient byte (1: a copy;
                // 2: an element-wise loss reads input and target, STREAM's add), each the gradient's size
                long written = Math.max(gradientBytes(loss, inputs) * repeats, 4);
                int sources = (int) Math.max(1, Math.min(3, Math.round((double) (bytes - written) / written)));
                long each = Math.min(written, COPY_MAX);
                double[] s = hooks.streamSeconds(sources, each, Math.max(5, Math.min(iterations, 20)));
                copyGbps = (sources + 1.0) * each / median(s) / 1e9;
                copy = hooks.streamDescription(sources, each);
            }
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            return new Measurement(loss, shape, hidden != null ? hidden : 0, inputs[0].dtype().name().toLowerCase(Locale.ROOT), engine.backend().active().id(), engine.backend().detail(), t, warmupCalls,
                    samples, bytes, copyGbps, copy, hooks != null);
        } finally {
            if (prepared != null) {
                try {
                    prepared.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing the benchmark's buffers: " + e, e);
                }
            }
        }
    }

    /** The flags that gave the shape: {@code --rows x --classes} or {@code --elements}. */
    private String sizeFlags() {
        return rows != null ? "--rows x --classes" : "--elements";
    }

    private BadArgumentException tooLargeForTheHost(LossEngine engine, long[] shape) {
        return new BadArgumentException(sizeFlags() + ": " + BenchInputs.count(shape) + " elements; the "
                + engine.backend().active().id() + " backend computes on heap arrays, which hold at most " + MAX_HOST
                + " (the device backends, --backend cuda or opencl, assemble larger inputs in device memory)");
    }

    /** The median of {@code values} (not modified). */
    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** {@code bytes} in MiB, or KiB below 1 MiB, one decimal. */
    static String size(long bytes) {
        return Benchmarking.size(bytes);
    }

    /** The bytes of the gradients a call writes. */
    static long gradientBytes(Loss loss, Tensor[] inputs) {
        long b = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                b += inputs[i].size() * (inputs[i].dtype().isHalf() ? 2 : 4);
            }
        }
        return b;
    }

    /**
     * The least bytes one call moves: every float input read, every gradient written, 4 bytes each
     * (class indices: their own size).
     */
    static long bytesMoved(Loss loss, Tensor[] inputs) {
        long b = 0;
        for (int i = 0; i < inputs.length; i++) {
            long size = inputs[i].size();
            b += size * inputs[i].dtype().bytes();
            if (loss.differentiable(i)) {
                b += size * (inputs[i].dtype().isHalf() ? 2 : 4);
            }
        }
        return b;
    }

    /** The input shape from --rows/--classes or --elements, as the loss needs it. */
    private long[] shape(Loss loss) {
        boolean linear = loss.name().equals("linear_cross_entropy");
        if (hidden != null && !linear) {
            throw new BadArgumentException("--hidden " + hidden + ": only linear_cross_entropy takes it, not " + loss.name());
        }
        if (linear) {
            return BenchInputs.linearHeadShape(rows, hidden, classes, elements);
        }
        boolean rowLoss = BenchInputs.ROW_LOSSES.contains(loss.name());
        positive("--rows", rows);
        positive("--classes", classes);
        positive("--elements", elements);
        if ((rows == null) != (classes == null)) {
            throw new BadArgumentException(rows == null ? "--rows: missing; --classes needs it"
                    : "--classes: missing; --rows needs it");
        }
        if (rowLoss) {
            if (elements != null) {
                throw new BadArgumentException("--elements: " + loss.name() + " is a row loss; give --rows and --classes");
            }
            if (rows == null) {
                throw new BadArgumentException("--rows: missing; " + loss.name() + " needs --rows N --classes C");
            }
        } else if (elements != null && rows != null) {
            throw new BadArgumentException("--elements: give either --elements or --rows and --classes, not both");
        } else if (elements == null && rows == null) {
            throw new BadArgumentException("--elements: missing; " + loss.name() + " needs --elements M (or --rows and --classes)");
        }
        long[] shape = rows != null ? new long[] {rows, classes} : new long[] {elements};
        long n;
        try {
            n = BenchInputs.count(shape);
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        if (n > MAX_HOST && (rows == null || n / rows > TILE)) { // no tile of whole rows: too large anywhere
            throw new BadArgumentException((rows != null ? "--rows x --classes" : "--elements") + ": " + n
                    + " elements; the heap arrays the inputs live in hold at most " + MAX_HOST
                    + (rows == null ? " (give --rows and --classes: a device backend assembles larger inputs row by row)" : ""));
        }
        return shape;
    }

    private static void positive(String flag, Long v) {
        if (v != null && v < 1) {
            throw new BadArgumentException(flag + " " + v + ": must be >= 1");
        }
    }

    /** Refuses sizes whose inputs and gradients would not fit the heap, before allocating them. */
    private static void requireHeap(Loss loss, long[] shape) {
        long n = BenchInputs.count(shape);
        long bytes = 0;
        for (int i = 0; i < loss.arity(); i++) {
            bytes += 4 * n * (loss.differentiable(i) ? 2 : 1);
        }
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > HEAP_SHARE * max) {
            throw new BadArgumentException(String.format(Locale.ROOT,
                    "--rows/--classes/--elements: the inputs and gradients need %.1f GiB, the JVM's heap is %.1f GiB;"
                            + " run java -Xmx%dg -jar lossengine.jar bench ...", bytes / (double) (1L << 30),
                    max / (double) (1L << 30), (long) Math.ceil(bytes / HEAP_SHARE / (1L << 30)) + 1));
        }
    }

    private LossEngine openEngine() {
        return ComputeCommand.openEngine(ComputeCommand.builder(threads), backend);
    }
}
