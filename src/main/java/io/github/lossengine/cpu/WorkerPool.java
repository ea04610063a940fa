package io.github.lossengine.cpu;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's own threads: {@code threads - 1} daemon workers that, with the calling thread,
 * run the chunks of one call. Owned by one engine and stopped when it closes; never the common
 * pool.
 *
 * <p>A call hands its {@link Job} to idle workers through a bounded queue and then works on the
 * job's chunks itself; whoever is free claims the next chunk. A caller therefore never waits for a
 * worker to become free (with every worker busy on other calls it runs all chunks itself), and a
 * worker never blocks inside a job. Which thread runs a chunk does not affect the result: a job
 * writes each chunk's result into its own slot and combines the slots in chunk order.
 */
final class WorkerPool implements AutoCloseable {
    private final int threads;
    private final Thread[] workers;
    private final BlockingQueue<Job> queue;
    private volatile boolean closed;

    /** One call's work: {@link #chunks} pieces run by {@link #runChunk}, in any order, on any thread. */
    abstract static class Job {
        private final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Thread owner;
        private volatile Throwable failure;

        Job(int chunks) {
            this.chunks = chunks;
        }

        /** Runs chunk {@code c} of {@code [0, chunks)}. */
        abstract void runChunk(int c);

        final int chunks() {
            return chunks;
        }

        /** Claims and runs chunks until none is left. */
        final void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    runChunk(c);
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    if (done.incrementAndGet() == chunks) {
                        LockSupport.unpark(owner);
                    }
                }
            }
        }
    }

    /** A pool that runs calls on {@code threads} threads: the caller and {@code threads - 1} workers. */
    WorkerPool(int threads) {
        this(threads, Thread::new);
    }

    /** As {@link #WorkerPool(int)}, the workers made by {@code factory} (a test's, to make a start fail). */
    WorkerPool(int threads, java.util.function.BiFunction<Runnable, String, Thread> factory) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.queue = new ArrayBlockingQueue<>(Math.max(1, 64 * (threads - 1)));
        try {
            for (int i = 0; i < workers.length; i++) {
                Thread t = factory.apply(this::serve, "lossengine-cpu-" + (i + 1));
                t.setDaemon(true);
                t.start();
                workers[i] = t;
            }
        } catch (RuntimeException | Error e) {
            // e.g. "unable to create native thread": stop the workers already started, then fail
            close();
            throw e;
        }
    }

    /** The number of threads a call runs on, the caller included. */
    int threads() {
        return threads;
    }

    /** Runs every chunk of {@code job} and returns when all are done; rethrows a chunk's failure. */
    void run(Job job) {
        job.owner = Thread.currentThread();
        int helpers = Math.min(workers.length, job.chunks() - 1);
        for (int i = 0; i < helpers && !closed; i++) {
            if (!queue.offer(job)) {
                break;
            }
        }
        job.work();
        while (job.done.get() < job.chunks()) {
            LockSupport.park(job);
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f != null) {
            throw (Error) f;
        }
    }

    private void serve() {
        while (!closed) {
            try {
                queue.take().work();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the workers; calls already running finish on their callers' threads. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
