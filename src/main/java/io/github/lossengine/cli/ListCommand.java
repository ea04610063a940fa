package io.github.lossengine.cli;

import io.github.lossengine.Loss;
import io.github.lossengine.Losses;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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
                    + (LossParameters.takesWeight(loss) ? "  --weight" : "") + aliases(name));
        }
        out.flush();
        return 0;
    }

    /** "  aliases mse_loss" for a loss that has aliases (l1 and PyTorch's names), else "". */
    static String aliases(String name) {
        List<String> names = new ArrayList<>();
        Losses.aliases().forEach((alias, of) -> {
            if (of.equals(name)) {
                names.add(alias);
            }
        });
        return names.isEmpty() ? "" : "  aliases " + String.join(", ", names);
    }
}
