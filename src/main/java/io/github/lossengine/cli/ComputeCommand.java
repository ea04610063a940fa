package io.github.lossengine.cli;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.DType;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lossengine compute}: one loss on {@code .npy} inputs, the value as one JSON line on stdout,
 * the gradients asked for as {@code <f4} {@code .npy} files.
 *
 * <p>{@code --input}, {@code --target} and {@code --target2} are the loss's inputs 1, 2 and 3
 * (numbered from 1 in help and errors alike; e.g. triplet: anchor, positive, negative); {@code --grad-out}, {@code --grad2-out} and
 * {@code --grad3-out} receive the gradients with respect to them. Integer arrays stay class indices
 * for the target of {@code softmax_cross_entropy}, {@code nll} and {@code multiclass_hinge} and are
 * converted to float32 everywhere else. Every problem with the arguments ends the command with
 * status 2 and one line on stderr that starts with the flag at fault, before any output file exists:
 * gradients are written only after the loss succeeded, all or none (see {@link NpyOutputs}).
 */
@Command(name = "compute", mixinStandardHelpOptions = true,
        // written out: picocli's generated synopsis breaks inside file names at 80 columns
        customSynopsis = {
            "lossengine compute --loss=NAME [--param=KEY=VALUE]... --input=A.npy",
            "    [--target=B.npy] [--target2=C.npy] [--weight=W.npy]",
            "    [--reduction=mean|sum|none|batchmean] [--backend=auto|cpu|cuda|opencl]",
            "    [--threads=N]",
            "    [--grad-out=G.npy] [--grad2-out=G2.npy] [--grad3-out=G3.npy]",
            "    [--linear-weight=W.npy] [--linear-bias=b.npy]",
            "    [--grad-linear-weight-out=dW.npy] [--grad-linear-bias-out=db.npy]",
            "    [--loss-out=L.npy] [--lse-out=L.npy] [--dtype=fp32|bf16|fp16] [-hV]"},
        versionProvider = Main.Version.class,
        description = {"Computes one loss on .npy or .npz inputs and prints one JSON line.",
                "An array of an .npz archive (numpy.savez) is F.npz:NAME, or F.npz when it holds one.",
                "The line holds \"loss\" (a value, or [values] for --reduction=none), \"backend\", "
                        + "\"reduction\", \"name\", the shapes and the gradient files written."},
        // footer lines are printed as they are: each stays within 80 columns
        footer = {"", "Parameters by loss (--param key=value, repeatable):",
                "  softmax_cross_entropy: label_smoothing, ignore_index,",
                "      smoothing (uniform|off_target), all_ignored (zero|nan|error),",
                "      z_loss, softcap, normalizer (mean only); --weight: class weights [C];",
                "      --lse-out: each row's log-sum-exp [N]",
                "  nll: ignore_index, all_ignored; --weight: class weights [C]",
                "  multiclass_hinge: variant (weston_watkins|crammer_singer), p (1|2),",
                "      margin; --weight: class weights [C]",
                "  binary_cross_entropy: --weight (per column or per element)",
                "  bce_with_logits: pos_weight (number or comma list); --weight",
                "  huber: delta   smooth_l1: beta   kl_div: log_target",
                "  hinge, squared_hinge: margin   cosine_embedding, margin_ranking: margin",
                "  contrastive: margin, eps   triplet: margin, p, eps, swap",
                "  focal: gamma, alpha   poisson_nll: log_input, full, eps",
                "  gaussian_nll: full, eps",
                "  linear_cross_entropy: --input hidden [N, D], --linear-weight [V, D],",
                "      --target [N], --linear-bias [V]; the options of softmax_cross_entropy,",
                "      chunk_rows, max_workspace_bytes, allow_tf32 (cuBLAS only);",
                "      --weight: class weights [V]",
                "Exit status: 0 success, 2 bad arguments or input (one line on stderr),",
                "1 internal error."})
