package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.testing.RandomTensors;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, defect 16 on the device backends: an engine that is dropped without {@code close()} is
 * closed by the engine's Cleaner once unreachable, with one WARN naming where it was created; on CUDA
 * the device memory it held is given back (the driver's free memory returns to what it was).
 */
class UnclosedEngineTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void aDroppedEngineIsClosedAndItsDeviceMemoryFreed(Backend backend) throws Exception {
        DeviceEngines.open(backend); // skips with the reason where the backend is unavailable; keeps the session open
        Logger log = (Logger) LoggerFactory.getLogger(LossEngine.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            long before = backend == Backend.CUDA ? freeDeviceMemory() : -1;
            openComputeAndDrop(backend);
            if (backend == Backend.CUDA) {
                assertTrue(freeDeviceMemory() <= before - 4L * 256 * 4096, "the dropped engine holds its workspace");
            }
            boolean warned = false;
            for (int i = 0; i < 200 && !warned; i++) {
                System.gc();
                Thread.sleep(20);
                warned = appender.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                        && e.getFormattedMessage().contains("never closed")
                        && e.getFormattedMessage().contains("UnclosedEngineTest.openComputeAndDrop"));
            }
            assertTrue(warned, "one WARN names where the engine was created: " + appender.list);
            if (backend == Backend.CUDA) {
                // the Cleaner logs, then closes: wait for the close to have given the memory back
                long after = freeDeviceMemory();
                for (int i = 0; i < 200 && after != before; i++) {
                    Thread.sleep(20);
                    after = freeDeviceMemory();
                }
                assertEquals(before, after, "the dropped engine's device memory was freed");
            }
        } finally {
            log.detachAppender(appender);
        }
    }

    private static void openComputeAndDrop(Backend backend) {
        LossEngine e = LossEngine.create(backend);
        RandomTensors r = new RandomTensors(4);
        e.compute(Losses.softmaxCrossEntropy(), r.normal(1, 256, 4096), r.indices(256, 4096));
    }

    /** {@code cuMemGetInfo}'s free bytes, with the primary context pushed for the call. */
    private static long freeDeviceMemory() {
        CUdevice dev = new CUdevice();
        CUcontext ctx = new CUcontext();
        assertEquals(0, JCudaDriver.cuDeviceGet(dev, 0));
        assertEquals(0, JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev));
        try {
            assertEquals(0, JCudaDriver.cuCtxPushCurrent(ctx));
            long[] free = new long[1];
            long[] total = new long[1];
            assertEquals(0, JCudaDriver.cuMemGetInfo(free, total));
            assertEquals(0, JCudaDriver.cuCtxPopCurrent(new CUcontext()));
            return free[0];
        } finally {
            assertEquals(0, JCudaDriver.cuDevicePrimaryCtxRelease(dev));
        }
    }
}
