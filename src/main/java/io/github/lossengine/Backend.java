package io.github.lossengine;

import java.util.Locale;

/** The compute backends lossengine knows, and {@link #AUTO} for "the best available". */
public enum Backend {
    /** Pick the best available: CUDA, then an OpenCL GPU, then the CPU. */
    AUTO,
    /** Pure Java. Always available; the reference every other backend is checked against. */
    CPU,
    /** NVIDIA GPUs through the JCuda driver API. */
    CUDA,
    /** OpenCL devices through JOCL (GPUs in automatic selection; also CPU devices when asked for). */
    OPENCL;

    /** Lower-case name, as used by the CLI, the system property and the environment variable. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code auto|cpu|cuda|opencl}, case-insensitively; {@code source} names where the text came from. */
    public static Backend parse(String text, String source) {
        for (Backend b : values()) {
            if (b.name().equalsIgnoreCase(text.trim())) {
                return b;
            }
        }
        throw new InvalidInputException(source, "unknown backend '" + text + "': expected auto, cpu, cuda or opencl");
    }
}
