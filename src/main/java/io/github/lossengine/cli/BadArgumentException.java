package io.github.lossengine.cli;

import io.github.lossengine.InvalidInputException;

/**
 * A command-line argument the command cannot use: a missing or malformed file, an unknown option,
 * a value a loss refuses. The message is one line that starts with the flag at fault (e.g.
 * {@code --target[3] = 7: class index out of range [0, 5)}); {@link Main} prints it and exits with
 * status 2.
 */
final class BadArgumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadArgumentException(String message) {
        super(message);
    }

    BadArgumentException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The library's message with its argument name replaced by {@code label}: {@code target[3] = 7: ...}
     * becomes {@code --target[3] = 7: ...}.
     */
    static BadArgumentException relabel(InvalidInputException e, String label) {
        String message = String.valueOf(e.getMessage());
        String arg = e.argument();
        String rest = message.startsWith(arg) ? message.substring(arg.length()) : ": " + message;
        return new BadArgumentException(label + rest, e);
    }

    /** {@code flag: message}, for a flag whose library argument has another name ({@code --target2: y[1] = 3: ...}). */
    static BadArgumentException prefixed(String flag, Exception e) {
        return new BadArgumentException(flag + ": " + e.getMessage(), e);
    }
}
