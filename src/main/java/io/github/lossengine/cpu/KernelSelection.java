package io.github.lossengine.cpu;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link FloatKernels} of the fused CPU losses once per JVM, the way Lucene's
 * {@code VectorizationProvider} does: the Vector API implementation only when the
 * {@code jdk.incubator.vector} module is in the boot layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}), the JIT's C2 compiler is on (without it the Vector
 * API runs orders of magnitude slower than scalar code), the CPU has vectors of 128 bits or more,
 * and the class links and passes a self-test; the scalar implementation otherwise. The system
 * property {@value #PROPERTY}{@code =false} forces the scalar path. One INFO line says which path
 * is active and, when it is the scalar one, how to enable the fast one.
 *
 * <p>A library user often has no SLF4J provider (SLF4J then drops every line), so when the scalar
 * path was not asked for and that INFO line is not logged, the same line goes to {@code System.err}
 * once, when this class initialises (once per JVM, or per class loader that loads lossengine),
 * prefixed {@code lossengine: }. {@code -D}{@value #QUIET_PROPERTY}{@code =true} silences it.
 */
final class KernelSelection {
    static final String PROPERTY = "lossengine.vector";
    static final String MODULE = "jdk.incubator.vector";
    static final String QUIET_PROPERTY = "lossengine.vector.quiet";
    static final String ENABLE_HINT = "start the JVM with --add-modules " + MODULE + " for the vectorised kernels";
    private static final String VECTOR_CLASS = "io.github.lossengine.cpu.VectorKernels";
    private static final Logger LOG = LoggerFactory.getLogger(KernelSelection.class);

    /** The choice, made when this class initialises. */
    private static final Choice ACTIVE = choose(System.getProperty(PROPERTY),
            ModuleLayer.boot().findModule(MODULE).isPresent(), c2Disabled());

    static {
        LOG.info("lossengine CPU kernels: {}", ACTIVE.line());
        String hint = stderrHint(ACTIVE, LOG.isInfoEnabled(), System.getProperty(PROPERTY),
                System.getProperty(QUIET_PROPERTY));
        if (hint != null) {
            System.err.println(hint);
        }
    }

    /**
     * The line for {@code System.err}, or null: only for the scalar path when nobody asked for it
     * ({@value #PROPERTY} is not {@code false}), the INFO line is not logged (no SLF4J provider, or INFO
     * off for this logger) and {@value #QUIET_PROPERTY} is not {@code true}.
     */
    static String stderrHint(Choice choice, boolean infoLogged, String property, String quiet) {
        if (choice.vectorised() || infoLogged || isFalse(property) || (quiet != null && quiet.trim().equalsIgnoreCase("true"))) {
            return null;
        }
        return "lossengine: CPU kernels: " + choice.line() + "; -D" + QUIET_PROPERTY + "=true silences this line";
    }

    private static boolean isFalse(String property) {
        return property != null && property.trim().toLowerCase(Locale.ROOT).equals("false");
    }

    /** The kernels in use and the one-line account of why. */
    record Choice(FloatKernels kernels, String reason) {
        String line() {
            return kernels.description() + " (" + reason + "; direct buffers " + kernels.directBuffers() + ")";
        }

        boolean vectorised() {
            return !(kernels instanceof ScalarKernels);
        }
    }

    private KernelSelection() {
    }

    /** The kernels for this JVM (the first call logs the choice). */
    static FloatKernels kernels() {
        return ACTIVE.kernels();
    }

    /** The active choice, for {@code lossengine info} and the benchmark report. */
    static Choice active() {
        return ACTIVE;
    }

    /**
     * The decision, from what was found out about the JVM.
     *
     * @param property     the value of {@value #PROPERTY}, or {@code null}
     * @param modulePresent whether {@value #MODULE} is in the boot layer
     * @param c2Disabled   why the optimising JIT is off, or {@code null} when it is on
     */
    static Choice choose(String property, boolean modulePresent, String c2Disabled) {
        if (isFalse(property)) {
            return new Choice(new ScalarKernels(), "vectorised kernels turned off by -D" + PROPERTY + "=false");
        }
        if (!modulePresent) {
            return new Choice(new ScalarKernels(), "the Vector API is not enabled: " + ENABLE_HINT);
        }
        if (c2Disabled != null) {
            return new Choice(new ScalarKernels(), "the Vector API is present but " + c2Disabled
                    + ", which makes it slower than scalar code");
        }
        try {
            FloatKernels v = (FloatKernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
            String failure = selfTest(v);
            if (failure != null) {
                return new Choice(new ScalarKernels(), "the vectorised kernels failed their self-test: " + failure);
            }
            return new Choice(v, "enabled by --add-modules " + MODULE);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new Choice(new ScalarKernels(), "the vectorised kernels could not be loaded: " + cause);
        }
    }

    /** Compares {@code v} with the scalar kernels on a small row; null when they agree. */
    static String selfTest(FloatKernels v) {
        float[] z = new float[37];
        for (int i = 0; i < z.length; i++) {
            z[i] = (i * 7 % 11) - 5.25f;
        }
        z[3] = Float.NEGATIVE_INFINITY;
        FloatKernels s = new ScalarKernels();
        float[] ev = new float[z.length];
        float[] es = new float[z.length];
        float m = s.max(z, 0, z.length);
        double sv = v.expSum(z, 0, z.length, m, ev, 0);
        double ss = s.expSum(z, 0, z.length, m, es, 0);
        boolean close = true;
        for (int i = 0; i < z.length; i++) {
            close &= Math.abs(ev[i] - es[i]) <= Math.ulp(es[i]);
        }
        if (v.max(z, 0, z.length) != m || !close || Math.abs(sv - ss) > 1e-5 * ss) {
            return "exp/max differ from the scalar kernels";
        }
        return likelihoodSelfTest(v.likelihood(), z);
    }

    /**
     * Compares {@code v}'s poisson_nll (exp, log, Stirling's term) and gaussian_nll sums over the first
     * 11 (or fewer) of {@code z} (one group of 8 lanes and a tail; short, because it runs before the JIT
     * has compiled the Vector API) with the scalar twin's bits; null when they agree.
     */
    static String likelihoodSelfTest(LikelihoodKernels v, float[] values) {
        LikelihoodKernels s = ScalarLikelihoodKernels.INSTANCE;
        float[] z = java.util.Arrays.copyOf(values, Math.min(values.length, 11));
        float[] y = new float[z.length];
        float[] rate = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            y[i] = i % 5;
            rate[i] = Math.abs(z[i]);
        }
        boolean same = Double.compare(v.poisson(z, y, null, null, 0, z.length, true, true, 1e-8, 1f),
                s.poisson(z, y, null, null, 0, z.length, true, true, 1e-8, 1f)) == 0
                && Double.compare(v.poisson(rate, y, null, null, 0, z.length, false, false, 1e-8, 1f),
                s.poisson(rate, y, null, null, 0, z.length, false, false, 1e-8, 1f)) == 0
                && Double.compare(v.gaussian(z, y, rate, null, null, null, null, 0, z.length, 1e-6, 0.0, 1.0),
                s.gaussian(z, y, rate, null, null, null, null, 0, z.length, 1e-6, 0.0, 1.0)) == 0;
        return same ? null : "the double kernels of poisson_nll and gaussian_nll differ from the scalar ones";
    }

    /** Why C2 is off (-Xint, or tiered compilation stopped below level 4), or null when it is on or unknown. */
    private static String c2Disabled() {
        try {
            if (String.valueOf(System.getProperty("java.vm.info")).contains("interpreted mode")) {
                return "the JVM runs in interpreted mode (-Xint)";
            }
            com.sun.management.HotSpotDiagnosticMXBean hs =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (hs == null) {
                return null;
            }
            String level = hs.getVMOption("TieredStopAtLevel").getValue();
            if (Boolean.parseBoolean(hs.getVMOption("TieredCompilation").getValue()) && Integer.parseInt(level) < 4) {
                return "the C2 compiler is off (-XX:TieredStopAtLevel=" + level + ")";
            }
            return null;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
