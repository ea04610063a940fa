/*
 * Regression losses of a prediction x and a target y (element-wise; see common/pointwise.h):
 * mse, mae, huber (p0 = delta), smooth_l1 (p0 = beta), log_cosh. Formulas as the CPU backend
 * (io.github.lossengine.cpu.MseCpu, MaeCpu, HuberCpu, SmoothL1Cpu, LogCoshCpu).
 */
#define LE_MSE 0
#define LE_MAE 1
#define LE_HUBER 2
#define LE_SMOOTH_L1 3
#define LE_LOG_COSH 4

/*
 * log cosh(a) for a = |d| >= 0 (as LogCoshCpu). Below 1 it is log1p(cosh a - 1) with
 * cosh a - 1 = expm1(a)^2 / (2 (1 + expm1(a))), which keeps a^2 / 2 for tiny a; the form
 * a + log1p(e^-2a) - log 2 cancels there (4.6 % off at 1e-3, negative at 2e-7) and serves above 1,
 * where it cannot overflow.
 */
DEVICE float le_log_cosh(float a) {
    if (a < 1.0f) {
        float e = EXPM1(a);
        return LOG1P(e * e / (2.0f * (1.0f + e)));
    }
    return a + LOG1P(EXP(-2.0f * a)) - 0.69314718055994531f;
}

DEVICE float le_regression_eval(int kind, float xv, float yv, float cv, float p0, float p1, float p2, float* g) {
    float d = xv - yv;
    float a = FABS(d);
    switch (kind) {
        case LE_MSE:
            *g = 2.0f * d;
            return d * d;
        case LE_MAE:
            *g = le_sign(d);
            return a;
        case LE_HUBER:
            *g = a < p0 ? d : p0 * le_sign(d);
            return a < p0 ? 0.5f * a * a : p0 * (a - 0.5f * p0);
        case LE_SMOOTH_L1:
            *g = a < p0 ? d / p0 : le_sign(d);
            return a < p0 ? 0.5f * a * a / p0 : a - 0.5f * p0;
        default:
            *g = TANH(d);
            return le_log_cosh(a);
    }
}

LE_POINTWISE_KERNEL(le_mse_f32, le_regression_eval, LE_MSE)
LE_POINTWISE_KERNEL(le_mae_f32, le_regression_eval, LE_MAE)
LE_POINTWISE_KERNEL(le_huber_f32, le_regression_eval, LE_HUBER)
LE_POINTWISE_KERNEL(le_smooth_l1_f32, le_regression_eval, LE_SMOOTH_L1)
LE_POINTWISE_KERNEL(le_log_cosh_f32, le_regression_eval, LE_LOG_COSH)
