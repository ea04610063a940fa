package io.github.lossengine.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;

/**
 * HotSpot's signal-chaining library {@code libjsig}: whether this JVM was started with it, and where
 * the running JDK keeps it.
 *
 * <p>HotSpot itself relies on {@code SIGSEGV} (safepoint polls, implicit null checks). A native
 * library that installs its own handler for it takes that signal away from the JVM, and the next
 * safepoint that finds a thread in compiled code ends the process with "Segmentation fault" and no
 * {@code hs_err} file. PoCL does so: initialising its CPU device ({@code clGetDeviceIDs}) brings up
 * LLVM, which installs its crash handlers for SIGSEGV, SIGBUS, SIGILL and SIGFPE. Measured here
 * (Debian's PoCL 3.1, LLVM 15, OpenJDK 17): after an OpenCL probe that opened PoCL,
 * {@code lossengine bench} on a 4096 x 32768 softmax cross-entropy died with SIGSEGV in 8 of 12
 * runs; {@code -Xcheck:jni} reports "SIGSEGV handler modified". Preloading {@code libjsig}
 * ({@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}) makes such a library's {@code sigaction} chain
 * behind the JVM's handler instead of replacing it: 0 of 12 runs crashed (docs/GPU.md).
 *
 * <p>Stateless and thread-safe; reads {@code /proc/self/maps} when asked.
 */
public final class SignalChaining {
    private SignalChaining() {
    }

    /** Whether {@code libjsig} is mapped into this process (Linux; false where that cannot be read). */
    public static boolean active() {
        try {
            return mapsLibjsig(Files.readString(Paths.get("/proc/self/maps")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a {@code /proc/PID/maps} text lists {@code libjsig.so}. */
    static boolean mapsLibjsig(String maps) {
        return maps.contains("/libjsig.so");
    }

    /** The running JDK's {@code libjsig.so}, on Linux where it exists. */
    public static Optional<Path> library() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        Path p = Paths.get(System.getProperty("java.home"), "lib", "libjsig.so");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** The advice for a JVM without it: the environment variable that preloads it, or a general hint. */
    public static String advice() {
        return library().map(p -> "start the JVM with LD_PRELOAD=" + p)
                .orElse("start the JVM with HotSpot's libjsig preloaded (LD_PRELOAD=$JAVA_HOME/lib/libjsig.so)");
    }
}
