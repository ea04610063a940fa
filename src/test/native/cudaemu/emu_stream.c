/*
 * cudaemu: streams (one in-order OpenCL queue each, plus the context's legacy default stream),
 * the stream synchronisation rules, events, and the DMA-delay timer.
 *
 * Ordering: each stream remembers the event of its last command. A command on the legacy stream
 * waits for the last command of every blocking stream of its context; a command on a blocking
 * stream (flags 0) waits for the legacy stream's last command; CU_STREAM_NON_BLOCKING streams wait
 * for nothing but their own queue.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "emu_internal.h"

/* ---- DMA delay timer ---- */

typedef struct pend {
    double due;
    cl_event ev;
    struct pend *next;
} pend;

static pthread_mutex_t tlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tcond;
static pend *thead;
static pthread_once_t tonce = PTHREAD_ONCE_INIT;

static void *timer_main(void *arg) {
    (void) arg;
    pthread_mutex_lock(&tlock);
    for (;;) {
        if (!thead) {
            pthread_cond_wait(&tcond, &tlock);
            continue;
        }
        double now = emu_now_ms();
        if (thead->due <= now) {
            pend *p = thead;
            thead = p->next;
            pthread_mutex_unlock(&tlock);
            clSetUserEventStatus(p->ev, CL_COMPLETE);
            clReleaseEvent(p->ev);
            free(p);
            pthread_mutex_lock(&tlock);
            continue;
        }
        struct timespec ts;
        double due = thead->due;
        ts.tv_sec = (time_t) (due / 1e3);
        ts.tv_nsec = (long) ((due - ts.tv_sec * 1e3) * 1e6);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&tcond, &tlock, &ts);
    }
    return NULL;
}

static void timer_start(void) {
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&tcond, &a);
    pthread_t t;
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &ta, timer_main, NULL) != 0) EMU_WARN("DMA delay: the timer thread did not start");
}

cl_event emu_dma_delay_event(void) {
    int ms = emu_cfg.dma_delay_ms;
    if (ms <= 0) return NULL;
    pthread_once(&tonce, timer_start);
    cl_int err;
    cl_event ev = clCreateUserEvent(emu_cl_context, &err);
    if (!ev) return NULL;
    clRetainEvent(ev);             /* one reference for the timer, one for the caller */
    pend *p = calloc(1, sizeof *p);
    p->due = emu_now_ms() + ms;
    p->ev = ev;
    pthread_mutex_lock(&tlock);
    pend **pp = &thead;
    while (*pp && (*pp)->due <= p->due) pp = &(*pp)->next;
    p->next = *pp;
    *pp = p;
    pthread_cond_signal(&tcond);
    pthread_mutex_unlock(&tlock);
    return ev;
}

/* ---- ordering helpers ---- */

cl_uint emu_order_waits(struct CUstream_st *s, cl_event *list, cl_event extra) {
    cl_uint n = 0;
    struct CUctx_st *c = s->ctx;
    if (s->legacy) {
        for (struct CUstream_st *t = c->streams; t && n < EMU_MAX_WAIT - 1; t = t->next) {
            if (!(t->flags & CU_STREAM_NON_BLOCKING) && t->last) list[n++] = t->last;
        }
    } else if (!(s->flags & CU_STREAM_NON_BLOCKING) && c->legacy && c->legacy->last) {
        list[n++] = c->legacy->last;
    }
    if (extra) list[n++] = extra;
    return n;
}

void emu_stream_push(struct CUstream_st *s, cl_event ev) {
    if (s->last) clReleaseEvent(s->last);
    s->last = ev;
    clFlush(s->q);
}

CUresult emu_wait_release(cl_event ev) {
    if (!ev) return CUDA_SUCCESS;
    cl_int err = clWaitForEvents(1, &ev);
    cl_int st = CL_COMPLETE;
    clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof st, &st, NULL);
    clReleaseEvent(ev);
    if (err != CL_SUCCESS || st < 0) {
        EMU_WARN("an OpenCL command failed (wait %d, status %d): CUDA_ERROR_LAUNCH_FAILED", err, st);
        return CUDA_ERROR_LAUNCH_FAILED;
    }
    return CUDA_SUCCESS;
}

/* ---- streams ---- */

static struct CUstream_st *new_stream(struct CUctx_st *c, unsigned flags, int legacy) {
    cl_int err;
    cl_command_queue q = clCreateCommandQueue(emu_cl_context, emu_cl_device, CL_QUEUE_PROFILING_ENABLE, &err);
    if (!q) {
        EMU_WARN("clCreateCommandQueue failed (%d)", err);
        return NULL;
    }
    struct CUstream_st *s = calloc(1, sizeof *s);
    s->magic = EMU_STREAM_MAGIC;
    s->ctx = c;
    s->q = q;
    s->flags = flags;
    s->legacy = legacy;
    return s;
}

