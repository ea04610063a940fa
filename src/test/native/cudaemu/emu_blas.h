/*
 * What libcuda.so.1 (cudaemu) exports for the fake libcublas.so.12 (cublasemu.c): the current
 * context, allocation checks, the cuBLAS settings of the control file and an fp32 GEMM enqueued on a
 * stream of the emulator in stream order. Not part of the CUDA API; prefixed cudaemu_.
 */
#ifndef CUDAEMU_BLAS_H
#define CUDAEMU_BLAS_H

#include "cudaemu.h"

/* The calling thread's current context, checked as every driver call checks it (201, 709, sticky). */
CUresult cudaemu_blas_current(CUcontext *out);
/* CUDAEMU_CUBLAS_CREATE_RESULT, freshly read from the environment and control file. */
int cudaemu_blas_create_result(void);
/* Whether [p, p + bytes) lies inside one live allocation of ctx: 0, else CUDA_ERROR_INVALID_VALUE. */
CUresult cudaemu_blas_range(CUcontext ctx, CUdeviceptr p, size_t bytes);
/*
 * C = alpha op(A) op(B) + beta C, column-major fp32 (C not read when beta is 0), op(A) m x k, op(B)
 * k x n, trans 0 (N) or 1 (T); tf32: operands rounded to TF32 first. Enqueued on stream h of ctx
 * (which must be current) after whatever the stream rules order before it, DMA delays included.
 * An operand outside the live allocations of ctx faults ctx (sticky 700, as an illegal access in a
 * real kernel would) and returns 0, like an asynchronous fault; a stream of another context gives 400.
 */
CUresult cudaemu_blas_sgemm(CUcontext ctx, CUstream h, int ta, int tb, int m, int n, int k, float alpha,
                            CUdeviceptr a, int lda, CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc,
                            int tf32);

#endif
