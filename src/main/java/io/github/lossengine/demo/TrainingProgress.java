package io.github.lossengine.demo;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of the training runs. On an interactive terminal it draws a bar on standard error
 * (me.tongfei:progressbar); without one (CI, tests, output piped to a file) it draws nothing at all, so
 * logs get no carriage returns or escape codes. A bar that cannot be drawn also degrades to nothing.
 */
public final class TrainingProgress {
    private static final Tracker NONE = new Tracker() {
        @Override
        public void step() {
            // nothing shown
        }

        @Override
        public void close() {
            // nothing shown
        }
    };

    private final PrintStream terminal;

    private TrainingProgress(PrintStream terminal) {
        this.terminal = terminal;
    }

    /** Shows nothing. */
    public static TrainingProgress silent() {
        return new TrainingProgress(null);
    }

    /** A bar on standard error when this JVM has an interactive console, else nothing. */
    public static TrainingProgress forConsole() {
        return System.console() != null ? new TrainingProgress(System.err) : silent();
    }

    /** Whether bars are drawn. */
    public boolean visible() {
        return terminal != null;
    }

    /** Starts tracking a run of {@code steps} steps named {@code task}; close it when the run ends. */
    public Tracker start(String task, long steps) {
        if (terminal == null) {
            return NONE;
        }
        try {
            ProgressBar bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(steps)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(100)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal))
                    .hideEta()
                    .build();
            return new Tracker() {
                @Override
                public void step() {
                    bar.step();
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        } catch (RuntimeException | LinkageError e) {
            return NONE;
        }
    }

    /** One training run's progress. */
    public interface Tracker extends AutoCloseable {
        /** One step (an epoch or an iteration) done. */
        void step();

        /** The run is over. */
        @Override
        void close();
    }
}
