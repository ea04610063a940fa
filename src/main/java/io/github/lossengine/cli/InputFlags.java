package io.github.lossengine.cli;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.loss.LinearCrossEntropy;
import java.util.List;

/**
 * Which {@code compute} flag supplies each input of a loss and which receives each gradient:
 * {@code --input}, {@code --target}, {@code --target2} (gradients {@code --grad-out},
 * {@code --grad2-out}, {@code --grad3-out}) for every loss but {@code linear_cross_entropy}, whose
 * inputs are {@code --input} (hidden), {@code --linear-weight}, {@code --target} and
 * {@code --linear-bias} (gradients {@code --grad-out}, {@code --grad-linear-weight-out},
 * {@code --grad-linear-bias-out}). Also the mapping of a library refusal to the flag at fault.
 *
 * @param loss       the loss, with {@code bias(true)} when {@code --linear-bias} is given
 * @param inputFiles the file of each input, by input (null: not given)
 * @param gradFiles  the file asked for each gradient, by input (null: not asked)
 */
record InputFlags(Loss loss, String[] inputFiles, String[] gradFiles) {
    static final String[] INPUT_FLAGS = {"--input", "--target", "--target2"};
    static final String[] GRAD_FLAGS = {"--grad-out", "--grad2-out", "--grad3-out"};
    static final String[] LINEAR_INPUT_FLAGS = {"--input", "--linear-weight", "--target", "--linear-bias"};
    static final String[] LINEAR_GRAD_FLAGS = {"--grad-out", "--grad-linear-weight-out", "--grad-out (target)",
        "--grad-linear-bias-out"};

    /**
     * The inputs and gradient files of {@code loss}: {@code inputs} and {@code grads} are the files of
     * the three general flags each, {@code linear} those of {@code --linear-weight}, {@code --linear-bias},
     * {@code --grad-linear-weight-out} and {@code --grad-linear-bias-out}; a flag that does not apply to
     * the loss is refused.
     */
    static InputFlags of(Loss loss, String[] inputs, String[] grads, String[] linear) {
        String[] linearFlags = {"--linear-weight", "--linear-bias", "--grad-linear-weight-out", "--grad-linear-bias-out"};
        if (!(loss instanceof LinearCrossEntropy l)) {
            for (int i = 0; i < linear.length; i++) {
                if (linear[i] != null) {
                    throw new BadArgumentException(linearFlags[i] + " " + linear[i] + ": only linear_cross_entropy takes it, not "
                            + loss.name());
                }
            }
            return new InputFlags(loss, inputs, grads);
        }
        if (inputs[2] != null) {
            throw new BadArgumentException("--target2 " + inputs[2] + ": linear_cross_entropy takes --input (hidden),"
                    + " --linear-weight, --target and optionally --linear-bias");
        }
        for (int k = 1; k < grads.length; k++) {
            if (grads[k] != null) {
                throw new BadArgumentException(GRAD_FLAGS[k] + " " + grads[k] + ": linear_cross_entropy writes its"
                        + " gradients with --grad-out (hidden), --grad-linear-weight-out and --grad-linear-bias-out");
            }
        }
        LinearCrossEntropy withBias = l.bias(linear[1] != null);
        return new InputFlags(withBias, new String[] {inputs[0], linear[0], inputs[1], linear[1]},
                new String[] {grads[0], linear[2], null, linear[3]});
    }

    /** The flag of each input of {@code loss}. */
    static String[] inputFlags(Loss loss) {
        return loss instanceof LinearCrossEntropy ? LINEAR_INPUT_FLAGS : INPUT_FLAGS;
    }

    /** The flag of each gradient of {@code loss}. */
    static String[] gradFlags(Loss loss) {
        return loss instanceof LinearCrossEntropy ? LINEAR_GRAD_FLAGS : GRAD_FLAGS;
    }

    String[] inputFlags() {
        return inputFlags(loss);
    }

    String[] gradFlags() {
        return gradFlags(loss);
    }

    /** Refuses a missing input and a file given for an input the loss does not have. */
    void checkArity() {
        int arity = loss.arity();
        String[] flags = inputFlags();
        for (int i = 0; i < inputFiles.length; i++) {
            if (i < arity && inputFiles[i] == null) {
                throw new BadArgumentException(flags[i] + ": missing; " + loss.name() + " takes " + arity
                        + " inputs " + loss.inputNames() + " (" + String.join(", ", List.of(flags).subList(0, arity)) + ")");
            }
            if (i >= arity && inputFiles[i] != null) {
                throw new BadArgumentException(flags[i] + " " + inputFiles[i] + ": " + loss.name() + " takes only "
                        + arity + " inputs " + loss.inputNames());
            }
        }
    }

    /** The library's message, its argument name mapped to the flag that supplied it. */
    static BadArgumentException describe(InvalidInputException e, Loss loss) {
        String arg = e.argument();
        String[] flags = inputFlags(loss);
        int i = loss.inputNames().indexOf(arg);
        if (i < 0 && arg.matches("input|target|target2")) {
            i = List.of("input", "target", "target2").indexOf(arg);
        }
        if (i >= 0 && i < flags.length) {
            String flag = flags[i];
            return flag.equals("--" + arg.replace('_', '-')) ? BadArgumentException.relabel(e, flag)
                    : BadArgumentException.prefixed(flag, e);
        }
        if (arg.equals("weight") || arg.equals("reduction")) {
            return BadArgumentException.relabel(e, "--" + arg);
        }
        if (LossParameters.keys(loss).contains(arg)) {
            return BadArgumentException.relabel(e, "--param " + arg);
        }
        return new BadArgumentException(e.getMessage(), e);
    }
}
