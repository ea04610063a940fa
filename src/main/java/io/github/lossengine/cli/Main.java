package io.github.lossengine.cli;

import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/**
 * The {@code lossengine} command-line tool: {@code lossengine [--verbose] compute|info|demo|bench|list|version ...}.
 *
 * <p>Exit status: 0 on success, 2 for bad arguments or input (one line on stderr naming the
 * argument), 1 for an internal error. stdout carries only the command's output; logging goes to
 * stderr, warnings only unless {@code --verbose}.
 *
 * <p>Logging: {@link #main} points {@code logback.configurationFile} at the tool's own configuration
 * ({@value #LOGBACK_CONFIGURATION}) unless the user set that property, before any logger exists. The
 * library jar carries no {@code logback.xml}, so it never configures its users' logging.
 *
 * <p>A new subcommand is one more class in the {@code subcommands} list below.
 */
@Command(name = "lossengine", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Training losses and their gradients on the CPU or a GPU.",
        subcommands = {
            ComputeCommand.class,
            InfoCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            ListCommand.class,
            VersionCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main {
    /** The tool's logback configuration, a class-path resource. */
    static final String LOGBACK_CONFIGURATION = "io/github/lossengine/cli/logback-cli.xml";
    static final String LOGBACK_PROPERTY = "logback.configurationFile";
    static final int BAD_INPUT = 2;
    static final int INTERNAL_ERROR = 1;

    @Option(names = {"-v", "--verbose"}, description = "Log at INFO (backend choice, ...) and print stack traces of internal errors.")
    private boolean verbose;

    /**
     * Runs the tool and exits with its status: in a child JVM with the Vector API enabled when this
     * one lacks it ({@link VectorRelaunch}), else here.
     */
    public static void main(String[] args) {
        OptionalInt relaunched = VectorRelaunch.relaunch(args);
        if (relaunched.isPresent()) {
            System.exit(relaunched.getAsInt());
        }
        if (System.getProperty(LOGBACK_PROPERTY) == null) {
            System.setProperty(LOGBACK_PROPERTY, LOGBACK_CONFIGURATION);
        }
        System.exit(execute(args));
    }

    /** Runs the tool on {@code System.out} and {@code System.err}; returns the exit status. */
    public static int execute(String... args) {
        // the file descriptor itself, not System.out (a PrintStream that swallows write errors), so that a
        // full disk or a closed pipe is seen by checkError() below
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new java.io.FileOutputStream(java.io.FileDescriptor.out),
                StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return execute(out, err, args);
    }

    /** Runs the tool with the given output streams; returns the exit status. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        Main main = new Main();
        CommandLine cmd = new CommandLine(main);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionStrategy(parsed -> {
            CliLogging.Level level = CliLogging.infoIf(main.verbose);
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                level.close();
            }
        });
        cmd.setParameterExceptionHandler((e, a) -> {
            String name = e.getCommandLine().getCommandSpec().qualifiedName();
            e.getCommandLine().getErr().println(name + ": " + oneLine(e.getMessage()) + " (see '" + name + " --help')");
            return BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            String name = commandLine.getCommandSpec().qualifiedName();
            PrintWriter w = commandLine.getErr();
            if (e instanceof BadArgumentException || e instanceof InvalidInputException
                    || e instanceof BackendUnavailableException) {
                w.println(name + ": " + oneLine(e.getMessage()));
                return BAD_INPUT;
            }
            w.println(name + ": internal error: " + oneLine(e.toString()));
            if (main.verbose) {
                e.printStackTrace(w);
            }
            return INTERNAL_ERROR;
        });
        int status = cmd.execute(args);
        if (out.checkError()) {
            // compute > /dev/full, a closed pipe: the result is lost, so this is not a success
            err.println("lossengine: cannot write the result to standard output (full disk or closed pipe?)");
            status = status == 0 ? INTERNAL_ERROR : status;
        }
        err.flush();
        return status;
    }

    private static String oneLine(String s) {
        return String.valueOf(s).replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** The project version, from a resource Maven fills in at build time. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lossengine " + version(), "Java " + System.getProperty("java.version")};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return "unknown";
            }
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        }
    }
}
