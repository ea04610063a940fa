/*
 * A fake libcublas.so.12 for the emulated driver: the handful of cuBLAS calls lossengine's cuBLAS
 * path makes (io.github.lossengine.cuda.CublasGemm), over cudaemu's device memory and streams
 * (emu_blas.h), so that the real JCublas2 JNI library runs end to end in CI. Every other symbol that
 * libJCublas2 imports is a generated stub (build.sh) returning CUBLAS_STATUS_NOT_SUPPORTED.
 *
 * Stricter than cuBLAS where that finds bugs in the caller:
 * - cublasCreate_v2 needs a current, usable context (cuBLAS would fall back to the primary one);
 *   CUDAEMU_CUBLAS_CREATE_RESULT=N makes it return N (fault injection);
 * - a GEMM needs the current context to be the handle's, and a user workspace set since the last
 *   cublasSetStream_v2 (as in cuBLAS 12, cublasSetStream resets the workspace to the default pool:
 *   a workspace set before the stream would silently not be used; here the GEMM refuses with
 *   CUBLAS_STATUS_INVALID_VALUE and a stderr line);
 * - cublasGemmEx takes fp32 operands (CUDA_R_32F), CUBLAS_COMPUTE_32F, _32F_PEDANTIC or
 *   _32F_FAST_TF32 (operands rounded to TF32), the default algorithm, N or T, host alpha and beta;
 *   anything else is CUBLAS_STATUS_NOT_SUPPORTED.
 * Diagnostics go to stderr prefixed "cublasemu: ".
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "emu_blas.h"

#define API __attribute__((visibility("default")))
#define WARN(...) do { fprintf(stderr, "cublasemu: " __VA_ARGS__); fputc('\n', stderr); fflush(stderr); } while (0)

enum {
    SUCCESS = 0, NOT_INITIALIZED = 1, ALLOC_FAILED = 3, INVALID_VALUE = 7, EXECUTION_FAILED = 13,
    INTERNAL_ERROR = 14, NOT_SUPPORTED = 15
};
enum { CUDA_R_32F = 0, COMPUTE_32F = 68, COMPUTE_32F_PEDANTIC = 69, COMPUTE_32F_FAST_TF32 = 77, GEMM_DEFAULT = -1,
       GEMM_DEFAULT_TENSOR_OP = 99 };

#define HANDLE_MAGIC 0x43424c53u
typedef struct cublasContext {
    uint32_t magic;
    CUcontext ctx;
    CUstream stream;
    CUdeviceptr workspace;   /* 0: cuBLAS's default pool (none set since the last cublasSetStream) */
    size_t workspace_bytes;
    int math_mode;
} *cublasHandle_t;

static int valid(cublasHandle_t h) {
    return h && h->magic == HANDLE_MAGIC;
}

API int cublasCreate_v2(cublasHandle_t *out) {
    if (!out) return INVALID_VALUE;
    int forced = cudaemu_blas_create_result();
    if (forced) {
        WARN("cublasCreate_v2 returns %d (CUDAEMU_CUBLAS_CREATE_RESULT)", forced);
        return forced;
    }
    CUcontext c;
    if (cudaemu_blas_current(&c)) return NOT_INITIALIZED;
    cublasHandle_t h = calloc(1, sizeof *h);
    if (!h) return ALLOC_FAILED;
    h->magic = HANDLE_MAGIC;
    h->ctx = c;
    *out = h;
    return SUCCESS;
}

API int cublasDestroy_v2(cublasHandle_t h) {
    if (!valid(h)) return NOT_INITIALIZED;
    h->magic = 0;
    free(h);
    return SUCCESS;
}

API int cublasSetStream_v2(cublasHandle_t h, CUstream s) {
    if (!valid(h)) return NOT_INITIALIZED;
    h->stream = s;
    h->workspace = 0;   /* cuBLAS 12: cublasSetStream resets the workspace to the default pool */
    h->workspace_bytes = 0;
    return SUCCESS;
}

