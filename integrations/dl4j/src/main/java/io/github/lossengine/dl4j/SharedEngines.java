package io.github.lossengine.dl4j;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link LossEngine} per backend for the whole JVM, opened on first use and never closed: a
 * loss function lives in a model configuration that DL4J copies, serialises and ships to Spark
 * executors, so it cannot own an engine's lifetime. The engines stay reachable from here, so none is
 * reported as leaked; the operating system releases them at exit.
 *
 * <p>{@link Backend#AUTO} honours {@code -Dlossengine.backend} and {@code LOSSENGINE_BACKEND}, as
 * {@link LossEngine#create()} does.
 *
 * <p>Thread-safety: safe; an engine is thread-safe.
 */
final class SharedEngines {
    private static final Logger LOG = LoggerFactory.getLogger(SharedEngines.class);
    private static final Map<Backend, LossEngine> ENGINES = new ConcurrentHashMap<>();

    private SharedEngines() {
    }

    /** The shared engine on {@code backend}, opening it the first time. */
    static LossEngine get(Backend backend) {
        return ENGINES.computeIfAbsent(backend, b -> {
            LossEngine engine = b == Backend.AUTO ? LossEngine.create() : LossEngine.create(b);
            LOG.info("lossengine for DL4J: {} engine on {}", b.id(), engine.backend());
            return engine;
        });
    }
}
