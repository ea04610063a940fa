package io.github.lossengine.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lossengine version}: the same two lines as {@code lossengine --version}. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Prints the lossengine version and the Java version it runs on.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new Main.Version().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
