/* cudaemu: module image checks and PTX signatures (emu_image.c). */
#ifndef CUDAEMU_IMAGE_H
#define CUDAEMU_IMAGE_H
#include "emu_internal.h"

typedef struct emu_image {
    char *ptx;            /* malloc'd PTX text (from the image, or the fatbin's PTX entry) */
    int ptx_version;      /* x10 */
    int binary_version;   /* sm of the chosen SASS, or the emulated sm for PTX */
    int from_fatbin;
    int sass;             /* a SASS entry was chosen */
} emu_image;

typedef struct emu_sig {
    char name[256];
    int nparams;
    int width[EMU_MAX_PARAMS];
} emu_sig;

/* Checks the image as the driver would (200, 209, 218, 222), with a stderr line on failure. */
CUresult emu_image_read(const void *image, emu_image *img);
/* Every .entry of the PTX with its parameter widths; *out is malloc'd. */
CUresult emu_ptx_signatures(const char *ptx, emu_sig **out, int *n);
#endif
