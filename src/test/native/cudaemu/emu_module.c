/*
 * cudaemu: modules and functions. No nvcc code runs: after the image checks (emu_image.c), the
 * kernels come from ONE OpenCL program built from the same dialect sources (CUDAEMU_KERNELS:
 * platform/opencl.h + the files MODULE lists), cached per process. Each PTX .entry must exist
 * there with a matching parameter list.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "emu_image.h"

static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cached_source;
static cl_program cached_program;
static CUresult cached_result;

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

typedef struct sbuf { char *s; size_t n, cap; } sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* prelude + "\n", then per file "/" "* ---- f ---- *" "/\n" + text + "\n" (KernelSources#module). */
static CUresult module_source(char **out) {
    const char *dir = emu_cfg.kernels;
    if (!*dir) {
        EMU_WARN("CUDAEMU_KERNELS is not set: it must name the kernels/ folder (platform/opencl.h, MODULE): "
                 "CUDA_ERROR_FILE_NOT_FOUND");
        return CUDA_ERROR_FILE_NOT_FOUND;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/platform/opencl.h", dir);
    char *prelude = read_file(path, NULL);
    snprintf(path, sizeof path, "%s/MODULE", dir);
    char *list = read_file(path, NULL);
    if (!prelude || !list) {
        EMU_WARN("CUDAEMU_KERNELS=%s: cannot read %s: CUDA_ERROR_FILE_NOT_FOUND", dir, prelude ? path : "platform/opencl.h");
        free(prelude);
        free(list);
        return CUDA_ERROR_FILE_NOT_FOUND;
    }
    sbuf b = {0};
    sb_str(&b, prelude);
    sb_str(&b, "\n");
    free(prelude);
    char *save = NULL;
    for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t') line++;
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r' || line[n - 1] == '\t')) line[--n] = 0;
        if (!*line || *line == '#') continue;
        snprintf(path, sizeof path, "%s/%s", dir, line);
        char *text = read_file(path, NULL);
        if (!text) {
            EMU_WARN("CUDAEMU_KERNELS=%s: MODULE lists %s, which cannot be read: CUDA_ERROR_FILE_NOT_FOUND", dir, line);
            free(list);
            free(b.s);
            return CUDA_ERROR_FILE_NOT_FOUND;
        }
        sb_str(&b, "/* ---- ");
        sb_str(&b, line);
        sb_str(&b, " ---- */\n");
        sb_str(&b, text);
        sb_str(&b, "\n");
        free(text);
    }
    free(list);
    *out = b.s;
    return CUDA_SUCCESS;
}

/* The program for the current sources (built once per process and source text). */
static CUresult get_program(cl_program *out) {
    char *src;
    EMU_LOCK();
    CUresult r = module_source(&src);
    EMU_UNLOCK();
    if (r) return r;
    pthread_mutex_lock(&build_lock);
    if (cached_source && !strcmp(cached_source, src)) {
        free(src);
        r = cached_result;
        if (!r) {
            clRetainProgram(cached_program);
            *out = cached_program;
        }
        pthread_mutex_unlock(&build_lock);
        return r;
    }
    cl_int err;
    const char *srcs[] = {src};
    cl_program p = clCreateProgramWithSource(emu_cl_context, 1, srcs, NULL, &err);
    if (p) err = clBuildProgram(p, 1, &emu_cl_device, "-cl-std=CL1.2 -cl-kernel-arg-info", NULL, NULL);
    if (!p || err != CL_SUCCESS) {
        size_t len = 0;
        char *log = NULL;
        if (p && clGetProgramBuildInfo(p, emu_cl_device, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) == CL_SUCCESS && len) {
            log = calloc(1, len + 1);
            clGetProgramBuildInfo(p, emu_cl_device, CL_PROGRAM_BUILD_LOG, len, log, NULL);
        }
        EMU_WARN("building the OpenCL program from CUDAEMU_KERNELS=%s failed (%d): CUDA_ERROR_INVALID_IMAGE\n%s",
                 emu_cfg.kernels, err, log ? log : "(no build log)");
        free(log);
        if (p) clReleaseProgram(p);
        p = NULL;
        r = CUDA_ERROR_INVALID_IMAGE;
    }
    if (cached_program) clReleaseProgram(cached_program);
    free(cached_source);
    cached_source = src;
    cached_program = p;
    cached_result = r;
    if (!r) {
        clRetainProgram(p);
        *out = p;
    }
    pthread_mutex_unlock(&build_lock);
    return r;
}

