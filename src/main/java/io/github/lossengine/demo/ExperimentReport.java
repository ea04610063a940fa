package io.github.lossengine.demo;

import java.util.List;

/**
 * What one experiment wrote and found: its chart and CSV files (names inside the output folder),
 * the two-line caption shown under the chart, and its rows of the results table.
 *
 * @param number  1 to 7, the order of issue 4
 * @param title   a short title, e.g. "Learning speed"
 * @param caption two lines: what the chart shows, and how to read it
 * @param png     the chart file
 * @param csvs    the CSV files with the numbers behind the chart
 * @param results rows of the results table
 */
public record ExperimentReport(int number, String title, List<String> caption, String png, List<String> csvs,
                               List<ResultRow> results) {
    public ExperimentReport {
        caption = List.copyOf(caption);
        csvs = List.copyOf(csvs);
        results = List.copyOf(results);
        if (caption.size() != 2) {
            throw new IllegalArgumentException("a caption has two lines, got " + caption.size());
        }
    }
}
