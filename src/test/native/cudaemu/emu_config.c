/*
 * cudaemu: configuration (environment + control file), cuInit, versions, device queries and
 * error names.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "emu_internal.h"

pthread_mutex_t emu_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
emu_config emu_cfg;
int emu_initialized;
cl_platform_id emu_cl_platform;
cl_device_id emu_cl_device;
cl_context emu_cl_context;
cl_command_queue emu_cl_internal_queue;
size_t emu_base_align = 128;
unsigned long long emu_cl_global_mem;
unsigned long long emu_cl_max_alloc;
char emu_cl_device_name[256];

static int cfg_loaded;
static struct stat cfg_stat;
static int cfg_stat_ok;

static void cfg_defaults(emu_config *c) {
    memset(c, 0, sizeof *c);
    c->sm = 90;
    c->ptx_isa = 90;
    c->driver_version = 13000;
    c->fault_code = CUDA_ERROR_ILLEGAL_ADDRESS;
}

static long num(const char *k, const char *v) {
    char *end;
    long x = strtol(v, &end, 0);
    if (end == v) {
        EMU_WARN("%s=%s is not a number; taken as 0", k, v);
        return 0;
    }
    return x;
}

static void cfg_apply(emu_config *c, const char *k, const char *v) {
    if (!strcmp(k, "CUDAEMU_KERNELS")) snprintf(c->kernels, sizeof c->kernels, "%s", v);
    else if (!strcmp(k, "CUDAEMU_SM")) c->sm = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_PTX_ISA")) c->ptx_isa = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_DRIVER_VERSION")) c->driver_version = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_INIT_RESULT")) c->init_result = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_REFUSE_FATBIN")) c->refuse_fatbin = num(k, v) != 0;
    else if (!strcmp(k, "CUDAEMU_DMA_DELAY_MS")) c->dma_delay_ms = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_REUSE_ADDRESSES")) c->reuse_addresses = num(k, v) != 0;
    else if (!strcmp(k, "CUDAEMU_FAULT_AFTER_LAUNCHES")) c->fault_after = num(k, v);
    else if (!strcmp(k, "CUDAEMU_FAULT_KERNEL")) snprintf(c->fault_kernel, sizeof c->fault_kernel, "%s", v);
    else if (!strcmp(k, "CUDAEMU_FAULT_CODE")) c->fault_code = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_TRACE")) c->trace = num(k, v) != 0;
    else if (!strcmp(k, "CUDAEMU_TOTAL_MEM_MB")) c->total_mem = (long long) num(k, v) << 20;
    else if (!strcmp(k, "CUDAEMU_CUBLAS_CREATE_RESULT")) c->cublas_create_result = (int) num(k, v);
    else if (!strcmp(k, "CUDAEMU_CONTROL")) { /* only from the environment */ }
    else if (!strncmp(k, "CUDAEMU_", 8)) EMU_WARN("unknown key %s ignored", k);
}

static const char *const env_keys[] = {
    "CUDAEMU_KERNELS", "CUDAEMU_SM", "CUDAEMU_PTX_ISA", "CUDAEMU_DRIVER_VERSION", "CUDAEMU_INIT_RESULT",
    "CUDAEMU_REFUSE_FATBIN", "CUDAEMU_DMA_DELAY_MS", "CUDAEMU_REUSE_ADDRESSES",
    "CUDAEMU_FAULT_AFTER_LAUNCHES", "CUDAEMU_FAULT_KERNEL", "CUDAEMU_FAULT_CODE", "CUDAEMU_TRACE",
    "CUDAEMU_TOTAL_MEM_MB", "CUDAEMU_CUBLAS_CREATE_RESULT", NULL
};

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    return s;
}

/* The control file's text (at most 64 KiB), or NULL. */
static char *read_control(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 65536;
    char *t = malloc(cap + 1);
    size_t n = fread(t, 1, cap, f);
    fclose(f);
    t[n] = 0;
    return t;
}

static void cfg_load(emu_config *c, const char *text, const char *control) {
    cfg_defaults(c);
    for (int i = 0; env_keys[i]; i++) {
        const char *v = getenv(env_keys[i]);
        if (v) cfg_apply(c, env_keys[i], v);
    }
    if (!text) return;
    char *copy = strdup(text), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            EMU_WARN("control file %s: line without '=' ignored: %s", control, s);
            continue;
        }
        *eq = 0;
        char *k = trim(s);
        if (!strcmp(k, "CUDAEMU_FAULT_AFTER_LAUNCHES")) c->fault_in_file = 1;
        cfg_apply(c, k, trim(eq + 1));
    }
    free(copy);
}

static char *cfg_text;   /* the control file's text as last loaded */

/*
 * Re-reads the control file when its inode, size or mtime changed. A file rewritten in place with
 * the same size within the file system's timestamp granularity looks unchanged to stat(), so for
 * one second after its mtime the text itself is compared too.
 */
