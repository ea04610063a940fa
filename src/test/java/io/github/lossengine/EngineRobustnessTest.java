package io.github.lossengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's API defects, on the CPU and on OpenCL where it runs (PoCL in CI): shapes that overflow,
 * aliased gradient buffers, inputs mutated during a call, engines never closed, the thread cap.
 */
class EngineRobustnessTest {
    private static final List<LossEngine> ENGINES = new ArrayList<>();

    @BeforeAll
    static void open() {
        ENGINES.add(LossEngine.create(Backend.CPU));
        try {
            ENGINES.add(LossEngine.create(Backend.OPENCL));
        } catch (BackendUnavailableException noOpenCl) {
            // the CPU alone
        }
    }

    @AfterAll
    static void close() {
        ENGINES.forEach(LossEngine::close);
    }

    /** Defect 12: before, NegativeArraySizeException and ArithmeticException. */
    @Test
    void shapesThatOverflowAreInvalidInput() {
        InvalidInputException neg = assertThrows(InvalidInputException.class, () -> Tensor.zeros(-1));
        assertEquals("shape[0] = -1: dimensions must be >= 0", neg.getMessage());
        InvalidInputException big = assertThrows(InvalidInputException.class, () -> Tensor.zeros(1L << 40, 1L << 40));
        assertTrue(big.getMessage().contains("more than 2^63 elements"), big.getMessage());
        assertThrows(InvalidInputException.class, () -> Tensor.zeros(1L << 20, 1L << 20));
        assertThrows(InvalidInputException.class, () -> Tensor.of(new float[0], 2, -1));
        // a zero dimension makes the product 0, whatever the others are
        assertEquals(0, Tensor.of(new float[0], 1L << 40, 1L << 40, 0).size());
    }

    /** Defect 12: a dimension of 2^31 or more (zero elements) is refused the same way on every backend, for every loss. */
    @Test
    void aDimensionBeyondAnArrayIsRefusedByEveryLossOnEveryBackend() {
        for (String name : new TreeSet<>(Losses.names())) {
            Loss loss = Losses.byName(name);
            Tensor[] in = new Tensor[loss.arity()];
            for (int i = 0; i < in.length; i++) {
                in[i] = Tensor.of(new float[0], 0, 1L << 31);
            }
            for (LossEngine e : ENGINES) {
                // before: ArithmeticException (toIntExact) or a loss-specific message, depending on the loss and backend
                InvalidInputException x = assertThrows(InvalidInputException.class, () -> e.compute(loss, in),
                        name + " on " + e.backend().active());
                assertEquals(loss.inputNames().get(0) + ": shape [0, 2147483648]: dimension 1 = 2147483648 is more than "
                        + "2147483639 (the largest heap array), on every backend", x.getMessage(), name);
            }
        }
    }

    /** Defect 15: before, triplet(g, g, null) was accepted and one gradient overwrote the other. */
    @Test
    void twoGradientsInOneBufferAreRefused() {
        Tensor a = Tensor.of(new float[] {1, 2}, 1, 2);
        Tensor p = Tensor.of(new float[] {0, 1}, 1, 2);
        Tensor n = Tensor.of(new float[] {3, 3}, 1, 2);
        float[] shared = new float[4];
        for (LossEngine e : ENGINES) {
            Tensor g = Tensor.of(new float[2], 1, 2);
            InvalidInputException x = assertThrows(InvalidInputException.class,
                    () -> e.computeInto(Losses.triplet(), new Tensor[] {a, p, n}, g, g, null));
            assertEquals("gradient 1 (positive): shares its storage with gradient 0 (anchor); each gradient needs its own buffer",
                    x.getMessage());
            // a heap buffer over an overlapping range of one array is the same storage
            Tensor g1 = Tensor.of(java.nio.FloatBuffer.wrap(shared, 0, 2).slice(), 1, 2);
            Tensor g2 = Tensor.of(java.nio.FloatBuffer.wrap(shared, 1, 2).slice(), 1, 2);
            assertThrows(InvalidInputException.class, () -> e.computeInto(Losses.triplet(), new Tensor[] {a, p, n}, null, g1, g2));
            assertEquals(0f, g.getFloat(0), "nothing written");
        }
    }

    /** Defect 16: before, threads(100000) started 99999 threads. */
    @Test
    void threadsAreCappedWithAClearMessage() {
        int cpus = Runtime.getRuntime().availableProcessors();
        InvalidInputException x = assertThrows(InvalidInputException.class, () -> LossEngine.builder().threads(4 * cpus + 1));
        assertEquals("threads: " + (4 * cpus + 1) + " is more than " + 4 * cpus + " (4 x the " + cpus
                + " available processors; -Dlossengine.maxThreads=N raises the bound)", x.getMessage());
        assertThrows(InvalidInputException.class, () -> LossEngine.builder().threads(0));
        LossEngine.builder().threads(4 * cpus).backend(Backend.CPU).build().close();
        System.setProperty("lossengine.maxThreads", Integer.toString(8 * cpus));
        try {
            LossEngine.builder().threads(8 * cpus).backend(Backend.CPU).build().close();
        } finally {
            System.clearProperty("lossengine.maxThreads");
        }
    }

