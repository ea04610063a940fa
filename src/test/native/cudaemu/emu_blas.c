/*
 * cudaemu: the support the fake libcublas.so.12 (cublasemu.c) needs from the emulated driver, which
 * owns the device memory and the streams: see emu_blas.h. The GEMM is an OpenCL kernel of its own
 * (16 x 16 tiles through local memory, each output summed by one work-item with fma, p ascending),
 * enqueued on the stream's in-order queue with the stream rules' wait list, exactly as
 * cuLaunchKernel enqueues lossengine's kernels.
 */
#define _GNU_SOURCE
#include <string.h>
#include "emu_internal.h"
#include "emu_blas.h"

static const char *const GEMM_SOURCE =
    "float tf32(float x) {\n"
    "    uint u = as_uint(x);\n"
    "    if ((u & 0x7f800000u) == 0x7f800000u) return x;\n"
    "    u = (u + 0x1000u) & 0xffffe000u;\n" /* round to nearest (ties away) on the 10-bit mantissa */
    "    return as_float(u);\n"
    "}\n"
    "#define T 16\n"
    "float opa(__global const float *a, ulong ao, int lda, int ta, int m, int k, int i, int p, int t32) {\n"
    "    if (i >= m || p >= k) return 0.0f;\n"
    "    float x = ta ? a[ao + p + (ulong) i * lda] : a[ao + i + (ulong) p * lda];\n"
    "    return t32 ? tf32(x) : x;\n"
    "}\n"
    "float opb(__global const float *b, ulong bo, int ldb, int tb, int k, int n, int p, int j, int t32) {\n"
    "    if (p >= k || j >= n) return 0.0f;\n"
    "    float y = tb ? b[bo + j + (ulong) p * ldb] : b[bo + p + (ulong) j * ldb];\n"
    "    return t32 ? tf32(y) : y;\n"
    "}\n"
    /* one group of 16 x 16 per tile of C (tiles column-major), both operands through local memory */
    "__kernel void cublasemu_sgemm(__global const float *a, ulong ao, int lda, int ta,\n"
    "                              __global const float *b, ulong bo, int ldb, int tb,\n"
    "                              __global float *c, ulong co, int ldc, int m, int n, int k,\n"
    "                              float alpha, float beta, int t32) {\n"
    "    __local float as[T][T], bs[T][T];\n"
    "    int tiles = (m + T - 1) / T;\n"
    "    int g = (int) get_group_id(0), l = (int) get_local_id(0);\n"
    "    int i0 = (g % tiles) * T, j0 = (g / tiles) * T, ly = l / T, lx = l % T;\n"
    "    int i = i0 + lx, j = j0 + ly;\n"
    "    float acc = 0.0f;\n"
    "    for (int p0 = 0; p0 < k; p0 += T) {\n"
    "        as[ly][lx] = opa(a, ao, lda, ta, m, k, i0 + lx, p0 + ly, t32);\n"
    "        bs[ly][lx] = opb(b, bo, ldb, tb, k, n, p0 + lx, j0 + ly, t32);\n"
    "        barrier(CLK_LOCAL_MEM_FENCE);\n"
    "        for (int q = 0; q < T; q++) acc = fma(as[q][lx], bs[ly][q], acc);\n"
    "        barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    }\n"
    "    if (i < m && j < n) {\n"
    "        ulong at = co + i + (ulong) j * ldc;\n"
    "        c[at] = beta == 0.0f ? alpha * acc : alpha * acc + beta * c[at];\n"
    "    }\n"
    "}\n";

static cl_program program;   /* built once per process, under emu_lock */
static cl_kernel kernel;

static CUresult build(void) {
    if (kernel) return CUDA_SUCCESS;
    cl_int err;
    const char *src = GEMM_SOURCE;
    program = clCreateProgramWithSource(emu_cl_context, 1, &src, NULL, &err);
    if (err != CL_SUCCESS) return CUDA_ERROR_OUT_OF_MEMORY;
    err = clBuildProgram(program, 1, &emu_cl_device, "-cl-std=CL1.2", NULL, NULL);
    if (err == CL_SUCCESS) kernel = clCreateKernel(program, "cublasemu_sgemm", &err);
    if (err != CL_SUCCESS) {
        char log[4096] = "";
        clGetProgramBuildInfo(program, emu_cl_device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        EMU_WARN("cublasemu: the GEMM kernel did not build (%d): %s", err, log);
        clReleaseProgram(program);
        program = NULL;
        kernel = NULL;
        return CUDA_ERROR_INVALID_IMAGE;
    }
    return CUDA_SUCCESS;
}

EMU_API CUresult cudaemu_blas_current(CUcontext *out) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    r = emu_ctx_get(out);
    EMU_UNLOCK();
    return r;
}