void emu_config_refresh(void) {
    const char *control = getenv("CUDAEMU_CONTROL");
    struct stat st;
    int ok = control && *control && stat(control, &st) == 0;
    EMU_LOCK();
    int changed = !cfg_loaded || ok != cfg_stat_ok;
    if (!changed && ok) {
        changed = st.st_ino != cfg_stat.st_ino || st.st_size != cfg_stat.st_size
                  || st.st_mtim.tv_sec != cfg_stat.st_mtim.tv_sec || st.st_mtim.tv_nsec != cfg_stat.st_mtim.tv_nsec;
    }
    char *text = NULL;
    if (ok && !changed) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        double age = (double) (now.tv_sec - st.st_mtim.tv_sec) + (now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
        if (age < 1.0) {
            text = read_control(control);
            changed = text && (!cfg_text || strcmp(text, cfg_text));
        }
    }
    if (changed) {
        if (ok && !text) text = read_control(control);
        emu_config n;
        cfg_load(&n, ok ? text : NULL, control);
        n.fault_epoch = emu_cfg.fault_epoch;
        if (cfg_loaded && (n.fault_in_file || n.fault_after != emu_cfg.fault_after
                           || strcmp(n.fault_kernel, emu_cfg.fault_kernel))) {
            n.fault_epoch++;
        }
        emu_cfg = n;
        cfg_loaded = 1;
        cfg_stat_ok = ok;
        if (ok) cfg_stat = st;
        free(cfg_text);
        cfg_text = ok ? text : NULL;
        text = NULL;
        emu_fault_note_config();
    }
    free(text);
    EMU_UNLOCK();
}

CUresult emu_enter(void) {
    if (!emu_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    emu_config_refresh();
    return CUDA_SUCCESS;
}

double emu_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- cuInit ---- */

static CUresult open_cl(void) {
    cl_platform_id plats[16];
    cl_uint np = 0;
    if (clGetPlatformIDs(16, plats, &np) != CL_SUCCESS || np == 0) {
        EMU_WARN("cuInit: no OpenCL platform (is PoCL installed?)");
        return CUDA_ERROR_NO_DEVICE;
    }
    for (cl_uint i = 0; i < np && !emu_cl_device; i++) {
        cl_device_id d;
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[i], CL_DEVICE_TYPE_ALL, 1, &d, &nd) == CL_SUCCESS && nd > 0) {
            emu_cl_platform = plats[i];
            emu_cl_device = d;
        }
    }
    if (!emu_cl_device) {
        EMU_WARN("cuInit: no OpenCL device");
        return CUDA_ERROR_NO_DEVICE;
    }
    cl_int err;
    emu_cl_context = clCreateContext(NULL, 1, &emu_cl_device, NULL, NULL, &err);
    if (!emu_cl_context) {
        EMU_WARN("cuInit: clCreateContext failed (%d)", err);
        emu_cl_device = NULL;
        return CUDA_ERROR_NO_DEVICE;
    }
    emu_cl_internal_queue = clCreateCommandQueue(emu_cl_context, emu_cl_device, 0, &err);
    cl_uint bits = 1024;
    clGetDeviceInfo(emu_cl_device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL);
    emu_base_align = bits / 8 ? bits / 8 : 1;
    cl_ulong g = 0;
    clGetDeviceInfo(emu_cl_device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof g, &g, NULL);
    emu_cl_global_mem = g;
    g = 0;
    clGetDeviceInfo(emu_cl_device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof g, &g, NULL);
    emu_cl_max_alloc = g;
    clGetDeviceInfo(emu_cl_device, CL_DEVICE_NAME, sizeof emu_cl_device_name, emu_cl_device_name, NULL);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuInit(unsigned int flags) {
    emu_config_refresh();
    if (emu_cfg.init_result != 0) return emu_cfg.init_result;
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    EMU_LOCK();
    CUresult r = CUDA_SUCCESS;
    if (!emu_cl_context) r = open_cl();
    if (r == CUDA_SUCCESS) emu_initialized = 1;
    EMU_UNLOCK();
    return r;
}

EMU_API CUresult cuDriverGetVersion(int *version) {
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    emu_config_refresh();
    *version = emu_cfg.driver_version;
    return CUDA_SUCCESS;
}

/* ---- devices (one) ---- */

static CUresult check_dev(CUdevice dev) {
    CUresult r = emu_enter();
    if (r) return r;
    return dev == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

EMU_API CUresult cuDeviceGetCount(int *count) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    CUresult r = emu_enter();
    if (r) return r;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGetName(char *name, int len, CUdevice dev) {
    CUresult r = check_dev(dev);
    if (r) return r;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t) len, "cudaemu sm_%d on %s", emu_cfg.sm, emu_cl_device_name);
    return CUDA_SUCCESS;
}

unsigned long long emu_total_mem(void) {
    return emu_cfg.total_mem > 0 ? (unsigned long long) emu_cfg.total_mem : emu_cl_global_mem;
}

