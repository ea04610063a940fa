package io.github.lossengine.kernel;

/**
 * A device loss found its inputs invalid (metadata checked on the host, values counted on the
 * device). The backend turns it into the {@link io.github.lossengine.InvalidInputException} the CPU
 * backend throws for the same inputs, so every backend reports the same error; the fields here are
 * the fallback when the CPU cannot be consulted (inputs that live only in device memory).
 */
public final class InvalidOnDevice extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String argument;
    private final String problem;

    public InvalidOnDevice(String argument, String problem) {
        super(argument + ": " + problem, null, false, false);
        this.argument = argument;
        this.problem = problem;
    }

    public String argument() {
        return argument;
    }

    public String problem() {
        return problem;
    }
}