static void free_stream(struct CUstream_st *s) {
    if (s->last) clReleaseEvent(s->last);
    clFlush(s->q);
    clReleaseCommandQueue(s->q);
    s->magic = 0;
    free(s);
}

CUresult emu_stream_create_legacy(struct CUctx_st *c) {
    c->legacy = new_stream(c, 0, 1);
    return c->legacy ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

void emu_streams_destroy_all(struct CUctx_st *c) {
    for (struct CUstream_st *s = c->streams, *n; s; s = n) {
        n = s->next;
        free_stream(s);
    }
    c->streams = NULL;
    if (c->legacy) free_stream(c->legacy);
    c->legacy = NULL;
}

struct CUstream_st *emu_stream_lookup(CUstream h) {
    for (struct CUctx_st *c = emu_ctx_registry(); c; c = c->next_ctx) {
        if (!c->alive) continue;
        for (struct CUstream_st *s = c->streams; s; s = s->next) {
            if (s == h) return s;
        }
    }
    return NULL;
}

static int is_legacy_handle(CUstream h) {
    return h == NULL || h == CU_STREAM_LEGACY || h == CU_STREAM_PER_THREAD;
}

CUresult emu_stream_resolve(struct CUctx_st *c, CUstream h, struct CUstream_st **out) {
    if (is_legacy_handle(h)) {
        *out = c->legacy;
        return CUDA_SUCCESS;
    }
    for (struct CUstream_st *s = c->streams; s; s = s->next) {
        if (s == h) {
            *out = s;
            return CUDA_SUCCESS;
        }
    }
    return CUDA_ERROR_INVALID_HANDLE;
}

/* The stream h names and its context, checked (legacy handles: the current context's). Locked. */
static CUresult stream_of(CUstream h, struct CUstream_st **out) {
    if (is_legacy_handle(h)) {
        struct CUctx_st *c;
        CUresult r = emu_ctx_get(&c);
        if (r) return r;
        *out = c->legacy;
        return CUDA_SUCCESS;
    }
    struct CUstream_st *s = emu_stream_lookup(h);
    if (!s) return CUDA_ERROR_INVALID_HANDLE;
    CUresult r = emu_ctx_usable(s->ctx);
    if (r) return r;
    *out = s;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuStreamCreateWithPriority(CUstream *ph, unsigned int flags, int priority) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!ph || (flags & ~1u)) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    struct CUstream_st *s = r ? NULL : new_stream(c, flags, 0);
    if (!r && !s) r = CUDA_ERROR_OUT_OF_MEMORY;
    if (!r) {
        s->priority = priority;
        s->next = c->streams;
        c->streams = s;
        *ph = s;
        if (emu_cfg.trace) EMU_WARN("cuStreamCreate(flags %u) = %p", flags, (void *) s);
    }
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuStreamCreate(CUstream *ph, unsigned int flags) {
    return cuStreamCreateWithPriority(ph, flags, 0);
}

EMU_API CUresult cuStreamDestroy_v2(CUstream h) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    struct CUstream_st *s = is_legacy_handle(h) ? NULL : emu_stream_lookup(h);
    if (!s) {
        EMU_UNLOCK();
        return CUDA_ERROR_INVALID_HANDLE;
    }
    struct CUctx_st *c = s->ctx;
    if ((r = emu_ctx_usable(c))) {
        EMU_UNLOCK();
        return r;
    }
    /* Work already queued still runs; later legacy-stream work stays ordered after it. */
    if (s->last && !(s->flags & CU_STREAM_NON_BLOCKING) && c->legacy) {
        cl_event ev;
        if (clEnqueueBarrierWithWaitList(c->legacy->q, 1, &s->last, &ev) == CL_SUCCESS) emu_stream_push(c->legacy, ev);
    }
    for (struct CUstream_st **pp = &c->streams; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    free_stream(s);
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuStreamSynchronize(CUstream h) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUstream_st *s;
    EMU_LOCK();
    r = stream_of(h, &s);
    cl_event ev = NULL;
    struct CUctx_st *c = r ? NULL : s->ctx;
    if (!r && s->last) {
        ev = s->last;
        clRetainEvent(ev);
    }
    EMU_UNLOCK();
    if (r) return r;
    CUresult w = emu_wait_release(ev);
    EMU_LOCK();
    r = emu_ctx_usable(c);
    EMU_UNLOCK();
    return r ? r : w;
}

static CUresult event_status(cl_event ev) {
    if (!ev) return CUDA_SUCCESS;
    cl_int st = CL_COMPLETE;
    clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof st, &st, NULL);
    if (st < 0) return CUDA_ERROR_LAUNCH_FAILED;
    return st == CL_COMPLETE ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

EMU_API CUresult cuStreamQuery(CUstream h) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUstream_st *s;
    EMU_LOCK();
    r = stream_of(h, &s);
    if (!r) r = event_status(s->last);
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuStreamGetCtx(CUstream h, CUcontext *pctx) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    struct CUstream_st *s;
    EMU_LOCK();
    r = stream_of(h, &s);
    if (!r) *pctx = s->ctx;
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuStreamGetFlags(CUstream h, unsigned int *flags) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!flags) return CUDA_ERROR_INVALID_VALUE;
    struct CUstream_st *s;
    EMU_LOCK();
    r = stream_of(h, &s);
    if (!r) *flags = s->flags;
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuStreamWaitEvent(CUstream h, CUevent e, unsigned int flags) {
    (void) flags;
    CUresult r = emu_enter();
    if (r) return r;
    if (!e || e->magic != EMU_EVENT_MAGIC) return CUDA_ERROR_INVALID_HANDLE;
    struct CUstream_st *s;
    EMU_LOCK();
    r = stream_of(h, &s);
    if (!r && e->ev) {
        cl_event list[EMU_MAX_WAIT], ev;
        cl_uint n = emu_order_waits(s, list, e->ev);
        if (clEnqueueBarrierWithWaitList(s->q, n, n ? list : NULL, &ev) == CL_SUCCESS) emu_stream_push(s, ev);
        else r = CUDA_ERROR_UNKNOWN;
    }
    EMU_UNLOCK();
    return r;
}

