/*
 * cudaemu: the primary context (refcounted, one fixed handle per device), created contexts and the
 * per-thread context stack.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "emu_internal.h"

#define EMU_STACK 64

static struct CUctx_st primary0 = {.magic = EMU_CTX_MAGIC, .primary = 1, .dev = 0};
static struct CUctx_st *registry = &primary0;      /* every context ever made; never freed */
static __thread struct CUctx_st *stack[EMU_STACK];
static __thread int depth;

int emu_ctx_known(struct CUctx_st *c) {
    for (struct CUctx_st *x = registry; x; x = x->next_ctx) {
        if (x == c) return 1;
    }
    return 0;
}

struct CUctx_st *emu_ctx_registry(void) {
    return registry;
}

struct CUctx_st *emu_current(void) {
    return depth > 0 ? stack[depth - 1] : NULL;
}

CUresult emu_ctx_usable(struct CUctx_st *c) {
    if (!c) return CUDA_ERROR_INVALID_CONTEXT;
    if (!c->alive) return CUDA_ERROR_CONTEXT_IS_DESTROYED;
    if (c->sticky) return c->sticky;
    return CUDA_SUCCESS;
}

CUresult emu_ctx_get(struct CUctx_st **out) {
    struct CUctx_st *c = emu_current();
    *out = c;
    return emu_ctx_usable(c);
}

static CUresult ctx_open_state(struct CUctx_st *c) {
    c->sticky = 0;
    c->streams = NULL;
    c->modules = NULL;
    c->used_bytes = 0;
    c->alive = 1;
    CUresult r = emu_stream_create_legacy(c);
    if (r) c->alive = 0;
    return r;
}

static void ctx_close_state(struct CUctx_st *c) {
    emu_modules_unload_all(c);
    emu_streams_destroy_all(c);
    emu_free_ctx_allocs(c);
    c->alive = 0;
    c->sticky = 0;
    if (emu_cfg.trace) EMU_WARN("context %p: state destroyed", (void *) c);
}

/* ---- primary context ---- */

EMU_API CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    EMU_LOCK();
    if (primary0.refcount == 0) {
        r = ctx_open_state(&primary0);
        if (r) {
            EMU_UNLOCK();
            return r;
        }
        if (emu_cfg.trace) EMU_WARN("primary context %p: fresh state", (void *) &primary0);
    }
    primary0.refcount++;
    *pctx = &primary0;
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    CUresult r = emu_enter();
    if (r) return r;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    EMU_LOCK();
    if (primary0.refcount == 0) {
        EMU_UNLOCK();
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    if (--primary0.refcount == 0) ctx_close_state(&primary0);
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int *flags, int *active) {
    CUresult r = emu_enter();
    if (r) return r;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!flags || !active) return CUDA_ERROR_INVALID_VALUE;
    EMU_LOCK();
    *flags = primary0.flags;
    *active = primary0.refcount > 0;
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags) {
    CUresult r = emu_enter();
    if (r) return r;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    EMU_LOCK();
    primary0.flags = flags;
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev) {
    CUresult r = emu_enter();
    if (r) return r;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    EMU_LOCK();
    if (primary0.refcount > 0) ctx_close_state(&primary0);
    primary0.refcount = 0;
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

/* ---- created contexts ---- */

EMU_API CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (depth >= EMU_STACK) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c = calloc(1, sizeof *c);
    if (!c) return CUDA_ERROR_OUT_OF_MEMORY;
    c->magic = EMU_CTX_MAGIC;
    c->flags = flags;
    c->dev = dev;
    EMU_LOCK();
    r = ctx_open_state(c);
    if (r) {
        EMU_UNLOCK();
        free(c);
        return r;
    }
    c->next_ctx = registry->next_ctx;
    registry->next_ctx = c;
    EMU_UNLOCK();
    stack[depth++] = c;
    *pctx = c;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxDestroy_v2(CUcontext ctx) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    if (!ctx || !emu_ctx_known(ctx) || ctx->primary || !ctx->alive) {
        EMU_UNLOCK();
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    ctx_close_state(ctx);
    EMU_UNLOCK();
    if (depth > 0 && stack[depth - 1] == ctx) depth--;
    return CUDA_SUCCESS;
}

/* Push/Set accept live contexts and the primary context even when inactive. */
static CUresult settable(CUcontext ctx) {
    EMU_LOCK();
    int ok = emu_ctx_known(ctx) && (ctx->alive || ctx->primary);
    EMU_UNLOCK();
    return ok ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

EMU_API CUresult cuCtxSetCurrent(CUcontext ctx) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!ctx) {
        if (depth > 0) depth--;
        return CUDA_SUCCESS;
    }
    if ((r = settable(ctx))) return r;
    if (depth == 0) stack[depth++] = ctx;
    else stack[depth - 1] = ctx;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxGetCurrent(CUcontext *pctx) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    *pctx = emu_current();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxPushCurrent_v2(CUcontext ctx) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!ctx) return CUDA_ERROR_INVALID_CONTEXT;
    if ((r = settable(ctx))) return r;
    if (depth >= EMU_STACK) return CUDA_ERROR_INVALID_VALUE;
    stack[depth++] = ctx;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxPopCurrent_v2(CUcontext *pctx) {
    CUresult r = emu_enter();
    if (r) return r;
    if (depth == 0) return CUDA_ERROR_INVALID_CONTEXT;
    struct CUctx_st *c = stack[--depth];
    if (pctx) *pctx = c;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxGetDevice(CUdevice *device) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c = emu_current();
    if (!c) return CUDA_ERROR_INVALID_CONTEXT;
    *device = c->dev;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxGetFlags(unsigned int *flags) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!flags) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c = emu_current();
    if (!c) return CUDA_ERROR_INVALID_CONTEXT;
    *flags = c->flags;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxGetApiVersion(CUcontext ctx, unsigned int *version) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    if (!ctx) ctx = emu_current();
    if (!ctx) return CUDA_ERROR_INVALID_CONTEXT;
    EMU_LOCK();
    int ok = emu_ctx_known(ctx);
    EMU_UNLOCK();
    if (!ok) return CUDA_ERROR_INVALID_CONTEXT;
    *version = 3020;
    return CUDA_SUCCESS;
}

/* Waits for every stream of c (legacy included); the lock is not held while waiting. */
CUresult emu_ctx_sync(struct CUctx_st *c) {
    cl_event evs[EMU_MAX_WAIT];
    int n = 0;
    EMU_LOCK();
    CUresult r = emu_ctx_usable(c);
    if (r) {
        EMU_UNLOCK();
        return r;
    }
    if (c->legacy && c->legacy->last) {
        clRetainEvent(c->legacy->last);
        evs[n++] = c->legacy->last;
    }
    for (struct CUstream_st *s = c->streams; s && n < EMU_MAX_WAIT; s = s->next) {
        if (s->last) {
            clRetainEvent(s->last);
            evs[n++] = s->last;
        }
    }
    EMU_UNLOCK();
    CUresult w = CUDA_SUCCESS;
    for (int i = 0; i < n; i++) {
        CUresult x = emu_wait_release(evs[i]);
        if (x && !w) w = x;
    }
    EMU_LOCK();
    r = emu_ctx_usable(c);
    EMU_UNLOCK();
    return r ? r : w;
}

EMU_API CUresult cuCtxSynchronize(void) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUctx_st *c = emu_current();
    if (!c) return CUDA_ERROR_INVALID_CONTEXT;
    return emu_ctx_sync(c);
}
