package io.github.lossengine.demo;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The backend in words a user reads, e.g. "CPU backend (no CUDA driver found; OpenCL: CPU device
 * only, not used by default)", for the top of the demo page and the terminal; the raw reasons
 * ({@link BackendInfo#describe()}) go in the page's details block.
 */
final class BackendSummary {
    private BackendSummary() {
    }

    /** One plain-ASCII line: the active backend and, in short, why each other one was not used. */
    static String headline(BackendInfo info) {
        List<String> why = new ArrayList<>();
        for (BackendInfo.Rejection r : info.rejected()) {
            why.add(shortReason(r.backend(), r.reason()));
        }
        if (why.isEmpty()) {
            why.add(info.reason());
        }
        return ascii(name(info.active()) + " backend (" + String.join("; ", why) + ")");
    }

    static String name(Backend b) {
        return b == Backend.OPENCL ? "OpenCL" : b.id().toUpperCase(Locale.ROOT);
    }

    /** The gist of a probe's reason; the known ones in a few words, any other as the backend and its first clause. */
    static String shortReason(Backend backend, String reason) {
        if (reason.startsWith("no CUDA driver")) {
            return "no CUDA driver found";
        }
        if (reason.startsWith("the JCuda driver binding could not be loaded")) {
            return "CUDA: JCuda's native library could not be loaded";
        }
        if (reason.startsWith("only an OpenCL CPU device")) {
            return "OpenCL: CPU device only, not used by default";
        }
        if (reason.startsWith("only PoCL")) {
            return "OpenCL: PoCL (a CPU device) only, not used by default";
        }
        if (reason.startsWith("no OpenCL device found")) {
            return "no OpenCL device found";
        }
        int cut = reason.length();
        for (String stop : new String[] {" (", ": ", "; "}) {
            int at = reason.indexOf(stop);
            if (at > 0) {
                cut = Math.min(cut, at);
            }
        }
        return name(backend) + ": " + reason.substring(0, Math.min(cut, 80));
    }

    private static String ascii(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
