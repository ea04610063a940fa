package io.github.lossengine.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.nio.charset.Charset;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * How {@code java -jar lossengine.jar} gets the vectorised CPU kernels: a JVM can only be given
 * {@code --add-modules jdk.incubator.vector} on its command line (a jar manifest has no such
 * attribute), so when the tool's JVM lacks the module but its runtime image has it, {@link Main}
 * starts the tool once more in a child JVM with the same JVM options, class path and arguments plus
 * that flag, and exits with the child's status. The child's standard input and output are the
 * parent's; its standard error too, less the one line the JVM prints for every incubator module
 * ({@value #JVM_WARNING}), so that the tool's stderr stays what it documents.
 *
 * <p>Not relaunched: when the module is already there (started with the flag, or through
 * {@code JDK_JAVA_OPTIONS}), when the runtime has no such module (a jlinked image without it), on
 * a module path, inside the child itself (environment variable {@value #MARKER}), with
 * {@code -Dlossengine.relaunch=false} or {@code LOSSENGINE_RELAUNCH=false}, and when the child
 * cannot be started: then the tool runs in this JVM on the scalar kernels, which
 * {@code lossengine --verbose info} shows. Costs one JVM start (a few hundred milliseconds).
 */
final class VectorRelaunch {
    static final String MODULE = "jdk.incubator.vector";
    static final String MARKER = "LOSSENGINE_RELAUNCHED";
    static final String PROPERTY = "lossengine.relaunch";
    static final String ENV = "LOSSENGINE_RELAUNCH";
    static final String JVM_WARNING = "WARNING: Using incubator modules: " + MODULE;

    private VectorRelaunch() {
    }

    /**
     * Whether to start the child JVM.
     *
     * @param inBootLayer   the module is in this JVM
     * @param inImage       the runtime image has the module
     * @param modulePath    this JVM was started with a module path
     * @param marker        the value of {@value #MARKER} (set in the child)
     * @param property      the value of {@value #PROPERTY}
     * @param env           the value of {@value #ENV}
     */
    static boolean wanted(boolean inBootLayer, boolean inImage, boolean modulePath, String marker, String property,
                          String env) {
        return !inBootLayer && inImage && !modulePath && marker == null && !"false".equalsIgnoreCase(property)
                && !"false".equalsIgnoreCase(env);
    }

    /** The child's command line: this JVM's options, the module flag, the class path, {@link Main}, the arguments. */
    static List<String> command(String java, List<String> jvmOptions, String classPath, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("--add-modules");
        cmd.add(MODULE);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The child's exit status, or empty when the tool should run in this JVM. */
    static OptionalInt relaunch(String[] args) {
        if (!wanted(ModuleLayer.boot().findModule(MODULE).isPresent(), ModuleFinder.ofSystem().find(MODULE).isPresent(),
                System.getProperty("jdk.module.path") != null, System.getenv(MARKER), System.getProperty(PROPERTY),
                System.getenv(ENV))) {
            return OptionalInt.empty();
        }
        List<String> cmd = command(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getProperty("java.class.path"), args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(MARKER, "1");
        // its options are already in this JVM's input arguments: the child would read them twice
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process child;
        try {
            child = pb.start();
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
        Thread kill = new Thread(child::destroy, "lossengine-relaunch-stop");
        Runtime.getRuntime().addShutdownHook(kill);
        Thread errors = new Thread(() -> forwardErrors(child, System.err), "lossengine-relaunch-stderr");
        errors.start();
        try {
            int status = child.waitFor();
            errors.join();
            Runtime.getRuntime().removeShutdownHook(kill);
            return OptionalInt.of(status);
        } catch (InterruptedException e) {
            child.destroy();
            Thread.currentThread().interrupt();
            return OptionalInt.of(Main.INTERNAL_ERROR);
        }
    }

    /** Copies the child's stderr, line by line, less the JVM's incubator warning. */
    private static void forwardErrors(Process child, PrintStream err) {
        Charset cs = Charset.defaultCharset();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getErrorStream(), cs))) {
            copyLines(r, err);
        } catch (IOException e) {
            err.println("lossengine: lost the tool's error output: " + e);
        }
    }

    /** Writes every line of {@code in} to {@code out} except {@value #JVM_WARNING}. */
    static void copyLines(BufferedReader in, OutputStream out) throws IOException {
        PrintStream p = out instanceof PrintStream ? (PrintStream) out : new PrintStream(out, true,
                Charset.defaultCharset().name());
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.equals(JVM_WARNING)) {
                p.println(line);
                p.flush();
            }
        }
    }
}