EMU_API int cudaemu_blas_create_result(void) {
    emu_config_refresh();
    EMU_LOCK();
    int r = emu_cfg.cublas_create_result;
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cudaemu_blas_range(CUcontext ctx, CUdeviceptr p, size_t bytes) {
    EMU_LOCK();
    emu_alloc *a = p ? emu_find_alloc_ctx(ctx, p) : NULL;
    CUresult r = a && p - a->base + bytes <= a->size ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    EMU_UNLOCK();
    return r;
}

/* The buffer and element offset of operand p ([p, p + bytes) inside one allocation of c), or a fault. */
static int operand(struct CUctx_st *c, CUdeviceptr p, size_t bytes, const char *name, cl_mem *mem, cl_ulong *off) {
    emu_alloc *a = emu_find_alloc_ctx(c, p);
    if (!a || p - a->base + bytes > a->size || (p - a->base) % 4) {
        EMU_WARN("cublasGemmEx: %s = 0x%llx (+%zu bytes) is not inside a live allocation of the current context", name,
                 p, bytes);
        c->sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
        return 0;
    }
    *mem = a->mem;
    *off = (p - a->base) / 4;
    return 1;
}

/* Bytes spanned by a column-major rows x cols operand with leading dimension ld. */
static size_t span(int rows, int cols, int ld) {
    return ((size_t) (cols - 1) * (size_t) ld + (size_t) rows) * 4;
}

EMU_API CUresult cudaemu_blas_sgemm(CUcontext ctx, CUstream h, int ta, int tb, int m, int n, int k, float alpha,
                                    CUdeviceptr a, int lda, CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc,
                                    int tf32) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    struct CUctx_st *cur;
    if ((r = emu_ctx_get(&cur))) goto out;
    if (cur != ctx) {
        r = CUDA_ERROR_INVALID_CONTEXT;
        goto out;
    }
    struct CUstream_st *s;
    if ((r = emu_stream_resolve(ctx, h, &s))) {
        EMU_WARN("cublasGemmEx: stream %p is not a stream of the handle's context", (void *) h);
        goto out;
    }
    if ((r = build())) goto out;
    cl_mem ma, mb, mc;
    cl_ulong ao, bo, co;
    if (k > 0 && (!operand(ctx, a, ta ? span(k, m, lda) : span(m, k, lda), "A", &ma, &ao)
                  || !operand(ctx, b, tb ? span(n, k, ldb) : span(k, n, ldb), "B", &mb, &bo))) {
        goto out; /* faulted: success now, the fault shows at the next driver call */
    }
    if (!operand(ctx, c, span(m, n, ldc), "C", &mc, &co)) goto out;
    if (k == 0) {
        ma = mb = mc;
        ao = bo = 0;
    }
    cl_int err = 0;
    int args[] = {lda, ta, ldb, tb, ldc, m, n, k};
    err |= clSetKernelArg(kernel, 0, sizeof ma, &ma);
    err |= clSetKernelArg(kernel, 1, sizeof ao, &ao);
    err |= clSetKernelArg(kernel, 2, sizeof(int), &args[0]);
    err |= clSetKernelArg(kernel, 3, sizeof(int), &args[1]);
    err |= clSetKernelArg(kernel, 4, sizeof mb, &mb);
    err |= clSetKernelArg(kernel, 5, sizeof bo, &bo);
    err |= clSetKernelArg(kernel, 6, sizeof(int), &args[2]);
    err |= clSetKernelArg(kernel, 7, sizeof(int), &args[3]);
    err |= clSetKernelArg(kernel, 8, sizeof mc, &mc);
    err |= clSetKernelArg(kernel, 9, sizeof co, &co);
    err |= clSetKernelArg(kernel, 10, sizeof(int), &args[4]);
    err |= clSetKernelArg(kernel, 11, sizeof(int), &args[5]);
    err |= clSetKernelArg(kernel, 12, sizeof(int), &args[6]);
    err |= clSetKernelArg(kernel, 13, sizeof(int), &args[7]);
    err |= clSetKernelArg(kernel, 14, sizeof alpha, &alpha);
    err |= clSetKernelArg(kernel, 15, sizeof beta, &beta);
    err |= clSetKernelArg(kernel, 16, sizeof tf32, &tf32);
    if (err != CL_SUCCESS) {
        EMU_WARN("cublasGemmEx: clSetKernelArg failed");
        r = CUDA_ERROR_INVALID_VALUE;
        goto out;
    }
    size_t local = 256, global = (size_t) ((m + 15) / 16) * (size_t) ((n + 15) / 16) * local;
    cl_event list[EMU_MAX_WAIT], ev;
    cl_uint nw = emu_order_waits(s, list, NULL);
    err = clEnqueueNDRangeKernel(s->q, kernel, 1, NULL, &global, &local, nw, nw ? list : NULL, &ev);
    if (err != CL_SUCCESS) {
        EMU_WARN("cublasGemmEx: clEnqueueNDRangeKernel failed (%d)", err);
        r = CUDA_ERROR_LAUNCH_FAILED;
        goto out;
    }
    emu_stream_push(s, ev);
    if (emu_cfg.trace) EMU_WARN("cublasGemmEx(%c%c, m %d, n %d, k %d, stream %p)", ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k,
                                (void *) h);
out:
    EMU_UNLOCK();
    return r;
}
