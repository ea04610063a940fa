/*
 * lossengine kernel dialect, OpenCL C 1.2 side (prepended by the OpenCL backend at build time).
 * See platform/cuda.h for the rules of the dialect; the two preludes define the same names.
 */
#define LE_OPENCL 1
#define KERNEL __kernel
#define DEVICE static inline
#define GLOBAL __global
#define LOCAL __local
#define LOCAL_ARG __local
#define RESTRICT restrict
#define LOCAL_ID ((int) get_local_id(0))
#define LOCAL_SIZE ((int) get_local_size(0))
#define GROUP_ID ((int) get_group_id(0))
#define NUM_GROUPS ((int) get_num_groups(0))
#define SYNC_THREADS barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)
#define LONG long
#define ATOMIC_ADD_INT(p, v) atomic_add((p), (v))
#define ATOMIC_MIN_INT(p, v) atomic_min((p), (v))
#define LE_INF INFINITY
#define LE_NAN NAN

#define EXP(x) exp(x)
#define EXPM1(x) expm1(x)
#define LOG(x) log(x)
#define LOG1P(x) log1p(x)
#define SQRT(x) sqrt(x)
#define POW(x, y) pow((x), (y))
#define TANH(x) tanh(x)
#define FABS(x) fabs(x)
#define FMAX(x, y) fmax((x), (y))
#define FMIN(x, y) fmin((x), (y))
#define FLOOR(x) floor(x)
#define LDEXP(x, n) ldexp((x), (n))
#define ILOGB(x) ilogb(x)
#define ISNAN(x) isnan(x)
#define ISINF(x) isinf(x)
#define USHORT ushort
#define UINT uint
#define AS_FLOAT(u) as_float(u)
#define AS_UINT(f) as_uint(f)
