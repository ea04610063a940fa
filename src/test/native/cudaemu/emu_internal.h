/*
 * cudaemu internals: the structures behind the CUDA handles, the global state and the helpers the
 * emu_*.c files share. Not part of the emulated API (see cudaemu.h for that).
 *
 * Locking: one recursive global mutex (emu_lock) guards every structure here. Nothing blocks on an
 * OpenCL event while holding it: callers collect (retained) events under the lock, unlock, then
 * wait. The DMA-delay timer thread has its own mutex and never takes emu_lock.
 */
#ifndef CUDAEMU_INTERNAL_H
#define CUDAEMU_INTERNAL_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "cudaemu.h"

#define EMU_WARN(...) do { fprintf(stderr, "cudaemu: " __VA_ARGS__); fputc('\n', stderr); fflush(stderr); } while (0)

#define EMU_API __attribute__((visibility("default")))

/* ---- configuration (emu_config.c) ---- */
typedef struct emu_config {
    char kernels[4096];      /* CUDAEMU_KERNELS: folder with platform/opencl.h and MODULE */
    int sm;                  /* CUDAEMU_SM: emulated compute capability, major*10+minor (default 90) */
    int ptx_isa;             /* CUDAEMU_PTX_ISA: highest PTX ISA the "driver" JIT accepts, x10 (default 90) */
    int driver_version;      /* CUDAEMU_DRIVER_VERSION (default 13000) */
    int init_result;         /* CUDAEMU_INIT_RESULT: what cuInit returns (default 0) */
    int refuse_fatbin;       /* CUDAEMU_REFUSE_FATBIN=1: every fatbin image gives 209 */
    int dma_delay_ms;        /* CUDAEMU_DMA_DELAY_MS */
    int reuse_addresses;     /* CUDAEMU_REUSE_ADDRESSES=1 */
    long fault_after;        /* CUDAEMU_FAULT_AFTER_LAUNCHES (0: off) */
    char fault_kernel[256];  /* CUDAEMU_FAULT_KERNEL (empty: every kernel counts) */
    int fault_code;          /* CUDAEMU_FAULT_CODE (default 700) */
    int trace;               /* CUDAEMU_TRACE=1: one stderr line per emulated call that changes state */
    long long total_mem;     /* CUDAEMU_TOTAL_MEM_MB (default: the OpenCL device's global memory) */
    int cublas_create_result; /* CUDAEMU_CUBLAS_CREATE_RESULT: what the fake cublasCreate_v2 returns (default 0) */
    unsigned fault_epoch;    /* bumped whenever the fault settings change or the control file sets them again */
    int fault_in_file;       /* the control file has a CUDAEMU_FAULT_AFTER_LAUNCHES line */
} emu_config;

extern emu_config emu_cfg;
void emu_config_refresh(void);          /* cheap: one stat() of CUDAEMU_CONTROL; takes emu_lock */
const char *emu_error_name(CUresult r);

/* ---- global state ---- */
extern pthread_mutex_t emu_lock;
#define EMU_LOCK() pthread_mutex_lock(&emu_lock)
#define EMU_UNLOCK() pthread_mutex_unlock(&emu_lock)

extern int emu_initialized;             /* cuInit succeeded */
extern cl_platform_id emu_cl_platform;
extern cl_device_id emu_cl_device;
extern cl_context emu_cl_context;
extern cl_command_queue emu_cl_internal_queue; /* zero-fills of fresh allocations */
extern size_t emu_base_align;           /* CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes */
extern unsigned long long emu_cl_global_mem;
extern unsigned long long emu_cl_max_alloc;     /* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
extern char emu_cl_device_name[256];

/* Returns CUDA_ERROR_NOT_INITIALIZED unless cuInit succeeded; refreshes the configuration. */
CUresult emu_enter(void);

/* ---- memory ---- */
typedef struct emu_sub {
    size_t offset;
    cl_mem mem;
    struct emu_sub *next;
} emu_sub;

typedef struct emu_alloc {
    CUdeviceptr base;
    size_t size;          /* requested size */
    size_t span;          /* size rounded up to the address granularity */
    cl_mem mem;
    struct CUctx_st *ctx;
    emu_sub *subs;        /* sub-buffers for interior pointers, by offset */
} emu_alloc;

typedef struct emu_host_alloc {
    void *p;
    size_t size;
    struct emu_host_alloc *next;
} emu_host_alloc;

