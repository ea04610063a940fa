package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 10, defect 16: a pool whose thread start fails stops the workers it had started. */
class WorkerPoolTest {
    @Test
    void aFailedThreadStartStopsTheWorkersAlreadyStarted() throws Exception {
        List<Thread> made = new ArrayList<>();
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread: possibly out of memory");
        OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> new WorkerPool(8, (r, name) -> {
            if (made.size() == 3) {
                throw noThread;
            }
            Thread t = new Thread(r, name);
            made.add(t);
            return t;
        }));
        assertSame(noThread, thrown);
        assertEquals(3, made.size());
        for (Thread t : made) {
            t.join(60_000);
            // before: the three workers waited on the queue until the JVM ended
            assertTrue(!t.isAlive(), t.getName() + " stopped");
        }
    }
}
