package io.github.lossengine.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossengine.Tensor;

/**
 * libtorch (CPU, through DJL) on one catalogue case, computing the loss and the gradient of every
 * input lossengine differentiates (see {@link CatalogueCase#differentiable}). DJL exposes no
 * {@code torch.nn.functional} loss, so each loss is written from libtorch's tensor ops with
 * PyTorch's formula and defaults, two ways:
 * <ul>
 *   <li>{@link TorchContestant.Mode#AUTOGRAD}: the forward from ops on fresh leaves, the gradients by
 *       {@code backward()} (every case);</li>
 *   <li>{@link TorchContestant.Mode#EXPLICIT}: the closed-form gradient without autograd, in place
 *       where DJL has the in-place op ({@code subi}, {@code muli}, ...), constant tensors (one-hot,
 *       smoothed targets) built once outside the timing (the cases {@link #explicit} lists).</li>
 * </ul>
 * The inputs are copied into libtorch tensors once, outside the timing; the gradients stay in
 * libtorch. Not thread-safe.
 */
final class TorchCatalogueContestant implements Contestant {
    private final CatalogueCase c;
    private final TorchContestant.Mode mode;
    private final Engine engine;
    private final NDManager manager;
    /** The float inputs (null where an input is class indices). */
    private final NDArray[] in;
    private final NDArray labels;
    /** Index targets as one-hot rows, or the smoothed target distribution; null where unused. */
    private final NDArray target;
    private final int[] diff;
    private final float n;
    private final float rows;

    TorchCatalogueContestant(CatalogueCase c, Tensor[] inputs, TorchContestant.Mode mode) {
        this.c = c;
        this.mode = mode;
        this.engine = Engine.getEngine("PyTorch");
        this.manager = engine.newBaseManager();
        this.diff = c.differentiable(inputs);
        this.n = c.elements();
        this.rows = c.shape()[0];
        in = new NDArray[inputs.length];
        NDArray l = null;
        for (int i = 0; i < inputs.length; i++) {
            Shape s = new Shape(inputs[i].shape());
            if (inputs[i].isFloat()) {
                in[i] = manager.create(inputs[i].toFloatArray(), s);
            } else {
                long[] v = new long[(int) inputs[i].size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = inputs[i].getLong(k);
                }
                l = manager.create(v, new Shape(v.length, 1));
            }
        }
        labels = l;
        if (l != null && c.shape().length == 2) {
            NDArray onehot = l.reshape(c.shape()[0]).oneHot((int) c.shape()[1], DataType.FLOAT32);
            if (c.id().contains("smoothing")) {
                double eps = 0.1;
                target = onehot.muli((float) (1 - eps)).addi((float) (eps / c.shape()[1]));
            } else {
                target = onehot;
            }
        } else {
            target = null;
        }
    }

    /** Whether this mode is written for the case: autograd for every loss libtorch has, explicit for most. */
    static boolean supports(CatalogueCase c, TorchContestant.Mode mode) {
        if (c.torch() == null) {
            return false;
        }
        return mode == TorchContestant.Mode.AUTOGRAD || explicit(c);
    }

    /** The cases with an explicit gradient here (not the norm-based triplet and cosine losses). */
    static boolean explicit(CatalogueCase c) {
        String name = c.loss().name();
        return !name.equals("triplet") && !name.equals("cosine_embedding");
    }

    @Override
    public String id() {
        return TorchContestant.id(mode);
    }

    @Override
    public String description() {
        return TorchContestant.description(engine, mode == TorchContestant.Mode.AUTOGRAD ? "autograd"
                : "explicit gradient formula, in place where DJL allows");
    }

    @Override
    public double run() {
        return step(false).value();
    }

    @Override
    public Outcome runForCheck() {
        return step(true);
    }

