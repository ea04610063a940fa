package io.github.lossengine.demo;

import io.github.lossengine.LossEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One engine per test class, on the backend {@link LossEngine#create()} picks, as the demo uses. */
abstract class EngineFixture {
    static LossEngine engine;

    @BeforeAll
    static void open() {
        engine = LossEngine.create();
    }

    @AfterAll
    static void close() {
        engine.close();
    }
}
