package io.github.lossengine.cpu;

/**
 * {@link RegressionKernels} in plain Java, one element at a time, summed lane by lane as
 * {@link ScalarKernels} describes (the same bits as the vector kernels'); the vector kernels' tails.
 */
final class ScalarRegressionKernels implements RegressionKernels {

    @Override
    public double piecewise(float[] x, float[] y, float[] g, float[] values, int from, int to, float beta,
                            float quad, float lin, float gScale) {
        int bound = ScalarKernels.bound(from, to);
        double lanes = 0;
        for (int l = 0; l < FloatKernels.LANES; l++) {
            lanes += piecewise(x, y, g, values, from + l, bound, FloatKernels.LANES, beta, quad, lin, gScale);
        }
        return lanes + piecewise(x, y, g, values, bound, to, 1, beta, quad, lin, gScale);
    }

    /** One lane of {@link #piecewise} over {@code i = start, start + step, ... < end}. */
    private static float piecewise(float[] x, float[] y, float[] g, float[] values, int start, int end, int step,
                                   float beta, float quad, float lin, float gScale) {
        float half = 0.5f * beta;
        float s = 0;
        for (int i = start; i < end; i += step) {
            float d = x[i] - y[i];
            float a = Math.abs(d);
            boolean inside = a < beta;
            float l = inside ? ((0.5f * a) * a) * quad : (a - half) * lin;
            float dl = inside ? d * quad : Math.signum(d) * lin;
            s = ScalarKernels.emit(s, l, dl * gScale, g, values, i);
        }
        return s;
    }

    @Override
    public double logCosh(float[] x, float[] y, float[] g, float[] values, int from, int to, float gScale) {
        int bound = ScalarKernels.bound(from, to);
        double lanes = 0;
        for (int l = 0; l < FloatKernels.LANES; l++) {
            lanes += logCosh(x, y, g, values, from + l, bound, FloatKernels.LANES, gScale);
        }
        return lanes + logCosh(x, y, g, values, bound, to, 1, gScale);
    }

    /** One lane of {@link #logCosh} over {@code i = start, start + step, ... < end}. */
    private static float logCosh(float[] x, float[] y, float[] g, float[] values, int start, int end, int step,
                                 float gScale) {
        float s = 0;
        for (int i = start; i < end; i += step) {
            float d = x[i] - y[i];
            float a = Math.abs(d);
            float e = FloatMath.expm1(a);
            float q = e * (e + 2f);
            boolean linear = a >= LOG_COSH_LINEAR;
            float l = linear ? a - FloatMath.LN2 : FloatMath.log1p((e * e) / ((e + 1f) * 2f));
            float t = linear ? 1f : q / (q + 2f);
            s = ScalarKernels.emit(s, l, (d < 0f ? -t : t) * gScale, g, values, i);
        }
        return s;
    }
}
