package io.github.lossengine.bench;

/**
 * One implementation of a case's forward+backward, prepared on the case's inputs (copied into its
 * own memory where it needs its own, outside the timing).
 */
interface Contestant extends AutoCloseable {

    /** A short stable id for the results ({@code lossengine}, {@code torch-autograd}, ...). */
    String id();

    /** What it is, for the report. */
    String description();

    /** One forward+backward: the gradient is computed and stays where the implementation keeps it; returns the loss. */
    double run();

    /**
     * One forward+backward whose gradient is copied out (not timed), normalised to the gradient of
     * the MEAN loss, for the check against the reference.
     */
    Outcome runForCheck();

    @Override
    void close();

    /** A loss value and its gradient, both of the case's MEAN loss. */
    record Outcome(double value, float[] gradient) {
    }
}
