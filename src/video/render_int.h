/*
 * video/render_int.h - renderer internals shared by render.c (planning,
 * sprites, API) and render_cpu.c (the hot per-pixel loops).
 */
#ifndef OSC_VIDEO_RENDER_INT_H
#define OSC_VIDEO_RENDER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "video/render.h"
#include "video/render_cuda.h"
#include "video/render_kern.h"
#include "video/scene_int.h"

enum { OSC_LK_MOUNTAIN, OSC_LK_HILL, OSC_LK_DUNE, OSC_LK_FOREST, OSC_LK_CITY, OSC_LK_FIELD, OSC_LK_FOAM, OSC_LK_SAND };

typedef struct osc_vlspec {
  int kind;
  float base, amp, freq, par, haze, mist, shade;
  float alb[3];
  uint32_t seed;
  bool shore, snow;
} osc_vlspec;

typedef struct osc_vstar {
  float x, y, mag, freq, phase;
} osc_vstar;

/* Scratch memory for one frame in flight. */
typedef struct osc_vscratch {
  struct osc_vscratch *next;
  osc_vplan plan;
  int32_t *layers;          /* layout r->L */
  uint16_t *loY, *loU, *loV, *loF; /* lw*lh */
  float *dens;              /* lw*lh */
  uint16_t *h0, *h1, *hf0, *hf1; /* horizontal upscale rows (W + 8 each) */
  int32_t *sky_end;         /* W: first non-sky row per column */
  float *wtmp;              /* 2*W floats: planning scratch */
} osc_vscratch;

struct osc_renderer {
  const osc_scene *s;
  int W, H, fps, cw, chh, lw, lh;
  osc_vlayout L;
  const char *device;
  osc_vcuda *cuda;
  pthread_mutex_t cuda_mu;
  pthread_mutex_t mu;
  osc_vscratch *pool;
  int npool;
  /* per-scene constants */
  int tod;
  float vh, sun_x0, sun_y0, moon_x, moon_y, sun_r, moon_r;
  int nl;
  osc_vlspec spec[OSC_VL_MAXLAYERS];
  int nstars;
  osc_vstar *stars;
  int32_t *rowcache; /* per layer: H row colours, then H snow colours (NULL: compute per frame) */
};

/* render_cpu.c */
void osc__vcpu_mountain(const float *xw, float *out, int n, float freq, uint32_t seed);
void osc__vcpu_lowres(const osc_vplan *P, const int32_t *layers, const osc_vlayout *L, osc_vscratch *sc);
void osc__vcpu_compose(const osc_vplan *P, const int32_t *layers, const osc_vlayout *L, osc_vscratch *sc,
                       uint8_t *y, int ys, uint8_t *u, int us, uint8_t *v, int vs);

#endif
