package io.github.lossengine.kernel;

import io.github.lossengine.Reduction;
import io.github.lossengine.loss.AllIgnoredPolicy;

/**
 * What the device losses over class rows (softmax cross-entropy, nll) share with the CPU's: the
 * score checks, the class-index targets checked on the device with the MEAN denominator
 * {@code sum_i w_(y_i)} over rows not ignored ({@code le_class_targets_i64}), and the
 * {@link AllIgnoredPolicy} when that denominator is 0.
 */
final class ClassRowsKernel {
    private ClassRowsKernel() {
    }

    /** Float32 scores [N, C] with C > 0 when N > 0. */
    static void requireScores(DeviceTensor x, String layout) {
        DeviceCall.requireFloatOrHalf(x, "input");
        DeviceCall.requireRank(x, "input", 2, layout);
        if (x.dim(1) == 0 && x.dim(0) > 0) {
            throw new InvalidOnDevice("input", "shape [" + x.dim(0) + ", 0]: no classes");
        }
    }

    /** Class indices [rows]. */
    static void requireIndexShape(DeviceTensor target, long rows) {
        DeviceCall.requireIndices(target, "target");
        DeviceCall.requireRank(target, "target", 1, "class indices [N]");
        if (target.dim(0) != rows) {
            throw new InvalidOnDevice("target", target.dim(0) + " class indices for " + rows + " rows of input");
        }
    }

    /** Checks the indices on the device and returns the MEAN denominator (sum of target weights of rows not ignored). */
    static double weightTotal(DeviceCall call, DeviceTensor target, long classes, long ignoreIndex, DeviceMemory w, boolean hasW) {
        long rows = target.size();
        Geometry geo = Geometry.elementwise(rows);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory err = call.scratch("err", 8);
        call.device().write(err, new int[] {0, Integer.MAX_VALUE}, 2);
        call.device().launch("le_class_targets_i64", geo.groups(), new KernelArgs().buf(target.memory()).i64(rows)
                .i64(classes).i64(ignoreIndex).buf(w).i32(hasW ? 1 : 0).buf(err).buf(partials));
        int[] e = new int[2];
        call.device().read(err, e, 2);
        if (e[0] != 0) {
            throw new InvalidOnDevice("target", e[0] + " class indices out of range [0, " + classes
                    + ") and not ignore_index (" + ignoreIndex + "), the first at index " + e[1]);
        }
        return call.reduce(partials, geo.groups(), 1)[0];
    }

    /** 1 for NONE and SUM, 1/denominator for MEAN, 0 for a MEAN with nothing to average (ERROR refuses it). */
    static double scale(Reduction r, double denominator, AllIgnoredPolicy policy) {
        if (r != Reduction.MEAN) {
            return 1.0;
        }
        if (denominator > 0) {
            return 1.0 / denominator;
        }
        if (policy == AllIgnoredPolicy.ERROR) {
            throw new InvalidOnDevice("target", "every row is ignored (target = ignore_index) or has class weight 0:"
                    + " the weighted mean is 0/0 (AllIgnoredPolicy.ERROR)");
        }
        return 0.0;
    }

    /** The reduced value: {@code sum * scale}, or 0 / NaN (per the policy) for a MEAN with nothing to average. */
    static double value(Reduction r, double sum, double scale, AllIgnoredPolicy policy) {
        if (r == Reduction.MEAN && scale == 0) {
            return policy == AllIgnoredPolicy.NAN ? Double.NaN : 0.0;
        }
        return sum * scale;
    }
}