EMU_API CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) {
    CUresult r = check_dev(dev);
    if (r) return r;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = (size_t) emu_total_mem();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceComputeCapability(int *major, int *minor, CUdevice dev) {
    CUresult r = check_dev(dev);
    if (r) return r;
    if (!major || !minor) return CUDA_ERROR_INVALID_VALUE;
    *major = emu_cfg.sm / 10;
    *minor = emu_cfg.sm % 10;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGetAttribute(int *pi, int attrib, CUdevice dev) {
    CUresult r = check_dev(dev);
    if (r) return r;
    if (!pi || attrib < 1 || attrib > 150) return CUDA_ERROR_INVALID_VALUE;
    int v = 0;
    switch (attrib) {
    case 1: v = 1024; break;                  /* MAX_THREADS_PER_BLOCK */
    case 2: case 3: v = 1024; break;          /* MAX_BLOCK_DIM_X/Y */
    case 4: v = 64; break;                    /* MAX_BLOCK_DIM_Z */
    case 5: v = 2147483647; break;            /* MAX_GRID_DIM_X */
    case 6: case 7: v = 65535; break;
    case 8: v = 49152; break;                 /* MAX_SHARED_MEMORY_PER_BLOCK */
    case 9: v = 65536; break;                 /* TOTAL_CONSTANT_MEMORY */
    case 10: v = 32; break;                   /* WARP_SIZE */
    case 11: v = 2147483647; break;           /* MAX_PITCH */
    case 12: v = 65536; break;                /* MAX_REGISTERS_PER_BLOCK */
    case 13: v = 1500000; break;              /* CLOCK_RATE kHz */
    case 14: v = 512; break;                  /* TEXTURE_ALIGNMENT */
    case 15: v = 1; break;                    /* GPU_OVERLAP */
    case 16: v = 2; break;                    /* MULTIPROCESSOR_COUNT */
    case 19: v = 1; break;                    /* CAN_MAP_HOST_MEMORY */
    case 31: v = 1; break;                    /* CONCURRENT_KERNELS */
    case 36: v = 5000000; break;              /* MEMORY_CLOCK_RATE */
    case 37: v = 256; break;                  /* GLOBAL_MEMORY_BUS_WIDTH */
    case 38: v = 4 << 20; break;              /* L2_CACHE_SIZE */
    case 39: v = 2048; break;                 /* MAX_THREADS_PER_MULTIPROCESSOR */
    case 40: v = 2; break;                    /* ASYNC_ENGINE_COUNT */
    case 41: v = 1; break;                    /* UNIFIED_ADDRESSING */
    case 75: v = emu_cfg.sm / 10; break;
    case 76: v = emu_cfg.sm % 10; break;
    case 81: v = 65536; break;                /* MAX_SHARED_MEMORY_PER_MULTIPROCESSOR */
    case 82: v = 65536; break;                /* MAX_REGISTERS_PER_MULTIPROCESSOR */
    case 97: v = 49152; break;                /* MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
    default: v = 0;
    }
    *pi = v;
    return CUDA_SUCCESS;
}

/* ---- error names ---- */

static const struct { CUresult code; const char *name; const char *text; } errors[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {4, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {34, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {46, "CUDA_ERROR_DEVICE_UNAVAILABLE", "CUDA-capable device(s) is/are busy or unavailable"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {202, "CUDA_ERROR_CONTEXT_ALREADY_CURRENT", "context already current"},
    {209, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
    {301, "CUDA_ERROR_FILE_NOT_FOUND", "file not found"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {600, "CUDA_ERROR_NOT_READY", "device not ready"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {702, "CUDA_ERROR_LAUNCH_TIMEOUT", "the launch timed out and was terminated"},
    {709, "CUDA_ERROR_CONTEXT_IS_DESTROYED", "context is destroyed"},
    {714, "CUDA_ERROR_HARDWARE_STACK_ERROR", "hardware stack error"},
    {715, "CUDA_ERROR_ILLEGAL_INSTRUCTION", "an illegal instruction was encountered"},
    {716, "CUDA_ERROR_MISALIGNED_ADDRESS", "misaligned address"},
    {717, "CUDA_ERROR_INVALID_ADDRESS_SPACE", "operation not supported on global/shared address space"},
    {718, "CUDA_ERROR_INVALID_PC", "invalid program counter"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {720, "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", "too many blocks in cooperative launch"},
    {801, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", "system has unsupported display driver / cuda driver combination"},
    {804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", "forward compatibility was attempted on non supported HW"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

const char *emu_error_name(CUresult r) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == r) return errors[i].name;
    }
    return "CUDA_ERROR_?";
}

EMU_API CUresult cuGetErrorName(CUresult error, const char **pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) {
            *pStr = errors[i].name;
            return CUDA_SUCCESS;
        }
    }
    *pStr = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

EMU_API CUresult cuGetErrorString(CUresult error, const char **pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) {
            *pStr = errors[i].text;
            return CUDA_SUCCESS;
        }
    }
    *pStr = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}
