package io.github.lossengine.kernel;

import io.github.lossengine.DType;
import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import io.github.lossengine.cpu.Reductions;
import io.github.lossengine.loss.Contrastive;
import io.github.lossengine.loss.CosineEmbedding;
import io.github.lossengine.loss.Triplet;
import java.util.Arrays;
import java.util.List;

/**
 * Device losses on rows of embeddings [N, D] ({@code kernels/embedding.cu}): contrastive, triplet and
 * cosine embedding. The embedding inputs are float32 of one shape; an optional last input holds one
 * label per row (float, or integer converted on the device), checked on the device. One segment
 * per row; every embedding input gets its gradient.
 */
abstract class EmbeddingRowsKernel<L extends Loss> implements DeviceLoss<L> {
    private final int embeddings;

    EmbeddingRowsKernel(int embeddings) {
        this.embeddings = embeddings;
    }

    /** Checks the (float) labels on the device. */
    abstract void checkLabels(L loss, DeviceCall call, DeviceTensor labels, String arg);

    /** The kernel's options, between {@code dim} and {@code seg}. */
    abstract void options(L loss, KernelArgs args);

    abstract String kernel();

    @Override
    public DeviceOutcome run(L loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients) {
        List<String> names = loss.inputNames();
        DeviceTensor first = inputs[0];
        for (int k = 0; k < embeddings; k++) {
            DeviceCall.requireFloat(inputs[k], names.get(k));
            DeviceCall.requireRank(inputs[k], names.get(k), 2, "[N, D]");
            if (k > 0) {
                DeviceCall.requireSameShape(names.get(0), first, names.get(k), inputs[k]);
            }
        }
        long n = first.dim(0);
        long d = first.dim(1);
        DeviceTensor labels = inputs.length > embeddings ? inputs[embeddings] : null;
        if (labels != null) {
            String arg = names.get(embeddings);
            if (labels.rank() != 1 || labels.dim(0) != n) {
                throw new InvalidOnDevice(arg, "shape " + Arrays.toString(labels.shape()) + " does not match "
                        + names.get(0) + "'s " + Arrays.toString(first.shape()) + ": expected [" + n + "], one label per row");
            }
            if (labels.dtype() == DType.INT64) {
                DeviceMemory f = call.floats("labels", n);
                call.device().launch("le_labels_to_f32_i64", Geometry.elementwise(n).groups(),
                        new KernelArgs().buf(labels.memory()).i64(n).buf(f));
                labels = new DeviceTensor(f, DType.FLOAT32, labels.shape());
            }
            checkLabels(loss, call, labels, arg);
        }
        Reduction r = loss.reduction();
        double scale = Reductions.scale(r, n, n, names.get(0));
        Geometry geo = Geometry.rows(n, d);
        DeviceMemory partials = call.floats("partials", geo.groups());
        DeviceMemory values = r == Reduction.NONE ? call.floats("values", n) : call.unused();
        int flags = r == Reduction.NONE ? 1 : 0;
        KernelArgs args = new KernelArgs();
        for (int k = 0; k < embeddings; k++) {
            args.buf(inputs[k].memory());
            flags |= gradients[k] != null ? 2 << k : 0;
        }
        if (labels != null) {
            args.buf(labels.memory());
        }
        args.i64(n).i64(d);
        options(loss, args);
        args.i32(geo.segment()).f32(scale).i32(flags).buf(values);
        for (int k = 0; k < embeddings; k++) {
            args.buf(gradients[k] != null ? gradients[k] : call.unused());
        }
        args.buf(partials);
        call.device().launch(kernel(), geo.groups(), args);
        float sum = call.reduce(partials, geo.groups(), 1)[0];
        return new DeviceOutcome(sum * scale, r == Reduction.NONE ? values : null, new long[] {n});
    }

    /** {@code le_contrastive_f32}: labels 0 (similar) or 1 (dissimilar). */
    static final class ContrastiveKernel extends EmbeddingRowsKernel<Contrastive> {
        ContrastiveKernel() {
            super(2);
        }

        @Override
        void checkLabels(Contrastive loss, DeviceCall call, DeviceTensor labels, String arg) {
            call.requireOneOf(labels, arg, 0f, 1f, "label");
        }

        @Override
        void options(Contrastive loss, KernelArgs args) {
            args.f32(loss.margin()).f32(loss.eps());
        }

        @Override
        String kernel() {
            return "le_contrastive_f32";
        }
    }

    /** {@code le_triplet_f32}: no labels. */
    static final class TripletKernel extends EmbeddingRowsKernel<Triplet> {
        TripletKernel() {
            super(3);
        }

        @Override
        void checkLabels(Triplet loss, DeviceCall call, DeviceTensor labels, String arg) {
            // triplet has no labels
        }

        @Override
        void options(Triplet loss, KernelArgs args) {
            args.f32(loss.margin()).f32(loss.p()).f32(loss.eps()).i32(loss.swap() ? 1 : 0);
        }

        @Override
        String kernel() {
            return "le_triplet_f32";
        }
    }

    /** {@code le_cosine_embedding_f32}: labels +-1. */
    static final class CosineEmbeddingKernel extends EmbeddingRowsKernel<CosineEmbedding> {
        CosineEmbeddingKernel() {
            super(2);
        }

        @Override
        void checkLabels(CosineEmbedding loss, DeviceCall call, DeviceTensor labels, String arg) {
            call.requireOneOf(labels, arg, -1f, 1f, "label");
        }

        @Override
        void options(CosineEmbedding loss, KernelArgs args) {
            args.f32(loss.margin());
        }

        @Override
        String kernel() {
            return "le_cosine_embedding_f32";
        }
    }
}