final class ComputeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--loss", required = true, paramLabel = "NAME",
            description = "Loss name: one of the catalogue (mse, softmax_cross_entropy, ...; lossengine list), "
                    + "or PyTorch's name (mse_loss, cross_entropy, l1_loss, ...).")
    private String lossName;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A loss option, repeatable.")
    private List<String> params = new ArrayList<>();

    @Option(names = "--input", required = true, paramLabel = "A.npy", description = "Input 1: predictions, logits, x1, anchor, mean.")
    private String input;

    @Option(names = "--target", paramLabel = "B.npy", description = "Input 2: targets, labels, x2, positive.")
    private String target;

    @Option(names = "--target2", paramLabel = "C.npy", description = "Input 3 of three-input losses: y, negative, var.")
    private String target2;

    @Option(names = "--linear-weight", paramLabel = "W.npy", description = "linear_cross_entropy: the weight [V, D].")
    private String linearWeight;

    @Option(names = "--linear-bias", paramLabel = "b.npy", description = "linear_cross_entropy: the bias [V] (optional).")
    private String linearBias;

    @Option(names = "--grad-linear-weight-out", paramLabel = "dW.npy", description = "linear_cross_entropy: write dL/dW.")
    private String gradLinearWeightOut;

    @Option(names = "--grad-linear-bias-out", paramLabel = "db.npy", description = "linear_cross_entropy: write dL/db.")
    private String gradLinearBiasOut;

    @Option(names = "--weight", paramLabel = "W.npy", description = "Class weights or element weights, for losses that take them.")
    private String weight;

    @Option(names = "--reduction", paramLabel = "mean|sum|none|batchmean", defaultValue = "mean",
            description = "Default: ${DEFAULT-VALUE}.")
    private String reduction;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda|opencl",
            description = "Default: the system property lossengine.backend, the variable LOSSENGINE_BACKEND, else auto.")
    private String backend;

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU threads per call (the caller's included). Default: the available processors.")
    private Integer threads;

    @Option(names = "--grad-out", paramLabel = "G.npy", description = "Write the gradient with respect to input 1.")
    private String gradOut;

    @Option(names = "--grad2-out", paramLabel = "G2.npy", description = "Write the gradient with respect to input 2.")
    private String grad2Out;

    @Option(names = "--grad3-out", paramLabel = "G3.npy", description = "Write the gradient with respect to input 3.")
    private String grad3Out;

    @Option(names = "--loss-out", paramLabel = "L.npy",
            description = "With --reduction=none: write the losses (<f4) there instead of listing them in the JSON line.")
    private String lossOut;

    @Option(names = "--dtype", paramLabel = "fp32|bf16|fp16",
            description = "Round the float inputs to this type on reading (bf16 has no NumPy dtype: a float32 .npy "
                    + "rounded to nearest even); default: as the files hold them (<f2 is read as fp16).")
    private String dtype;

    @Option(names = "--lse-out", paramLabel = "L.npy",
            description = "softmax_cross_entropy: write each row's log-sum-exp [N] (after softcap; NaN where ignored).")
    private String lseOut;

    @Override
    public Integer call() {
        InputFlags io = InputFlags.of(configuredLoss(), new String[] {input, target, target2},
                new String[] {gradOut, grad2Out, grad3Out},
                new String[] {linearWeight, linearBias, gradLinearWeightOut, gradLinearBiasOut});
        Loss loss = io.loss();
        String[] inputFiles = io.inputFiles();
        io.checkArity();
        Path[] gradFiles = gradientFiles(io);
        Path lossFile = lossFile(loss, gradFiles);
        Path lseFile = lseFile(loss, gradFiles);
        NpyOutputs.Target[] targets = targets(io, gradFiles, lseFile, lossFile);
        requireHeap(io, gradFiles);
        if (weight != null) {
            loss = withWeight(loss);
        }
        DType as = InputTypes.parse(dtype);
        Tensor[] tensors = new Tensor[loss.arity()];
        long[][] shapes = new long[loss.arity()][];
        for (int i = 0; i < tensors.length; i++) {
            Npy.NpyArray a = read(io.inputFlags()[i], inputFiles[i]);
            boolean indices = loss.inputNames().get(i).equals("target") && LossParameters.indexTargets(loss)
                    && a.tensor().dtype().isInteger();
            tensors[i] = indices ? a.tensor() : InputTypes.convert(a.asFloat(), as);
            shapes[i] = a.shape();
        }

        LossResult result;
        try (LossEngine engine = openEngine()) {
            result = run(engine, loss, tensors, gradFiles);
        }

        NpyOutputs outputs = new NpyOutputs();
        StringJoiner gradients = new StringJoiner(", ", "[", "]");
        for (int k = 0; k < gradFiles.length; k++) {
            if (gradFiles[k] != null) {
                // a 16-bit gradient is written as <f4, widened exactly
                String flag = io.gradFlags()[k];
                outputs.add(flag, gradFiles[k], targets[k], InputTypes.float32(result.gradient(k)), shapes[k]);
                gradients.add(new JsonObject().put("flag", flag).put("input", loss.inputNames().get(k))
                        .put("file", gradFiles[k].toString()).put("shape", shapes[k]).toString());
            }
        }
        if (lossFile != null) {
            outputs.add("--loss-out", lossFile, targets[gradFiles.length + 1], result.values(), result.values().shape());
        }
        if (lseFile != null) {
            Tensor lse = result.logSumExp();
            outputs.add("--lse-out", lseFile, targets[gradFiles.length], lse, lse.shape());
        }
        outputs.writeAll();

        JsonObject json = new JsonObject();
        if (lossFile != null) {
            json.put("loss_file", lossFile.toString());
        } else if (result.reduction() == Reduction.NONE) {
            Tensor values = result.values();
            double[] list = new double[Math.toIntExact(values.size())];
            for (int i = 0; i < list.length; i++) {
                list[i] = values.getDouble(i);
            }
            json.put("loss", list);
        } else {
            json.put("loss", result.value());
        }
        json.put("backend", result.backend().id())
                .put("reduction", result.reduction().name().toLowerCase(Locale.ROOT))
                .put("name", loss.name());
        if (result.reduction() == Reduction.NONE) {
            json.put("loss_shape", result.values().shape());
        }
        StringJoiner inputShapes = new StringJoiner(", ", "[", "]");
        for (long[] s : shapes) {
            inputShapes.add(JsonObject.array(s));
        }
        json.raw("input_shapes", inputShapes.toString()).raw("gradients", gradients.toString());
        InputTypes.describe(json, tensors, as);
        if (rowStatistics(loss)) {
            json.put("denominator", result.denominator()).put("z_loss", result.zLoss());
            if (lseFile != null) {
                json.put("lse_file", lseFile.toString());
            }
        }
        spec.commandLine().getOut().println(json);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The named loss with its parameters and reduction. */
    private Loss configuredLoss() {
        Loss loss = withParams(lossName, params);
        try {
            return loss.reduction(Reduction.parse(reduction));
        } catch (InvalidInputException e) {
            throw BadArgumentException.relabel(e, "--reduction");
        } catch (IllegalArgumentException e) {
            throw new BadArgumentException("--" + e.getMessage(), e);
        }
    }

    /** The loss named by {@code --loss} with the {@code --param key=value} options applied. */
    static Loss withParams(String lossName, List<String> params) {
        Loss loss;
        try {
            loss = Losses.byName(lossName);
        } catch (InvalidInputException e) {
            throw BadArgumentException.relabel(e, "--loss");
        }
        Set<String> seen = new HashSet<>();
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new BadArgumentException("--param " + p + ": expected key=value; keys for " + loss.name()
                        + ": " + known(loss));
            }
            String key = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!seen.add(key)) {
                throw new BadArgumentException("--param " + key + ": given more than once");
            }
            loss = LossParameters.apply(loss, key, p.substring(eq + 1));
        }
        return loss;
    }

    private static String known(Loss loss) {
        Set<String> keys = LossParameters.keys(loss);
        return keys.isEmpty() ? "none" : String.join(", ", keys);
    }

    /** The gradient files asked for, by input; refuses gradients the loss does not have and clashing paths. */
    private Path[] gradientFiles(InputFlags io) {
        Loss loss = io.loss();
        String[] asked = io.gradFiles();
        Path[] files = new Path[loss.arity()];
        Set<Path> seen = new HashSet<>();
        for (int k = 0; k < asked.length; k++) {
            if (asked[k] == null) {
                continue;
            }
            String flag = io.gradFlags()[k];
            if (k >= loss.arity()) {
                throw new BadArgumentException(flag + " " + asked[k] + ": " + loss.name() + " has only " + loss.arity()
                        + " inputs " + loss.inputNames() + ", no input " + (k + 1));
            }
            if (!loss.differentiable(k)) {
                throw new BadArgumentException(flag + " " + asked[k] + ": " + loss.name() + " has no gradient with respect to "
                        + loss.inputNames().get(k) + " (input " + (k + 1) + ", " + io.inputFlags()[k] + ")");
            }
            Path p = outputPath(flag, asked[k]);
            if (!seen.add(p.toAbsolutePath().normalize())) {
                throw new BadArgumentException(flag + " " + asked[k] + ": the same file is given for another gradient");
            }
            files[k] = p;
        }
        return files;
    }

    /** Whether the loss reports a denominator, z-loss part and per-row log-sum-exp. */
    private static boolean rowStatistics(Loss loss) {
        return loss.name().equals("softmax_cross_entropy") || loss.name().equals("linear_cross_entropy");
    }

    /** The {@code --lse-out} file, or null; only the softmax cross-entropies report a log-sum-exp. */
    private Path lseFile(Loss loss, Path[] gradFiles) {
        if (lseOut == null) {
            return null;
        }
        if (!rowStatistics(loss)) {
            throw new BadArgumentException("--lse-out " + lseOut + ": only softmax_cross_entropy and linear_cross_entropy"
                    + " have a per-row log-sum-exp, not " + loss.name());
        }
        Path p = outputPath("--lse-out", lseOut);
        for (Path g : gradFiles) {
            if (g != null && g.toAbsolutePath().normalize().equals(p.toAbsolutePath().normalize())) {
                throw new BadArgumentException("--lse-out " + lseOut + ": the same file is given for a gradient");
            }
        }
        return p;
    }

    /** An output file's path: not a directory, in a directory that exists. */
    private static Path outputPath(String flag, String file) {
        if (file.endsWith("/") || file.endsWith(java.io.File.separator)) {
            throw new BadArgumentException(flag + " " + file + ": names a directory (trailing " + "/" + "), not a file");
        }
        Path p = path(flag, file);
        Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BadArgumentException(flag + " " + file + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(p)) {
            throw new BadArgumentException(flag + " " + file + ": is a directory");
        }
        return p;
    }

    /**
     * Where each gradient goes ({@link NpyOutputs#target}: symbolic links resolved, special files
     * checked), refusing a gradient that is an input or another gradient by real path (the real
     * directory plus the name), so that {@code --grad-out in.npy}, {@code ./tgt.npy} or two names for
     * one file through a symlinked folder cannot overwrite an input or lose a gradient.
     */
    private NpyOutputs.Target[] targets(InputFlags io, Path[] gradFiles, Path lseFile, Path lossFile) {
        NpyOutputs.Target[] targets = new NpyOutputs.Target[gradFiles.length + 2];
        java.util.Map<Path, String> taken = new java.util.HashMap<>();
        String[] inputs = plus(io.inputFiles(), weight);
        String[] inputFlags = plus(io.inputFlags(), "--weight");
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && !inputs[i].isEmpty()) {
                try {
                    taken.putIfAbsent(path(inputFlags[i], Npz.file(inputs[i])).toRealPath(), inputFlags[i] + " " + inputs[i]);
                } catch (IOException | RuntimeException unreadable) {
                    // reported when it is read
                }
            }
        }
        for (int k = 0; k < targets.length; k++) {
            Path file = k < gradFiles.length ? gradFiles[k] : k == gradFiles.length ? lseFile : lossFile;
            if (file == null) {
                continue;
            }
            String flag = k < gradFiles.length ? io.gradFlags()[k] : k == gradFiles.length ? "--lse-out" : "--loss-out";
            NpyOutputs.Target t = NpyOutputs.target(flag, file);
            String other = t.inPlace() ? null : taken.putIfAbsent(t.file(), flag + " " + file);
            if (other != null) {
                throw new BadArgumentException(flag + " " + file + ": is the same file as " + other
                        + " (" + t.file() + "); refusing to overwrite it");
            }
            targets[k] = t;
        }
        return targets;
    }

    /** The --loss-out file: only for reduction none, not one of the gradient files, in an existing directory. */
    private Path lossFile(Loss loss, Path[] gradFiles) {
        if (lossOut == null) {
            return null;
        }
        if (loss.reduction() != Reduction.NONE) {
            throw new BadArgumentException("--loss-out " + lossOut + ": only with --reduction=none (the "
                    + loss.reduction().name().toLowerCase(Locale.ROOT) + " loss is one number, in the JSON line)");
        }
        Path p = path("--loss-out", lossOut);
        for (Path g : gradFiles) {
            if (g != null && g.toAbsolutePath().normalize().equals(p.toAbsolutePath().normalize())) {
                throw new BadArgumentException("--loss-out " + lossOut + ": the same file is given for a gradient");
            }
        }
        Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir) || Files.isDirectory(p)) {
            throw new BadArgumentException("--loss-out " + lossOut + ": " + (Files.isDirectory(p) ? "is a directory"
                    : "directory " + dir + " does not exist"));
        }
        return p;
    }

    private Loss withWeight(Loss loss) {
        LossParameters.requireWeight(loss);
        Npy.NpyArray w = read("--weight", weight);
        if (LossParameters.classWeights(loss) && w.shape().length != 1) {
            throw new BadArgumentException("--weight " + weight + ": class weights must be a 1-D array [C], got shape "
                    + java.util.Arrays.toString(w.shape()));
        }
        return LossParameters.withWeight(loss, w.asFloat().toFloatArray());
    }

    private static Path path(String flag, String file) {
        try {
            return Paths.get(file);
        } catch (InvalidPathException e) {
            throw new BadArgumentException(flag + " " + file + ": invalid path: " + e.getMessage(), e);
        }
    }

    private static Npy.NpyArray read(String flag, String file) {
        return npy(flag, file, p -> Npz.isNpz(file) ? Npz.read(p, file) : Npy.read(p));
    }

    /**
     * What {@code action} makes of {@code file} (for {@code F.npz:NAME}, of the archive); its failures
     * are one line that starts with {@code flag}.
     */
    private static <T> T npy(String flag, String file, NpyAction<T> action) {
        if (file.isEmpty()) {
            throw new BadArgumentException(flag + ": empty file name");
        }
        Path p = path(flag, Npz.file(file));
        try {
            return action.apply(p);
        } catch (NoSuchFileException e) {
            throw new BadArgumentException(flag + " " + file + ": no such file", e);
        } catch (NpyFormatException e) {
            throw new BadArgumentException(flag + " " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BadArgumentException(flag + " " + file + ": cannot read: " + e, e);
        }
    }

    private interface NpyAction<T> {
        T apply(Path file) throws IOException;
    }

    /**
     * Refuses, before any data is read, inputs whose arrays (with a float32 copy of integer arrays
     * that are not class indices) and the gradients asked for would take more than
     * {@link Npy#HEAP_SHARE} of the JVM's maximum heap: one line naming the file that crosses it, its
     * shape, and the {@code -Xmx} to use (a 2 GB input used to end in an OutOfMemoryError).
     */
    private void requireHeap(InputFlags io, Path[] gradFiles) {
        String[] files = plus(io.inputFiles(), weight);
        String[] flags = plus(io.inputFlags(), "--weight");
        int inputs = io.inputFiles().length;
        long needed = 0;
        for (int i = 0; i < files.length; i++) {
            if (files[i] == null || (i < inputs && i >= io.loss().arity()) || Npz.isNpz(files[i])) {
                continue; // an .npz member's header is inside the archive: checked as it is read
            }
            Npy.Header h = npy(flags[i], files[i], Npy::header);
            boolean integer = h.descr().startsWith("<i");
            needed += h.heapBytes() + (integer ? 4 * h.count() : 0);
            if (i < gradFiles.length && gradFiles[i] != null) {
                needed += 4 * h.count();
            }
            if (needed > Npy.HEAP_SHARE * Runtime.getRuntime().maxMemory()) {
                throw new BadArgumentException(flags[i] + " " + Npy.tooLarge(files[i], h, needed,
                        " with the inputs before it and the gradients asked for").getMessage());
            }
        }
    }

    private LossEngine openEngine() {
        return openEngine(builder(threads), backend);
    }

    /** A builder with {@code --threads} applied (when given), shared with {@code bench}. */
    static LossEngine.Builder builder(Integer threads) {
        LossEngine.Builder b = LossEngine.builder();
        if (threads != null) {
            if (threads < 1) {
                throw new BadArgumentException("--threads " + threads + ": must be >= 1");
            }
            b.threads(threads);
        }
        return b;
    }

    /** Opens {@code builder}'s engine on {@code --backend} (or the default); refusals name the flag. */
    static LossEngine openEngine(LossEngine.Builder builder, String backend) {
        try {
            if (backend != null) {
                builder.backend(Backend.parse(backend, "--backend"));
            }
            return builder.build();
        } catch (InvalidInputException e) {
            throw new BadArgumentException(e.getMessage(), e);
        } catch (BackendUnavailableException e) {
            String source = backend != null ? "--backend " + backend
                    : "backend (system property lossengine.backend / LOSSENGINE_BACKEND)";
            throw new BadArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static LossResult run(LossEngine engine, Loss loss, Tensor[] inputs, Path[] gradFiles) {
        try {
            boolean any = false;
            Tensor[] grads = new Tensor[inputs.length];
            for (int k = 0; k < gradFiles.length; k++) {
                if (gradFiles[k] != null) {
                    // in the input's dtype, as LossEngine.compute gives it
                    DType d = inputs[k].dtype();
                    grads[k] = Tensor.zeros(d.isHalf() ? d : DType.FLOAT32, inputs[k].shape());
                    any = true;
                }
            }
            return any ? engine.computeInto(loss, inputs, grads) : engine.evaluate(loss, inputs);
        } catch (InvalidInputException e) {
            throw describe(e, loss);
        }
    }

    /** The library's message, its argument name mapped to the flag that supplied it. */
    static BadArgumentException describe(InvalidInputException e, Loss loss) {
        return InputFlags.describe(e, loss);
    }

    /** {@code items} and then {@code last}. */
    private static String[] plus(String[] items, String last) {
        String[] out = java.util.Arrays.copyOf(items, items.length + 1);
        out[items.length] = last;
        return out;
    }
}
