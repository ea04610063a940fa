package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CPU bench reference: STREAM's add computes what it says, over the ranges it is given, and refuses nonsense. */
class CpuBenchmarkingTest {
    @Test
    void addSumsTwoOrThreeSourcesOverItsRangeOnly() {
        float[][] src = {{1, 2, 3, 4}, {10, 20, 30, 40}, {100, 200, 300, 400}};
        float[] d = new float[4];
        CpuBenchmarking.add(new float[][] {src[0], src[1]}, d, 1, 3);
        assertArrayEquals(new float[] {0, 22, 33, 0}, d);
        CpuBenchmarking.add(src, d, 0, 4);
        assertArrayEquals(new float[] {111, 222, 333, 444}, d);
    }

    @Test
    void streamSecondsTimesEachRepeatAndRefusesWhatItCannotMove() {
        try (CpuBackend backend = new CpuBackend(1)) {
            CpuBenchmarking b = (CpuBenchmarking) backend.benchmarking();
            double[] s = b.streamSeconds(2, 4096, 3);
            assertEquals(3, s.length);
            for (double x : s) {
                assertTrue(x > 0, String.valueOf(x));
            }
            assertEquals(2, b.streamSeconds(1, 4096, 2).length, "one source: a copy");
            assertThrows(IllegalArgumentException.class, () -> b.streamSeconds(4, 4096, 2));
            assertThrows(IllegalArgumentException.class, () -> b.streamSeconds(2, 0, 2));
            assertTrue(b.streamDescription(3, 2048).contains("d = a + b + c") && b.streamDescription(3, 2048)
                    .contains("3 x 2.0 KiB read, 2.0 KiB written"), b.streamDescription(3, 2048));
        }
    }
}