static int scalar_size(const char *type) {
    static const struct { const char *n; int w; } t[] = {
        {"char", 1}, {"uchar", 1}, {"short", 2}, {"ushort", 2}, {"half", 2}, {"int", 4}, {"uint", 4},
        {"float", 4}, {"long", 8}, {"ulong", 8}, {"double", 8}, {"size_t", 8},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!strcmp(type, t[i].n)) return t[i].w;
    }
    return 0;
}

static void release_funcs(struct CUmod_st *m) {
    for (int i = 0; i < m->nfuncs; i++) {
        if (m->funcs[i].kernel) clReleaseKernel(m->funcs[i].kernel);
        m->funcs[i].kernel = NULL;
    }
}

/* Binds every signature to its OpenCL kernel. */
static CUresult bind_kernels(struct CUmod_st *m, cl_program prog, emu_sig *sigs) {
    for (int i = 0; i < m->nfuncs; i++) {
        struct CUfunc_st *f = &m->funcs[i];
        f->magic = EMU_FUNC_MAGIC;
        f->mod = m;
        memcpy(f->name, sigs[i].name, sizeof f->name);
        f->nparams = sigs[i].nparams;
        memcpy(f->width, sigs[i].width, sizeof f->width);
        cl_int err;
        f->kernel = clCreateKernel(prog, f->name, &err);
        if (!f->kernel) {
            EMU_WARN("PTX entry %s has no OpenCL kernel in the build of CUDAEMU_KERNELS (%d): CUDA_ERROR_INVALID_IMAGE",
                     f->name, err);
            return CUDA_ERROR_INVALID_IMAGE;
        }
        cl_uint nargs = 0;
        clGetKernelInfo(f->kernel, CL_KERNEL_NUM_ARGS, sizeof nargs, &nargs, NULL);
        if ((int) nargs != f->nparams) {
            EMU_WARN("%s: the PTX has %d parameters, the OpenCL kernel %u: CUDA_ERROR_INVALID_IMAGE", f->name,
                     f->nparams, nargs);
            return CUDA_ERROR_INVALID_IMAGE;
        }
        for (int k = 0; k < f->nparams; k++) {
            cl_kernel_arg_address_qualifier aq = CL_KERNEL_ARG_ADDRESS_PRIVATE;
            clGetKernelArgInfo(f->kernel, (cl_uint) k, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof aq, &aq, NULL);
            char type[128] = "";
            clGetKernelArgInfo(f->kernel, (cl_uint) k, CL_KERNEL_ARG_TYPE_NAME, sizeof type, type, NULL);
            if (aq == CL_KERNEL_ARG_ADDRESS_GLOBAL || aq == CL_KERNEL_ARG_ADDRESS_CONSTANT) {
                f->is_ptr[k] = 1;
                if (f->width[k] != 8) {
                    EMU_WARN("%s: argument %d is a pointer (%s) but the PTX gives it %d bytes: CUDA_ERROR_INVALID_IMAGE",
                             f->name, k, type, f->width[k]);
                    return CUDA_ERROR_INVALID_IMAGE;
                }
            } else if (aq == CL_KERNEL_ARG_ADDRESS_LOCAL) {
                EMU_WARN("%s: argument %d is __local, which CUDA kernels cannot take: CUDA_ERROR_INVALID_IMAGE", f->name, k);
                return CUDA_ERROR_INVALID_IMAGE;
            } else {
                int w = scalar_size(type);
                if (w && w != f->width[k]) {
                    EMU_WARN("%s: argument %d is %s (%d bytes) in OpenCL but %d bytes in the PTX: CUDA_ERROR_INVALID_IMAGE",
                             f->name, k, type, w, f->width[k]);
                    return CUDA_ERROR_INVALID_IMAGE;
                }
            }
        }
    }
    return CUDA_SUCCESS;
}

