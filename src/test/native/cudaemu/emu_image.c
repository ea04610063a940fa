/*
 * cudaemu: module images as a driver sees them. A fatbin (magic 0xBA55ED50, or the 0x466243B1
 * wrapper that points at one) or NUL-terminated PTX text; the entry for the emulated sm is chosen,
 * the PTX checked against the emulated JIT's ISA, and the kernels' parameter lists read from the
 * PTX .entry lines.
 *
 * Fatbin entry header (little endian), as found in native/lossengine.fatbin:
 *   +0 u16 kind (1 PTX, 2 ELF)   +2 u16 version       +4 u32 header size   +8 u64 payload size (padded)
 *   +16 u32 compressed size      +20 u32 ?            +24 u16 minor        +26 u16 major (PTX ISA)
 *   +28 u32 arch (sm XY)         +32 u32 name offset  +36 u32 name length  +40 u64 flags
 *   +48 u64 0                    +56 u64 uncompressed size
 * flags 0x8000: the payload (compressed size bytes right after the header) is a zstd frame;
 * 0x2000: LZ4 (not emulated).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "emu_image.h"

#define FATBIN_MAGIC 0xBA55ED50u
#define FATBIN_WRAPPER_MAGIC 0x466243B1u
#define FLAG_ZSTD 0x8000ull
#define FLAG_LZ4 0x2000ull

static unsigned rd16(const unsigned char *p) { return (unsigned) p[0] | (unsigned) p[1] << 8; }
static unsigned rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static unsigned long long rd64(const unsigned char *p) { return rd32(p) | (unsigned long long) rd32(p + 4) << 32; }

/* ".version X.Y" as X*10+Y, or -1. */
static int ptx_version_of(const char *ptx) {
    const char *v = strstr(ptx, ".version");
    if (!v) return -1;
    int major = 0, minor = 0;
    if (sscanf(v + 8, " %d.%d", &major, &minor) != 2) return -1;
    return major * 10 + minor;
}

/* ".target sm_XY" as XY, or -1. */
static int ptx_target_of(const char *ptx) {
    const char *t = strstr(ptx, ".target");
    if (!t) return -1;
    const char *s = strstr(t, "sm_");
    const char *eol = strchr(t, '\n');
    if (!s || (eol && s > eol)) return -1;
    return atoi(s + 3);
}

