package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the CPU loss tests: one CPU engine per test class, opened before its tests and closed after. */
abstract class CpuEngineTest {
    /** The engine of the running test class. */
    static LossEngine engine;

    @BeforeAll
    static void openEngine() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }
}
