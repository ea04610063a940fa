package io.github.lossengine.cpu;

/**
 * A {@link WorkerPool.Job} whose chunks each produce a double: each is kept in its own slot and
 * {@link #total()} adds the slots with {@link CompensatedSum} in chunk order, so the total is the
 * same bits whichever threads ran which chunks.
 */
abstract class SumJob extends WorkerPool.Job {
    private final double[] partial;

    SumJob(int chunks) {
        super(chunks);
        partial = new double[chunks];
    }

    /** Runs chunk {@code c} and returns its sum. */
    abstract double sumChunk(int c);

    @Override
    final void runChunk(int c) {
        partial[c] = sumChunk(c);
    }

    /** Runs every chunk on {@code pool} and returns the sum of their results, in chunk order. */
    final double runOn(WorkerPool pool) {
        if (chunks() > 0) {
            pool.run(this);
        }
        CompensatedSum s = new CompensatedSum();
        for (double p : partial) {
            s.add(p);
        }
        return s.value();
    }
}
