package io.github.lossengine.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * {@link Gemm} through OpenBLAS's {@code cblas_sgemm} (the {@code org.bytedeco:openblas} artifact,
 * which bundles the native library; JavaCPP loads it). OpenBLAS reads native memory only (JavaCPP
 * copies a Java array passed to it on every call), so the operands are staged: the chunk's hidden
 * rows once per chunk, and per block of {@value #BLOCK} classes a slice of the weight, of the logits (then copied
 * into the caller's chunk buffer, where the cross-entropy kernels turn them into {@code dZ}; then
 * {@code dZ} copied back) and of the weight gradient (added into the caller's array, chunk after
 * chunk, in chunk order). Native memory of a call: a set of slices per thread
 * ({@code 2 d B + maxRows B} floats, {@code B} = {@value #BLOCK}) and {@code maxRows d (P + 1)} floats
 * (about 26 MiB at N 4096, D 1024, V 32768 on 2 threads); released by {@link Call#close()}. The
 * weight is copied block by block twice per chunk rather than held whole in native memory.
 *
 * <p>Threads and determinism: OpenBLAS is set to one thread ({@code openblas_set_num_threads(1)},
 * process-wide), and the engine's threads split each product into {@code P} parts along the classes
 * (at most {@value #MAX_PARTS}, fixed by {@code v} alone: never by the thread count). The logits and
 * the weight gradient are split by their columns or rows of {@code V}, so each element is summed by
 * one {@code cblas_sgemm} per chunk (the weight gradient's chunks then added in chunk order). The
 * hidden gradient {@code dZ W} is split along its contracted dimension {@code V} (so that no part
 * packs all of {@code W} or {@code dZ} again): each part sums its blocks in ascending order into its
 * partial product ({@code beta = 1}), and the P partial products are added in part order. Each element's summation order therefore depends on the shapes and on
 * OpenBLAS's kernels only: the same bits from run to run and for every thread count, on one machine
 * (OpenBLAS picks its kernels by CPU: {@code OPENBLAS_CORETYPE} forces one). Within one
 * {@code cblas_sgemm} OpenBLAS adds blocks of the contracted dimension in ascending order.
 *
 * <p>Loaded by {@link #load()} only (from {@link GemmSelection}), never in a static initialiser.
 * Thread-safe; a call's native buffers are its own.
 */
final class OpenBlasGemm implements Gemm {
    /** The most parts a product is split into. */
    static final int MAX_PARTS = 8;
    /** Classes per part at least (fewer parts for a small V). */
    static final int PART_CLASSES = 2048;
    /** Classes per staged block within a part: the native slices hold this many columns at a time. */
    static final int BLOCK = 1024;
    private final String description;

    private OpenBlasGemm(String description) {
        this.description = description;
    }

    /**
     * Loads the native library, sets OpenBLAS to one thread and checks one small product against
     * double precision.
     *
     * @throws LinkageError          when the classes or the native library are missing or do not load
     * @throws IllegalStateException when the self-test fails
     */
    static OpenBlasGemm load() {
        Loader.load(openblas_nolapack.class);
        openblas_nolapack.blas_set_num_threads(1);
        String failure = selfTest();
        if (failure != null) {
            throw new IllegalStateException("OpenBLAS failed its self-test: " + failure);
        }
        String version;
        try {
            version = Loader.getVersion("org.bytedeco", "openblas");
        } catch (java.io.IOException e) {
            version = "of unknown version";
        }
        String core = System.getenv("OPENBLAS_CORETYPE");
        return new OpenBlasGemm("OpenBLAS cblas_sgemm (org.bytedeco:openblas " + version
                + (core != null ? ", OPENBLAS_CORETYPE=" + core : ", kernels picked by OpenBLAS for this CPU")
                + "; one OpenBLAS thread per part, parts over the engine's threads, float32 accumulation)");
    }

    /** A 3x4x5 product against double precision; null when it agrees. */
    private static String selfTest() {
        int m = 3;
        int n = 4;
        int k = 5;
        float[] a = new float[m * k];
        float[] b = new float[n * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i * 7 % 11) - 4.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i * 5 % 13) * 0.25f - 1.5f;
        }
        float[] c = new float[m * n];
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b);
             FloatPointer pc = new FloatPointer(c)) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, pa, k, pb, k, 0f, pc, n);
            pc.get(c);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[j * k + p];
                }
                if (Math.abs(s - c[i * n + j]) > 1e-5 * (1 + Math.abs(s))) {
                    return "c[" + i + ", " + j + "] = " + c[i * n + j] + ", expected " + s;
                }
            }
        }
        return null;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Call open(float[] w, int d, int v, int maxRows, float[] dw, WorkerPool pool) {
        return new OpenBlasCall(w, d, v, Math.max(1, maxRows), dw, pool);
    }

    /** How many parts a product over {@code v} classes is split into: fixed by {@code v} alone. */
    static int parts(int v) {
        return Math.max(1, Math.min(MAX_PARTS, v / PART_CLASSES));
    }

    /** The start of part {@code p} of {@code parts} over {@code [0, v)}, aligned to 64 classes. */
    static int bound(int v, int p, int parts) {
        return p == parts ? v : Math.min(v, (int) ((long) v * p / parts) & ~63);
    }

    /** Native float memory of {@code count} elements, outside JavaCPP's accounting; freed by {@link #free}. */
    private static FloatPointer allocate(long count) {
        Pointer p = Pointer.malloc(Math.max(1, count) * Float.BYTES);
        if (p == null || p.isNull()) {
            throw new OutOfMemoryError("OpenBLAS GEMM: cannot allocate " + count * Float.BYTES + " bytes of native memory");
        }
        return new FloatPointer(p);
    }

    private static void free(FloatPointer p) {
        if (p != null) {
            Pointer.free(p);
        }
    }

    /** The native buffers one thread uses for one part at a time: a slice of the weight, of the logits, of dW. */
    private static final class Slices {
        final FloatPointer weight;
        final FloatPointer logits;
        final FloatPointer weightGradient;

        Slices(long weightFloats, long logitFloats) {
            FloatPointer w = allocate(weightFloats);
            FloatPointer z = null;
            try {
                z = allocate(logitFloats);
                weightGradient = allocate(weightFloats);
            } catch (RuntimeException | Error e) {
                free(w);
                free(z);
                throw e;
            }
            weight = w;
            logits = z;
        }

        void release() {
            OpenBlasGemm.free(weight);
            OpenBlasGemm.free(logits);
            OpenBlasGemm.free(weightGradient);
        }
    }

    /**
     * One call's native operands. Only the chunk's hidden rows and the hidden gradient's partial
     * products are held for the whole call; the weight, the logits and the weight gradient go through
     * per-thread slices of one part ({@code V / P} classes), staged from and added into the caller's
     * arrays part by part, so the native memory stays at about {@code threads (2 V d / P + maxRows V / P)
     * + maxRows d (P + 1)} floats.
     */
    private static final class OpenBlasCall implements Call {
        private final float[] w;
        private final int d;
        private final int v;
        private final int maxRows;
        private final float[] dw;
        private final WorkerPool pool;
        private final int parts;
        private final int widest;
        private final java.util.concurrent.ConcurrentLinkedQueue<Slices> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.List<Slices> all = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        private FloatPointer hidden;
        private FloatPointer partial;

        OpenBlasCall(float[] w, int d, int v, int maxRows, float[] dw, WorkerPool pool) {
            this.w = w;
            this.d = d;
            this.v = v;
            this.maxRows = maxRows;
            this.dw = dw;
            this.pool = pool;
            this.parts = parts(v);
            int wide = 0;
            for (int p = 0; p < parts; p++) {
                wide = Math.max(wide, bound(v, p + 1, parts) - bound(v, p, parts));
            }
            this.widest = wide;
            try {
                hidden = allocate((long) maxRows * d);
                partial = allocate((long) parts * maxRows * d);
            } catch (RuntimeException | Error e) {
                release();
                throw e;
            }
        }

        /** A free set of slices, or a new one. */
        private Slices take() {
            Slices s = free.poll();
            if (s == null) {
                s = new Slices((long) Math.min(widest, BLOCK) * d, (long) maxRows * Math.min(widest, BLOCK));
                all.add(s);
            }
            return s;
        }

        @Override
        public void logits(float[] h, int hOff, int m, float[] z) {
            hidden.put(h, hOff, m * d);
            split(p -> {
                int j1 = bound(v, p + 1, parts);
                Slices s = take();
                try {
                    for (int c0 = bound(v, p, parts); c0 < j1; c0 += BLOCK) {
                        int cols = Math.min(BLOCK, j1 - c0);
                        s.weight.put(w, c0 * d, cols * d);
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, cols, d, 1f, hidden, d, s.weight, d, 0f,
                                s.logits, cols);
                        for (int i = 0; i < m; i++) {
                            s.logits.getPointer((long) i * cols).get(z, i * v + c0, cols);
                        }
                    }
                } finally {
                    free.add(s);
                }
            });
        }

        @Override
        public void gradients(float[] dz, int m, float[] dh, int dhOff, boolean weight) {
            boolean weightWanted = weight && dw != null;
            if (dh == null && !weightWanted) {
                return;
            }
            split(p -> {
                int j0 = bound(v, p, parts);
                int j1 = bound(v, p + 1, parts);
                Slices s = take();
                try {
                    for (int c0 = j0; c0 < j1; c0 += BLOCK) {
                        int cols = Math.min(BLOCK, j1 - c0);
                        for (int i = 0; i < m; i++) {
                            s.logits.getPointer((long) i * cols).put(dz, i * v + c0, cols);
                        }
                        if (dh != null) {
                            // the block's share of dh_c = dZ W, summed block after block into the part's partial
                            // product (added in part order below)
                            s.weight.put(w, c0 * d, cols * d);
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, d, cols, 1f, s.logits, cols, s.weight,
                                    d, c0 == j0 ? 0f : 1f, partial.getPointer((long) p * m * d), d);
                        }
                        if (weightWanted) {
                            // this chunk's dZ^T h_c for the block's rows of dW, added to the caller's dW chunk after chunk
                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, d, m, 1f, s.logits, cols, hidden, d, 0f,
                                    s.weightGradient, d);
                            addInto(s.weightGradient, dw, c0 * d, cols * d);
                        }
                    }
                } finally {
                    free.add(s);
                }
            });
            if (dh != null) {
                LinearCrossEntropyCpu.run(pool, m, 1, (i0, i1) -> {
                    float[] row = new float[d];
                    for (int i = i0; i < i1; i++) {
                        int o = dhOff + i * d;
                        partial.getPointer((long) i * d).get(dh, o, d);
                        for (int p = 1; p < parts; p++) {
                            partial.getPointer(((long) p * m + i) * d).get(row, 0, d);
                            for (int q = 0; q < d; q++) {
                                dh[o + q] += row[q];
                            }
                        }
                    }
                });
            }
        }

        /** {@code a[from + q] += src[q]} for {@code q} in {@code [0, len)}, through a heap block at a time. */
        private static void addInto(FloatPointer src, float[] a, int from, int len) {
            float[] block = new float[Math.min(len, 1 << 14)];
            for (int o = 0; o < len; o += block.length) {
                int n = Math.min(block.length, len - o);
                src.getPointer(o).get(block, 0, n);
                int base = from + o;
                for (int q = 0; q < n; q++) {
                    a[base + q] += block[q];
                }
            }
        }

        /** Runs {@code part} for every part, on the pool. */
        private void split(java.util.function.IntConsumer part) {
            if (parts == 1 || pool.threads() == 1) {
                for (int p = 0; p < parts; p++) {
                    part.accept(p);
                }
                return;
            }
            pool.run(new WorkerPool.Job(parts) {
                @Override
                void runChunk(int p) {
                    part.accept(p);
                }
            });
        }

        @Override
        public void close() {
            release();
        }

        private void release() {
            free(hidden);
            free(partial);
            hidden = null;
            partial = null;
            synchronized (all) {
                for (Slices s : all) {
                    s.release();
                }
                all.clear();
            }
            free.clear();
        }
    }
}