    private Outcome step(boolean copy) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray[] grads = new NDArray[in.length];
            double v;
            if (mode == TorchContestant.Mode.EXPLICIT) {
                v = explicit(grads);
            } else {
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray[] x = in.clone();
                    for (int i : diff) {
                        x[i] = in[i].stopGradient();
                        x[i].setRequiresGradient(true);
                    }
                    NDArray loss = forward(x);
                    gc.backward(loss);
                    for (int i : diff) {
                        grads[i] = x[i].getGradient();
                    }
                    v = loss.getFloat();
                }
            }
            if (!copy) {
                return new Outcome(v, null);
            }
            int total = 0;
            float[][] parts = new float[diff.length][];
            for (int k = 0; k < diff.length; k++) {
                parts[k] = grads[diff[k]].toFloatArray();
                total += parts[k].length;
            }
            float[] all = new float[total];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return new Outcome(v, all);
        }
    }

    /** The MEAN loss from libtorch ops, PyTorch's formula and defaults. */
    private NDArray forward(NDArray[] x) {
        NDArray a = x[0];
        NDArray b = x.length > 1 ? x[1] : null;
        switch (c.loss().name()) {
            case "softmax_cross_entropy":
                if ("probs".equals(c.variant())) {
                    return a.logSoftmax(1).mul(b).sum().div(-rows);
                }
                if (c.id().contains("smoothing")) {
                    return a.logSoftmax(1).mul(target).sum().div(-rows);
                }
                return a.logSoftmax(1).gather(labels, 1).mean().neg();
            case "nll":
                return a.gather(labels, 1).mean().neg();
            case "multiclass_hinge":
                // (sum_j max(0, 1 - x_y + x_j) - 1) / C per row: the j = y term is exactly 1 (gradient 0)
                return a.sub(a.gather(labels, 1)).add(1f).maximum(0f).sum().sub(rows).div(n);
            case "mse": {
                NDArray d = a.sub(b);
                return d.mul(d).mean();
            }
            case "mae":
                return a.sub(b).abs().mean();
            case "huber":
            case "smooth_l1": { // delta = beta = 1: min(|d|, 1) (|d| - min(|d|, 1) / 2)
                NDArray d = a.sub(b).abs();
                NDArray m = d.minimum(1f);
                return m.mul(d.sub(m.mul(0.5f))).mean();
            }
            case "binary_cross_entropy":
                return b.mul(a.log().maximum(-100f)).add(b.neg().add(1f).mul(a.neg().add(1f).log().maximum(-100f)))
                        .mean().neg();
            case "bce_with_logits": { // (1 - y) x + (1 + (pw - 1) y) softplus(-x), softplus(-x) = relu(-x) + log(1 + e^-|x|)
                float pw = c.id().contains("pos_weight") ? 2f : 1f;
                NDArray sp = a.neg().maximum(0f).add(a.abs().neg().exp().add(1f).log());
                NDArray w = pw == 1f ? sp : b.mul(pw - 1f).add(1f).mul(sp);
                return b.neg().add(1f).mul(a).add(w).mean();
            }
            case "kl_div":
                return b.xlogy(b).sub(b.mul(a)).mean();
            case "poisson_nll":
                return a.exp().sub(b.mul(a)).mean();
            case "gaussian_nll": {
                NDArray v = x[2].maximum(1e-6f);
                NDArray d = a.sub(b);
                return v.log().add(d.mul(d).div(v)).mean().mul(0.5f);
            }
            case "hinge":
                return b.mul(a).neg().add(1f).maximum(0f).mean();
            case "margin_ranking":
                return x[2].mul(a.sub(b)).neg().maximum(0f).mean();
            case "triplet": { // ||u - v + eps||_2 per row, margin 1
                NDArray dp = a.sub(b).add(1e-6f).norm(2, new int[] {1}, false);
                NDArray dn = a.sub(x[2]).add(1e-6f).norm(2, new int[] {1}, false);
                return dp.sub(dn).add(1f).maximum(0f).mean();
            }
            case "cosine_embedding": { // PyTorch's: EPS 1e-12, margin 0
                NDArray prod = a.mul(b).sum(new int[] {1});
                NDArray m1 = a.mul(a).sum(new int[] {1}).add(1e-12f);
                NDArray m2 = b.mul(b).sum(new int[] {1}).add(1e-12f);
                NDArray cos = prod.div(m1.mul(m2).sqrt());
                NDArray y = x[2];
                NDArray pos = cos.neg().add(1f).mul(y.add(1f).div(2f));
                NDArray neg = cos.maximum(0f).mul(y.neg().add(1f).div(2f));
                return pos.add(neg).mean();
            }
            default:
                throw new IllegalStateException("no libtorch formula for " + c.id());
        }
    }

    /** The loss and its gradients by their closed forms, in place where DJL allows. */
    private double explicit(NDArray[] g) {
        NDArray a = in[0];
        NDArray b = in.length > 1 ? in[1] : null;
        switch (c.loss().name()) {
            case "softmax_cross_entropy": {
                NDArray lsm = a.logSoftmax(1);
                NDArray q = "probs".equals(c.variant()) ? b : target;
                double v = c.id().contains("smoothing") || "probs".equals(c.variant())
                        ? -lsm.mul(q).sum().getFloat() / rows : -lsm.gather(labels, 1).mean().getFloat();
                g[0] = lsm.exp().subi(q).muli(1f / rows);
                return v;
            }
            case "nll":
                g[0] = target.mul(-1f / rows);
                return -a.gather(labels, 1).mean().getFloat();
            case "multiclass_hinge": {
                NDArray m = a.sub(a.gather(labels, 1)).addi(1f);
                double v = (m.maximum(0f).sum().getFloat() - rows) / n;
                NDArray act = m.gt(0f).toType(DataType.FLOAT32, false);
                NDArray count = act.sum(new int[] {1}, true);
                g[0] = act.subi(target.mul(count)).muli(1f / n);
                return v;
            }
            case "mse": {
                NDArray d = a.sub(b);
                double v = d.dot(d).getFloat() / n;
                g[0] = d.muli(2f / n);
                return v;
            }
            case "mae": {
                NDArray d = a.sub(b);
                double v = d.abs().sum().getFloat() / n;
                g[0] = d.sign().muli(1f / n);
                return v;
            }
            case "huber":
            case "smooth_l1": {
                NDArray d = a.sub(b);
                NDArray ad = d.abs();
                NDArray m = ad.minimum(1f);
                double v = m.mul(ad.subi(m.mul(0.5f))).sum().getFloat() / n;
                g[0] = d.clip(-1f, 1f).muli(1f / n);
                return v;
            }
            case "binary_cross_entropy": {
                NDArray one = a.neg().addi(1f);
                double v = -b.mul(a.log().maximum(-100f)).addi(b.neg().addi(1f).muli(one.log().maximum(-100f)))
                        .sum().getFloat() / n;
                g[0] = a.sub(b).divi(a.mul(one).maximum(1e-12f)).muli(1f / n);
                return v;
            }
            case "bce_with_logits": {
                float pw = c.id().contains("pos_weight") ? 2f : 1f;
                NDArray sp = a.neg().maximum(0f).addi(a.abs().neg().exp().addi(1f).log());
                NDArray coef = pw == 1f ? null : b.mul(pw - 1f).addi(1f);
                double v = b.neg().addi(1f).muli(a).addi(coef == null ? sp : coef.mul(sp)).sum().getFloat() / n;
                NDArray s = ai.djl.nn.Activation.sigmoid(a);
                g[0] = (coef == null ? s.subi(b) : s.muli(coef).subi(b.mul(pw))).muli(1f / n);
                return v;
            }
            case "kl_div": {
                double v = b.xlogy(b).subi(b.mul(a)).sum().getFloat() / n;
                g[0] = b.mul(-1f / n);
                return v;
            }
            case "poisson_nll": {
                NDArray e = a.exp();
                double v = e.sub(b.mul(a)).sum().getFloat() / n;
                g[0] = e.subi(b).muli(1f / n);
                return v;
            }
            case "gaussian_nll": {
                NDArray var = in[2].maximum(1e-6f);
                NDArray d = a.sub(b);
                NDArray r = d.div(var);
                NDArray dr = r.mul(d);
                double v = 0.5 * var.log().addi(dr).sum().getFloat() / n;
                g[0] = r.muli(1f / n);
                g[1] = g[0].neg();
                g[2] = var.pow(-1f).subi(dr.divi(var)).muli(0.5f / n);
                return v;
            }
            case "hinge": {
                NDArray m = b.mul(a).negi().addi(1f);
                double v = m.maximum(0f).sum().getFloat() / n;
                g[0] = m.gte(0f).toType(DataType.FLOAT32, false).muli(b).muli(-1f / n);
                return v;
            }
            case "margin_ranking": {
                NDArray m = in[2].mul(a.sub(b)).negi();
                double v = m.maximum(0f).sum().getFloat() / n;
                g[0] = m.gte(0f).toType(DataType.FLOAT32, false).muli(in[2]).muli(-1f / n);
                g[1] = g[0].neg();
                return v;
            }
            default:
                throw new IllegalStateException("no explicit libtorch gradient for " + c.id());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
