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
 * copies a Java array passed to it on every call), so a call stages its operands:
 * <ul>
 *   <li>{@link #open}: the weight [v, d] copied once into native memory, the weight gradient
 *       accumulated in native memory (zeroed) and copied into the caller's array by {@link Call#close()};</li>
 *   <li>per chunk: the chunk's hidden rows, the logits (native, then copied into the caller's chunk
 *       buffer, where the cross-entropy kernels turn them into {@code dZ}), {@code dZ} copied back,
 *       the hidden gradient's partial sums.</li>
 * </ul>
 * Native memory of a call: {@code 2 v d} floats (weight and its gradient) plus
 * {@code maxRows (v + d (1 + P))} floats; released by {@link Call#close()}.
 *
 * <p>Threads and determinism: OpenBLAS is set to one thread ({@code openblas_set_num_threads(1)},
 * process-wide), and the engine's threads split each product into {@code P} parts along the classes
 * (at most {@value #MAX_PARTS}, fixed by {@code v} alone: never by the thread count). The logits and
 * the weight gradient are split by their columns or rows of {@code V}, so each element is summed by
 * one {@code cblas_sgemm}; the hidden gradient {@code dZ W} is split along its contracted dimension
 * {@code V} (so that no part packs all of {@code W} or {@code dZ} again), and the P partial products
 * are added in part order. Each element's summation order therefore depends on the shapes and on
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
    public Call open(float[] h, float[] w, int n, int d, int v, int maxRows, float[] dw, WorkerPool pool) {
        return new OpenBlasCall(h, w, d, v, Math.max(1, maxRows), dw, pool);
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

    /** One call's native operands. */
    private static final class OpenBlasCall implements Call {
        private final float[] h;
        private final int d;
        private final int v;
        private final float[] dw;
        private final WorkerPool pool;
        private final int parts;
        private FloatPointer weight;
        private FloatPointer weightGradient;
        private FloatPointer hidden;
        private FloatPointer logits;
        private FloatPointer partial;

        OpenBlasCall(float[] h, float[] w, int d, int v, int maxRows, float[] dw, WorkerPool pool) {
            this.h = h;
            this.d = d;
            this.v = v;
            this.dw = dw;
            this.pool = pool;
            this.parts = parts(v);
            try {
                weight = allocate((long) v * d);
                weight.put(w, 0, v * d);
                if (dw != null) {
                    weightGradient = allocate((long) v * d);
                    Pointer.memset(weightGradient, 0, (long) v * d * Float.BYTES);
                }
                hidden = allocate((long) maxRows * d);
                logits = allocate((long) maxRows * v);
                partial = allocate((long) parts * maxRows * d);
            } catch (RuntimeException | Error e) {
                release();
                throw e;
            }
        }

        @Override
        public void logits(int r0, int m, float[] z) {
            hidden.put(h, r0 * d, m * d);
            split(p -> {
                int j0 = bound(v, p, parts);
                int j1 = bound(v, p + 1, parts);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, j1 - j0, d, 1f, hidden, d,
                        weight.getPointer((long) j0 * d), d, 0f, logits.getPointer(j0), v);
                for (int i = 0; i < m; i++) {
                    logits.getPointer((long) i * v + j0).get(z, i * v + j0, j1 - j0);
                }
            });
        }

        @Override
        public void gradients(float[] dz, int r0, int m, float[] dh, boolean weight) {
            if (dh == null && !weight) {
                return;
            }
            boolean weightWanted = weight && weightGradient != null;
            split(p -> {
                int j0 = bound(v, p, parts);
                int j1 = bound(v, p + 1, parts);
                for (int i = 0; i < m; i++) {
                    logits.getPointer((long) i * v + j0).put(dz, i * v + j0, j1 - j0);
                }
                if (dh != null) {
                    // the part's classes' share of dh_c = dZ W: a partial product, added in part order below
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, d, j1 - j0, 1f, logits.getPointer(j0), v,
                            this.weight.getPointer((long) j0 * d), d, 0f, partial.getPointer((long) p * m * d), d);
                }
                if (weightWanted) {
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, j1 - j0, d, m, 1f, logits.getPointer(j0), v,
                            hidden, d, 1f, weightGradient.getPointer((long) j0 * d), d);
                }
            });
            if (dh != null) {
                LinearCrossEntropyCpu.run(pool, m, 1, (i0, i1) -> {
                    float[] row = new float[d];
                    for (int i = i0; i < i1; i++) {
                        int o = (r0 + i) * d;
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
            try {
                if (weightGradient != null) {
                    weightGradient.get(dw, 0, v * d);
                }
            } finally {
                release();
            }
        }

        private void release() {
            free(weight);
            free(weightGradient);
            free(hidden);
            free(logits);
            free(partial);
            weight = null;
            weightGradient = null;
            hidden = null;
            logits = null;
            partial = null;
        }
    }
}
