/*
 * cudaemu: copies and memsets, with CUDA's documented host-synchronisation behaviour:
 * - cuMemcpyHtoD from pageable memory: the bytes are staged at the call, the write is queued on the
 *   legacy stream, the call returns without waiting; from pinned memory it waits for completion.
 * - cuMemcpyHtoDAsync: from pageable memory staged at the call; from pinned memory read when the
 *   command executes. Never waits.
 * - cuMemcpyDtoH waits; cuMemcpyDtoHAsync waits unless the destination is pinned.
 * - cuMemcpyDtoD(Async) and the memsets never wait.
 * With CUDAEMU_DMA_DELAY_MS every host-to-device copy and memset completes that much later.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "emu_internal.h"

/* The stream to use: h on the current context (legacy handles: its legacy stream). Locked. */
static CUresult pick_stream(CUstream h, struct CUstream_st **out) {
    struct CUctx_st *c;
    CUresult r = emu_ctx_get(&c);
    if (r) return r;
    return emu_stream_resolve(c, h, out);
}

static CUresult dev_range(CUdeviceptr p, size_t bytes, emu_alloc **out, const char *who) {
    emu_alloc *a = emu_find_alloc(p);
    if (!a || p + bytes > a->base + a->size) {
        EMU_WARN("%s: 0x%llx + %zu bytes is not inside a live device allocation", who, p, bytes);
        return CUDA_ERROR_INVALID_VALUE;
    }
    *out = a;
    return CUDA_SUCCESS;
}

static void CL_CALLBACK free_staging(cl_event ev, cl_int status, void *p) {
    (void) ev;
    (void) status;
    free(p);
}

static CUresult htod(CUdeviceptr dst, const void *src, size_t bytes, CUstream h, int sync, const char *who) {
    CUresult r = emu_enter();
    if (r) return r;
    int pinned = src && emu_is_pinned(src, bytes);
    struct CUstream_st *s;
    emu_alloc *a;
    EMU_LOCK();
    r = pick_stream(h, &s);
    if (!r && bytes == 0) {
        EMU_UNLOCK();
        return CUDA_SUCCESS;
    }
    if (!r && !src) r = CUDA_ERROR_INVALID_VALUE;
    if (!r) r = dev_range(dst, bytes, &a, who);
    if (r) {
        EMU_UNLOCK();
        return r;
    }
    const void *from = src;
    void *staging = NULL;
    if (!pinned) {
        staging = malloc(bytes);
        if (!staging) {
            EMU_UNLOCK();
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        memcpy(staging, src, bytes);
        from = staging;
    }
    cl_event d = emu_dma_delay_event();
    cl_event list[EMU_MAX_WAIT], ev;
    cl_uint n = emu_order_waits(s, list, d);
    cl_int err = clEnqueueWriteBuffer(s->q, a->mem, CL_FALSE, (size_t) (dst - a->base), bytes, from, n, n ? list : NULL, &ev);
    if (d) clReleaseEvent(d);
    if (err != CL_SUCCESS) {
        EMU_UNLOCK();
        free(staging);
        EMU_WARN("%s: clEnqueueWriteBuffer failed (%d)", who, err);
        return CUDA_ERROR_UNKNOWN;
    }
    if (staging) clSetEventCallback(ev, CL_COMPLETE, free_staging, staging);
    emu_stream_push(s, ev);
    int wait = sync && pinned;
    if (wait) clRetainEvent(ev);
    EMU_UNLOCK();
    return wait ? emu_wait_release(ev) : CUDA_SUCCESS;
}

static CUresult dtoh(void *dst, CUdeviceptr src, size_t bytes, CUstream h, int sync, const char *who) {
    CUresult r = emu_enter();
    if (r) return r;
    int wait = sync || !(dst && emu_is_pinned(dst, bytes));
    struct CUstream_st *s;
    emu_alloc *a;
    EMU_LOCK();
    r = pick_stream(h, &s);
    if (!r && bytes == 0) {
        EMU_UNLOCK();
        return CUDA_SUCCESS;
    }
    if (!r && !dst) r = CUDA_ERROR_INVALID_VALUE;
    if (!r) r = dev_range(src, bytes, &a, who);
    if (r) {
        EMU_UNLOCK();
        return r;
    }
    cl_event list[EMU_MAX_WAIT], ev;
    cl_uint n = emu_order_waits(s, list, NULL);
    cl_int err = clEnqueueReadBuffer(s->q, a->mem, CL_FALSE, (size_t) (src - a->base), bytes, dst, n, n ? list : NULL, &ev);
    if (err != CL_SUCCESS) {
        EMU_UNLOCK();
        EMU_WARN("%s: clEnqueueReadBuffer failed (%d)", who, err);
        return CUDA_ERROR_UNKNOWN;
    }
    emu_stream_push(s, ev);
    if (wait) clRetainEvent(ev);
    struct CUctx_st *c = s->ctx;
    EMU_UNLOCK();
    if (!wait) return CUDA_SUCCESS;
    r = emu_wait_release(ev);
    EMU_LOCK();
    CUresult f = emu_ctx_usable(c);
    EMU_UNLOCK();
    return f ? f : r;
}

static CUresult dtod(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream h, const char *who) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUstream_st *s;
    emu_alloc *a, *b;
    EMU_LOCK();
    r = pick_stream(h, &s);
    if (!r && bytes == 0) {
        EMU_UNLOCK();
        return CUDA_SUCCESS;
    }
    if (!r) r = dev_range(dst, bytes, &a, who);
    if (!r) r = dev_range(src, bytes, &b, who);
    if (r) {
        EMU_UNLOCK();
        return r;
    }
    size_t doff = (size_t) (dst - a->base), soff = (size_t) (src - b->base);
    if (a == b && doff < soff + bytes && soff < doff + bytes) {
        EMU_UNLOCK();
        EMU_WARN("%s: overlapping source and destination", who);
        return CUDA_ERROR_INVALID_VALUE;
    }
    cl_event list[EMU_MAX_WAIT], ev;
    cl_uint n = emu_order_waits(s, list, NULL);
    cl_int err = clEnqueueCopyBuffer(s->q, b->mem, a->mem, soff, doff, bytes, n, n ? list : NULL, &ev);
    if (err != CL_SUCCESS) {
        EMU_UNLOCK();
        EMU_WARN("%s: clEnqueueCopyBuffer failed (%d)", who, err);
        return CUDA_ERROR_UNKNOWN;
    }
    emu_stream_push(s, ev);
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

static CUresult memset_n(CUdeviceptr dst, const void *pattern, size_t psize, size_t n, CUstream h, const char *who) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUstream_st *s;
    emu_alloc *a;
    EMU_LOCK();
    r = pick_stream(h, &s);
    if (!r && n == 0) {
        EMU_UNLOCK();
        return CUDA_SUCCESS;
    }
    if (!r && dst % psize) r = CUDA_ERROR_INVALID_VALUE;
    if (!r) r = dev_range(dst, n * psize, &a, who);
    if (r) {
        EMU_UNLOCK();
        return r;
    }
    cl_event d = emu_dma_delay_event();
    cl_event list[EMU_MAX_WAIT], ev;
    cl_uint nw = emu_order_waits(s, list, d);
    cl_int err = clEnqueueFillBuffer(s->q, a->mem, pattern, psize, (size_t) (dst - a->base), n * psize, nw, nw ? list : NULL, &ev);
    if (d) clReleaseEvent(d);
    if (err != CL_SUCCESS) {
        EMU_UNLOCK();
        EMU_WARN("%s: clEnqueueFillBuffer failed (%d)", who, err);
        return CUDA_ERROR_UNKNOWN;
    }
    emu_stream_push(s, ev);
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
    return htod(dst, src, bytes, NULL, 1, "cuMemcpyHtoD");
}

