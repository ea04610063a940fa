package io.github.lossengine.cli;

import org.slf4j.LoggerFactory;

/**
 * Raises the root log level to INFO for the duration of one command ({@code --verbose}), when
 * logback is the SLF4J binding; with another binding, or none, the level is the user's business and
 * nothing changes. Logback classes are touched only after checking that logback is in use, so the
 * tool also runs without it on the class path.
 */
final class CliLogging {
    private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

    private CliLogging() {
    }

    /** Undoes a level change when closed. */
    interface Level extends AutoCloseable {
        @Override
        void close();
    }

    /** Sets the root level to INFO when {@code verbose}; closing restores the previous level. */
    static Level infoIf(boolean verbose) {
        if (!verbose || !LOGBACK_CONTEXT.equals(LoggerFactory.getILoggerFactory().getClass().getName())) {
            return () -> { };
        }
        return LogbackRoot.setInfo();
    }

    /** The logback-specific part, loaded only when logback is present. */
    private static final class LogbackRoot {
        static Level setInfo() {
            ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                    LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            ch.qos.logback.classic.Level previous = root.getLevel();
            root.setLevel(ch.qos.logback.classic.Level.INFO);
            return () -> root.setLevel(previous);
        }
    }
}
