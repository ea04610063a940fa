package io.github.lossengine.opencl;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.kernel.DeviceBackend;
import io.github.lossengine.kernel.KernelSources;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;
import io.github.lossengine.spi.SignalChaining;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenCL backend through JOCL (rank 200).
 *
 * <p>The probe (once per JVM, inside a catch-all: JOCL's native library may fail to load) lists the
 * OpenCL devices and prefers a GPU. A GPU is auto-selectable; a CPU device such as PoCL is
 * available only when the backend is asked for by name ({@code Backend.OPENCL},
 * {@code lossengine.backend=opencl}), since the pure-Java backend is the better choice on a CPU.
 *
 * <p>PoCL's devices are not asked for in a JVM without HotSpot's {@code libjsig} until the backend
 * is asked for by name: starting PoCL's CPU driver lets LLVM replace the JVM's SIGSEGV handler, after
 * which a safepoint can end the process with a segmentation fault ({@link SignalChaining}). So
 * {@code LossEngine.create()} on a machine with PoCL leaves the JVM's signals alone; asking for
 * {@code opencl} opens PoCL, with one WARN naming the cure ({@code LD_PRELOAD=.../libjsig.so}; the
 * CLI's JVM has it). With {@code libjsig} preloaded PoCL is probed like any platform.
 *
 * <p>The kernels are compiled from the sources in the jar (OpenCL prelude plus the shared kernel
 * files) on first use, once per context and source; a build failure makes the backend unavailable
 * with the compiler's log as the reason. Every engine shares the context and program and has its
 * own workspace.
 */
public final class OpenClBackendProvider implements BackendProvider {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackendProvider.class);
    private static final Object LOCK = new Object();
    private static Discovery discovery;
    private static OpenClRuntime.Session session;
    private static final Map<String, Object> PROGRAMS = new HashMap<>();

    /**
     * What the probe found, cached for the JVM.
     *
     * @param poclDeferred PoCL's devices were not asked for (no {@code libjsig}): {@link #open()} asks
     */
    record Discovery(Probe probe, OpenClRuntime.Candidate chosen, boolean poclDeferred) {
    }

    private final Supplier<String> source;

    /** The provider ServiceLoader creates: kernels from the class path. */
    public OpenClBackendProvider() {
        this(KernelSources.classpath());
    }

    /** A provider compiling the module read from {@code sources} (tests inject missing or broken sources). */
    public OpenClBackendProvider(KernelSources sources) {
        this.source = () -> sources.module("opencl");
    }

    @Override
    public Backend backend() {
        return Backend.OPENCL;
    }

    @Override
    public int rank() {
        return 200;
    }

    @Override
    public Probe probe() {
        return discover().probe();
    }

    private static Discovery discover() {
        synchronized (LOCK) {
            if (discovery == null) {
                discovery = probe(!SignalChaining.active());
            }
            return discovery;
        }
    }

    /** The probe's devices, PoCL's now too; one WARN when this JVM lacks {@code libjsig}. */
    private static Discovery discoverDeferred() {
        synchronized (LOCK) {
            if (discovery.poclDeferred()) {
                LOG.warn("lossengine: opening PoCL lets its LLVM replace the JVM's SIGSEGV handler, and a JVM safepoint"
                        + " may then end this process with a segmentation fault; to prevent it, {}", SignalChaining.advice());
                discovery = probe(false);
            }
            return discovery;
        }
    }

    /** A probe, not cached; {@code deferPocl} leaves PoCL's devices alone ({@link OpenClRuntime#discover}). */
    static Discovery probe(boolean deferPocl) {
        OpenClRuntime.Found found;
        try {
            found = OpenClRuntime.discover(deferPocl);
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, a driver error: all mean "unavailable"
            return new Discovery(Probe.unavailable(reason(t)), null, false);
        }
        List<OpenClRuntime.Candidate> all = found.devices();
        StringBuilder skipped = new StringBuilder();
        for (OpenClRuntime.Candidate c : all) {
            if (c.unusableBecause() != null) {
                skipped.append("; skipped ").append(c.deviceName()).append(": ").append(c.unusableBecause());
                continue;
            }
            if (c.gpu()) {
                return new Discovery(Probe.available(c.describe() + skipped), c, false);
            }
        }
        for (OpenClRuntime.Candidate c : all) {
            if (c.unusableBecause() == null) {
                return new Discovery(Probe.explicitOnly("only an OpenCL CPU device: " + c.describe()
                        + "; used only when the opencl backend is asked for by name" + skipped), c, false);
            }
        }
        if (!found.deferred().isEmpty()) {
            return new Discovery(Probe.explicitOnly("only PoCL (OpenCL on the CPU), whose devices automatic selection"
                    + " does not open in a JVM without libjsig: PoCL's LLVM would replace the JVM's SIGSEGV handler"
                    + " (" + SignalChaining.advice() + "); used when the opencl backend is asked for by name" + skipped),
                    null, true);
        }
        return new Discovery(Probe.unavailable(all.isEmpty() ? "no OpenCL device found"
                : "no usable OpenCL device" + skipped), null, false);
    }

    static String reason(Throwable t) {
        if (t instanceof UnsatisfiedLinkError || t instanceof NoClassDefFoundError || t instanceof ExceptionInInitializerError) {
            return "JOCL's native library could not be loaded: " + t;
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    @Override
    public ComputeBackend open() {
        Discovery d = discover();
        if (d.poclDeferred()) {
            d = discoverDeferred();
        }
        if (!d.probe().available()) {
            throw new BackendUnavailableException(Backend.OPENCL, d.probe().reason());
        }
        synchronized (LOCK) {
            try {
                if (session == null) {
                    session = OpenClRuntime.open(d.chosen());
                }
                String text = source.get();
                Object program = PROGRAMS.get(text);
                if (program == null) {
                    try {
                        program = OpenClDevice.build(session, text);
                    } catch (RuntimeException e) {
                        program = e.getMessage();
                    }
                    PROGRAMS.put(text, program);
                }
                if (program instanceof String failure) {
                    throw new BackendUnavailableException(Backend.OPENCL, failure);
                }
                return new DeviceBackend(Backend.OPENCL, (OpenClDevice) program, program);
            } catch (BackendUnavailableException e) {
                throw e;
            } catch (Throwable t) {
                throw new BackendUnavailableException(Backend.OPENCL, reason(t), t);
            }
        }
    }
}
