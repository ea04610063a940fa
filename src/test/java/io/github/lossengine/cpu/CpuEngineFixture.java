package io.github.lossengine.cpu;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the CPU loss tests: one CPU engine per test class, opened before its tests and closed after. */
abstract class CpuEngineFixture {
    /** The engine under test; open while the tests run. */
    protected static LossEngine engine;

    @BeforeAll
    static void openEngine() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    /** A 1-D float tensor of the given values. */
    protected static Tensor t(float... values) {
        return Tensor.of(values);
    }
}
