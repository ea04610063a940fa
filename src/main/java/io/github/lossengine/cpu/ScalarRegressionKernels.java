package io.github.lossengine.cpu;

/**
 * {@link RegressionKernels} in plain Java, one element at a time; each block's losses summed by
 * {@link ScalarKernels#laneSum} in the vector lanes' order (the same bits as the vector kernels');
 * the vector kernels' tails.
 */
final class ScalarRegressionKernels implements RegressionKernels {

    @Override
    public double piecewise(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                            int to, float beta, float quad, float lin, float gScale) {
        float half = 0.5f * beta;
        float[] lanes = ScalarKernels.lanes(to - from);
        for (int i = from; i < to; i++) {
            float d = x[xo + i] - y[yo + i];
            float a = Math.abs(d);
            boolean inside = a < beta;
            float l = inside ? ((0.5f * a) * a) * quad : (a - half) * lin;
            float dl = inside ? d * quad : Math.signum(d) * lin;
            ScalarKernels.emit(lanes, from, l, dl * gScale, g, go, values, i);
        }
        return ScalarKernels.laneSum(lanes, to - from);
    }

    @Override
    public double logCosh(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                          float gScale) {
        float[] lanes = ScalarKernels.lanes(to - from);
        for (int i = from; i < to; i++) {
            float d = x[xo + i] - y[yo + i];
            float a = Math.abs(d);
            float e = FloatMath.expm1(a);
            float q = e * (e + 2f);
            boolean linear = a >= LOG_COSH_LINEAR;
            float l = linear ? a - FloatMath.LN2 : FloatMath.log1p((e * e) / ((e + 1f) * 2f));
            float t = linear ? 1f : q / (q + 2f);
            ScalarKernels.emit(lanes, from, l, (d < 0f ? -t : t) * gScale, g, go, values, i);
        }
        return ScalarKernels.laneSum(lanes, to - from);
    }
}
