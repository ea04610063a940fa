package io.github.lossengine.spi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading {@code /proc/self/maps} for HotSpot's signal-chaining library. */
class SignalChainingMapsTest {
    @Test
    void libjsigIsFoundByItsFileNameOnly() {
        assertTrue(SignalChaining.mapsLibjsig(
                "7f12a000-7f12b000 r-xp 00000000 fd:01 123 /usr/lib/jvm/java-17-openjdk-amd64/lib/libjsig.so\n"));
        assertFalse(SignalChaining.mapsLibjsig(
                "7f12a000-7f12b000 r-xp 00000000 fd:01 124 /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so\n"));
        assertFalse(SignalChaining.mapsLibjsig(""));
    }
}
