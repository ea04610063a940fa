package io.github.lossengine.cli;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendInfo;
import io.github.lossengine.LossEngine;
import java.io.PrintWriter;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lossengine info}: the backend {@link LossEngine#create()} picks on this machine and why
 * (honouring {@code -Dlossengine.backend} and {@code LOSSENGINE_BACKEND}), the device detail, every
 * rejected backend with its reason, the Java runtime, and the backends lossengine knows. Text by
 * default; {@code --json} prints one JSON object on one line.
 */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Shows the backend lossengine picks on this machine, and why.",
                "Also lists every rejected backend with its reason, and the Java runtime."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "One JSON object on one line instead of text.")
    private boolean json;

    @Override
    public Integer call() {
        BackendInfo info;
        try (LossEngine engine = LossEngine.create()) {
            info = engine.backend();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? json(info) : text(info));
        out.flush();
        return 0;
    }

    private static String text(BackendInfo info) {
        StringBuilder sb = new StringBuilder();
        sb.append("lossengine ").append(Main.Version.version()).append('\n');
        sb.append(info.describe());
        sb.append("java: ").append(System.getProperty("java.version")).append(" (")
                .append(System.getProperty("java.vendor")).append(", ")
                .append(System.getProperty("java.vm.name")).append(")\n");
        StringJoiner known = new StringJoiner(", ");
        for (Backend b : Backend.values()) {
            if (b != Backend.AUTO) {
                known.add(b.id());
            }
        }
        sb.append("known backends: ").append(known).append(" (force one with -Dlossengine.backend, LOSSENGINE_BACKEND or compute --backend)");
        return sb.toString();
    }

    private static String json(BackendInfo info) {
        StringJoiner rejected = new StringJoiner(", ", "[", "]");
        for (BackendInfo.Rejection r : info.rejected()) {
            rejected.add(new JsonObject().put("backend", r.backend().id()).put("reason", r.reason()).toString());
        }
        StringJoiner known = new StringJoiner(", ", "[", "]");
        for (Backend b : Backend.values()) {
            if (b != Backend.AUTO) {
                known.add(JsonObject.string(b.id()));
            }
        }
        JsonObject java = new JsonObject().put("version", System.getProperty("java.version"))
                .put("vendor", System.getProperty("java.vendor")).put("vm", System.getProperty("java.vm.name"));
        return new JsonObject()
                .put("version", Main.Version.version())
                .put("backend", info.active().id())
                .put("reason", info.reason())
                .put("detail", info.detail())
                .raw("rejected", rejected.toString())
                .raw("java", java.toString())
                .raw("known_backends", known.toString())
                .toString();
    }
}
