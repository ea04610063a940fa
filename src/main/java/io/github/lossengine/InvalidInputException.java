package io.github.lossengine;

/**
 * A loss input or option holds a value the loss cannot accept: a class index out of range, a
 * probability outside [0, 1], a label that is not ±1, a negative variance, a shape that does not
 * match, an empty batch where the reduction needs one.
 *
 * <p>The message always names the argument and, where there is one, the offending position and
 * value, e.g. {@code target[3] = 7: class index out of range [0, 5)}. It is thrown before anything is
 * written. Every backend reports the same condition with this exception.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String argument;

    /** {@code argument: problem}. */
    public InvalidInputException(String argument, String problem) {
        super(argument + ": " + problem);
        this.argument = argument;
    }

    private InvalidInputException(String argument, String position, String value, String problem) {
        super(argument + position + " = " + value + ": " + problem);
        this.argument = argument;
    }

    /** The name of the argument at fault: {@code input}, {@code target}, {@code target2}, or an option name. */
    public String argument() {
        return argument;
    }

    /** {@code argument[i, j] = value: problem}, with the multi-index of {@code flatIndex} in {@code t}. */
    public static InvalidInputException at(String argument, Tensor t, long flatIndex, String value, String problem) {
        return new InvalidInputException(argument, t.indexString(flatIndex), value, problem);
    }

    /** {@code argument[index] = value: problem} for a 1-D position. */
    public static InvalidInputException at(String argument, long index, String value, String problem) {
        return new InvalidInputException(argument, "[" + index + "]", value, problem);
    }
}
