package io.github.lossengine.demo;

/**
 * One line of the results table: which experiment, what was measured, the value as shown. Plain
 * ASCII, since the table is printed on terminals of any encoding.
 *
 * @param experiment the experiment number, 1 to 7
 * @param quantity   what was measured, e.g. "epochs to 90% accuracy, cross-entropy"
 * @param value      the value as printed, e.g. "6"
 */
public record ResultRow(int experiment, String quantity, String value) {
    public ResultRow {
        requireAscii(quantity);
        requireAscii(value);
    }

    private static void requireAscii(String text) {
        if (!text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("not printable ASCII: " + text);
        }
    }
}
