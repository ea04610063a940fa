package io.github.lossengine.cli;

import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lossengine list}: every loss of the catalogue, its inputs and its {@code --param} keys. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Lists the losses with their inputs and their --param options.")
final class ListCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String name : Losses.names()) {
            Loss loss = Losses.byName(name);
            Set<String> keys = LossParameters.keys(loss);
            out.println(name + "  inputs " + loss.inputNames() + "  params "
                    + (keys.isEmpty() ? "none" : String.join(", ", keys))
                    + (LossParameters.takesWeight(loss) ? "  --weight" : ""));
        }
        out.flush();
        return 0;
    }
}
