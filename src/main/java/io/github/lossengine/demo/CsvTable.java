package io.github.lossengine.demo;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The numbers behind a chart, written as a CSV file: a header row, then one row per data point.
 * Doubles are written with 8 significant digits in plain notation, integers and text as they are, so
 * the same numbers always give the same bytes.
 */
final class CsvTable {
    private static final MathContext DIGITS = new MathContext(8);

    private final List<String> header;
    private final List<String> lines = new ArrayList<>();

    CsvTable(String... header) {
        this.header = List.of(header);
    }

    /** Appends a row; {@code cells} must match the header in number. */
    CsvTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns " + header);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(i == 0 ? "" : ",").append(format(cells[i]));
        }
        lines.add(sb.toString());
        return this;
    }

    /** Number of data rows. */
    int rows() {
        return lines.size();
    }

    /** Writes the table to {@code file}, replacing it. */
    void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /** A cell as written: doubles with 8 significant digits, text quoted when it holds a comma or quote. */
    static String format(Object cell) {
        if (cell instanceof Double || cell instanceof Float) {
            double v = ((Number) cell).doubleValue();
            if (!Double.isFinite(v)) {
                return Double.toString(v);
            }
            return v == 0 ? "0" : new BigDecimal(v).round(DIGITS).stripTrailingZeros().toPlainString();
        }
        String s = String.valueOf(cell);
        if (s.contains(",") || s.contains("\"")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    @Override
    public String toString() {
        return "CsvTable" + Arrays.toString(header.toArray()) + " x " + lines.size();
    }
}