EMU_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, CUstream s) {
    return htod(dst, src, bytes, s, 0, "cuMemcpyHtoDAsync");
}

EMU_API CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
    return dtoh(dst, src, bytes, NULL, 1, "cuMemcpyDtoH");
}

EMU_API CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, CUstream s) {
    return dtoh(dst, src, bytes, s, 0, "cuMemcpyDtoHAsync");
}

EMU_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    return dtod(dst, src, bytes, NULL, "cuMemcpyDtoD");
}

EMU_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s) {
    return dtod(dst, src, bytes, s, "cuMemcpyDtoDAsync");
}

static int is_device(CUdeviceptr p) {
    EMU_LOCK();
    int d = emu_find_alloc(p) != NULL;
    EMU_UNLOCK();
    return d;
}

static CUresult unified(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s, int sync, const char *who) {
    CUresult r = emu_enter();
    if (r) return r;
    int dd = is_device(dst), sd = is_device(src);
    if (dd && sd) return dtod(dst, src, bytes, s, who);
    if (dd) return htod(dst, (const void *) (uintptr_t) src, bytes, s, sync, who);
    if (sd) return dtoh((void *) (uintptr_t) dst, src, bytes, s, sync, who);
    if (bytes && (!dst || !src)) return CUDA_ERROR_INVALID_VALUE;
    if (sync) {
        EMU_LOCK();
        struct CUctx_st *c;
        r = emu_ctx_get(&c);
        EMU_UNLOCK();
        if (!r) r = emu_ctx_sync(c);
        if (r) return r;
    }
    memmove((void *) (uintptr_t) dst, (const void *) (uintptr_t) src, bytes);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    return unified(dst, src, bytes, NULL, 1, "cuMemcpy");
}

EMU_API CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s) {
    return unified(dst, src, bytes, s, 0, "cuMemcpyAsync");
}

EMU_API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t n) {
    return memset_n(dst, &value, 1, n, NULL, "cuMemsetD8");
}

EMU_API CUresult cuMemsetD16_v2(CUdeviceptr dst, unsigned short value, size_t n) {
    return memset_n(dst, &value, 2, n, NULL, "cuMemsetD16");
}

EMU_API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t n) {
    return memset_n(dst, &value, 4, n, NULL, "cuMemsetD32");
}

EMU_API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t n, CUstream s) {
    return memset_n(dst, &value, 1, n, s, "cuMemsetD8Async");
}

EMU_API CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t n, CUstream s) {
    return memset_n(dst, &value, 2, n, s, "cuMemsetD16Async");
}

EMU_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t n, CUstream s) {
    return memset_n(dst, &value, 4, n, s, "cuMemsetD32Async");
}
