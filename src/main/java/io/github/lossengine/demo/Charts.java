package io.github.lossengine.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The demo's chart style on XChart: a colour-blind-safe palette (Okabe-Ito), line dashes so that
 * curves stay distinguishable in grey, the legend below the plot, and PNG output, several panels
 * stacked into one image where an experiment has more than one.
 */
final class Charts {
    /** Width and height of one panel in pixels. */
    static final int WIDTH = 900;
    static final int HEIGHT = 480;

    static final Color BLUE = new Color(0, 114, 178);
    static final Color ORANGE = new Color(230, 159, 0);
    static final Color GREEN = new Color(0, 158, 115);
    static final Color VERMILION = new Color(213, 94, 0);
    static final Color PURPLE = new Color(204, 121, 167);
    static final Color SKY = new Color(86, 180, 233);
    static final Color GREY = new Color(120, 120, 120);
    static final Color BLACK = Color.BLACK;

    static final BasicStroke SOLID = new BasicStroke(2.2f);
    static final BasicStroke DASHED = new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {9f, 6f}, 0f);
    static final BasicStroke DOTTED = new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
            new float[] {1f, 5f}, 0f);
    static final BasicStroke DASH_DOT = new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {10f, 4f, 2f, 4f}, 0f);
    static final BasicStroke THIN_DASHED = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {5f, 4f}, 0f);

    private Charts() {
    }

    /** An empty line chart with the demo's style. */
    static XYChart xy(String title, String xTitle, String yTitle) {
        return xy(title, xTitle, yTitle, HEIGHT);
    }

    /** An empty line chart with the demo's style and the given height. */
    static XYChart xy(String title, String xTitle, String yTitle, int height) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        return chart;
    }

    /** The common look: white background, light grid, legend below the plot in a row. */
    static void style(Chart<?, ?> chart) {
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(new Color(180, 180, 180));
        styler.setLegendPosition(LegendPosition.OutsideS);
        styler.setLegendLayout(LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartTitleBoxVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setAntiAlias(true);
        if (styler instanceof AxesChartStyler) {
            var axes = (AxesChartStyler) styler;
            axes.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            axes.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            axes.setPlotGridLinesColor(new Color(225, 225, 225));
        }
    }

    /**
     * Adds a line without markers. A curve of more than two points is drawn as one smooth path
     * (XChart draws a plain line segment by segment, restarting the dash pattern each time, so a
     * dashed curve through dense points would look solid); the smoothing never leaves the box
     * between two neighbouring points, so on dense grids it is the polyline.
     */
    static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color color, BasicStroke stroke) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        s.setSmooth(x.length > 2);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(stroke);
        return s;
    }

    /** Adds the points {@code i} with {@code selected[i]} and no line. */
    static XYSeries points(XYChart chart, String name, double[] x, double[] y, boolean[] selected, Color color,
                           org.knowm.xchart.style.markers.Marker marker) {
        int n = 0;
        for (boolean s : selected) {
            n += s ? 1 : 0;
        }
        double[] sx = new double[n];
        double[] sy = new double[n];
        for (int i = 0, k = 0; i < selected.length; i++) {
            if (selected[i]) {
                sx[k] = x[i];
                sy[k++] = y[i];
            }
        }
        return points(chart, name, sx, sy, color, marker);
    }

    /**
     * A line of text in the legend, with an empty swatch: a series of one point at the corner of the
     * axes (their ranges must be set first), drawn in a transparent colour.
     */
    static void legendNote(XYChart chart, String text) {
        XYSeries s = chart.addSeries(text, new double[] {chart.getStyler().getXAxisMin()},
                new double[] {chart.getStyler().getYAxisMin()});
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
    }

    /** Puts the legend inside the plot, one entry per row, on a white box. */
    static void legendInside(Chart<?, ?> chart, LegendPosition position) {
        chart.getStyler().setLegendPosition(position);
        chart.getStyler().setLegendLayout(LegendLayout.Vertical);
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 230));
        chart.getStyler().setLegendBorderColor(new Color(200, 200, 200));
    }

    /** Adds points without a line. */
    static XYSeries points(XYChart chart, String name, double[] x, double[] y, Color color,
                           org.knowm.xchart.style.markers.Marker marker) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        s.setMarker(marker);
        s.setMarkerColor(color);
        return s;
    }

    /**
     * Makes the x axis use round tick values from {@code min} to {@code max}. On equally spaced x
     * data XChart places ticks on data points (giving labels like -2.72, -2.44, ...); a hidden series
     * with unequal spacing makes it fall back to its usual round steps.
     */
    static void roundXTicks(XYChart chart, double min, double max) {
        XYSeries hidden = chart.addSeries("(round x ticks)", new double[] {min, min + 0.3719 * (max - min), max},
                new double[] {1, 1, 1});
        hidden.setEnabled(false);
        hidden.setShowInLegend(false);
        chart.getStyler().setXAxisMin(min).setXAxisMax(max);
    }

    /**
     * A logarithmic y axis spanning whole decades around every positive value of {@code series}, its
     * ticks labelled alike as powers of ten (10⁰, 10⁻¹, ...) and one grid line per decade (set the x
     * range first); returns its {min, max}.
     */
    static double[] logYAxis(XYChart chart, double[]... series) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double[] values : series) {
            for (double v : values) {
                if (v > 0 && Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        chart.getStyler().setYAxisLogarithmic(true);
        chart.setCustomYAxisTickLabelsFormatter(Charts::powerOfTen);
        if (max == 0) {
            return new double[] {0.1, 1};
        }
        double[] range = {Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max)))};
        chart.getStyler().setYAxisMin(range[0]).setYAxisMax(range[1]);
        decadeGrid(chart, range);
        return range;
    }

    /** Series names of the decade grid lines {@link #logYAxis} draws, hidden from the legend. */
    static final String DECADE_LINE = "(decade ";

    /**
     * Replaces XChart's horizontal grid of a log axis, a line at every 1..9 × 10^k, which clutters
     * the plot, by one thin line per decade: series drawn in the grid's colour, not in the legend.
     * The lines span the x range, which must be set first.
     */
    private static void decadeGrid(XYChart chart, double[] range) {
        var styler = chart.getStyler();
        styler.setPlotGridHorizontalLinesVisible(false);
        styler.setYAxisLogarithmicDecadeOnly(true);
        if (styler.getXAxisMin() == null || styler.getXAxisMax() == null) {
            throw new IllegalStateException("set the x range before the log y axis");
        }
        double x0 = styler.getXAxisMin();
        double x1 = styler.getXAxisMax();
        int first = (int) Math.round(Math.log10(range[0]));
        int last = (int) Math.round(Math.log10(range[1]));
        for (int k = first + 1; k < last; k++) {
            XYSeries s = chart.addSeries(DECADE_LINE + k + ")", new double[] {x0, x1},
                    new double[] {Math.pow(10, k), Math.pow(10, k)});
            s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(225, 225, 225));
            s.setLineStyle(new BasicStroke(1f));
            s.setShowInLegend(false);
        }
    }

    /**
     * Sets the axis ranges to cover {@code box} {xmin, xmax, ymin, ymax} with as many pixels per unit
     * in x as in y, widening the range of the axis that would otherwise be stretched, and returns the
     * ranges set. The size of the plot area depends on the legend and the tick labels, so the chart is
     * laid out (painted off screen) and adjusted until the scales agree; call it once every series is in.
     */
    static double[] equalScales(XYChart chart, double[] box) {
        double[] range = box.clone();
        for (int pass = 0; pass < 8; pass++) {
            chart.getStyler().setXAxisMin(range[0]).setXAxisMax(range[1]).setYAxisMin(range[2]).setYAxisMax(range[3]);
            double[] scale = pixelsPerUnit(chart, range);
            if (Math.abs(scale[0] / scale[1] - 1) < 1e-3) {
                break;
            }
            double width = scale[0] * (range[1] - range[0]);
            double height = scale[1] * (range[3] - range[2]);
            double unit = Math.min(width / (box[1] - box[0]), height / (box[3] - box[2]));
            double cx = (box[0] + box[1]) / 2;
            double cy = (box[2] + box[3]) / 2;
            range = new double[] {cx - width / unit / 2, cx + width / unit / 2, cy - height / unit / 2,
                    cy + height / unit / 2};
        }
        return range;
    }

    /** Pixels per unit along x and along y of a chart whose axes span {@code range}, as it is laid out now. */
    static double[] pixelsPerUnit(XYChart chart, double[] range) {
        BitmapEncoder.getBufferedImage(chart);
        return new double[] {
                (chart.getScreenXFromChart(range[1]) - chart.getScreenXFromChart(range[0])) / (range[1] - range[0]),
                (chart.getScreenYFromChart(range[2]) - chart.getScreenYFromChart(range[3])) / (range[3] - range[2])};
    }

    /** A power of ten as 10 and a superscript exponent (10⁻⁴), any other value with 3 significant digits. */
    static String powerOfTen(double v) {
        long exponent = Math.round(Math.log10(v));
        if (v > 0 && Math.abs(v / Math.pow(10, exponent) - 1) < 1e-9) {
            String superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
            StringBuilder s = new StringBuilder("10");
            if (exponent < 0) {
                s.append('⁻');
            }
            for (char digit : Long.toString(Math.abs(exponent)).toCharArray()) {
                s.append(superscripts.charAt(digit - '0'));
            }
            return s.toString();
        }
        return NumberText.significant(v);
    }

    /** Writes one chart as a PNG. */
    static void png(Chart<?, ?> chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
    }

    /** Writes panels stacked top to bottom as one PNG, their plot areas aligned on the left. */
    static void png(List<? extends Chart<?, ?>> panels, Path file) throws IOException {
        if (panels.size() == 1) {
            png(panels.get(0), file);
            return;
        }
        for (Chart<?, ?> panel : panels) {
            if (panel.getStyler() instanceof AxesChartStyler) {
                ((AxesChartStyler) panel.getStyler()).setYAxisLeftWidthHint(80);
            }
        }
        BitmapEncoder.saveBitmap(panels, panels.size(), 1, file.toString(), BitmapFormat.PNG);
    }

    /** {@code n} evenly spaced values from {@code from} to {@code to}, both included. */
    static double[] grid(double from, double to, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = from + (to - from) * i / (n - 1);
        }
        return v;
    }
}