API int cublasGetStream_v2(cublasHandle_t h, CUstream *s) {
    if (!valid(h)) return NOT_INITIALIZED;
    if (!s) return INVALID_VALUE;
    *s = h->stream;
    return SUCCESS;
}

API int cublasSetWorkspace_v2(cublasHandle_t h, void *workspace, size_t bytes) {
    if (!valid(h)) return NOT_INITIALIZED;
    CUdeviceptr p = (CUdeviceptr) (uintptr_t) workspace;
    if (bytes > 0 && (p % 256 != 0 || cudaemu_blas_range(h->ctx, p, bytes))) {
        WARN("cublasSetWorkspace_v2: 0x%llx (%zu bytes) is not 256-byte aligned device memory of the handle's context", p,
             bytes);
        return INVALID_VALUE;
    }
    h->workspace = p;
    h->workspace_bytes = bytes;
    return SUCCESS;
}

API int cublasSetMathMode(cublasHandle_t h, int mode) {
    if (!valid(h)) return NOT_INITIALIZED;
    if ((mode & ~16) < 0 || (mode & ~16) > 3) return INVALID_VALUE;
    h->math_mode = mode;
    return SUCCESS;
}

API int cublasGetMathMode(cublasHandle_t h, int *mode) {
    if (!valid(h)) return NOT_INITIALIZED;
    if (!mode) return INVALID_VALUE;
    *mode = h->math_mode;
    return SUCCESS;
}

API int cublasGemmEx(cublasHandle_t h, int transa, int transb, int m, int n, int k, const void *alpha, const void *A,
                     int Atype, int lda, const void *B, int Btype, int ldb, const void *beta, void *C, int Ctype, int ldc,
                     int computeType, int algo) {
    if (!valid(h)) return NOT_INITIALIZED;
    if (Atype != CUDA_R_32F || Btype != CUDA_R_32F || Ctype != CUDA_R_32F
        || (computeType != COMPUTE_32F && computeType != COMPUTE_32F_PEDANTIC && computeType != COMPUTE_32F_FAST_TF32)
        || (algo != GEMM_DEFAULT && algo != GEMM_DEFAULT_TENSOR_OP) || (transa != 0 && transa != 1)
        || (transb != 0 && transb != 1)) {
        WARN("cublasGemmEx: types %d/%d/%d, compute %d, algo %d, trans %d/%d are not emulated (fp32 N/T only)", Atype,
             Btype, Ctype, computeType, algo, transa, transb);
        return NOT_SUPPORTED;
    }
    if (m < 0 || n < 0 || k < 0 || !alpha || !beta || lda < (transa ? (k > 1 ? k : 1) : (m > 1 ? m : 1))
        || ldb < (transb ? (n > 1 ? n : 1) : (k > 1 ? k : 1)) || ldc < (m > 1 ? m : 1)) {
        return INVALID_VALUE;
    }
    if (!h->workspace) {
        WARN("cublasGemmEx: no workspace set since the last cublasSetStream (which resets it): call cublasSetWorkspace"
             " after cublasSetStream");
        return INVALID_VALUE;
    }
    if (m == 0 || n == 0) return SUCCESS;
    CUresult r = cudaemu_blas_sgemm(h->ctx, h->stream, transa, transb, m, n, k, *(const float *) alpha,
                                    (CUdeviceptr) (uintptr_t) A, lda, (CUdeviceptr) (uintptr_t) B, ldb,
                                    *(const float *) beta, (CUdeviceptr) (uintptr_t) C, ldc,
                                    computeType == COMPUTE_32F_FAST_TF32);
    if (r) {
        WARN("cublasGemmEx: the emulated driver reported %d: CUBLAS_STATUS_EXECUTION_FAILED", (int) r);
        return EXECUTION_FAILED;
    }
    return SUCCESS;
}

static const char *status_name(int s) {
    switch (s) {
    case SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

API const char *cublasGetStatusName(int s) {
    return status_name(s);
}

API const char *cublasGetStatusString(int s) {
    return status_name(s);
}
