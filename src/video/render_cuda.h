/*
 * video/render_cuda.h - the CUDA back end of the renderer (cuda/render.cu).
 *
 * Built only when OSC_CUDA is on (OSC_HAVE_VIDEO_CUDA defined); the CUDA
 * runtime is linked statically and finds the driver at run time, so a build
 * with CUDA still runs on a machine without a GPU: osc__vcuda_open fails with
 * a message and the renderer falls back to the CPU.
 *
 * The GPU does the per-pixel work (low-res sky/water pass and the full-res
 * composite of the background and the layers); the host plans the frame and
 * draws the sprites (sun, moon, stars, weather) afterwards, exactly as on the
 * CPU path.
 */
#ifndef OSC_VIDEO_RENDER_CUDA_H
#define OSC_VIDEO_RENDER_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "video/render_kern.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct osc_vcuda osc_vcuda;

/** Opens a context for W x H frames.  0 on success; else -1 and @p why (>= 128 bytes) says why. */
int osc__vcuda_open(int W, int H, int lw, int lh, size_t layer_bytes, osc_vcuda **out, char *why, size_t why_len);
void osc__vcuda_close(osc_vcuda *c);
/**
 * Renders the per-pixel part of one frame on the GPU and copies the planes
 * and the low-res cloud density (lw*lh floats) back.  Serialised internally
 * (one frame at a time per context).  0 or -1 (why filled).
 */
int osc__vcuda_render(osc_vcuda *c, const osc_vplan *P, const void *layers, size_t layer_bytes, uint8_t *y,
                      int ys, uint8_t *u, int us, uint8_t *v, int vs, float *dens, char *why, size_t why_len);

#ifdef __cplusplus
}
#endif
#endif
