package io.github.lossengine.cli;

import java.io.IOException;

/** A file is not a {@code .npy} file that {@link Npy} reads; the message names the file and the problem. */
public class NpyFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@code source: problem}. */
    public NpyFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
