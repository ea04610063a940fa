package io.github.lossengine;

import io.github.lossengine.cpu.CpuBackendProvider;
import io.github.lossengine.spi.BackendOptions;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * Chooses the backend for one engine: ranked providers (ServiceLoader plus the CPU provider,
 * registered directly), the override by system property {@value #PROPERTY} or environment
 * variable {@value #ENV}, and the record of every rejection.
 */
final class BackendSelector {
    static final String PROPERTY = "lossengine.backend";
    static final String ENV = "LOSSENGINE_BACKEND";

    /** The engine's opened backend and the report of how it was chosen. */
    record Selection(ComputeBackend backend, BackendInfo info) {
    }

    private final List<BackendProvider> providers;
    private final Function<String, String> environment;

    BackendSelector(List<BackendProvider> providers, Function<String, String> environment) {
        this.providers = new ArrayList<>(providers);
        this.providers.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        this.environment = environment;
    }

    /** The providers on the class path, plus the CPU provider whatever ServiceLoader finds. */
    static List<BackendProvider> discover() {
        Map<Backend, BackendProvider> found = new EnumMap<>(Backend.class);
        List<String> broken = new ArrayList<>();
        try {
            var it = ServiceLoader.load(BackendProvider.class, BackendSelector.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    BackendProvider p = it.next();
                    found.putIfAbsent(p.backend(), p);
                } catch (ServiceConfigurationError | LinkageError e) {
                    broken.add(e.toString());
                }
            }
        } catch (ServiceConfigurationError e) {
            broken.add(e.toString());
        }
        found.putIfAbsent(Backend.CPU, new CpuBackendProvider());
        if (!broken.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(LossEngine.class).warn("backend providers that failed to load: {}", broken);
        }
        return new ArrayList<>(found.values());
    }

    /** The backend asked for by the system property or, failing that, the environment variable. */
    Requested requested() {
        String prop = environment.apply("property:" + PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return new Requested(Backend.parse(prop, "system property " + PROPERTY), "system property " + PROPERTY + "=" + prop.trim());
        }
        String env = environment.apply("env:" + ENV);
        if (env != null && !env.isBlank()) {
            return new Requested(Backend.parse(env, "environment variable " + ENV), "environment variable " + ENV + "=" + env.trim());
        }
        return new Requested(Backend.AUTO, "automatic selection");
    }

    record Requested(Backend backend, String source) {
    }

    Selection select(Backend wanted, String source) {
        return select(wanted, source, BackendOptions.defaults());
    }

    /** Opens the wanted backend ({@link Backend#AUTO}: the best available) with the creator's options. */
    Selection select(Backend wanted, String source, BackendOptions options) {
        if (wanted == Backend.AUTO) {
            return selectAutomatically(source, options);
        }
        BackendProvider p = provider(wanted);
        if (p == null) {
            throw new BackendUnavailableException(wanted, "no provider for it on the class path");
        }
        Probe probe = p.probe();
        if (!probe.available()) {
            throw new BackendUnavailableException(wanted, probe.reason());
        }
        ComputeBackend backend = p.open(options);
        return new Selection(backend, new BackendInfo(wanted, "requested by " + source, backend.detail(), List.of()));
    }

    private Selection selectAutomatically(String source, BackendOptions options) {
        List<BackendInfo.Rejection> rejected = new ArrayList<>();
        for (Backend b : new Backend[] {Backend.CUDA, Backend.OPENCL}) {
            if (provider(b) == null) {
                rejected.add(new BackendInfo.Rejection(b, "no provider for it on the class path"));
            }
        }
        for (BackendProvider p : providers) {
            Probe probe = probe(p);
            if (!probe.available() || !probe.autoSelectable()) {
                rejected.add(new BackendInfo.Rejection(p.backend(), probe.reason()));
                continue;
            }
            try {
                ComputeBackend backend = p.open(options);
                String reason = rejected.isEmpty() ? "highest-ranked available backend (" + source + ")"
                        : "best available backend (" + source + ")";
                return new Selection(backend, new BackendInfo(p.backend(), reason, backend.detail(), rejected));
            } catch (RuntimeException | LinkageError e) {
                rejected.add(new BackendInfo.Rejection(p.backend(), "failed to open: " + e.getMessage()));
            }
        }
        throw new IllegalStateException("no backend could be opened: " + rejected);
    }

    /** The provider's probe; a probe that throws is an unavailable backend with that reason. */
    private static Probe probe(BackendProvider p) {
        try {
            return p.probe();
        } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("probe failed: " + e);
        }
    }

    /**
     * What every backend's provider finds here, without opening any, highest rank first; a device
     * backend without a provider is unavailable with "no provider for it on the class path".
     */
    Map<Backend, Probe> probeAll() {
        Map<Backend, Probe> out = new LinkedHashMap<>();
        for (BackendProvider p : providers) {
            out.put(p.backend(), probe(p));
        }
        for (Backend b : new Backend[] {Backend.CUDA, Backend.OPENCL}) {
            out.putIfAbsent(b, Probe.unavailable("no provider for it on the class path"));
        }
        return out;
    }

    private BackendProvider provider(Backend b) {
        for (BackendProvider p : providers) {
            if (p.backend() == b) {
                return p;
            }
        }
        return null;
    }
}
