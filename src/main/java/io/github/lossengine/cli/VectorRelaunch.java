package io.github.lossengine.cli;

import io.github.lossengine.spi.SignalChaining;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * How {@code java -jar lossengine.jar} gets what only a JVM's command line can give it: the
 * vectorised CPU kernels need {@code --add-modules jdk.incubator.vector} (a jar manifest has no such
 * attribute), and a JVM that may open PoCL needs HotSpot's {@code libjsig} preloaded, or PoCL's LLVM
 * takes the JVM's SIGSEGV handler and a safepoint can end the process
 * ({@link io.github.lossengine.spi.SignalChaining}). When this JVM lacks either and can have it,
 * {@link Main} starts the tool once more in a child JVM with the same JVM options, class path and
 * arguments, plus the module flag and {@code LD_PRELOAD} of the JDK's {@code libjsig.so} as needed,
 * and exits with the child's status. The child's standard input and output are the parent's; its
 * standard error too, less the one line the JVM prints for every incubator module
 * ({@value #JVM_WARNING}), so that the tool's stderr stays what it documents.
 *
 * <p>Not relaunched: when nothing is missing (started with the flag, or through
 * {@code JDK_JAVA_OPTIONS}, and with {@code libjsig} preloaded or not on this JDK), when what is
 * missing cannot be had (a jlinked image without the module, no {@code libjsig.so}), on a module
 * path, inside the child itself (environment variable {@value #MARKER}, the parent's PID: the
 * child ends when the parent is gone, {@link #endWithParent}), under a debugger (a JDWP agent in
 * the JVM options, {@link #debugging}: the tool runs in the JVM the debugger is attached to), with
 * {@code -Dlossengine.relaunch=false} or {@code LOSSENGINE_RELAUNCH=false}, and when the child
 * cannot be started: then the tool runs in this JVM (on the scalar kernels where the module is
 * missing, which {@code lossengine --verbose info} shows). Costs one JVM start (a few hundred
 * milliseconds).
 */
final class VectorRelaunch {
    static final String MODULE = "jdk.incubator.vector";
    static final String MARKER = "LOSSENGINE_RELAUNCHED";
    static final String PROPERTY = "lossengine.relaunch";
    static final String ENV = "LOSSENGINE_RELAUNCH";
    static final String JVM_WARNING = "WARNING: Using incubator modules: " + MODULE;
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private VectorRelaunch() {
    }

    /**
     * What the child JVM would add; {@link #wanted()} is whether to start it.
     *
     * @param addModule add {@code --add-modules} {@value #MODULE}
     * @param preload   the {@code libjsig.so} to preload, or {@code null}
     */
    record Plan(boolean addModule, String preload) {
        boolean wanted() {
            return addModule || preload != null;
        }
    }

    /**
     * What to start the child JVM for.
     *
     * @param inBootLayer the module is in this JVM
     * @param inImage     the runtime image has the module
     * @param jsig        the JDK's {@code libjsig.so} when this JVM has it but did not preload it, else {@code null}
     * @param modulePath  this JVM was started with a module path
     * @param marker      the value of {@value #MARKER} (set in the child)
     * @param property    the value of {@value #PROPERTY}
     * @param env         the value of {@value #ENV}
     */
    static Plan plan(boolean inBootLayer, boolean inImage, String jsig, boolean modulePath, String marker,
                     String property, String env) {
        if (modulePath || marker != null || "false".equalsIgnoreCase(property) || "false".equalsIgnoreCase(env)) {
            return new Plan(false, null);
        }
        return new Plan(!inBootLayer && inImage, jsig);
    }

    /**
     * The child's command line: this JVM's options, the module flag when the plan adds it,
     * {@value #NATIVE_ACCESS} unless the options name native access already (the jar manifest's
     * {@code Enable-Native-Access} does not apply to a {@code -cp} launch; without it JDK 24+ warns
     * when JCuda and JOCL load their libraries; JDK 17 to 23 accept the flag), the class path,
     * {@link Main}, the arguments.
     */
    static List<String> command(String java, List<String> jvmOptions, boolean addModule, String classPath, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("--enable-native-access"))) {
            cmd.add(NATIVE_ACCESS);
        }
        if (addModule) {
            cmd.add("--add-modules");
            cmd.add(MODULE);
        }
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code LD_PRELOAD} for the child: {@code jsig} first, then what this process had. */
    static String preload(String jsig, String current) {
        return current == null || current.isBlank() ? jsig : jsig + ":" + current;
    }

    /**
     * Whether these JVM options load a debugger agent (JDWP): then the tool runs in this JVM, the one
     * the debugger is attached to, and no child is started (a child given the same agent could not
     * bind its port).
     */
    static boolean debugging(List<String> jvmOptions) {
        return jvmOptions.stream().anyMatch(o -> o.startsWith("-agentlib:jdwp") || o.startsWith("-Xrunjdwp")
                || o.startsWith("-agentpath:") && o.contains("jdwp"));
    }

    /**
     * In the child (whose {@value #MARKER} is the parent's PID): ends this JVM, with status 1 and its
     * shutdown hooks (temporary files removed), when the parent is gone, so that a SIGKILLed parent
     * does not leave a child that later writes its outputs. Not a daemon-free wait: the JDK polls a
     * process that is not its child from its own daemon thread.
     */
    static void endWithParent(String marker) {
        long pid;
        try {
            pid = Long.parseLong(marker);
        } catch (NumberFormatException notAPid) {
            return;
        }
        java.util.Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        boolean ours = parent.isPresent() && ProcessHandle.current().parent().map(p -> p.pid() == pid).orElse(false);
        if (!ours) {
            Runtime.getRuntime().exit(Main.INTERNAL_ERROR); // the parent died before we got here
        }
        parent.get().onExit().thenRun(() -> Runtime.getRuntime().exit(Main.INTERNAL_ERROR));
    }

    /** The child's exit status, or empty when the tool should run in this JVM. */
    static OptionalInt relaunch(String[] args) {
        if (System.getenv(MARKER) != null) {
            endWithParent(System.getenv(MARKER));
        }
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (debugging(jvmOptions)) {
            return OptionalInt.empty();
        }
        String jsig = SignalChaining.active() ? null : SignalChaining.library().map(Path::toString).orElse(null);
        Plan plan = plan(ModuleLayer.boot().findModule(MODULE).isPresent(), ModuleFinder.ofSystem().find(MODULE).isPresent(),
                jsig, System.getProperty("jdk.module.path") != null, System.getenv(MARKER), System.getProperty(PROPERTY),
                System.getenv(ENV));
        if (!plan.wanted()) {
            return OptionalInt.empty();
        }
        List<String> cmd = command(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                jvmOptions, plan.addModule(),
                System.getProperty("java.class.path"), args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(MARKER, Long.toString(ProcessHandle.current().pid()));
        if (plan.preload() != null) {
            pb.environment().put("LD_PRELOAD", preload(plan.preload(), pb.environment().get("LD_PRELOAD")));
        }
        // their options are already in this JVM's input arguments: the child would apply them twice
        // (a -javaagent run twice, JDWP's "Cannot load this JVM TI agent twice")
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process child;
        try {
            child = pb.start();
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
        // stopped (SIGTERM, Ctrl-C): stop the child the same way, and wait a little for its own cleanup
        Thread kill = new Thread(() -> {
            child.destroy();
            try {
                child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lossengine-relaunch-stop");
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

    /** Copies the child's stderr as it comes, less the JVM's incubator warning. */
    private static void forwardErrors(Process child, PrintStream err) {
        try (InputStream in = child.getErrorStream()) {
            copyErrors(in, err);
        } catch (IOException e) {
            err.println("lossengine: lost the tool's error output: " + e);
        }
    }

    /**
     * Copies {@code in} to {@code out} byte for byte, flushing after every read so that a progress
     * bar's redraws ({@code '\r'} and no newline) show at once, except each whole line that is
     * exactly {@value #JVM_WARNING} (ended by {@code "\n"} or {@code "\r\n"}). Only the start of a
     * line that could still become that warning is held back, until it does or cannot.
     */
    static void copyErrors(InputStream in, OutputStream out) throws IOException {
        byte[] lf = (JVM_WARNING + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] crlf = (JVM_WARNING + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[8192];
        ByteArrayOutputStream pass = new ByteArrayOutputStream();
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        boolean maybeWarning = true; // the current line so far is the start of the warning
        boolean asLf = true;
        boolean asCrlf = true;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (!maybeWarning) {
                    pass.write(b);
                    maybeWarning = b == '\n';
                    continue;
                }
                int k = held.size();
                held.write(b);
                asLf = asLf && k < lf.length && lf[k] == b;
                asCrlf = asCrlf && k < crlf.length && crlf[k] == b;
                boolean warningEnds = asLf && k + 1 == lf.length || asCrlf && k + 1 == crlf.length;
                if (warningEnds || !asLf && !asCrlf) {
                    if (!warningEnds) {
                        held.writeTo(pass);
                        maybeWarning = b == '\n';
                    }
                    held.reset();
                    asLf = true;
                    asCrlf = true;
                }
            }
            pass.writeTo(out);
            pass.reset();
            out.flush();
        }
        held.writeTo(out);
        out.flush();
    }
}