    /** Defect 16: an engine dropped without close() has its workers stopped and says where it was made. */
    @Test
    void anUnclosedEngineIsClosedWhenUnreachable() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LossEngine.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
            openAndDrop();
            List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.getName().startsWith("lossengine-cpu-")).toList();
            assertEquals(3, workers.size(), "the dropped engine's workers");
            // before: the workers ran until the JVM ended, whatever the collector did
            for (int i = 0; i < 200 && workers.stream().anyMatch(Thread::isAlive); i++) {
                System.gc();
                for (Thread t : workers) {
                    t.join(50);
                }
            }
            assertTrue(workers.stream().noneMatch(Thread::isAlive), "workers stopped");
            assertTrue(appender.list.stream().anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
                    && e.getFormattedMessage().contains("never closed")
                    && e.getFormattedMessage().contains("EngineRobustnessTest.openAndDrop")), appender.list.toString());
        } finally {
            log.detachAppender(appender);
        }
    }

    private static void openAndDrop() {
        LossEngine e = LossEngine.builder().backend(Backend.CPU).threads(4).build();
        e.compute(Losses.mse(), Tensor.of(new float[] {1, 2}), Tensor.of(new float[] {0, 0}));
    }

    /**
     * Defect 17: labels flipped between valid and out of range by another thread during calls give a
     * result or an InvalidInputException, never an ArrayIndexOutOfBoundsException (before: the fused
     * CPU cross-entropy checked the labels, then indexed with what they had become).
     */
    @Test
    void labelsChangedDuringACallGiveAResultOrARefusal() throws Exception {
        int n = 256;
        int c = 16;
        float[] logits = new float[n * c];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (i * 7919 % 13) / 4f;
        }
        int[] labels = new int[n];
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread flipper = new Thread(() -> {
            for (int k = 0; !stop.get(); k++) {
                int v = k % 2 == 0 ? 0 : 1_000_000;
                for (int i = 0; i < n; i++) {
                    labels[i] = v;
                }
            }
        });
        flipper.start();
        int results = 0;
        int refusals = 0;
        try {
            for (LossEngine e : ENGINES) {
                for (int k = 0; k < 3000; k++) {
                    try {
                        e.compute(Losses.softmaxCrossEntropy(), Tensor.of(logits, n, c), Tensor.ofInts(labels, n));
                        results++;
                    } catch (InvalidInputException refused) {
                        assertTrue(refused.getMessage().startsWith("target["), refused.getMessage());
                        refusals++;
                    }
                }
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        assertEquals(3000 * ENGINES.size(), results + refusals);
    }

    /**
     * Defect 6: the same bits whatever the storage (heap float[], heap or direct FloatBuffer), for the
     * losses with a fused CPU path. Before: FloatBuffer inputs ran the double reference
     * (1.6959168880922324 where float[] gave 1.6959168860740215).
     */
    @Test
    void theCpuResultDoesNotDependOnTheStorage() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        int n = 37;
        int c = 11;
        float[] x = new float[n * c];
        float[] y = new float[n * c];
        int[] labels = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian(0, 2);
            y[i] = r.nextBoolean() ? 1f : -1f;
        }
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(c);
        }
        Loss[] losses = {Losses.mse(), Losses.hinge(), Losses.byName("multiclass_hinge"), Losses.softmaxCrossEntropy().labelSmoothing(0.1)};
        try (LossEngine cpu = LossEngine.builder().backend(Backend.CPU).threads(2).build()) {
            for (Loss loss : losses) {
                for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.NONE}) {
                    Loss l = loss.reduction(red);
                    boolean rows = loss.name().equals("multiclass_hinge") || loss.name().equals("softmax_cross_entropy");
                    Tensor target = rows ? Tensor.ofInts(labels, n) : Tensor.of(y, n, c);
                    LossResult heap = cpu.compute(l, Tensor.of(x, n, c), target);
                    java.nio.FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * x.length)
                            .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().put(x);
                    java.nio.FloatBuffer directGrad = java.nio.ByteBuffer.allocateDirect(4 * x.length)
                            .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                    Tensor[] buffers = {Tensor.of(java.nio.FloatBuffer.wrap(x.clone()), n, c), Tensor.of(direct, n, c)};
                    for (Tensor in : buffers) {
                        Tensor[] inputs = {in, rows ? target : Tensor.of(java.nio.FloatBuffer.wrap(y), n, c)};
                        Tensor g = Tensor.of(directGrad, n, c);
                        LossResult buf = cpu.computeInto(l, inputs, g);
                        String what = l + " on " + in;
                        if (red == Reduction.NONE) {
                            org.junit.jupiter.api.Assertions.assertArrayEquals(heap.values().toFloatArray(), buf.values().toFloatArray(), what);
                        } else {
                            assertEquals(Double.doubleToLongBits(heap.value()), Double.doubleToLongBits(buf.value()),
                                    what + ": " + heap.value() + " vs " + buf.value());
                        }
                        org.junit.jupiter.api.Assertions.assertArrayEquals(heap.gradient(0).toFloatArray(), g.toFloatArray(), what);
                        assertTrue(buf.gradient(0) == g, "the caller's buffer is the result's gradient");
                    }
                }
            }
        }
    }
}
