/*
 * cudaemu: device memory as fake 64-bit addresses, each allocation one cl_mem; pinned host memory;
 * pointer queries; sub-buffers for interior pointers.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "emu_internal.h"

#define EMU_ADDR_START 0x7f0000000000ULL
#define EMU_GRAN 256
#define EMU_GAP 4096

static emu_alloc **allocs;          /* sorted by base */
static size_t nallocs, cap_allocs;
static CUdeviceptr next_addr = EMU_ADDR_START;
static struct { CUdeviceptr base; size_t span; } *freed;
static size_t nfreed, cap_freed;
static emu_host_alloc *host_allocs;

/* Index of the last allocation with base <= p, or -1. */
static long find_index(CUdeviceptr p) {
    long lo = 0, hi = (long) nallocs - 1, best = -1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        if (allocs[mid]->base <= p) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

emu_alloc *emu_find_alloc(CUdeviceptr p) {
    long i = find_index(p);
    if (i < 0) return NULL;
    emu_alloc *a = allocs[i];
    return p < a->base + a->size ? a : NULL;
}

emu_alloc *emu_find_alloc_ctx(struct CUctx_st *c, CUdeviceptr p) {
    emu_alloc *a = emu_find_alloc(p);
    return a && a->ctx == c ? a : NULL;
}

static void insert_alloc(emu_alloc *a) {
    if (nallocs == cap_allocs) {
        cap_allocs = cap_allocs ? cap_allocs * 2 : 256;
        allocs = realloc(allocs, cap_allocs * sizeof *allocs);
    }
    long i = find_index(a->base) + 1;
    memmove(allocs + i + 1, allocs + i, (nallocs - (size_t) i) * sizeof *allocs);
    allocs[i] = a;
    nallocs++;
}

static void release_alloc(emu_alloc *a) {
    for (emu_sub *s = a->subs, *n; s; s = n) {
        n = s->next;
        clReleaseMemObject(s->mem);
        free(s);
    }
    clReleaseMemObject(a->mem);
    a->ctx->used_bytes -= (long long) a->size;
    if (nfreed == cap_freed) {
        cap_freed = cap_freed ? cap_freed * 2 : 64;
        freed = realloc(freed, cap_freed * sizeof *freed);
    }
    freed[nfreed].base = a->base;
    freed[nfreed].span = a->span;
    nfreed++;
    free(a);
}

static void remove_index(size_t i) {
    memmove(allocs + i, allocs + i + 1, (nallocs - i - 1) * sizeof *allocs);
    nallocs--;
}

void emu_free_ctx_allocs(struct CUctx_st *c) {
    size_t w = 0;
    for (size_t i = 0; i < nallocs; i++) {
        if (allocs[i]->ctx == c) release_alloc(allocs[i]);
        else allocs[w++] = allocs[i];
    }
    nallocs = w;
}

static CUdeviceptr pick_address(size_t span) {
    if (emu_cfg.reuse_addresses) {
        /* best fit: the smallest freed span that holds it; among equal spans the most recently freed */
        long best = -1;
        for (long i = (long) nfreed - 1; i >= 0; i--) {
            if (freed[i].span >= span && (best < 0 || freed[i].span < freed[best].span)) best = i;
        }
        if (best >= 0) {
            CUdeviceptr b = freed[best].base;
            memmove(freed + best, freed + best + 1, (nfreed - (size_t) best - 1) * sizeof *freed);
            nfreed--;
            return b;
        }
    }
    CUdeviceptr b = next_addr;
    next_addr += span + EMU_GAP;
    return b;
}

static long long used_total(void) {
    long long u = 0;
    for (size_t i = 0; i < nallocs; i++) u += (long long) allocs[i]->size;
    return u;
}

EMU_API CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!dptr) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    long long used = used_total();
    EMU_UNLOCK();
    if (r) return r;
    if (bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
    if ((unsigned long long) used + bytesize > emu_total_mem()) {
        EMU_WARN("cuMemAlloc(%zu): %lld bytes in use of %llu: CUDA_ERROR_OUT_OF_MEMORY", bytesize, used, emu_total_mem());
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    if (emu_cl_max_alloc && bytesize > emu_cl_max_alloc) {
        EMU_WARN("cuMemAlloc(%zu): larger than one OpenCL buffer may be (CL_DEVICE_MAX_MEM_ALLOC_SIZE %llu): "
                 "CUDA_ERROR_OUT_OF_MEMORY", bytesize, emu_cl_max_alloc);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    cl_int err;
    cl_mem m = clCreateBuffer(emu_cl_context, CL_MEM_READ_WRITE, bytesize, NULL, &err);
    if (!m) {
        EMU_WARN("cuMemAlloc(%zu): clCreateBuffer failed (%d)", bytesize, err);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    cl_uchar zero = 0;
    cl_event ev = NULL;
    err = clEnqueueFillBuffer(emu_cl_internal_queue, m, &zero, 1, 0, bytesize, 0, NULL, &ev);
    if (err == CL_SUCCESS) {
        clFlush(emu_cl_internal_queue);
        err = emu_wait_release(ev) ? CL_OUT_OF_RESOURCES : CL_SUCCESS;
    }
    if (err != CL_SUCCESS) {
        EMU_WARN("cuMemAlloc(%zu): zero-fill failed (%d)", bytesize, err);
        clReleaseMemObject(m);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    emu_alloc *a = calloc(1, sizeof *a);
    a->size = bytesize;
    a->span = (bytesize + EMU_GRAN - 1) / EMU_GRAN * EMU_GRAN;
    a->mem = m;
    EMU_LOCK();
    r = emu_ctx_usable(c);     /* it may have been destroyed or faulted meanwhile */
    if (r) {
        EMU_UNLOCK();
        clReleaseMemObject(m);
        free(a);
        return r;
    }
    a->ctx = c;
    a->base = pick_address(a->span);
    insert_alloc(a);
    c->used_bytes += (long long) bytesize;
    *dptr = a->base;
    if (emu_cfg.trace) EMU_WARN("cuMemAlloc(%zu) = 0x%llx", bytesize, a->base);
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemFree_v2(CUdeviceptr dptr) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    if (r || dptr == 0) {
        EMU_UNLOCK();
        return r;
    }
    long i = find_index(dptr);
    if (i < 0 || allocs[i]->base != dptr || allocs[i]->ctx != c) {
        EMU_UNLOCK();
        if (emu_cfg.trace) EMU_WARN("cuMemFree(0x%llx): not an allocation of the current context", dptr);
        return CUDA_ERROR_INVALID_VALUE;
    }
    emu_alloc *a = allocs[i];
    remove_index((size_t) i);
    release_alloc(a);
    if (emu_cfg.trace) EMU_WARN("cuMemFree(0x%llx)", dptr);
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemGetInfo_v2(size_t *freeb, size_t *total) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    long long used = used_total();
    EMU_UNLOCK();
    if (r) return r;
    unsigned long long t = emu_total_mem();
    if (freeb) *freeb = (size_t) (t > (unsigned long long) used ? t - (unsigned long long) used : 0);
    if (total) *total = (size_t) t;
    return CUDA_SUCCESS;
}

/* A pointer that is no device allocation gives CUDA_ERROR_INVALID_VALUE (see README). */
EMU_API CUresult cuMemGetAddressRange_v2(CUdeviceptr *pbase, size_t *psize, CUdeviceptr dptr) {
    CUresult r = emu_enter();
    if (r) return r;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    emu_alloc *a = r ? NULL : emu_find_alloc(dptr);
    if (!r && !a) r = CUDA_ERROR_INVALID_VALUE;
    if (!r) {
        if (pbase) *pbase = a->base;
        if (psize) *psize = a->size;
    }
    EMU_UNLOCK();
    return r;
}

static emu_host_alloc *find_host(const void *p) {
    for (emu_host_alloc *h = host_allocs; h; h = h->next) {
        if ((const char *) p >= (const char *) h->p && (const char *) p < (const char *) h->p + h->size) return h;
    }
    return NULL;
}

int emu_is_pinned(const void *p, size_t bytes) {
    EMU_LOCK();
    emu_host_alloc *h = find_host(p);
    int ok = h && (const char *) p + bytes <= (const char *) h->p + h->size;
    EMU_UNLOCK();
    return ok;
}

EMU_API CUresult cuPointerGetAttribute(void *data, int attribute, CUdeviceptr ptr) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!data) return CUDA_ERROR_INVALID_VALUE;
    EMU_LOCK();
    emu_alloc *a = emu_find_alloc(ptr);
    emu_host_alloc *h = a ? NULL : find_host((const void *) (uintptr_t) ptr);
    r = CUDA_SUCCESS;
    if (!a && !h) {
        r = CUDA_ERROR_INVALID_VALUE;
    } else if (h) {
        switch (attribute) {
        case CU_POINTER_ATTRIBUTE_MEMORY_TYPE: *(unsigned int *) data = CU_MEMORYTYPE_HOST; break;
        case CU_POINTER_ATTRIBUTE_HOST_POINTER: *(void **) data = (void *) (uintptr_t) ptr; break;
        case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR: *(CUdeviceptr *) data = (CUdeviceptr) (uintptr_t) h->p; break;
        case CU_POINTER_ATTRIBUTE_RANGE_SIZE: *(size_t *) data = h->size; break;
        case CU_POINTER_ATTRIBUTE_IS_MANAGED: *(int *) data = 0; break;
        default: r = CUDA_ERROR_INVALID_VALUE;
        }
    } else {
        switch (attribute) {
        case CU_POINTER_ATTRIBUTE_CONTEXT: *(CUcontext *) data = a->ctx; break;
        case CU_POINTER_ATTRIBUTE_MEMORY_TYPE: *(unsigned int *) data = CU_MEMORYTYPE_DEVICE; break;
        case CU_POINTER_ATTRIBUTE_DEVICE_POINTER: *(CUdeviceptr *) data = ptr; break;
        case CU_POINTER_ATTRIBUTE_SYNC_MEMOPS: *(int *) data = 1; break;
        case CU_POINTER_ATTRIBUTE_BUFFER_ID: *(unsigned long long *) data = a->base; break;
        case CU_POINTER_ATTRIBUTE_IS_MANAGED: *(int *) data = 0; break;
        case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL: *(int *) data = a->ctx->dev; break;
        case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR: *(CUdeviceptr *) data = a->base; break;
        case CU_POINTER_ATTRIBUTE_RANGE_SIZE: *(size_t *) data = a->size; break;
        case CU_POINTER_ATTRIBUTE_MAPPED: *(int *) data = 1; break;
        default: r = CUDA_ERROR_INVALID_VALUE;
        }
    }
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuPointerGetAttributes(unsigned int numAttributes, int *attributes, void **data, CUdeviceptr ptr) {
    if (!attributes || !data) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned int i = 0; i < numAttributes; i++) {
        CUresult r = cuPointerGetAttribute(data[i], attributes[i], ptr);
        if (r) return r;
    }
    return CUDA_SUCCESS;
}

CUresult emu_mem_at(emu_alloc *a, CUdeviceptr p, cl_mem *out, const char *who) {
    size_t off = (size_t) (p - a->base);
    if (off == 0) {
        *out = a->mem;
        return CUDA_SUCCESS;
    }
    for (emu_sub *s = a->subs; s; s = s->next) {
        if (s->offset == off) {
            *out = s->mem;
            return CUDA_SUCCESS;
        }
    }
    if (off % emu_base_align != 0) {
        EMU_WARN("%s: 0x%llx is %zu bytes into its allocation 0x%llx; OpenCL sub-buffers must start at a "
                 "multiple of CL_DEVICE_MEM_BASE_ADDR_ALIGN (%zu bytes): CUDA_ERROR_MISALIGNED_ADDRESS",
                 who, p, off, a->base, emu_base_align);
        return CUDA_ERROR_MISALIGNED_ADDRESS;
    }
    cl_buffer_region reg = {off, a->size - off};
    cl_int err;
    cl_mem m = clCreateSubBuffer(a->mem, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &reg, &err);
    if (!m) {
        EMU_WARN("%s: clCreateSubBuffer(0x%llx + %zu) failed (%d)", who, a->base, off, err);
        return CUDA_ERROR_MISALIGNED_ADDRESS;
    }
    emu_sub *s = calloc(1, sizeof *s);
    s->offset = off;
    s->mem = m;
    s->next = a->subs;
    a->subs = s;
    *out = m;
    return CUDA_SUCCESS;
}

/* ---- pinned host memory ---- */

static CUresult host_alloc(void **pp, size_t bytes) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!pp || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes) != 0) return CUDA_ERROR_OUT_OF_MEMORY;
    emu_host_alloc *h = calloc(1, sizeof *h);
    h->p = p;
    h->size = bytes;
    EMU_LOCK();
    h->next = host_allocs;
    host_allocs = h;
    EMU_UNLOCK();
    *pp = p;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemAllocHost_v2(void **pp, size_t bytesize) {
    return host_alloc(pp, bytesize);
}

EMU_API CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int flags) {
    (void) flags;
    return host_alloc(pp, bytesize);
}

EMU_API CUresult cuMemFreeHost(void *p) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    for (emu_host_alloc **hp = &host_allocs; *hp; hp = &(*hp)->next) {
        if ((*hp)->p == p) {
            emu_host_alloc *h = *hp;
            *hp = h->next;
            EMU_UNLOCK();
            free(h->p);
            free(h);
            return CUDA_SUCCESS;
        }
    }
    EMU_UNLOCK();
    return CUDA_ERROR_INVALID_VALUE;
}