static char *dup_text(const unsigned char *p, size_t n) {
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static CUresult ptx_payload(const unsigned char *e, char **out) {
    unsigned ehs = rd32(e + 4);
    unsigned long long psize = rd64(e + 8);
    unsigned long long flags = ehs >= 48 ? rd64(e + 40) : 0;
    const unsigned char *data = e + ehs;
    if (flags & FLAG_ZSTD) {
        unsigned csize = rd32(e + 16);
        unsigned long long usize = ehs >= 64 ? rd64(e + 56) : 0;
        if (csize == 0 || csize > psize) csize = (unsigned) psize;
        unsigned long long frame = ZSTD_getFrameContentSize(data, csize);
        if (usize == 0 && frame != ZSTD_CONTENTSIZE_UNKNOWN && frame != ZSTD_CONTENTSIZE_ERROR) usize = frame;
        if (usize == 0 || usize > (1ull << 31)) {
            EMU_WARN("fatbin: compressed PTX entry without a usable uncompressed size");
            return CUDA_ERROR_INVALID_IMAGE;
        }
        char *text = malloc(usize + 1);
        size_t got = ZSTD_decompress(text, usize, data, csize);
        if (ZSTD_isError(got)) {
            EMU_WARN("fatbin: zstd decompression of the PTX failed: %s", ZSTD_getErrorName(got));
            free(text);
            return CUDA_ERROR_INVALID_IMAGE;
        }
        text[got] = 0;
        *out = text;
        return CUDA_SUCCESS;
    }
    if (flags & FLAG_LZ4) {
        EMU_WARN("fatbin: LZ4-compressed PTX is not emulated (only zstd)");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    *out = dup_text(data, (size_t) psize);
    return *out ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

static CUresult read_fatbin(const unsigned char *b, emu_image *img) {
    unsigned hsize = rd16(b + 6);
    unsigned long long size = rd64(b + 8);
    if (hsize < 16 || size == 0 || size > (1ull << 34)) {
        EMU_WARN("fatbin: malformed header (header size %u, payload %llu)", hsize, size);
        return CUDA_ERROR_INVALID_IMAGE;
    }
    if (emu_cfg.refuse_fatbin) {
        EMU_WARN("fatbin refused (CUDAEMU_REFUSE_FATBIN=1): CUDA_ERROR_NO_BINARY_FOR_GPU");
        return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }
    const unsigned char *elf = NULL, *ptx = NULL;
    unsigned elf_arch = 0, ptx_arch = 0;
    int sm = emu_cfg.sm;
    for (unsigned long long off = 0; off < size;) {
        const unsigned char *e = b + hsize + off;
        unsigned kind = rd16(e), ehs = rd32(e + 4);
        unsigned long long psize = rd64(e + 8);
        if (ehs < 32 || off + ehs + psize > size) {
            EMU_WARN("fatbin: malformed entry at offset %llu (header %u, payload %llu)", off, ehs, psize);
            return CUDA_ERROR_INVALID_IMAGE;
        }
        unsigned arch = rd32(e + 28);
        if (kind == 2 && (int) arch / 10 == sm / 10 && (int) arch <= sm && arch > elf_arch) {
            elf = e;
            elf_arch = arch;
        } else if (kind == 1 && (int) arch <= sm && (!ptx || arch > ptx_arch)) {
            ptx = e;
            ptx_arch = arch;
        }
        off += ehs + psize;
    }
    const unsigned char *sigs = ptx;
    if (!sigs) {   /* SASS chosen but no PTX ≤ sm: any PTX entry still gives the signatures */
        for (unsigned long long off = 0; off < size;) {
            const unsigned char *e = b + hsize + off;
            if (rd16(e) == 1) {
                sigs = e;
                break;
            }
            off += rd32(e + 4) + rd64(e + 8);
        }
    }
    if (!elf && !ptx) {
        EMU_WARN("fatbin: no SASS for sm_%d and no PTX for compute_%d or lower: CUDA_ERROR_NO_BINARY_FOR_GPU", sm, sm);
        return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }
    if (!elf) {
        int ver = (int) rd16(ptx + 26) * 10 + (int) rd16(ptx + 24);
        if (ver > emu_cfg.ptx_isa) {
            EMU_WARN("fatbin: PTX ISA %d.%d is newer than the emulated JIT's %d.%d: CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
                     ver / 10, ver % 10, emu_cfg.ptx_isa / 10, emu_cfg.ptx_isa % 10);
            return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
        }
    }
    if (!sigs) {
        EMU_WARN("fatbin: no PTX entry to read the kernels' parameter lists from (not emulated)");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    CUresult r = ptx_payload(sigs, &img->ptx);
    if (r) return r;
    img->ptx_version = ptx_version_of(img->ptx);
    img->binary_version = elf ? (int) elf_arch : sm;
    img->from_fatbin = 1;
    img->sass = elf != NULL;
    return CUDA_SUCCESS;
}

CUresult emu_image_read(const void *image, emu_image *img) {
    memset(img, 0, sizeof *img);
    if (!image) return CUDA_ERROR_INVALID_VALUE;
    const unsigned char *b = image;
    if (rd32(b) == FATBIN_WRAPPER_MAGIC) {
        const void *const *inner = (const void *const *) (b + 8);
        b = *inner;
        if (!b) return CUDA_ERROR_INVALID_IMAGE;
    }
    if (rd32(b) == FATBIN_MAGIC) return read_fatbin(b, img);
    if (b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
        EMU_WARN("a bare cubin (ELF) image is not emulated: its kernels' signatures are unknown");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    /* PTX text */
    const char *ptx = (const char *) b;
    int ver = ptx_version_of(ptx);
    if (ver < 0 || !strstr(ptx, ".entry")) {
        EMU_WARN("image is neither a fatbin nor PTX with .version and .entry: CUDA_ERROR_INVALID_PTX");
        return CUDA_ERROR_INVALID_PTX;
    }
    if (ver > emu_cfg.ptx_isa) {
        EMU_WARN("PTX ISA %d.%d is newer than the emulated JIT's %d.%d: CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
                 ver / 10, ver % 10, emu_cfg.ptx_isa / 10, emu_cfg.ptx_isa % 10);
        return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    }
    int target = ptx_target_of(ptx);
    if (target > emu_cfg.sm) {
        EMU_WARN("PTX .target sm_%d is above the emulated sm_%d: CUDA_ERROR_NO_BINARY_FOR_GPU", target, emu_cfg.sm);
        return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }
    img->ptx = strdup(ptx);
    img->ptx_version = ver;
    img->binary_version = emu_cfg.sm;
    return img->ptx ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

/* ---- PTX signatures ---- */

static int type_width(const char *t) {
    static const struct { const char *n; int w; } types[] = {
        {".u8", 1}, {".s8", 1}, {".b8", 1}, {".u16", 2}, {".s16", 2}, {".b16", 2}, {".f16", 2},
        {".u32", 4}, {".s32", 4}, {".b32", 4}, {".f32", 4}, {".u64", 8}, {".s64", 8}, {".b64", 8},
        {".f64", 8}, {".pred", 4},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!strcmp(t, types[i].n)) return types[i].w;
    }
    return 0;
}

/* One ".param ..." declaration: its width in bytes, or -1. */
static int param_width(char *decl) {
    int w = 0, count = 1;
    char *save = NULL;
    char *tok = strtok_r(decl, " \t\r\n", &save);
    if (!tok || strcmp(tok, ".param")) return -1;
    while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
        if (tok[0] == '.') {
            int tw = type_width(tok);
            if (tw) w = tw;
            else if (!strcmp(tok, ".align")) strtok_r(NULL, " \t\r\n", &save);
        } else {
            char *br = strchr(tok, '[');
            if (br) count = atoi(br + 1);
        }
    }
    return w ? w * (count > 0 ? count : 1) : -1;
}

CUresult emu_ptx_signatures(const char *ptx, emu_sig **out, int *nout) {
    int cap = 32, n = 0;
    emu_sig *sigs = calloc((size_t) cap, sizeof *sigs);
    for (const char *p = ptx; (p = strstr(p, ".entry")); p += 6) {
        if ((p > ptx && !isspace((unsigned char) p[-1])) || !isspace((unsigned char) p[6])) continue;
        const char *q = p + 6;
        while (isspace((unsigned char) *q)) q++;
        const char *name = q;
        while (*q && *q != '(' && !isspace((unsigned char) *q)) q++;
        size_t nlen = (size_t) (q - name);
        while (isspace((unsigned char) *q)) q++;
        if (n == cap) {
            cap *= 2;
            sigs = realloc(sigs, (size_t) cap * sizeof *sigs);
        }
        emu_sig *s = &sigs[n];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%.*s", (int) nlen, name);
        if (*q == '(') {
            const char *end = strchr(q, ')');
            if (!end) {
                EMU_WARN("PTX: .entry %s has no closing parenthesis", s->name);
                free(sigs);
                return CUDA_ERROR_INVALID_PTX;
            }
            char *list = strndup(q + 1, (size_t) (end - q - 1));
            char *save = NULL;
            for (char *d = strtok_r(list, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
                while (isspace((unsigned char) *d)) d++;
                if (!*d) continue;
                int w = param_width(d);
                if (w < 0 || s->nparams >= EMU_MAX_PARAMS) {
                    EMU_WARN("PTX: .entry %s: parameter %d not understood", s->name, s->nparams);
                    free(list);
                    free(sigs);
                    return CUDA_ERROR_INVALID_PTX;
                }
                s->width[s->nparams++] = w;
            }
            free(list);
        }
        n++;
    }
    if (n == 0) {
        free(sigs);
        EMU_WARN("PTX: no .entry");
        return CUDA_ERROR_INVALID_PTX;
    }
    *out = sigs;
    *nout = n;
    return CUDA_SUCCESS;
}
