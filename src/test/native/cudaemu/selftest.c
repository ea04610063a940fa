/*
 * cudaemu self-test: the emulated driver's contract, through its C API.
 *   CUDAEMU_KERNELS=<repo>/kernels LD_LIBRARY_PATH=OUT_DIR OUT_DIR/cudaemu-selftest <repo>/native
 * Settings change through a private control file (CUDAEMU_CONTROL is set here before cuInit).
 * Last line: "N passed, M failed"; exit status 1 on any failure.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cudaemu.h"

static int passed, failed;
static char control[4096];

#define CHECK(cond, ...) do { \
        if (cond) { passed++; } \
        else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
    } while (0)
#define CHECK_RC(call, want) do { CUresult rc_ = (call); CHECK(rc_ == (want), "%s = %d, expected %d", #call, rc_, (want)); } while (0)

static void section(const char *name) {
    printf("-- %s\n", name);
    fflush(stdout);
}

/* Replaces the control file atomically (a new inode, so the change is always seen). */
static void set_control(const char *text) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", control);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        perror(tmp);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    rename(tmp, control);
}

/* Rewrites the control file in place (same inode; same size: only the text tells the change). */
static void set_control_in_place(const char *text) {
    FILE *f = fopen(control, "w");
    if (!f) {
        perror(control);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = calloc(1, (size_t) n + 1);
    if (fread(b, 1, (size_t) n, f) != (size_t) n) n = 0;
    fclose(f);
    if (len) *len = (size_t) n;
    return b;
}

/* le_reduce_partials_f32(partials, count, width, out) on one group of 256 threads. */
static CUresult reduce(CUfunction f, CUstream s, CUdeviceptr partials, int count, int width, CUdeviceptr out) {
    void *args[] = {&partials, &count, &width, &out};
    return cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, s, args, NULL);
}

static void *other_thread(void *arg) {
    CUcontext c = (CUcontext) 1;
    *(int *) arg = cuCtxGetCurrent(&c) == 0 && c == NULL;
    return NULL;
}

static float read_f32(CUdeviceptr p) {
    float v = -1;
    CUresult r = cuMemcpyDtoH_v2(&v, p, sizeof v);
    return r ? -1000 - r : v;
}

