package io.github.lossengine.cpu;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link Gemm} of the fused {@code linear_cross_entropy}, like a backend: OpenBLAS
 * ({@link OpenBlasGemm}) when its classes and native library load and pass a self-test, else the
 * kernels' Java GEMM ({@link FloatKernels#gemm()}: the Vector API one, or {@link BlockedGemm}), with
 * the reason recorded. The system property {@value #PROPERTY} (or the environment variable
 * {@value #ENV}) = {@code auto} (default), {@code openblas} (demanded: a call fails with the reason
 * when it does not load, never a silent fallback) or {@code java} (never load it).
 *
 * <p>OpenBLAS is probed once per JVM, on the first call of {@link #choose} (never in a static
 * initialiser), and the outcome is logged once at INFO. Thread-safe.
 */
final class GemmSelection {
    static final String PROPERTY = "lossengine.gemm";
    static final String ENV = "LOSSENGINE_GEMM";
    /** The coordinates a user adds to get OpenBLAS (pinned in the pom). */
    static final String COORDINATES = "org.bytedeco:openblas:0.3.31-1.5.13 and org.bytedeco:openblas:0.3.31-1.5.13:linux-x86_64 "
            + "(with org.bytedeco:javacpp:1.5.13 and its linux-x86_64 natives)";
    private static final Logger LOG = LoggerFactory.getLogger(GemmSelection.class);
    private static final Object LOCK = new Object();
    private static OpenBlasGemm openBlas;
    private static String openBlasFailure;

    /** The GEMM in use and the one-line account of why; {@code gemm} is null when OpenBLAS was demanded and does not load. */
    record Choice(Gemm gemm, String reason) {
        String line() {
            return (gemm == null ? "none" : gemm.description()) + " (" + reason + ")";
        }
    }

    private GemmSelection() {
    }

    /** The choice for the given kernels, from {@value #PROPERTY} or {@value #ENV}. */
    static Choice choose(FloatKernels kernels) {
        String setting = System.getProperty(PROPERTY);
        if (setting == null) {
            setting = System.getenv(ENV);
        }
        return choose(setting, kernels);
    }

    /** The choice for a setting ({@code auto}, {@code openblas}, {@code java}; null means auto). */
    static Choice choose(String setting, FloatKernels kernels) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "java":
                return new Choice(kernels.gemm(), "OpenBLAS not used: " + PROPERTY + "=java");
            case "auto":
            case "":
                probe();
                if (openBlas != null) {
                    return new Choice(openBlas, "loaded");
                }
                return new Choice(kernels.gemm(), "OpenBLAS unavailable: " + openBlasFailure);
            case "openblas":
                probe();
                if (openBlas != null) {
                    return new Choice(openBlas, "demanded by " + PROPERTY + "=openblas");
                }
                return new Choice(null, "OpenBLAS demanded by " + PROPERTY + "=openblas but unavailable: " + openBlasFailure);
            default:
                throw new IllegalArgumentException(PROPERTY + " = '" + setting + "': expected auto, openblas or java");
        }
    }

    /** The GEMM to compute with: throws {@link IllegalStateException} with the reason when OpenBLAS was demanded and does not load. */
    static Gemm gemm(FloatKernels kernels) {
        Choice c = choose(kernels);
        if (c.gemm() == null) {
            throw new IllegalStateException(c.reason());
        }
        return c.gemm();
    }

    /** Loads OpenBLAS once per JVM; the outcome is in {@link #openBlas} or {@link #openBlasFailure}. */
    private static void probe() {
        synchronized (LOCK) {
            if (openBlas != null || openBlasFailure != null) {
                return;
            }
            try {
                openBlas = OpenBlasGemm.load();
                LOG.info("lossengine linear_cross_entropy GEMM: {}", openBlas.description());
            } catch (LinkageError | RuntimeException e) {
                openBlasFailure = reason(e);
                LOG.info("lossengine linear_cross_entropy GEMM: OpenBLAS unavailable ({}); using lossengine's Java GEMM", openBlasFailure);
            }
        }
    }

    /** The one-line reason for a failed load, naming what to add where a class or the native library is missing. */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getClass().getSimpleName() + ": " + root.getMessage();
        if (e instanceof NoClassDefFoundError || root instanceof ClassNotFoundException) {
            return what + " (add " + COORDINATES + ")";
        }
        if (e instanceof UnsatisfiedLinkError) {
            return what + " (the native library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + " is missing or does not load: add " + COORDINATES + ", with the classifier of this platform)";
        }
        return what;
    }
}