/* ---- events ---- */

EMU_API CUresult cuEventCreate(CUevent *ph, unsigned int flags) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!ph) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    EMU_UNLOCK();
    if (r) return r;
    struct CUevent_st *e = calloc(1, sizeof *e);
    e->magic = EMU_EVENT_MAGIC;
    e->flags = flags;
    e->ctx = c;
    *ph = e;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuEventRecord(CUevent e, CUstream h) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!e || e->magic != EMU_EVENT_MAGIC) return CUDA_ERROR_INVALID_HANDLE;
    struct CUstream_st *s;
    EMU_LOCK();
    r = stream_of(h, &s);
    if (!r) {
        cl_event list[EMU_MAX_WAIT], ev;
        cl_uint n = emu_order_waits(s, list, NULL);
        if (clEnqueueMarkerWithWaitList(s->q, n, n ? list : NULL, &ev) == CL_SUCCESS) {
            if (e->ev) clReleaseEvent(e->ev);
            e->ev = ev;
            e->host_ms = emu_now_ms();
            clFlush(s->q);
        } else {
            r = CUDA_ERROR_UNKNOWN;
        }
    }
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuEventSynchronize(CUevent e) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!e || e->magic != EMU_EVENT_MAGIC) return CUDA_ERROR_INVALID_HANDLE;
    EMU_LOCK();
    r = emu_ctx_usable(e->ctx);
    cl_event ev = r ? NULL : e->ev;
    if (ev) clRetainEvent(ev);
    EMU_UNLOCK();
    if (r) return r;
    r = emu_wait_release(ev);
    EMU_LOCK();
    CUresult f = emu_ctx_usable(e->ctx);
    EMU_UNLOCK();
    return f ? f : r;
}

EMU_API CUresult cuEventQuery(CUevent e) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!e || e->magic != EMU_EVENT_MAGIC) return CUDA_ERROR_INVALID_HANDLE;
    EMU_LOCK();
    r = emu_ctx_usable(e->ctx);
    if (!r) r = event_status(e->ev);
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuEventDestroy_v2(CUevent e) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!e || e->magic != EMU_EVENT_MAGIC) return CUDA_ERROR_INVALID_HANDLE;
    EMU_LOCK();
    if (e->ev) clReleaseEvent(e->ev);
    e->magic = 0;
    EMU_UNLOCK();
    free(e);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!start || start->magic != EMU_EVENT_MAGIC || !end || end->magic != EMU_EVENT_MAGIC) return CUDA_ERROR_INVALID_HANDLE;
    if ((start->flags | end->flags) & CU_EVENT_DISABLE_TIMING) return CUDA_ERROR_INVALID_HANDLE;
    if (!start->ev || !end->ev) return CUDA_ERROR_INVALID_HANDLE;
    if ((r = event_status(start->ev)) || (r = event_status(end->ev))) return r;
    cl_ulong a = 0, b = 0;
    if (clGetEventProfilingInfo(start->ev, CL_PROFILING_COMMAND_END, sizeof a, &a, NULL) == CL_SUCCESS
        && clGetEventProfilingInfo(end->ev, CL_PROFILING_COMMAND_END, sizeof b, &b, NULL) == CL_SUCCESS && a && b) {
        *ms = (float) (((double) b - (double) a) / 1e6);
    } else {
        *ms = (float) (end->host_ms - start->host_ms);
    }
    return CUDA_SUCCESS;
}