EMU_API CUresult cuModuleLoadData(CUmodule *module, const void *image) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    struct CUctx_st *c;
    EMU_LOCK();
    r = emu_ctx_get(&c);
    EMU_UNLOCK();
    if (r) return r;
    emu_image img;
    if ((r = emu_image_read(image, &img))) return r;
    emu_sig *sigs = NULL;
    int n = 0;
    r = emu_ptx_signatures(img.ptx, &sigs, &n);
    free(img.ptx);
    if (r) return r;
    cl_program prog;
    if ((r = get_program(&prog))) {
        free(sigs);
        return r;
    }
    struct CUmod_st *m = calloc(1, sizeof *m);
    m->magic = EMU_MOD_MAGIC;
    m->ptx_version = img.ptx_version;
    m->binary_version = img.binary_version;
    m->nfuncs = n;
    m->funcs = calloc((size_t) n, sizeof *m->funcs);
    r = bind_kernels(m, prog, sigs);
    free(sigs);
    clReleaseProgram(prog);
    EMU_LOCK();
    if (!r) r = emu_ctx_usable(c);
    if (r) {
        EMU_UNLOCK();
        release_funcs(m);
        free(m->funcs);
        free(m);
        return r;
    }
    m->ctx = c;
    m->alive = 1;
    m->next = c->modules;
    c->modules = m;
    if (emu_cfg.trace) {
        EMU_WARN("cuModuleLoadData: %d kernels (%s, %s sm_%d, PTX ISA %d.%d)", n, img.from_fatbin ? "fatbin" : "PTX text",
                 img.sass ? "SASS" : "PTX for", img.binary_version, img.ptx_version / 10, img.ptx_version % 10);
    }
    EMU_UNLOCK();
    *module = m;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int numOptions, int *options,
                                    void **optionValues) {
    (void) numOptions;
    (void) options;
    (void) optionValues;
    return cuModuleLoadData(module, image);
}

EMU_API CUresult cuModuleLoadFatBinary(CUmodule *module, const void *fatCubin) {
    return cuModuleLoadData(module, fatCubin);
}

static CUresult module_checked(CUmodule hmod) {
    if (!hmod || hmod->magic != EMU_MOD_MAGIC || !hmod->alive) return CUDA_ERROR_INVALID_HANDLE;
    return emu_ctx_usable(hmod->ctx);
}

EMU_API CUresult cuModuleUnload(CUmodule hmod) {
    CUresult r = emu_enter();
    if (r) return r;
    EMU_LOCK();
    if ((r = module_checked(hmod))) {
        EMU_UNLOCK();
        return r;
    }
    for (struct CUmod_st **pp = &hmod->ctx->modules; *pp; pp = &(*pp)->next) {
        if (*pp == hmod) {
            *pp = hmod->next;
            break;
        }
    }
    release_funcs(hmod);
    hmod->alive = 0;         /* the struct stays: stale handles are recognised, not reused */
    EMU_UNLOCK();
    return CUDA_SUCCESS;
}

void emu_modules_unload_all(struct CUctx_st *c) {
    for (struct CUmod_st *m = c->modules; m; m = m->next) {
        release_funcs(m);
        m->alive = 0;
    }
    c->modules = NULL;
}

EMU_API CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!hfunc || !name) return CUDA_ERROR_INVALID_VALUE;
    EMU_LOCK();
    if ((r = module_checked(hmod))) {
        EMU_UNLOCK();
        return r;
    }
    r = CUDA_ERROR_NOT_FOUND;
    for (int i = 0; i < hmod->nfuncs; i++) {
        if (!strcmp(hmod->funcs[i].name, name)) {
            *hfunc = &hmod->funcs[i];
            r = CUDA_SUCCESS;
            break;
        }
    }
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuFuncGetAttribute(int *pi, int attrib, CUfunction f) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!pi) return CUDA_ERROR_INVALID_VALUE;
    EMU_LOCK();
    if (!f || f->magic != EMU_FUNC_MAGIC || !f->mod->alive) {
        EMU_UNLOCK();
        return CUDA_ERROR_INVALID_HANDLE;
    }
    cl_ulong local = 0;
    clGetKernelWorkGroupInfo(f->kernel, emu_cl_device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof local, &local, NULL);
    switch (attrib) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *pi = 1024; break;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *pi = (int) local; break;
    case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *pi = 0; break;
    case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *pi = 0; break;
    case CU_FUNC_ATTRIBUTE_NUM_REGS: *pi = 32; break;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION: *pi = f->mod->ptx_version; break;
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *pi = f->mod->binary_version; break;
    case CU_FUNC_ATTRIBUTE_CACHE_MODE_CA: *pi = 0; break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *pi = 49152 - (int) local; break;
    case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT: *pi = -1; break;
    default: r = CUDA_ERROR_INVALID_VALUE;
    }
    EMU_UNLOCK();
    return r;
}
