/*
 * lossengine kernel dialect, CUDA side (compiled by nvcc; see native/build.sh).
 *
 * Every kernel source under kernels/ is written in this dialect and compiles unchanged as CUDA
 * (this prelude) and as OpenCL C 1.2 (platform/opencl.h). Rules of the dialect:
 *   - no templates, no warp intrinsics, no float atomics; 32-bit integer atomics only;
 *   - local arrays are declared at kernel scope with LOCAL and sized by GROUP_SIZE, and passed to
 *     helpers as LOCAL_ARG pointers;
 *   - element offsets are LONG (64-bit) wherever they can reach N*C;
 *   - helpers are DEVICE functions; every launch uses exactly GROUP_SIZE threads per group.
 */
#define LE_CUDA 1
#define KERNEL extern "C" __global__
#define DEVICE __device__ __forceinline__
#define GLOBAL
#define LOCAL __shared__
#define LOCAL_ARG
#define RESTRICT __restrict__
#define LOCAL_ID ((int) threadIdx.x)
#define LOCAL_SIZE ((int) blockDim.x)
#define GROUP_ID ((int) blockIdx.x)
#define NUM_GROUPS ((int) gridDim.x)
#define SYNC_THREADS __syncthreads()
#define LONG long long
#define ATOMIC_ADD_INT(p, v) atomicAdd((p), (v))
#define ATOMIC_MIN_INT(p, v) atomicMin((p), (v))
#define LE_INF __int_as_float(0x7f800000)
#define LE_NAN __int_as_float(0x7fffffff)

#define EXP(x) expf(x)
#define EXPM1(x) expm1f(x)
#define LOG(x) logf(x)
#define LOG1P(x) log1pf(x)
#define SQRT(x) sqrtf(x)
#define POW(x, y) powf((x), (y))
#define TANH(x) tanhf(x)
#define FABS(x) fabsf(x)
#define FMAX(x, y) fmaxf((x), (y))
#define FMIN(x, y) fminf((x), (y))
#define FLOOR(x) floorf(x)
#define LDEXP(x, n) ldexpf((x), (n))
#define ILOGB(x) ilogbf(x)
#define ISNAN(x) isnan(x)
#define ISINF(x) isinf(x)
#define USHORT unsigned short
#define UINT unsigned int
#define AS_FLOAT(u) __uint_as_float(u)
#define AS_UINT(f) __float_as_uint(f)