emu_alloc *emu_find_alloc(CUdeviceptr p);                 /* any live context */
emu_alloc *emu_find_alloc_ctx(struct CUctx_st *c, CUdeviceptr p);
int emu_is_pinned(const void *p, size_t bytes);
void emu_free_ctx_allocs(struct CUctx_st *c);             /* at context destruction */
/* A cl_mem for address p of allocation a (the buffer itself or a cached sub-buffer). */
CUresult emu_mem_at(emu_alloc *a, CUdeviceptr p, cl_mem *out, const char *who);

/* ---- contexts ---- */
#define EMU_CTX_MAGIC 0x43545845u
struct CUctx_st {
    uint32_t magic;
    int primary;
    int alive;            /* created and not destroyed (primary: refcount > 0) */
    int refcount;         /* primary only */
    unsigned flags;
    CUdevice dev;
    CUresult sticky;      /* sticky fault, 0 when healthy */
    struct CUstream_st *legacy;
    struct CUstream_st *streams;   /* created streams */
    struct CUmod_st *modules;
    long long used_bytes;
    struct CUctx_st *next_ctx;     /* registry of every context ever made */
};

int emu_ctx_known(struct CUctx_st *c);
struct CUctx_st *emu_ctx_registry(void);      /* first of every context ever made (next_ctx) */
CUresult emu_ctx_sync(struct CUctx_st *c);
unsigned long long emu_total_mem(void);
struct CUctx_st *emu_current(void);            /* top of this thread's stack, or NULL */
/* Current context, checked: 201 none, 709 destroyed/inactive, sticky fault code. Call locked. */
CUresult emu_ctx_get(struct CUctx_st **out);
CUresult emu_ctx_usable(struct CUctx_st *c);   /* same checks for a given context */

/* ---- streams and events (emu_stream.c) ---- */
#define EMU_STREAM_MAGIC 0x5354524du
struct CUstream_st {
    uint32_t magic;
    struct CUctx_st *ctx;
    cl_command_queue q;
    unsigned flags;
    int legacy;
    int priority;
    cl_event last;        /* last command's event (retained), or NULL */
    struct CUstream_st *next;
};

#define EMU_EVENT_MAGIC 0x45564e54u
struct CUevent_st {
    uint32_t magic;
    unsigned flags;
    cl_event ev;          /* marker of the last record, or NULL */
    struct CUctx_st *ctx;
    double host_ms;       /* host clock at record (fallback timing) */
};

CUresult emu_stream_create_legacy(struct CUctx_st *c);
/* A created stream of any context (not the legacy handles), or NULL. Call locked. */
struct CUstream_st *emu_stream_lookup(CUstream h);
void emu_streams_destroy_all(struct CUctx_st *c);
/* Resolves a stream handle for context c (NULL/legacy/per-thread → c's legacy stream). */
CUresult emu_stream_resolve(struct CUctx_st *c, CUstream h, struct CUstream_st **out);
/* The wait list that orders a new command on s after what the stream rules require (plus extra,
 * when not NULL). Returns the count; list must hold EMU_MAX_WAIT entries. */
#define EMU_MAX_WAIT 256
cl_uint emu_order_waits(struct CUstream_st *s, cl_event *list, cl_event extra);
/* Records ev (already retained by the enqueue) as s's last command and flushes the queue. */
void emu_stream_push(struct CUstream_st *s, cl_event ev);
/* Waits (without the lock) for ev and releases it; 0 or CUDA_ERROR_LAUNCH_FAILED. */
CUresult emu_wait_release(cl_event ev);
/* A user event that completes dma_delay_ms from now, or NULL without a delay. */
cl_event emu_dma_delay_event(void);
double emu_now_ms(void);

/* ---- modules and functions (emu_module.c) ---- */
#define EMU_MAX_PARAMS 64
#define EMU_FUNC_MAGIC 0x46554e43u
struct CUfunc_st {
    uint32_t magic;
    struct CUmod_st *mod;
    char name[256];
    int nparams;
    int width[EMU_MAX_PARAMS];     /* bytes, from the PTX signature */
    int is_ptr[EMU_MAX_PARAMS];    /* from the OpenCL address qualifier (global) */
    cl_kernel kernel;
};

#define EMU_MOD_MAGIC 0x4d4f4455u
struct CUmod_st {
    uint32_t magic;
    int alive;
    struct CUctx_st *ctx;
    int ptx_version;      /* x10 */
    int binary_version;   /* sm of the chosen entry */
    int nfuncs;
    struct CUfunc_st *funcs;
    struct CUmod_st *next;
};

void emu_modules_unload_all(struct CUctx_st *c);

/* ---- launches (emu_launch.c) ---- */
void emu_fault_note_config(void);   /* resets the launch counter when the fault settings change */

#endif
