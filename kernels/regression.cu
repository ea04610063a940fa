/*
 * Regression losses of a prediction x and a target y (element-wise; see common/pointwise.h):
 * mse, mae, huber, smooth_l1, log_cosh. Formulas as the CPU backend (io.github.lossengine.cpu).
 */
#define LE_MSE 0
#define LE_MAE 1
#define LE_HUBER 2
#define LE_SMOOTH_L1 3
#define LE_LOG_COSH 4

/* Loss of one element; *g receives dl/dx. p0 is huber's delta or smooth_l1's beta. */
DEVICE float le_regression_eval(int kind, float xv, float yv, float p0, float* g) {
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
            return a + LOG1P(EXP(-2.0f * a)) - 0.69314718055994531f;
    }
}

DEVICE void le_regression(int kind, LOCAL_ARG float* buf, LE_POINTWISE_PARAMS) {
    float acc = 0.0f;
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        float g;
        float l = le_regression_eval(kind, x[i], y[i], p0, &g);
        acc += le_pointwise_store(le_element_weight(w, wlen, n, lastDim, i), l, g, scale, flags, i, values, grad);
    }
    float total = le_group_sum(buf, acc);
    if (LOCAL_ID == 0) {
        partials[GROUP_ID] = total;
    }
}

KERNEL void le_mse_f32(LE_POINTWISE_PARAMS) {
    LOCAL float buf[GROUP_SIZE];
    le_regression(LE_MSE, buf, x, y, n, w, wlen, lastDim, p0, p1, scale, flags, values, grad, partials);
}

KERNEL void le_mae_f32(LE_POINTWISE_PARAMS) {
    LOCAL float buf[GROUP_SIZE];
    le_regression(LE_MAE, buf, x, y, n, w, wlen, lastDim, p0, p1, scale, flags, values, grad, partials);
}

KERNEL void le_huber_f32(LE_POINTWISE_PARAMS) {
    LOCAL float buf[GROUP_SIZE];
    le_regression(LE_HUBER, buf, x, y, n, w, wlen, lastDim, p0, p1, scale, flags, values, grad, partials);
}

KERNEL void le_smooth_l1_f32(LE_POINTWISE_PARAMS) {
    LOCAL float buf[GROUP_SIZE];
    le_regression(LE_SMOOTH_L1, buf, x, y, n, w, wlen, lastDim, p0, p1, scale, flags, values, grad, partials);
}

KERNEL void le_log_cosh_f32(LE_POINTWISE_PARAMS) {
    LOCAL float buf[GROUP_SIZE];
    le_regression(LE_LOG_COSH, buf, x, y, n, w, wlen, lastDim, p0, p1, scale, flags, values, grad, partials);
}