int main(int argc, char **argv) {
    const char *native = argc > 1 ? argv[1] : "native";
    snprintf(control, sizeof control, "/tmp/cudaemu-selftest-%d.control", (int) getpid());
    set_control("");
    setenv("CUDAEMU_CONTROL", control, 1);
    if (!getenv("CUDAEMU_KERNELS")) {
        static char k[4200];
        snprintf(k, sizeof k, "%s/../kernels", native);
        setenv("CUDAEMU_KERNELS", k, 1);
    }
    size_t fatlen = 0;
    char *fatbin = slurp(native, "lossengine.fatbin", &fatlen);
    char *ptx = slurp(native, "lossengine.ptx", NULL);
    if (!fatbin || !ptx) return 2;

    section("init and device");
    CHECK_RC(cuDeviceGetCount(&(int){0}), CUDA_ERROR_NOT_INITIALIZED);
    CHECK_RC(cuInit(0), CUDA_SUCCESS);
    int v = 0;
    CHECK_RC(cuDriverGetVersion(&v), CUDA_SUCCESS);
    CHECK(v == 13000, "driver version %d", v);
    CHECK_RC(cuDeviceGetCount(&v), CUDA_SUCCESS);
    CHECK(v == 1, "device count %d", v);
    CUdevice dev = -1;
    CHECK_RC(cuDeviceGet(&dev, 0), CUDA_SUCCESS);
    CHECK_RC(cuDeviceGet(&dev, 1), CUDA_ERROR_INVALID_DEVICE);
    int major = 0, minor = -1;
    cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0);
    cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0);
    CHECK(major == 9 && minor == 0, "compute capability %d.%d", major, minor);
    char name[256];
    CHECK_RC(cuDeviceGetName(name, sizeof name, 0), CUDA_SUCCESS);
    const char *en = NULL;
    CHECK(cuGetErrorName(700, &en) == 0 && en && !strcmp(en, "CUDA_ERROR_ILLEGAL_ADDRESS"), "error name of 700");

    section("primary context: same handle, fresh state after release to 0");
    CUcontext prim = NULL, prim2 = NULL, cur = NULL;
    CHECK_RC(cuMemAlloc_v2(&(CUdeviceptr){0}, 16), CUDA_ERROR_INVALID_CONTEXT);
    CHECK_RC(cuDevicePrimaryCtxRetain(&prim, 0), CUDA_SUCCESS);
    CHECK_RC(cuCtxPushCurrent_v2(prim), CUDA_SUCCESS);
    CUdeviceptr old = 0;
    CHECK_RC(cuMemAlloc_v2(&old, 1000), CUDA_SUCCESS);
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_SUCCESS);
    CHECK(cur == prim, "popped %p, pushed %p", (void *) cur, (void *) prim);
    CHECK_RC(cuDevicePrimaryCtxRelease_v2(0), CUDA_SUCCESS);
    int active = 1;
    unsigned flags = 0;
    CHECK(cuDevicePrimaryCtxGetState(0, &flags, &active) == 0 && !active, "primary context still active");
    CHECK_RC(cuDevicePrimaryCtxRetain(&prim2, 0), CUDA_SUCCESS);
    CHECK(prim2 == prim, "re-retained primary context %p, was %p", (void *) prim2, (void *) prim);
    CHECK_RC(cuCtxPushCurrent_v2(prim), CUDA_SUCCESS);
    CHECK_RC(cuMemGetAddressRange_v2(NULL, NULL, old), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(cuMemFree_v2(old), CUDA_ERROR_INVALID_VALUE);

    section("context stack");
    CUcontext other = NULL;
    CHECK_RC(cuCtxCreate_v2(&other, 0, 0), CUDA_SUCCESS);
    CHECK(cuCtxGetCurrent(&cur) == 0 && cur == other, "cuCtxCreate pushes the new context");
    CUdeviceptr in_other = 0;
    CHECK_RC(cuMemAlloc_v2(&in_other, 512), CUDA_SUCCESS);
    CUstream other_stream = NULL;
    CHECK_RC(cuStreamCreate(&other_stream, CU_STREAM_NON_BLOCKING), CUDA_SUCCESS);
    CHECK(cuCtxPopCurrent_v2(&cur) == 0 && cur == other, "pop gives the created context");
    CHECK(cuCtxGetCurrent(&cur) == 0 && cur == prim, "the primary context is current again");
    CHECK_RC(cuCtxSetCurrent(other), CUDA_SUCCESS);
    CHECK(cuCtxGetCurrent(&cur) == 0 && cur == other, "cuCtxSetCurrent replaces the top");
    CHECK_RC(cuCtxSetCurrent(prim), CUDA_SUCCESS);
    CUcontext ptr_ctx = NULL;
    CHECK_RC(cuPointerGetAttribute(&ptr_ctx, CU_POINTER_ATTRIBUTE_CONTEXT, in_other), CUDA_SUCCESS);
    CHECK(ptr_ctx == other, "CONTEXT of another context's allocation (unified addressing)");
    CHECK_RC(cuMemFree_v2(in_other), CUDA_ERROR_INVALID_VALUE);   /* not the current context's */
    CUcontext got = NULL;
    CHECK(cuStreamGetCtx(other_stream, &got) == 0 && got == other, "cuStreamGetCtx of a created stream");
    CHECK_RC(cuStreamGetCtx((CUstream) (uintptr_t) 0x1234, &got), CUDA_ERROR_INVALID_HANDLE);
    CHECK(cuStreamGetCtx(NULL, &got) == 0 && got == prim, "cuStreamGetCtx of the legacy stream");

    int fresh = 0;
    pthread_t th;
    pthread_create(&th, NULL, other_thread, &fresh);
    pthread_join(th, NULL);
    CHECK(fresh, "another thread has no current context");

    section("memory");
    CUdeviceptr a = 0, b = 0, c2 = 0;
    CHECK_RC(cuMemAlloc_v2(&a, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(cuMemAlloc_v2(&a, 1000), CUDA_SUCCESS);
    CHECK(a >= 0x7f0000000000ULL && a % 256 == 0, "address 0x%llx", a);
    CHECK_RC(cuMemFree_v2(a + 4), CUDA_ERROR_INVALID_VALUE);
    CUdeviceptr base = 0;
    size_t size = 0;
    CHECK(cuMemGetAddressRange_v2(&base, &size, a + 100) == 0 && base == a && size == 1000, "address range");
    unsigned mt = 0;
    CHECK(cuPointerGetAttribute(&mt, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, a) == 0 && mt == CU_MEMORYTYPE_DEVICE, "memory type");
    unsigned long long dp = 0;
    CHECK(cuPointerGetAttribute(&dp, CU_POINTER_ATTRIBUTE_DEVICE_POINTER, a + 16) == 0 && dp == a + 16, "device pointer");
    CHECK(cuPointerGetAttribute(&ptr_ctx, CU_POINTER_ATTRIBUTE_CONTEXT, a) == 0 && ptr_ctx == prim, "context");
    CHECK(cuPointerGetAttribute(&dp, CU_POINTER_ATTRIBUTE_RANGE_START_ADDR, a + 8) == 0 && dp == a, "range start");
    CHECK(cuPointerGetAttribute(&size, CU_POINTER_ATTRIBUTE_RANGE_SIZE, a + 8) == 0 && size == 1000, "range size");
    float host[4];
    CHECK_RC(cuPointerGetAttribute(&mt, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, (CUdeviceptr) (uintptr_t) host), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(cuMemFree_v2(a), CUDA_SUCCESS);
    CHECK_RC(cuMemFree_v2(a), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(cuMemAlloc_v2(&b, 1000), CUDA_SUCCESS);
    CHECK(b != a, "a freed address is not reused by default");
    set_control("CUDAEMU_REUSE_ADDRESSES=1\n");
    CHECK_RC(cuMemFree_v2(b), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&c2, 900), CUDA_SUCCESS);
    CHECK(c2 == b, "with CUDAEMU_REUSE_ADDRESSES=1 the most recently freed address that fits is reused (0x%llx)", c2);
    set_control("");
    CHECK_RC(cuMemFree_v2(c2), CUDA_SUCCESS);
    size_t fr = 0, tot = 0;
    CHECK(cuMemGetInfo_v2(&fr, &tot) == 0 && tot > 0 && fr <= tot, "mem info");

    section("copies");
    enum { N = 1000 };
    float src[N], dst[N];
    for (int i = 0; i < N; i++) src[i] = (float) i;
    CUdeviceptr d1, d2;
    CHECK_RC(cuMemAlloc_v2(&d1, sizeof src), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&d2, sizeof src), CUDA_SUCCESS);
    memset(dst, 0xff, sizeof dst);
    CHECK(cuMemcpyDtoH_v2(dst, d1, sizeof dst) == 0 && dst[0] == 0 && dst[N - 1] == 0, "fresh memory is zero");
    CHECK_RC(cuMemcpyHtoD_v2(d1, src, sizeof src), CUDA_SUCCESS);
    CHECK_RC(cuMemcpyDtoD_v2(d2, d1, sizeof src), CUDA_SUCCESS);
    CHECK(cuMemcpyDtoH_v2(dst, d2, sizeof dst) == 0 && !memcmp(src, dst, sizeof src), "HtoD, DtoD, DtoH round trip");
    CHECK_RC(cuMemsetD32_v2(d2 + 8, 0x3f800000u, 2), CUDA_SUCCESS);
    CHECK(cuMemcpyDtoH_v2(dst, d2, 16) == 0 && dst[1] == 1 && dst[2] == 1 && dst[3] == 1 && dst[0] == 0, "memset D32");
    CHECK_RC(cuMemcpyHtoD_v2(d1 + sizeof src - 4, src, 8), CUDA_ERROR_INVALID_VALUE);
    void *pinned = NULL;
    CHECK_RC(cuMemAllocHost_v2(&pinned, sizeof src), CUDA_SUCCESS);
    CUstream s1;
    CHECK_RC(cuStreamCreate(&s1, CU_STREAM_NON_BLOCKING), CUDA_SUCCESS);
    CHECK_RC(cuMemcpyDtoHAsync_v2(pinned, d1, sizeof src, s1), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(s1), CUDA_SUCCESS);
    CHECK(!memcmp(pinned, src, sizeof src), "DtoHAsync into pinned memory");
    CHECK(cuPointerGetAttribute(&mt, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, (CUdeviceptr) (uintptr_t) pinned) == 0
          && mt == CU_MEMORYTYPE_HOST, "pinned memory type");
    CHECK_RC(cuMemFreeHost(pinned), CUDA_SUCCESS);
    CHECK_RC(cuMemsetD32Async(d2, 0, N, s1), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(s1), CUDA_SUCCESS);

    section("modules");
    CUmodule mf = NULL, mp = NULL, mx = NULL;
    CUfunction fr32 = NULL, fp = NULL;
    CHECK_RC(cuModuleLoadData(&mf, fatbin), CUDA_SUCCESS);
    CHECK_RC(cuModuleGetFunction(&fr32, mf, "le_reduce_partials_f32"), CUDA_SUCCESS);
    CHECK_RC(cuModuleGetFunction(&fp, mf, "no_such_kernel"), CUDA_ERROR_NOT_FOUND);
    int attr = 0;
    CHECK(cuFuncGetAttribute(&attr, CU_FUNC_ATTRIBUTE_BINARY_VERSION, fr32) == 0 && attr == 90, "binary version %d", attr);
    CHECK(cuFuncGetAttribute(&attr, CU_FUNC_ATTRIBUTE_PTX_VERSION, fr32) == 0 && attr == 90, "PTX version %d", attr);
    CHECK_RC(cuModuleLoadData(&mp, ptx), CUDA_SUCCESS);
    CHECK_RC(cuModuleGetFunction(&fp, mp, "le_reduce_partials_f32"), CUDA_SUCCESS);
    CHECK_RC(cuModuleLoadData(&mx, "garbage without a version"), CUDA_ERROR_INVALID_PTX);
    unsigned char bad[64] = {0x50, 0xed, 0x55, 0xba, 1, 0, 16, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 1, 8, 0, 0, 0};
    CHECK_RC(cuModuleLoadData(&mx, bad), CUDA_ERROR_INVALID_IMAGE);
    set_control("CUDAEMU_REFUSE_FATBIN=1\n");
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_ERROR_NO_BINARY_FOR_GPU);
    CHECK_RC(cuModuleLoadData(&mx, ptx), CUDA_SUCCESS);
    CHECK_RC(cuModuleUnload(mx), CUDA_SUCCESS);
    set_control("CUDAEMU_PTX_ISA=85\n");
    CHECK_RC(cuModuleLoadData(&mx, ptx), CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_SUCCESS);    /* SASS for sm_90 needs no JIT */
    CHECK_RC(cuModuleUnload(mx), CUDA_SUCCESS);
    set_control("CUDAEMU_PTX_ISA=85\nCUDAEMU_SM=110\n");
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    set_control("CUDAEMU_SM=110\n");
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_SUCCESS);    /* from its PTX */
    CHECK_RC(cuModuleUnload(mx), CUDA_SUCCESS);
    set_control("CUDAEMU_SM=70\n");
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_ERROR_NO_BINARY_FOR_GPU);
    CHECK_RC(cuModuleLoadData(&mx, ptx), CUDA_ERROR_NO_BINARY_FOR_GPU);
    set_control_in_place("CUDAEMU_SM=90\n");
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_SUCCESS);
    CHECK_RC(cuModuleUnload(mx), CUDA_SUCCESS);
    set_control_in_place("CUDAEMU_SM=70\n");
    CHECK_RC(cuModuleLoadData(&mx, fatbin), CUDA_ERROR_NO_BINARY_FOR_GPU);
    set_control("");
    CHECK_RC(cuModuleGetFunction(&fp, mx, "le_reduce_partials_f32"), CUDA_ERROR_INVALID_HANDLE);

    section("launches");
    enum { ROWS = 300, W = 3 };
    float part[ROWS * W], out3[W];
    for (int i = 0; i < ROWS; i++) for (int k = 0; k < W; k++) part[i * W + k] = (float) (k + 1) * 0.5f;
    CUdeviceptr dpart, dout;
    CHECK_RC(cuMemAlloc_v2(&dpart, sizeof part + 512), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&dout, 512), CUDA_SUCCESS);
    CHECK_RC(cuMemcpyHtoD_v2(dpart, part, sizeof part), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_SUCCESS);
    CHECK(cuMemcpyDtoH_v2(out3, dout, sizeof out3) == 0 && out3[0] == 150 && out3[1] == 300 && out3[2] == 450,
          "le_reduce_partials_f32 sums %g %g %g", out3[0], out3[1], out3[2]);
    CHECK_RC(cuMemcpyHtoD_v2(dpart + 256, part, sizeof part), CUDA_SUCCESS);
    CHECK_RC(reduce(fp, s1, dpart + 256, ROWS, W, dout + 128), CUDA_SUCCESS);   /* interior, aligned: sub-buffer */
    CHECK_RC(cuStreamSynchronize(s1), CUDA_SUCCESS);
    CHECK(read_f32(dout + 128) == 150, "launch on an interior pointer (PTX module, non-blocking stream)");
    CHECK_RC(reduce(fr32, NULL, dpart + 4, ROWS, W, dout), CUDA_ERROR_MISALIGNED_ADDRESS);
    void *none[] = {NULL};
    CHECK_RC(cuLaunchKernel(fr32, 2, 2, 1, 256, 1, 1, 0, NULL, none, NULL), CUDA_ERROR_NOT_SUPPORTED);
    CHECK_RC(cuLaunchKernel(fr32, 1, 1, 1, 0, 1, 1, 0, NULL, none, NULL), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(cuLaunchKernel(fr32, 1, 1, 1, 2048, 1, 1, 0, NULL, none, NULL), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(cuLaunchKernel(fr32, 1, 1, 1, 256, 1, 1, 0, NULL, NULL, NULL), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(reduce(fr32, other_stream, dpart, ROWS, W, dout), CUDA_ERROR_INVALID_HANDLE);
    CHECK_RC(cuCtxSynchronize(), CUDA_SUCCESS);

    section("DMA delay: a non-blocking stream is not ordered after cuMemcpyHtoD");
    CUstream blocking;
    CHECK_RC(cuStreamCreate(&blocking, 0), CUDA_SUCCESS);
    float ones[ROWS];
    for (int i = 0; i < ROWS; i++) ones[i] = 1;
    CUdeviceptr x1, x2, x3;
    cuMemAlloc_v2(&x1, sizeof ones);
    cuMemAlloc_v2(&x2, sizeof ones);
    cuMemAlloc_v2(&x3, sizeof ones);
    set_control("CUDAEMU_DMA_DELAY_MS=300\n");
    CHECK_RC(cuMemcpyHtoD_v2(x1, ones, sizeof ones), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, s1, x1, ROWS, 1, dout), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(s1), CUDA_SUCCESS);
    CHECK(read_f32(dout) == 0, "the kernel on the non-blocking stream read the old contents (%g)", read_f32(dout));
    CHECK_RC(cuMemcpyHtoD_v2(x2, ones, sizeof ones), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, blocking, x2, ROWS, 1, dout + 128), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(blocking), CUDA_SUCCESS);
    CHECK(read_f32(dout + 128) == ROWS, "a blocking stream waits for the legacy-stream copy (%g)", read_f32(dout + 128));
    CHECK_RC(cuMemcpyHtoDAsync_v2(x3, ones, sizeof ones, s1), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, s1, x3, ROWS, 1, dout + 256), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(s1), CUDA_SUCCESS);
    CHECK(read_f32(dout + 256) == ROWS, "HtoDAsync on the same stream is ordered (%g)", read_f32(dout + 256));
    CHECK_RC(cuMemsetD32Async(x3, 0, ROWS, s1), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, s1, x3, ROWS, 1, dout + 256), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(s1), CUDA_SUCCESS);
    CHECK(read_f32(dout + 256) == 0, "memset then kernel on one stream (%g)", read_f32(dout + 256));
    CUstream s2;
    CUevent ev1, ev0;
    CHECK_RC(cuStreamCreate(&s2, CU_STREAM_NON_BLOCKING), CUDA_SUCCESS);
    CHECK_RC(cuEventCreate(&ev0, 0), CUDA_SUCCESS);
    CHECK_RC(cuEventCreate(&ev1, 0), CUDA_SUCCESS);
    CHECK_RC(cuEventRecord(ev0, s1), CUDA_SUCCESS);
    CHECK_RC(cuMemcpyHtoDAsync_v2(x3, ones, sizeof ones, s1), CUDA_SUCCESS);
    CHECK_RC(cuEventRecord(ev1, s1), CUDA_SUCCESS);
    CHECK_RC(cuEventQuery(ev1), CUDA_ERROR_NOT_READY);
    CHECK_RC(cuStreamWaitEvent(s2, ev1, 0), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, s2, x3, ROWS, 1, dout + 384), CUDA_SUCCESS);
    CHECK_RC(cuStreamSynchronize(s2), CUDA_SUCCESS);
    CHECK(read_f32(dout + 384) == ROWS, "cuStreamWaitEvent orders another stream after the copy (%g)", read_f32(dout + 384));
    CHECK_RC(cuEventSynchronize(ev1), CUDA_SUCCESS);
    float ms = -1;
    CHECK(cuEventElapsedTime(&ms, ev0, ev1) == 0 && ms >= 0, "elapsed time %g ms", ms);
    CHECK_RC(cuEventDestroy_v2(ev0), CUDA_SUCCESS);
    CHECK_RC(cuEventDestroy_v2(ev1), CUDA_SUCCESS);
    CHECK_RC(cuStreamDestroy_v2(s2), CUDA_SUCCESS);
    CHECK_RC(cuStreamGetCtx(s2, &got), CUDA_ERROR_INVALID_HANDLE);
    set_control("");

    section("a stray pointer faults the context (700, sticky)");
    CHECK_RC(reduce(fr32, NULL, 0x12345600ULL, ROWS, 1, dout), CUDA_SUCCESS);
    CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_SUCCESS);
    CHECK_RC(cuDevicePrimaryCtxRelease_v2(0), CUDA_SUCCESS);
    CHECK_RC(cuDevicePrimaryCtxRetain(&prim2, 0), CUDA_SUCCESS);
    CHECK_RC(cuCtxPushCurrent_v2(prim2), CUDA_SUCCESS);
    CHECK_RC(cuCtxSynchronize(), CUDA_SUCCESS);

    section("injected fault after N launches, recovery after the primary context's release");
    CHECK_RC(cuModuleLoadData(&mf, fatbin), CUDA_SUCCESS);
    CHECK_RC(cuModuleGetFunction(&fr32, mf, "le_reduce_partials_f32"), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&dpart, sizeof part), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&dout, 512), CUDA_SUCCESS);
    set_control("CUDAEMU_FAULT_AFTER_LAUNCHES=2\nCUDAEMU_FAULT_KERNEL=le_reduce_partials_f32\n");
    CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_SUCCESS);
    CHECK_RC(cuCtxSynchronize(), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_SUCCESS);
    CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(cuMemAlloc_v2(&a, 16), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(cuMemFree_v2(dout), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(cuMemcpyDtoH_v2(out3, dout, 4), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(cuModuleGetFunction(&fp, mf, "le_reduce_partials_f32"), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(cuStreamCreate(&s1, 0), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK(cuCtxGetCurrent(&cur) == 0 && cur == prim, "cuCtxGetCurrent still works");
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_SUCCESS);
    CHECK_RC(cuCtxPushCurrent_v2(prim), CUDA_SUCCESS);
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_SUCCESS);
    CHECK_RC(cuDevicePrimaryCtxRelease_v2(0), CUDA_SUCCESS);
    CHECK_RC(cuDevicePrimaryCtxRetain(&prim2, 0), CUDA_SUCCESS);
    CHECK(prim2 == prim, "same primary handle after the fault");
    CHECK_RC(cuCtxPushCurrent_v2(prim2), CUDA_SUCCESS);
    CHECK_RC(cuModuleLoadData(&mf, fatbin), CUDA_SUCCESS);
    CHECK_RC(cuModuleGetFunction(&fr32, mf, "le_reduce_partials_f32"), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&dpart, sizeof part), CUDA_SUCCESS);
    CHECK_RC(cuMemAlloc_v2(&dout, 512), CUDA_SUCCESS);
    CHECK_RC(cuMemcpyHtoD_v2(dpart, part, sizeof part), CUDA_SUCCESS);
    for (int i = 0; i < 3; i++) CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_SUCCESS);
    CHECK_RC(cuCtxSynchronize(), CUDA_SUCCESS);       /* one fault per setting */
    CHECK(read_f32(dout + 8) == 450, "launches work again after recovery");
    set_control("CUDAEMU_FAULT_AFTER_LAUNCHES=2\nCUDAEMU_FAULT_KERNEL=le_reduce_partials_f32\n");   /* set again: re-armed */
    CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_SUCCESS);
    CHECK_RC(reduce(fr32, NULL, dpart, ROWS, W, dout), CUDA_SUCCESS);
    CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
    set_control("");
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_SUCCESS);
    CHECK_RC(cuDevicePrimaryCtxRelease_v2(0), CUDA_SUCCESS);
    CHECK_RC(cuDevicePrimaryCtxRetain(&prim2, 0), CUDA_SUCCESS);
    CHECK_RC(cuCtxPushCurrent_v2(prim2), CUDA_SUCCESS);
    CHECK_RC(cuModuleLoadData(&mf, ptx), CUDA_SUCCESS);

    section("clean-up");
    CHECK_RC(cuModuleUnload(mf), CUDA_SUCCESS);
    CHECK_RC(cuModuleUnload(mf), CUDA_ERROR_INVALID_HANDLE);
    CHECK_RC(cuCtxDestroy_v2(other), CUDA_SUCCESS);
    CHECK_RC(cuCtxPushCurrent_v2(other), CUDA_ERROR_INVALID_CONTEXT);
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_SUCCESS);
    CHECK_RC(cuCtxPopCurrent_v2(&cur), CUDA_ERROR_INVALID_CONTEXT);
    CHECK_RC(cuDevicePrimaryCtxRelease_v2(0), CUDA_SUCCESS);
    unlink(control);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
