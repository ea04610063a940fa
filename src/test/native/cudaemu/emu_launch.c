/*
 * cudaemu: cuLaunchKernel. 1-D launches only; parameters checked against the PTX signature and
 * every pointer against the live allocations of the current context (a stray pointer faults the
 * context, sticky, as a real asynchronous illegal access would); fault injection.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "emu_internal.h"

static unsigned seen_epoch = ~0u;
static long counted;     /* launches counted since the fault settings last changed */
static int fired;        /* the injected fault for the current settings happened */

/* Called locked whenever the configuration is (re)loaded. */
void emu_fault_note_config(void) {
    if (emu_cfg.fault_epoch != seen_epoch) {
        seen_epoch = emu_cfg.fault_epoch;
        counted = 0;
        fired = 0;
    }
}

static CUresult unsupported(const char *name, const char *what) {
    EMU_WARN("cuLaunchKernel(%s): %s is not emulated: CUDA_ERROR_NOT_SUPPORTED", name, what);
    return CUDA_ERROR_NOT_SUPPORTED;
}

EMU_API CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                                unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                                unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    struct CUctx_st *c;
    if ((r = emu_ctx_get(&c))) goto out;
    if (!f || f->magic != EMU_FUNC_MAGIC || !f->mod->alive || f->mod->ctx != c) {
        r = CUDA_ERROR_INVALID_HANDLE;
        goto out;
    }
    const char *name = f->name;
    if (gridDimY != 1 || gridDimZ != 1 || blockDimY != 1 || blockDimZ != 1) {
        r = unsupported(name, "a grid or block with y or z other than 1");
        goto out;
    }
    if (extra) {
        r = unsupported(name, "the 'extra' parameter array");
        goto out;
    }
    if (sharedMemBytes) {
        r = unsupported(name, "dynamic shared memory");
        goto out;
    }
    if (blockDimX < 1 || blockDimX > 1024 || gridDimX < 1) {
        EMU_WARN("cuLaunchKernel(%s): grid %u x block %u: CUDA_ERROR_INVALID_VALUE", name, gridDimX, blockDimX);
        r = CUDA_ERROR_INVALID_VALUE;
        goto out;
    }
    struct CUstream_st *s;
    if ((r = emu_stream_resolve(c, hStream, &s))) {
        EMU_WARN("cuLaunchKernel(%s): stream %p is not a stream of the current context", name, (void *) hStream);
        goto out;
    }
    if (f->nparams > 0 && !kernelParams) {
        EMU_WARN("cuLaunchKernel(%s): kernelParams is NULL for %d parameters", name, f->nparams);
        r = CUDA_ERROR_INVALID_VALUE;
        goto out;
    }
    for (int k = 0; k < f->nparams; k++) {
        if (!kernelParams[k]) {
            EMU_WARN("cuLaunchKernel(%s): kernelParams[%d] is NULL", name, k);
            r = CUDA_ERROR_INVALID_VALUE;
            goto out;
        }
        cl_int err;
        if (f->is_ptr[k]) {
            CUdeviceptr p;
            memcpy(&p, kernelParams[k], sizeof p);
            if (p == 0) {
                err = clSetKernelArg(f->kernel, (cl_uint) k, sizeof(cl_mem), NULL);
            } else {
                emu_alloc *a = emu_find_alloc_ctx(c, p);
                if (!a) {
                    EMU_WARN("cuLaunchKernel(%s): argument %d = 0x%llx is not in a live allocation of the current context",
                             name, k, p);
                    c->sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
                    r = CUDA_SUCCESS;   /* the fault is asynchronous: later calls report it */
                    goto out;
                }
                cl_mem m;
                char who[320];
                snprintf(who, sizeof who, "cuLaunchKernel(%s) argument %d", name, k);
                if ((r = emu_mem_at(a, p, &m, who))) goto out;
                err = clSetKernelArg(f->kernel, (cl_uint) k, sizeof(cl_mem), &m);
            }
        } else {
            err = clSetKernelArg(f->kernel, (cl_uint) k, (size_t) f->width[k], kernelParams[k]);
        }
        if (err != CL_SUCCESS) {
            EMU_WARN("cuLaunchKernel(%s): clSetKernelArg(%d) failed (%d): CUDA_ERROR_INVALID_VALUE", name, k, err);
            r = CUDA_ERROR_INVALID_VALUE;
            goto out;
        }
    }
    if (emu_cfg.fault_after > 0 && !fired && (!emu_cfg.fault_kernel[0] || !strcmp(emu_cfg.fault_kernel, name))) {
        if (++counted == emu_cfg.fault_after) {
            fired = 1;
            c->sticky = emu_cfg.fault_code;
            EMU_WARN("cuLaunchKernel(%s): injected fault %d (%s) at counted launch %ld (CUDAEMU_FAULT_AFTER_LAUNCHES)", name,
                     emu_cfg.fault_code, emu_error_name(emu_cfg.fault_code), counted);
            r = CUDA_SUCCESS;
            goto out;
        }
    }
    size_t global = (size_t) gridDimX * blockDimX, local = blockDimX;
    cl_event list[EMU_MAX_WAIT], ev;
    cl_uint n = emu_order_waits(s, list, NULL);
    cl_int err = clEnqueueNDRangeKernel(s->q, f->kernel, 1, NULL, &global, &local, n, n ? list : NULL, &ev);
    if (err != CL_SUCCESS) {
        EMU_WARN("cuLaunchKernel(%s): clEnqueueNDRangeKernel(grid %u, block %u) failed (%d)", name, gridDimX, blockDimX, err);
        r = err == CL_OUT_OF_RESOURCES ? CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
            : err == CL_INVALID_WORK_GROUP_SIZE ? CUDA_ERROR_INVALID_VALUE : CUDA_ERROR_LAUNCH_FAILED;
        goto out;
    }
    emu_stream_push(s, ev);
    if (emu_cfg.trace) EMU_WARN("cuLaunchKernel(%s, grid %u, block %u, stream %p)", name, gridDimX, blockDimX, (void *) hStream);
out:
    EMU_UNLOCK();
    return r;
}
