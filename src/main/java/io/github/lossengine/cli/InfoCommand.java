package io.github.lossengine.cli;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendInfo;
import io.github.lossengine.LossEngine;
import io.github.lossengine.cuda.CublasProbe;
import io.github.lossengine.spi.Probe;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lossengine info}: the backend {@link LossEngine#create()} picks on this machine and why
 * (honouring {@code -Dlossengine.backend} and {@code LOSSENGINE_BACKEND}), the device detail, every
 * rejected backend with its reason, the status of every other backend (what its probe says: with a
 * forced backend nothing is rejected, and CUDA's reason is still shown this way), the Java runtime,
 * and the backends lossengine knows. Text by default; {@code --json} prints one JSON object on one
 * line.
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
        List<Other> others = others(info, LossEngine.probeBackends());
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? json(info, others) : text(info, others));
        out.flush();
        return 0;
    }

    /** A backend the engine's report does not mention, and what its probe says. */
    record Other(Backend backend, boolean available, String reason) {
        @Override
        public String toString() {
            return "not used " + backend.id() + ": " + (available ? "available: " : "unavailable: ") + reason;
        }
    }

    /** The backends of {@code probes} that are neither {@code info}'s active backend nor among its rejections. */
    static List<Other> others(BackendInfo info, Map<Backend, Probe> probes) {
        List<Other> out = new ArrayList<>();
        probes.forEach((b, probe) -> {
            if (b != info.active() && info.rejected().stream().noneMatch(r -> r.backend() == b)) {
                out.add(new Other(b, probe.available(), probe.reason()));
            }
        });
        return out;
    }

    private static String text(BackendInfo info, List<Other> others) {
        StringBuilder sb = new StringBuilder();
        sb.append("lossengine ").append(Main.Version.version()).append('\n');
        sb.append(info.describe());
        for (Other o : others) {
            sb.append(o).append('\n');
        }
        sb.append(CublasProbe.line()).append('\n');
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

    private static String json(BackendInfo info, List<Other> others) {
        StringJoiner rejected = new StringJoiner(", ", "[", "]");
        for (BackendInfo.Rejection r : info.rejected()) {
            rejected.add(new JsonObject().put("backend", r.backend().id()).put("reason", r.reason()).toString());
        }
        StringJoiner notUsed = new StringJoiner(", ", "[", "]");
        for (Other o : others) {
            notUsed.add(new JsonObject().put("backend", o.backend().id()).raw("available", Boolean.toString(o.available()))
                    .put("reason", o.reason()).toString());
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
                .raw("not_used", notUsed.toString())
                .put("cublas", CublasProbe.line())
                .raw("java", java.toString())
                .raw("known_backends", known.toString())
                .toString();
    }
}
