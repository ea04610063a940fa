package io.github.lossengine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.spi.SignalChaining;
import org.junit.jupiter.api.Test;

/**
 * PoCL and the JVM's signal handlers: a JVM without libjsig does not have PoCL's devices opened by
 * automatic selection (its LLVM would take the JVM's SIGSEGV handler), and the test JVMs run with
 * libjsig preloaded (the pom's libjsig profile) because the OpenCL tests open PoCL.
 */
class SignalChainingTest {

    @Test
    void theTestJvmHasLibjsigPreloadedWhereTheJdkShipsIt() {
        if (SignalChaining.library().isPresent()) {
            assertTrue(SignalChaining.active(), "the pom's libjsig profile should preload " + SignalChaining.library().get());
        } else {
            assertFalse(SignalChaining.active(), "no libjsig.so in this JDK, so none can be mapped");
            assertTrue(SignalChaining.advice().contains("LD_PRELOAD"), SignalChaining.advice());
        }
    }

    @Test
    void automaticSelectionWithoutLibjsigLeavesPoclsDevicesAloneAndNamesTheCure() {
        OpenClBackendProvider.Discovery full = OpenClBackendProvider.probe(false);
        OpenClBackendProvider.Discovery deferred = OpenClBackendProvider.probe(true);
        assertFalse(full.poclDeferred(), "a full probe asks every platform for its devices");
        boolean onlyPocl = full.chosen() != null && !full.chosen().gpu()
                && full.chosen().platformName().equals(OpenClRuntime.POCL);
        if (onlyPocl) {
            // PoCL is here and nothing better: listed, not opened, usable when asked for by name
            assertTrue(deferred.poclDeferred());
            assertNull(deferred.chosen());
            assertTrue(deferred.probe().available() && !deferred.probe().autoSelectable(), deferred.probe().toString());
            assertTrue(deferred.probe().reason().contains("libjsig") && deferred.probe().reason().contains("SIGSEGV"),
                    deferred.probe().reason());
        } else {
            // no PoCL-only machine: a GPU (or no OpenCL at all) is found the same way with or without the deferral
            assertEquals(full.probe().available(), deferred.probe().available(), deferred.probe().reason());
            assertEquals(full.chosen() == null ? null : full.chosen().deviceName(),
                    deferred.chosen() == null ? null : deferred.chosen().deviceName());
        }
    }
}
