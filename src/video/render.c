/*
 * video/render.c - the renderer: per-scene set-up, per-frame planning,
 * sprites, the public internal API, device choice, YUV->RGB and PNG.
 *
 * A frame is made in four steps, all pure functions of (scene, size, t):
 *  1. plan (host): camera, sun and moon, colours of the time of day, and per
 *     layer the ridge top of every column (8.8 fixed point), a shade term
 *     from the ridge slope against the sun, a snow line, and a colour per row
 *     (atmospheric perspective and valley mist baked in);
 *  2. low-res pass and 3. composite: render_cpu.c, or the GPU (cuda/);
 *  4. sprites (host): sun and moon discs, stars, city windows, rain, snow,
 *     lightning bolt, each clipped to the sky where it belongs.
 * Scratch memory comes from a small pool per renderer so that concurrent
 * frames never share buffers and steady-state rendering does not allocate.
 */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "video/render_int.h"

#define PI_F 3.14159265f

/* ---- time-of-day palettes ---- */

typedef struct {
  float zen[3], hor[3], band[3], sun[3], glow, halo, band_amt, light[3], amb, clit[3], cdark[3], deep[3];
  float sun_y, night;
} tod_pal;

static const tod_pal g_tod[] = {
    /* sunrise */ {{0.22f, 0.34f, 0.62f}, {1.0f, 0.66f, 0.5f}, {1.0f, 0.5f, 0.32f}, {1.0f, 0.78f, 0.55f}, 1.6f, 0.35f, 0.9f,
                   {1.0f, 0.78f, 0.65f}, 0.55f, {1.0f, 0.75f, 0.65f}, {0.42f, 0.38f, 0.5f}, {0.05f, 0.09f, 0.16f}, -0.045f, 0.f},
    /* golden */ {{0.26f, 0.46f, 0.78f}, {1.0f, 0.84f, 0.6f}, {1.0f, 0.62f, 0.3f}, {1.0f, 0.86f, 0.6f}, 1.5f, 0.4f, 0.5f,
                  {1.0f, 0.85f, 0.62f}, 0.8f, {1.0f, 0.9f, 0.74f}, {0.55f, 0.52f, 0.58f}, {0.05f, 0.12f, 0.18f}, -0.16f, 0.f},
    /* noon */ {{0.12f, 0.36f, 0.82f}, {0.66f, 0.82f, 0.97f}, {0.1f, 0.1f, 0.1f}, {1.0f, 0.98f, 0.92f}, 1.3f, 0.25f, 0.f,
                {1.0f, 0.98f, 0.95f}, 1.0f, {1.f, 1.f, 1.f}, {0.66f, 0.7f, 0.78f}, {0.03f, 0.16f, 0.26f}, -0.5f, 0.f},
    /* sunset */ {{0.16f, 0.2f, 0.45f}, {1.0f, 0.5f, 0.24f}, {1.0f, 0.36f, 0.12f}, {1.0f, 0.62f, 0.3f}, 1.8f, 0.5f, 1.0f,
                  {1.0f, 0.6f, 0.42f}, 0.45f, {1.0f, 0.58f, 0.38f}, {0.32f, 0.22f, 0.34f}, {0.06f, 0.06f, 0.12f}, -0.035f, 0.f},
    /* dusk */ {{0.06f, 0.08f, 0.24f}, {0.78f, 0.45f, 0.45f}, {0.7f, 0.32f, 0.35f}, {0.9f, 0.45f, 0.35f}, 0.3f, 0.25f, 0.8f,
                {0.6f, 0.5f, 0.7f}, 0.28f, {0.62f, 0.42f, 0.52f}, {0.18f, 0.16f, 0.26f}, {0.03f, 0.03f, 0.08f}, 0.05f, 0.45f},
    /* night */ {{0.008f, 0.016f, 0.06f}, {0.05f, 0.08f, 0.17f}, {0.f, 0.f, 0.f}, {0.f, 0.f, 0.f}, 0.f, 0.f, 0.f,
                 {0.5f, 0.6f, 0.9f}, 0.32f, {0.22f, 0.25f, 0.34f}, {0.05f, 0.06f, 0.1f}, {0.01f, 0.015f, 0.04f}, 0.3f, 1.f},
};

static float rnd01(uint64_t *st) {
  *st = osc_mix64(*st + 0x9e3779b97f4a7c15ULL);
  return (float)(*st >> 40) / (float)(1 << 24);
}
static float frac(float x) { return x - floorf(x); }
static float mixf(float a, float b, float t) { return a + (b - a) * t; }
static float clampf(float x, float a, float b) { return x < a ? a : (x > b ? b : x); }

/* ---- scene set-up ---- */

static void add_layer(osc_renderer *r, int kind, float base, float amp, float freq, float par, float haze, float mist,
                      float ar, float ag, float ab, bool shore, uint64_t *st) {
  if (r->nl >= OSC_VL_MAXLAYERS) return;
  osc_vlspec *l = &r->spec[r->nl++];
  memset(l, 0, sizeof *l);
  l->kind = kind; l->base = base; l->amp = amp; l->freq = freq; l->par = par; l->haze = haze; l->mist = mist;
  l->alb[0] = ar; l->alb[1] = ag; l->alb[2] = ab;
  l->shore = shore;
  l->seed = (uint32_t)(osc_mix64(*st += 0x51ed27) & 0xfffff);
  l->shade = 1.f;
}

static void setup_scene(osc_renderer *r) {
  const osc_scene *s = r->s;
  const bool *h = s->has;
  uint64_t st = s->var;
  r->tod = s->tod; /* OSC_VE_SUNRISE..NIGHT == OSC_TOD_* order */
  bool water = h[OSC_VE_OCEAN] || h[OSC_VE_LAKE];
  float vh = water ? 0.57f : 0.6f;
  if (h[OSC_VE_CITY] && !water) vh = 0.64f;
  r->vh = vh;
  float half_w = (float)r->W / (float)r->H * 0.5f;
  r->sun_x0 = half_w * (rnd01(&st) * 1.1f - 0.55f);
  r->sun_y0 = vh + g_tod[r->tod].sun_y;
  if (r->tod == OSC_TOD_NOON) r->sun_y0 = 0.06f;
  r->moon_x = half_w * (rnd01(&st) * 1.0f - 0.5f);
  r->moon_y = 0.12f + 0.14f * rnd01(&st);
  r->sun_r = (r->tod == OSC_TOD_SUNSET || r->tod == OSC_TOD_SUNRISE) ? 0.034f : 0.028f;
  r->moon_r = 0.024f;
  bool snowg = s->snow_ground;
  bool autumn = h[OSC_VE_AUTUMN], spring = h[OSC_VE_SPRING];
  r->nl = 0;
  /* far to near */
  if (h[OSC_VE_MOUNTAINS]) {
    if (water) {
      float a = h[OSC_VE_LAKE] ? 0.26f : 0.2f;
      add_layer(r, OSC_LK_MOUNTAIN, vh + 0.004f, a, 2.2f, 0.15f, 0.58f, 0.3f, 0.36f, 0.4f, 0.5f, true, &st);
      r->spec[r->nl - 1].snow = true;
      add_layer(r, OSC_LK_MOUNTAIN, vh + 0.004f, a * 0.5f, 3.5f, 0.3f, 0.32f, 0.35f, 0.2f, 0.24f, 0.24f, true, &st);
      r->spec[r->nl - 1].snow = snowg;
    } else {
      add_layer(r, OSC_LK_MOUNTAIN, vh + 0.02f, 0.3f, 1.8f, 0.12f, 0.6f, 0.3f, 0.36f, 0.4f, 0.5f, false, &st);
      r->spec[r->nl - 1].snow = true;
      add_layer(r, OSC_LK_MOUNTAIN, vh + 0.09f, 0.22f, 2.6f, 0.3f, 0.38f, 0.45f, 0.24f, 0.27f, 0.3f, false, &st);
      r->spec[r->nl - 1].snow = snowg;
      add_layer(r, OSC_LK_MOUNTAIN, vh + 0.2f, 0.17f, 3.4f, 0.6f, 0.16f, 0.4f, 0.14f, 0.16f, 0.15f, false, &st);
      r->spec[r->nl - 1].snow = snowg;
    }
  }
  float fr = 0.2f, fg = 0.42f, fb = 0.14f; /* grass */
  if (autumn) { fr = 0.55f; fg = 0.42f; fb = 0.16f; }
  if (spring) { fr = 0.22f; fg = 0.52f; fb = 0.16f; }
  if (snowg) { fr = 0.82f; fg = 0.86f; fb = 0.92f; }
  if (h[OSC_VE_HILLS]) {
    if (water) add_layer(r, OSC_LK_HILL, vh + 0.003f, 0.05f, 3.f, 0.3f, 0.35f, 0.2f, fr * 0.7f, fg * 0.7f, fb * 0.7f, true, &st);
    else {
      float b = h[OSC_VE_MOUNTAINS] ? vh + 0.26f : vh + 0.08f;
      add_layer(r, OSC_LK_HILL, b, 0.09f, 1.6f, 0.5f, 0.3f, 0.25f, fr, fg, fb, false, &st);
      add_layer(r, OSC_LK_HILL, b + 0.13f, 0.08f, 1.3f, 0.8f, 0.1f, 0.1f, fr * 0.8f, fg * 0.8f, fb * 0.8f, false, &st);
    }
  }
  if (h[OSC_VE_CITY]) {
    if (water) {
      add_layer(r, OSC_LK_CITY, vh + 0.002f, 0.1f, 1.f, 0.25f, 0.45f, 0.1f, 0.14f, 0.15f, 0.19f, true, &st);
      r->spec[r->nl - 1].shade = 0.f;
      add_layer(r, OSC_LK_CITY, vh + 0.002f, 0.17f, 1.f, 0.4f, 0.18f, 0.05f, 0.1f, 0.11f, 0.14f, true, &st);
      r->spec[r->nl - 1].shade = 0.f;
    } else {
      add_layer(r, OSC_LK_CITY, vh + 0.01f, 0.14f, 1.f, 0.25f, 0.45f, 0.1f, 0.14f, 0.15f, 0.19f, false, &st);
      r->spec[r->nl - 1].shade = 0.f;
      add_layer(r, OSC_LK_CITY, vh + 0.1f, 0.26f, 1.f, 0.45f, 0.15f, 0.05f, 0.1f, 0.11f, 0.14f, false, &st);
      r->spec[r->nl - 1].shade = 0.f;
      add_layer(r, OSC_LK_FIELD, 0.93f, 0.01f, 2.f, 1.f, 0.05f, 0.f, 0.08f, 0.08f, 0.09f, false, &st);
    }
  }
  float tr = 0.07f, tg = 0.16f, tb = 0.09f;
  if (autumn) { tr = 0.42f; tg = 0.2f; tb = 0.07f; }
  if (h[OSC_VE_FOREST]) {
    if (water) add_layer(r, OSC_LK_FOREST, vh + 0.003f, 0.06f, 1.f, 0.35f, 0.3f, 0.1f, tr, tg, tb, true, &st);
    else {
      add_layer(r, OSC_LK_FOREST, vh + 0.1f, 0.1f, 1.f, 0.45f, 0.32f, 0.2f, tr, tg, tb, false, &st);
      add_layer(r, OSC_LK_FOREST, vh + 0.3f, 0.16f, 1.f, 0.9f, 0.04f, 0.05f, tr * 0.6f, tg * 0.6f, tb * 0.6f, false, &st);
    }
  }
  if (h[OSC_VE_DESERT] && !water) {
    add_layer(r, OSC_LK_DUNE, vh + 0.03f, 0.07f, 1.3f, 0.25f, 0.42f, 0.1f, 0.86f, 0.6f, 0.36f, false, &st);
    add_layer(r, OSC_LK_DUNE, vh + 0.14f, 0.1f, 1.0f, 0.5f, 0.2f, 0.05f, 0.9f, 0.62f, 0.36f, false, &st);
    add_layer(r, OSC_LK_DUNE, vh + 0.3f, 0.12f, 0.8f, 0.9f, 0.04f, 0.f, 0.92f, 0.64f, 0.38f, false, &st);
  }
  if (h[OSC_VE_FIELDS]) {
    if (water) add_layer(r, OSC_LK_FIELD, vh + 0.002f, 0.02f, 2.f, 0.3f, 0.3f, 0.1f, fr, fg, fb, true, &st);
    else {
      add_layer(r, OSC_LK_FIELD, vh + 0.07f, 0.035f, 1.5f, 0.5f, 0.3f, 0.1f, fr, fg, fb, false, &st);
      add_layer(r, OSC_LK_FIELD, vh + 0.22f, 0.05f, 1.1f, 0.9f, 0.06f, 0.f, fr * 1.05f, fg * 1.05f, fb, false, &st);
    }
  }
  if (h[OSC_VE_BEACH]) {
    add_layer(r, OSC_LK_FOAM, 0.86f, 0.045f, 2.f, 1.f, 0.f, 0.f, 0.95f, 0.97f, 1.f, false, &st);
    r->spec[r->nl - 1].shade = 0.f;
    add_layer(r, OSC_LK_SAND, 0.885f, 0.025f, 1.5f, 1.f, 0.f, 0.f, 0.86f, 0.74f, 0.55f, false, &st);
  }
  if (r->nl == 0 && h[OSC_VE_LAKE]) { /* a lake has a far shore */
    add_layer(r, OSC_LK_HILL, vh + 0.003f, 0.07f, 2.2f, 0.3f, 0.45f, 0.2f, 0.2f, 0.26f, 0.22f, true, &st);
    add_layer(r, OSC_LK_FOREST, vh + 0.003f, 0.035f, 1.f, 0.35f, 0.3f, 0.1f, tr, tg, tb, true, &st);
  }
  if (r->nl == 0 && !water) /* never a bare sky */
    add_layer(r, OSC_LK_HILL, vh + 0.05f, 0.06f, 1.4f, 0.5f, 0.25f, 0.2f, fr, fg, fb, false, &st);

  /* stars: fixed positions, density by area */
  if (s->stars || h[OSC_VE_AURORA]) {
    int n = (int)(420.0 * (double)r->W * r->H / (1280.0 * 720.0));
    n = n < 150 ? 150 : (n > 1600 ? 1600 : n);
    r->stars = calloc((size_t)n, sizeof *r->stars);
    if (r->stars) {
      r->nstars = n;
      for (int i = 0; i < n; i++) {
        r->stars[i].x = (rnd01(&st) * 2.f - 1.f) * half_w * 1.3f;
        r->stars[i].y = rnd01(&st) * vh;
        float m = rnd01(&st);
        r->stars[i].mag = 0.25f + 0.75f * m * m * m;
        r->stars[i].freq = 1.2f + 3.f * rnd01(&st);
        r->stars[i].phase = rnd01(&st) * 2.f * PI_F;
      }
    }
  }
}

/* ---- ridge profiles ---- */

static float ridge1(float x, uint32_t seed, int oct) {
  float s = 0.f, a = 0.5f, n = 0.f, f = 1.f;
  for (int i = 0; i < oct; i++) {
    float v = osc_vnoise(x * f, (float)(seed % 1000) + 13.7f * (float)i);
    float rr = 1.f - fabsf(2.f * v - 1.f);
    s += a * rr * rr;
    n += a;
    a *= 0.5f; f *= 2.03f;
  }
  return s / n;
}

static float smooth1(float x, uint32_t seed, int oct) {
  float s = 0.f, a = 0.5f, n = 0.f, f = 1.f;
  for (int i = 0; i < oct; i++) {
    s += a * osc_vnoise(x * f, (float)(seed % 1000) + 7.1f * (float)i);
    n += a;
    a *= 0.5f; f *= 2.1f;
  }
  return s / n;
}

/* Height of a layer's ridge above its base, in [0,1] (times amp). */
static float profile(const osc_vlspec *l, float xw, float t) {
  switch (l->kind) {
  case OSC_LK_MOUNTAIN: {
    float v = 0.65f * ridge1(xw * l->freq, l->seed, 6) + 0.35f * smooth1(xw * l->freq * 0.5f, l->seed + 3, 2);
    return clampf((v - 0.2f) * 1.6f, 0.f, 1.f);
  }
  case OSC_LK_HILL:
  case OSC_LK_FIELD:
    return smooth1(xw * l->freq, l->seed, 3);
  case OSC_LK_DUNE: {
    float v = smooth1(xw * l->freq, l->seed, 2);
    float c = 1.f - fabsf(2.f * frac(v * 2.2f) - 1.f);
    return 0.55f * c * c + 0.45f * v;
  }
  case OSC_LK_FOREST: {
    const float cwid = 0.022f;
    float cell = floorf(xw / cwid);
    float best = 0.f;
    for (int k = -2; k <= 2; k++) {
      int32_t ci = (int32_t)cell + k;
      uint32_t hh = osc_vhash2(ci, (int32_t)l->seed);
      float cx = ((float)ci + 0.2f + 0.6f * (float)(hh & 255) / 255.f) * cwid;
      float th = 0.45f + 0.55f * (float)((hh >> 8) & 255) / 255.f;
      float w = cwid * (0.9f + 0.5f * (float)((hh >> 16) & 255) / 255.f);
      float v = th * (1.f - fabsf(xw - cx) / w);
      /* jagged branches */
      v -= 0.04f * osc_vnoise((xw - cx) * 900.f, (float)ci) * (1.f - v);
      if (v > best) best = v;
    }
    return 0.25f * smooth1(xw * 2.f, l->seed, 2) + 0.75f * best;
  }
  case OSC_LK_CITY: {
    const float cwid = 0.035f;
    int32_t ci = (int32_t)floorf(xw / cwid);
    uint32_t hh = osc_vhash2(ci, (int32_t)l->seed);
    float u = xw / cwid - (float)ci;
    float wfrac = 0.6f + 0.4f * (float)(hh & 255) / 255.f;
    float ht = 0.25f + 0.75f * powf((float)((hh >> 8) & 255) / 255.f, 1.6f);
    if (u > wfrac) return 0.12f * ((float)((hh >> 16) & 255) / 255.f);
    if (((hh >> 24) & 7) == 0 && fabsf(u - wfrac * 0.5f) < 0.03f) return ht + 0.15f; /* antenna */
    if (((hh >> 27) & 3) == 0) return ht * (1.f - 0.35f * fabsf(2.f * u / wfrac - 1.f)); /* spire */
    return ht;
  }
  case OSC_LK_FOAM:
    return (0.55f + 0.45f * sinf(t * 0.55f + (float)(l->seed % 100))) * (0.6f + 0.4f * smooth1(xw * 3.f, l->seed, 2));
  case OSC_LK_SAND:
    return smooth1(xw * l->freq, l->seed, 2);
  default:
    return 0.f;
  }
}

/* ---- per-frame plan ---- */

static void lit_colour(const osc_renderer *r, const osc_vplan *P, const osc_vlspec *l, float hz, float *c) {
  const tod_pal *tp = &g_tod[r->tod];
  float amb = tp->amb;
  for (int i = 0; i < 3; i++) {
    float lit = l->alb[i] * (tp->light[i] * amb + P->zen[i] * 0.35f);
    c[i] = mixf(lit, P->hor[i] * 0.92f, clampf(hz, 0.f, 1.f));
  }
}

static uint32_t pack_yuv(const osc_vplan *P, const float *c) {
  float y, u, v;
  osc_vgrade_yuv(P, c[0], c[1], c[2], &y, &u, &v);
  return (uint32_t)(y + 0.5f) | ((uint32_t)(u + 0.5f) << 8) | ((uint32_t)(v + 0.5f) << 16);
}

/* Box filter of radius rad (clamped at the ends) from a into b. */
static void box_blur(const float *a, float *b, int n, int rad) {
  float sum = 0.f;
  for (int i = -rad; i <= rad; i++) sum += a[i < 0 ? 0 : (i >= n ? n - 1 : i)];
  const float k = 1.f / (float)(2 * rad + 1);
  for (int x = 0; x < n; x++) {
    b[x] = sum * k;
    int ia = x - rad, ib = x + rad + 1;
    sum += a[ib >= n ? n - 1 : ib] - a[ia < 0 ? 0 : ia];
  }
}

static void plan_frame(const osc_renderer *r, int64_t index, osc_vplan *P, int32_t *blk, int32_t *sky_end,
                       float *wtmp) {
  const osc_scene *s = r->s;
  const tod_pal *tp = &g_tod[r->tod];
  const int W = r->W, H = r->H;
  float t = (float)((double)index / (double)r->fps);
  memset(P, 0, sizeof *P);
  P->W = W; P->H = H; P->lw = r->lw; P->lh = r->lh; P->cw = r->cw; P->chh = r->chh;
  P->t = t;
  P->half_w = (float)W / (float)H * 0.5f;
  P->vh = r->vh;
  bool water = s->has[OSC_VE_OCEAN] || s->has[OSC_VE_LAKE];
  P->water = s->has[OSC_VE_OCEAN] ? OSC_VWATER_OCEAN : (s->has[OSC_VE_LAKE] ? OSC_VWATER_LAKE : OSC_VWATER_NONE);
  float cov = s->clouds;
  float gloom = clampf(s->rain + (cov > 0.8f ? (cov - 0.8f) * 3.f : 0.f), 0.f, 1.f) * 0.65f;
  const float grey[3] = {0.5f, 0.52f, 0.56f};
  for (int i = 0; i < 3; i++) {
    P->zen[i] = mixf(tp->zen[i], grey[i] * (tp->amb * 0.9f + 0.05f), gloom);
    P->hor[i] = mixf(tp->hor[i], grey[i] * (tp->amb + 0.08f), gloom);
    P->band[i] = tp->band[i] * (1.f - gloom);
    P->sun_col[i] = tp->sun[i];
    P->cloud_lit[i] = mixf(tp->clit[i], tp->clit[i] * 0.7f, gloom);
    P->cloud_dark[i] = tp->cdark[i] * (1.f - 0.4f * gloom);
    P->water_deep[i] = tp->deep[i];
    P->moon_col[i] = (i == 2 ? 0.85f : 0.75f) * (r->tod == OSC_TOD_NIGHT || r->tod == OSC_TOD_DUSK ? 1.f : 0.f);
  }
  /* the sun sinks at sunset/dusk and rises at sunrise */
  float drift_sun = (r->tod == OSC_TOD_SUNRISE) ? -0.0016f * t : (r->tod == OSC_TOD_SUNSET || r->tod == OSC_TOD_DUSK ? 0.0016f * t : 0.f);
  P->sun_x = r->sun_x0;
  P->sun_y = r->sun_y0 + drift_sun;
  float sunvis = r->tod == OSC_TOD_NIGHT ? 0.f : 1.f;
  P->sun_glow = tp->glow * sunvis * (1.f - 0.75f * gloom);
  P->sun_halo = tp->halo * sunvis * (1.f - 0.5f * gloom);
  P->sun_band = tp->band_amt;
  P->moon_x = r->moon_x; P->moon_y = r->moon_y;
  P->moon_glow = s->moon ? 0.35f : 0.f;
  if (!s->moon) P->moon_col[0] = P->moon_col[1] = P->moon_col[2] = 0.f;
  /* camera */
  float pan = s->pan * t + s->drift * 0.02f * sinf(t * 0.35f + (float)(s->var & 7));
  float zoom = s->zoom * t;
  P->cam_x = pan;
  /* clouds */
  P->clouds_on = cov > 0.01f;
  P->cloud_thr = 0.62f - 0.4f * cov;
  P->cloud_alpha = 0.5f + 0.5f * cov;
  P->cloud_scale = 0.55f;
  P->cloud_ox = (float)(s->var % 97) + t * 0.035f * (s->has[OSC_VE_STORM] ? 3.f : 1.f);
  P->cloud_oy = (float)((s->var >> 8) % 89) - t * 0.02f;
  P->cloud_par = 0.3f;
  P->aurora_on = s->has[OSC_VE_AURORA];
  P->aurora = 0.9f;
  P->aurora_t = t;
  P->wave_amp = P->water == OSC_VWATER_LAKE ? 0.35f : 1.f;
  if (s->has[OSC_VE_STORM]) P->wave_amp = 1.8f;
  P->wave_t = t;
  P->glint = P->water == OSC_VWATER_LAKE ? 0.9f : 1.6f;
  P->fresnel0 = P->water == OSC_VWATER_LAKE ? 0.35f : 0.2f;
  P->fog_on = s->fog > 0.01f;
  P->fog = s->fog;
  P->fog_t = t;
  P->fog_top = r->vh - 0.2f;
  for (int i = 0; i < 3; i++) P->fog_col[i] = mixf(P->hor[i], 0.85f * (tp->amb * 0.8f + 0.1f), 0.5f);
  P->exposure = s->exposure * (1.f - 0.2f * s->rain);
  P->warm = s->warm + 0.5f * s->valence;
  P->sat = s->sat * (1.f - 0.35f * gloom);
  P->contrast = s->contrast;
  P->vignette = s->vignette;
  /* lightning: a flash in some 2.3 s buckets */
  if (s->lightning > 0.f) {
    int64_t b = (int64_t)floorf(t / 2.3f);
    uint64_t hh = osc_mix64(s->var ^ (uint64_t)(b * 7919 + 1));
    if ((float)(hh % 1000) / 1000.f < s->lightning * 0.7f) {
      float ts = (float)b * 2.3f + (float)((hh >> 12) % 1000) / 1000.f * 1.6f;
      float dt = t - ts;
      float f = 0.f;
      if (dt >= 0.f && dt < 0.06f) f = 1.f;
      else if (dt >= 0.06f && dt < 0.1f) f = 0.3f;
      else if (dt >= 0.1f && dt < 0.16f) f = 0.85f;
      else if (dt >= 0.16f && dt < 0.6f) f = 0.8f * expf(-(dt - 0.16f) * 9.f);
      P->flash = 0.45f * f;
    }
  }

  /* layers */
  const osc_vlayout *L = &r->L;
  int nrefl = 0;
  int horizon_row = (int)floorf(r->vh * (float)H - 0.5f) + 1;
  for (int x = 0; x < W; x++) sky_end[x] = water ? horizon_row : H;
  P->nlayers = r->nl;
  for (int k = 0; k < r->nl; k++) {
    const osc_vlspec *l = &r->spec[k];
    osc_vlayer *ly = &P->layer[k];
    int32_t *top = blk + L->top + (size_t)k * W, *shade = blk + L->shade + (size_t)k * W;
    int32_t *snow = blk + L->snow + (size_t)k * W;
    float sc = 1.f + zoom * l->par;
    float off = pan * l->par + (float)(l->seed % 37);
    int32_t mn = INT32_MAX, mx = INT32_MIN;
    float *xwv = wtmp, *pv = wtmp + W; /* world x and ridge profile per column */
    for (int x = 0; x < W; x++) xwv[x] = (((float)x + 0.5f) / (float)H - P->half_w) / sc + off;
    if (l->kind == OSC_LK_MOUNTAIN) osc__vcpu_mountain(xwv, pv, W, l->freq, l->seed); /* vectorised */
    else
      for (int x = 0; x < W; x++) pv[x] = profile(l, xwv[x], t);
    for (int x = 0; x < W; x++) {
      float xw = xwv[x];
      float yw = l->base - l->amp * pv[x];
      float ys = r->vh + (yw - r->vh) * sc;
      int32_t tp8 = (int32_t)lrintf(ys * (float)H * 256.f - 128.f); /* row coordinate of the edge, 8.8 */
      if (tp8 < 0) tp8 = 0;
      top[x] = tp8;
      if (tp8 < mn) mn = tp8;
      if (tp8 > mx) mx = tp8;
      if (l->snow) {
        float sl = l->base - l->amp * (0.55f + 0.18f * osc_vnoise(xw * 9.f, 3.3f) + 0.08f * osc_vnoise(xw * 40.f, 1.1f));
        snow[x] = (int32_t)lrintf((r->vh + (sl - r->vh) * sc) * (float)H * 256.f);
      }
    }
    /* Shade from the slope against the sun (dunes get a sharp terminator).
     * The slope is taken over a window and then low-passed with a triangle
     * filter, so the shade follows the large facets of the ridge instead of
     * its per-column noise (which drew vertical streaks); the composite then
     * fades it with depth below the ridge (shade_k). */
    float side = P->sun_x >= 0.f ? 1.f : -1.f;
    float lightamt = (r->tod == OSC_TOD_NIGHT ? 0.25f : (r->tod == OSC_TOD_DUSK ? 0.4f : 1.f)) * l->shade * (1.f - gloom);
    const int sw = H / 90 > 2 ? H / 90 : 2;
    float *sa = wtmp, *sb = wtmp + W;
    for (int x = 0; x < W; x++) {
      int xa = x > sw ? x - sw : 0, xb = x < W - 1 - sw ? x + sw : W - 1;
      float slope = (float)(top[xb] - top[xa]) / (256.f * (float)(xb - xa)) * -side;
      sa[x] = l->kind == OSC_LK_DUNE ? (slope > 0.f ? 16.f : -12.f) : 26.f * slope / (1.f + fabsf(slope));
    }
    const int br = l->kind == OSC_LK_DUNE ? (H / 360 > 1 ? H / 360 : 1) : (H / 80 > 2 ? H / 80 : 2);
    box_blur(sa, sb, W, br);
    box_blur(sb, sa, W, br);
    for (int x = 0; x < W; x++) shade[x] = (int32_t)lrintf(16.f * sa[x] * lightamt * (1.f - l->haze)); /* 1/16 levels */
    /* full shade at the ridge, 35 % of it a quarter of the layer's height below */
    {
      float dep = l->amp * 0.25f * (float)H * 256.f;
      ly->shade_k = (int32_t)((float)((256 - 90) << 16) / (dep < 6144.f ? 6144.f : dep)); /* <= 1770 */
    }
    int ymax = l->shore ? horizon_row : H;
    ly->ymin = mn >> 8;
    ly->yfull = (mx + 255) >> 8;
    ly->ymax = ymax;
    ly->snow = l->snow;
    ly->ysnow = 0;
    if (l->snow)
      for (int x = 0; x < W; x++)
        if ((snow[x] >> 8) + 1 > ly->ysnow) ly->ysnow = (snow[x] >> 8) + 1;
    ly->kind = l->kind;
    for (int x = 0; x < W; x++) {
      int e = top[x] >> 8;
      if (e < ymax && e < sky_end[x]) sky_end[x] = e;
    }
    /* chroma tops: average of two columns, in chroma rows */
    int32_t *topc = blk + L->topc + (size_t)k * r->cw, *snowc = blk + L->snowc + (size_t)k * r->cw;
    for (int xc = 0; xc < r->cw; xc++) {
      topc[xc] = (top[2 * xc] + top[2 * xc + 1] - 256) / 4 + 64;
      if (l->snow) snowc[xc] = (snow[2 * xc] + snow[2 * xc + 1]) / 4;
    }
    /* row colours: haze grows toward the layer's base (valley mist) */
    int32_t *rowc = blk + L->row + (size_t)k * H, *srow = blk + L->srow + (size_t)k * H;
    float hz0 = l->haze + s->fog * 0.3f * (1.f - l->haze);
    if (r->rowcache) { /* they depend on the scene only: computed once at open */
      memcpy(rowc, r->rowcache + (size_t)k * 2 * H, (size_t)H * sizeof(int32_t));
      if (l->snow) memcpy(srow, r->rowcache + ((size_t)k * 2 + 1) * H, (size_t)H * sizeof(int32_t));
    } else {
      float ytop = l->base - l->amp, ybot = l->base + 0.12f;
      for (int y = 0; y < H; y++) {
        float c[3], cu[3], cs[3];
        float Y = ((float)y + 0.5f) / (float)H;
        float m = l->mist * osc_vsmooth(ytop + l->amp * 0.5f, ybot, Y);
        lit_colour(r, P, l, hz0 + m * (1.f - hz0), c);
        /* chroma rows use the colour at the chroma row's centre */
        float Yc = ((float)(2 * y) + 1.f) / (float)H;
        float mc = l->mist * osc_vsmooth(ytop + l->amp * 0.5f, ybot, Yc);
        lit_colour(r, P, l, hz0 + mc * (1.f - hz0), cu);
        uint32_t py = pack_yuv(P, c), pc = pack_yuv(P, cu);
        rowc[y] = (int32_t)((py & 0xff) | (pc & 0xffff00));
        if (l->snow) {
          osc_vlspec sn = *l;
          sn.alb[0] = 0.95f; sn.alb[1] = 0.96f; sn.alb[2] = 1.0f;
          lit_colour(r, P, &sn, hz0 * 0.9f, cs);
          uint32_t ps = pack_yuv(P, cs);
          srow[y] = (int32_t)ps;
        }
      }
    }
    /* low-res tops and reflection colours for water */
    if (water && l->shore) {
      float *lotop = (float *)(blk + L->lotop) + (size_t)k * r->lw;
      for (int i = 0; i < r->lw; i++) {
        int x = i << OSC_VLO_SHIFT;
        if (x >= W) x = W - 1;
        lotop[i] = ((float)top[x] + 128.f) / 256.f / (float)H;
      }
      float c[3];
      lit_colour(r, P, l, hz0 + 0.15f, c);
      for (int i = 0; i < 3; i++) P->refl_col[k][i] = c[i] * 0.8f;
      if (k == nrefl && nrefl < OSC_VMAXREFL) nrefl++;
    }
  }
  P->nrefl = nrefl;
}

/* ---- sprites ---- */

static void put_yuv_px(uint8_t *y, int ys, int W, int H, int px, int py, int cy, float a) {
  if (px < 0 || py < 0 || px >= W || py >= H || a <= 0.f) return;
  uint8_t *p = y + (size_t)py * ys + px;
  *p = (uint8_t)lrintf((float)*p + ((float)cy - (float)*p) * (a > 1.f ? 1.f : a));
}

static float dens_at(const osc_renderer *r, const float *dens, int px, int py) {
  int i = px >> OSC_VLO_SHIFT, j = py >> OSC_VLO_SHIFT;
  if (i >= r->lw) i = r->lw - 1;
  if (j >= r->lh) j = r->lh - 1;
  return dens[(size_t)j * r->lw + i];
}

static void draw_disc(const osc_renderer *r, const osc_vplan *P, const float *dens, const int32_t *sky_end, float cx,
                      float cy, float rad, const float *rgb, float crater, uint8_t *y, int ys, uint8_t *u, int us,
                      uint8_t *v, int vs) {
  float fy, fu, fv;
  osc_vgrade_yuv(P, rgb[0], rgb[1], rgb[2], &fy, &fu, &fv);
  int x0 = (int)floorf(cx - rad - 1), x1 = (int)ceilf(cx + rad + 1);
  int y0 = (int)floorf(cy - rad - 1), y1 = (int)ceilf(cy + rad + 1);
  for (int py = y0; py <= y1; py++) {
    if (py < 0 || py >= r->H) continue;
    for (int px = x0; px <= x1; px++) {
      if (px < 0 || px >= r->W || py >= sky_end[px]) continue;
      float dx = (float)px + 0.5f - cx, dy = (float)py + 0.5f - cy;
      float d = sqrtf(dx * dx + dy * dy);
      float a = clampf(rad - d + 0.5f, 0.f, 1.f) * (1.f - 0.92f * dens_at(r, dens, px, py));
      if (a <= 0.f) continue;
      float c = fy;
      if (crater > 0.f) c -= crater * 40.f * osc_vnoise(dx / rad * 3.f + 11.f, dy / rad * 3.f + 5.f);
      put_yuv_px(y, ys, r->W, r->H, px, py, (int)c, a);
      if (!(px & 1) && !(py & 1)) {
        put_yuv_px(u, us, r->cw, r->chh, px / 2, py / 2, (int)fu, a);
        put_yuv_px(v, vs, r->cw, r->chh, px / 2, py / 2, (int)fv, a);
      }
    }
  }
}

static void draw_sprites(const osc_renderer *r, const osc_vplan *P, const int32_t *blk, const float *dens,
                         const int32_t *sky_end, uint8_t *y, int ys, uint8_t *u, int us, uint8_t *v, int vs) {
  const osc_scene *s = r->s;
  const int W = r->W, H = r->H;
  const float Hf = (float)H, t = P->t;
  float night = g_tod[r->tod].night;
  /* stars */
  if (r->nstars && night > 0.f) {
    float pan = P->cam_x * 0.05f;
    for (int i = 0; i < r->nstars; i++) {
      const osc_vstar *st = &r->stars[i];
      int px = (int)floorf((st->x - pan + P->half_w) * Hf), py = (int)floorf(st->y * Hf);
      if (px < 1 || px >= W - 1 || py < 1 || py >= H - 1 || py >= sky_end[px] - 2) continue;
      float hfade = clampf((r->vh - st->y) / 0.12f, 0.f, 1.f);
      float b = st->mag * night * hfade * (0.7f + 0.3f * sinf(t * st->freq * 2.f * PI_F + st->phase)) *
                (1.f - dens_at(r, dens, px, py)) * (1.f - P->flash);
      if (b <= 0.02f) continue;
      int c = 16 + (int)(219.f * b);
      uint8_t *p = y + (size_t)py * ys + px;
      if (*p < c) *p = (uint8_t)c;
      if (st->mag > 0.6f) {
        int c2 = 16 + (int)(219.f * b * 0.35f);
        if (p[1] < c2) p[1] = (uint8_t)c2;
        if (p[-1] < c2) p[-1] = (uint8_t)c2;
        if (p[ys] < c2) p[ys] = (uint8_t)c2;
        if (p[-ys] < c2) p[-ys] = (uint8_t)c2;
      }
    }
  }
  /* sun and moon discs (behind the scenery, dimmed by clouds) */
  if (r->tod != OSC_TOD_NIGHT) {
    const float sc[3] = {P->sun_col[0] * 2.2f + 0.4f, P->sun_col[1] * 2.2f + 0.35f, P->sun_col[2] * 2.f + 0.2f};
    draw_disc(r, P, dens, sky_end, (P->sun_x + P->half_w) * Hf, P->sun_y * Hf, r->sun_r * Hf, sc, 0.f, y, ys, u, us, v, vs);
  }
  if (s->moon) {
    const float mc[3] = {0.95f, 0.95f, 0.9f};
    draw_disc(r, P, dens, sky_end, (P->moon_x + P->half_w) * Hf, P->moon_y * Hf, r->moon_r * Hf, mc, 1.f, y, ys, u, us, v, vs);
  }
  /* city windows at dusk and night */
  if (s->has[OSC_VE_CITY] && (r->tod == OSC_TOD_NIGHT || r->tod == OSC_TOD_DUSK || r->tod == OSC_TOD_SUNSET)) {
    float plit = r->tod == OSC_TOD_SUNSET ? 0.12f : 0.38f;
    int wsp = H / 120 < 3 ? 3 : H / 120, wh = wsp / 2 < 1 ? 1 : wsp / 2;
    for (int k = 0; k < r->nl; k++) {
      if (r->spec[k].kind != OSC_LK_CITY) continue;
      const int32_t *top = blk + r->L.top + (size_t)k * W;
      int ymax = P->layer[k].ymax;
      const float fade = 1.f - r->spec[k].haze * 0.8f;
      const int fa = (int)(fade * 256.f + 0.5f), fc = (int)(fade * 0.8f * 256.f + 0.5f);
      const uint32_t thr = (uint32_t)(plit * 1023.f); /* lit when (hash & 1023) / 1023 <= plit */
      for (int x = 0; x < W; x++) {
        int col = x / wsp, cx = x % wsp;
        if (cx >= wh + 1 || cx == 0) continue;
        int ytop = (top[x] >> 8) + wsp;
        /* first row a nearer layer covers (the windows stop there) */
        int yend = ymax;
        for (int k2 = k + 1; k2 < r->nl; k2++) {
          const int32_t *t2 = blk + r->L.top + (size_t)k2 * W;
          int yo = (t2[x] - 128 + 255) >> 8; /* first yy with (yy << 8) + 128 >= t2[x] */
          yo = yo > ytop ? yo : ytop;
          if (yo < P->layer[k2].ymax && yo < yend) yend = yo;
        }
        int row = ytop / wsp, ry = ytop % wsp;
        for (int yy = ytop; yy < yend; yy++, ry++) {
          if (ry == wsp) { ry = 0; row++; }
          if (ry == 0 || ry > wh) continue;
          uint32_t hh = osc_vhash2(col * 31 + k, row + (int32_t)(s->var & 0xffff));
          if ((hh & 1023) > thr) continue;
          int cy = 120 + (int)((hh >> 10) % 90);
          uint8_t *p = y + (size_t)yy * ys + x;
          *p = (uint8_t)(*p + (((cy - *p) * fa + 128) >> 8));
          if (!(x & 1) && !(yy & 1)) {
            uint8_t *pu = u + (size_t)(yy >> 1) * us + (x >> 1), *pv = v + (size_t)(yy >> 1) * vs + (x >> 1);
            *pu = (uint8_t)(*pu + (((100 - *pu) * fc + 128) >> 8));
            *pv = (uint8_t)(*pv + (((150 - *pv) * fc + 128) >> 8));
          }
        }
      }
    }
  }
  /* lightning bolt during the first part of a flash */
  if (P->flash > 0.3f) {
    uint64_t hh = osc_mix64(s->var ^ (uint64_t)floorf(t / 2.3f));
    float bx = ((float)(hh % 1000) / 1000.f * 1.4f - 0.7f) * P->half_w;
    float by = 0.04f;
    for (int seg = 0; seg < 16; seg++) {
      hh = osc_mix64(hh);
      float nx = bx + ((float)(hh % 1000) / 1000.f - 0.5f) * 0.05f, ny = by + (r->vh - 0.04f) / 16.f;
      int steps = (int)((ny - by) * Hf) + 1;
      for (int k = 0; k <= steps; k++) {
        float fx = mixf(bx, nx, (float)k / (float)steps), fy = mixf(by, ny, (float)k / (float)steps);
        int px = (int)((fx + P->half_w) * Hf), py = (int)(fy * Hf);
        for (int w = -1; w <= 1; w++) put_yuv_px(y, ys, W, H, px + w, py, 240, w == 0 ? 1.f : 0.5f);
      }
      bx = nx; by = ny;
    }
  }
  /* rain streaks */
  if (s->rain > 0.f) {
    int n = (int)(260.f * s->rain * (float)W / 1280.f);
    uint64_t st = s->var ^ 0x7a1u;
    for (int i = 0; i < n; i++) {
      float x0 = rnd01(&st) * 1.2f - 0.1f, ph = rnd01(&st), z = 0.3f + 0.7f * rnd01(&st);
      float len = (0.025f + 0.035f * z) * Hf, vel = (1.1f + 0.8f * z) * Hf;
      float cycle = (Hf + len) / vel;
      float yt = frac(ph + t / cycle) * (Hf + len) - len;
      float xs = x0 * (float)W - 0.18f * yt;
      float a = 0.1f + 0.22f * z;
      for (int k = 0; k < (int)len; k++)
        put_yuv_px(y, ys, W, H, (int)(xs - 0.18f * (float)k), (int)(yt + (float)k), 200, a * (0.4f + 0.6f * (float)k / len));
    }
  }
  /* Snow flakes: three depths of soft round flakes (a smooth radial falloff,
   * never a hard disc), size, opacity and speed growing with nearness,
   * motion-blurred along their path over half a frame (a 180-degree
   * shutter), swaying and carried by the wind; lit by the scene (dimmer at
   * night). */
  if (s->snow > 0.f) {
    int n = (int)(700.f * s->snow * (float)W / 1280.f);
    uint64_t st = s->var ^ 0x5a0u;
    const float scale = Hf / 720.f, shutter = 0.5f / (float)r->fps;
    const float lum = 16.f + 219.f * (0.95f - 0.2f * night);
    const float wind = (s->pan >= 0.f ? 1.f : -1.f) * (0.02f + 0.5f * fabsf(s->pan));
    for (int i = 0; i < n; i++) {
      float x0 = rnd01(&st), ph = rnd01(&st), zr = rnd01(&st);
      float fq = 0.15f + 0.35f * rnd01(&st), ph2 = rnd01(&st) * 6.28f, sz = 0.7f + 0.6f * rnd01(&st);
      float z = zr * zr; /* most flakes far away */
      float rad = (0.7f + 4.2f * z * z) * sz * scale;        /* px */
      float vel = 0.05f + 0.26f * z;                          /* H per second */
      float sway = (0.004f + 0.02f * z) * Hf / (float)W;      /* in frame widths */
      float a0 = (0.4f + 0.6f * z) * (1.f - 0.4f * z * z);   /* near flakes are big but thin */
      float span = 1.f + 2.f * rad / Hf;
      float fy = frac(ph + t * vel / span) * span - rad / Hf;
      float vx = wind * (0.3f + 0.7f * z) + sway * 6.28f * fq * cosf(t * fq * 6.28f + ph2) * (float)W / Hf;
      float fx = frac(x0 + sway * sinf(t * fq * 6.28f + ph2) + (wind * (0.3f + 0.7f * z) * t - P->cam_x * 0.6f * z) * Hf / (float)W);
      float cx = fx * (float)W, cy = fy * Hf;
      /* blur segment over the shutter: from (cx - bx, cy - by) to (cx, cy) */
      float bx = vx * shutter * Hf, by = vel * shutter * Hf;
      float l2 = bx * bx + by * by;
      float ext = rad * 1.6f + 1.f;
      int xa = (int)floorf(cx - ext - (bx > 0.f ? bx : 0.f)), xb = (int)ceilf(cx + ext - (bx < 0.f ? bx : 0.f));
      int ya = (int)floorf(cy - ext - by), yb = (int)ceilf(cy + ext);
      if (xb < 0 || xa >= W || yb < 0 || ya >= H) continue;
      /* spreading the flake over its path keeps its energy */
      float amp = a0 * (rad + 0.5f) / (rad + 0.5f + 0.5f * sqrtf(l2));
      float inv = 1.f / (rad * 1.6f + 0.5f);
      xa = xa < 0 ? 0 : xa; xb = xb >= W ? W - 1 : xb;
      ya = ya < 0 ? 0 : ya; yb = yb >= H ? H - 1 : yb;
      const float il2 = l2 > 0.f ? 1.f / l2 : 0.f;
      const int ilum = (int)lum;
      for (int py = ya; py <= yb; py++) {
        uint8_t *yr = y + (size_t)py * ys;
        float dy = (float)py + 0.5f - cy;
        for (int px = xa; px <= xb; px++) {
          float dx = (float)px + 0.5f - cx;
          float tt = clampf((dx * -bx + dy * -by) * il2, 0.f, 1.f);
          float ex = dx + bx * tt, ey = dy + by * tt;
          float q = 1.f - sqrtf(ex * ex + ey * ey) * inv;
          if (q <= 0.f) continue;
          int a = (int)(amp * q * q * (3.f - 2.f * q) * 256.f + 0.5f); /* 0..256 */
          yr[px] = (uint8_t)(yr[px] + (((ilum - yr[px]) * a + 128) >> 8));
          if (!(px & 1) && !(py & 1)) {
            uint8_t *pu = u + (size_t)(py >> 1) * us + (px >> 1), *pv = v + (size_t)(py >> 1) * vs + (px >> 1);
            int ac = a * 13 >> 4;
            *pu = (uint8_t)(*pu + (((128 - *pu) * ac + 128) >> 8));
            *pv = (uint8_t)(*pv + (((128 - *pv) * ac + 128) >> 8));
          }
        }
      }
    }
  }
}

/* ---- scratch pool ---- */

static void scratch_free(osc_vscratch *sc) {
  if (!sc) return;
  free(sc->layers); free(sc->loY); free(sc->loU); free(sc->loV); free(sc->loF); free(sc->dens);
  free(sc->h0); free(sc->h1); free(sc->hf0); free(sc->hf1); free(sc->sky_end); free(sc->wtmp);
  free(sc);
}

static osc_vscratch *scratch_get(osc_renderer *r) {
  pthread_mutex_lock(&r->mu);
  osc_vscratch *sc = r->pool;
  if (sc) { r->pool = sc->next; r->npool--; }
  pthread_mutex_unlock(&r->mu);
  if (sc) return sc;
  sc = calloc(1, sizeof *sc);
  if (!sc) return NULL;
  size_t lo = (size_t)r->lw * r->lh;
  sc->layers = calloc(1, r->L.total_bytes);
  sc->loY = malloc(lo * 2); sc->loU = malloc(lo * 2); sc->loV = malloc(lo * 2); sc->loF = malloc(lo * 2);
  sc->dens = malloc(lo * sizeof(float));
  size_t hw = (size_t)r->W + 16;
  sc->h0 = malloc(hw * 2); sc->h1 = malloc(hw * 2); sc->hf0 = malloc(hw * 2); sc->hf1 = malloc(hw * 2);
  sc->sky_end = malloc((size_t)r->W * sizeof(int32_t) + hw); /* + one u8 row for the fog alpha */
  sc->wtmp = malloc((size_t)r->W * 2 * sizeof(float));
  if (!sc->layers || !sc->loY || !sc->loU || !sc->loV || !sc->loF || !sc->dens || !sc->h0 || !sc->h1 || !sc->hf0 ||
      !sc->hf1 || !sc->sky_end || !sc->wtmp) {
    scratch_free(sc);
    return NULL;
  }
  return sc;
}

static void scratch_put(osc_renderer *r, osc_vscratch *sc) {
  pthread_mutex_lock(&r->mu);
  if (r->npool < 32) {
    sc->next = r->pool;
    r->pool = sc;
    r->npool++;
    sc = NULL;
  }
  pthread_mutex_unlock(&r->mu);
  scratch_free(sc);
}

/* ---- API ---- */

int osc__video_renderer_open(const osc_scene *s, int width, int height, int fps, const char *device,
                             osc_renderer **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "renderer_open: out is NULL");
  *out = NULL;
  if (!s) return osc_seterr(OSC_EINVAL, "renderer_open: scene is NULL");
  if (width < 16 || width > 7680 || height < 16 || height > 4320)
    return osc_seterr(OSC_EINVAL, "resolution: %dx%d is outside 16x16..7680x4320", width, height);
  if ((width & 1) || (height & 1))
    return osc_seterr(OSC_EINVAL, "resolution: %dx%d must have even width and height (YUV420P)", width, height);
  if (fps < 1 || fps > 240) return osc_seterr(OSC_EINVAL, "fps: %d is outside 1..240", fps);
  if (!device) device = "auto";
  bool want_cuda = strcmp(device, "cuda") == 0, want_auto = strcmp(device, "auto") == 0;
  if (!want_cuda && !want_auto && strcmp(device, "cpu") != 0)
    return osc_seterr(OSC_EINVAL, "device: '%s' is not one of auto, cpu, cuda", device);
  osc_renderer *r = calloc(1, sizeof *r);
  if (!r) return osc_seterr(OSC_ENOMEM, "renderer: out of memory");
  r->s = s; r->W = width; r->H = height; r->fps = fps;
  r->cw = width / 2; r->chh = height / 2;
  r->lw = (width >> OSC_VLO_SHIFT) + 2;
  r->lh = (height >> OSC_VLO_SHIFT) + 2;
  osc_vlayout_make(&r->L, width, height, r->cw, r->chh, r->lw);
  pthread_mutex_init(&r->mu, NULL);
  pthread_mutex_init(&r->cuda_mu, NULL);
  r->device = "cpu";
  setup_scene(r);
  /* Per-row layer colours depend on the scene only (palette, haze, mist,
   * grade): plan frame 0 once and keep them (about 8 KB per layer at 1080p). */
  {
    osc_vscratch *sc = scratch_get(r);
    int32_t *rc = r->nl ? malloc((size_t)r->nl * 2 * (size_t)height * sizeof(int32_t)) : NULL;
    if (sc && rc) {
      plan_frame(r, 0, &sc->plan, sc->layers, sc->sky_end, sc->wtmp);
      for (int k = 0; k < r->nl; k++) {
        memcpy(rc + (size_t)k * 2 * height, sc->layers + r->L.row + (size_t)k * height, (size_t)height * sizeof(int32_t));
        memcpy(rc + ((size_t)k * 2 + 1) * height, sc->layers + r->L.srow + (size_t)k * height,
               (size_t)height * sizeof(int32_t));
      }
      r->rowcache = rc;
      rc = NULL;
    }
    free(rc);
    if (sc) scratch_put(r, sc);
  }
  if (want_cuda || want_auto) {
#ifdef OSC_HAVE_VIDEO_CUDA
    char why[256] = "";
    if (osc__vcuda_open(width, height, r->lw, r->lh, r->L.total_bytes, &r->cuda, why, sizeof why) == 0) {
      r->device = "cuda";
    } else if (want_cuda) {
      OSC_WARN("video", "device=cuda: no usable GPU (%s); rendering on the CPU", why);
    } else {
      OSC_INFO("video", "device=auto: no usable GPU (%s); rendering on the CPU", why);
    }
#else
    if (want_cuda)
      OSC_WARN("video", "device=cuda: this build has no CUDA renderer (built without nvcc); rendering on the CPU");
    else
      OSC_DEBUG("video", "device=auto: this build has no CUDA renderer; rendering on the CPU");
#endif
  }
  *out = r;
  return OSC_OK;
}

void osc__video_renderer_close(osc_renderer *r) {
  if (!r) return;
#ifdef OSC_HAVE_VIDEO_CUDA
  osc__vcuda_close(r->cuda);
#endif
  while (r->pool) {
    osc_vscratch *n = r->pool->next;
    scratch_free(r->pool);
    r->pool = n;
  }
  pthread_mutex_destroy(&r->mu);
  pthread_mutex_destroy(&r->cuda_mu);
  free(r->stars);
  free(r->rowcache);
  free(r);
}

const char *osc__video_renderer_device(const osc_renderer *r) { return r ? r->device : "cpu"; }

int osc__video_render_frame(osc_renderer *r, int64_t index, uint8_t *y, int ys, uint8_t *u, int us, uint8_t *v,
                            int vs) {
  if (!r) return osc_seterr(OSC_EINVAL, "render_frame: renderer is NULL");
  if (index < 0) return osc_seterr(OSC_EINVAL, "render_frame: index %lld is below 0", (long long)index);
  if (!y || !u || !v) return osc_seterr(OSC_EINVAL, "render_frame: a plane is NULL");
  if (ys < r->W || us < r->cw || vs < r->cw)
    return osc_seterr(OSC_EINVAL, "render_frame: strides %d/%d/%d are below the widths %d/%d", ys, us, vs, r->W, r->cw);
  osc_vscratch *sc = scratch_get(r);
  if (!sc) return osc_seterr(OSC_ENOMEM, "render_frame: out of memory");
  plan_frame(r, index, &sc->plan, sc->layers, sc->sky_end, sc->wtmp);
  int rc = OSC_OK;
#ifdef OSC_HAVE_VIDEO_CUDA
  if (r->cuda) {
    char why[256] = "";
    pthread_mutex_lock(&r->cuda_mu);
    int e = osc__vcuda_render(r->cuda, &sc->plan, sc->layers, r->L.total_bytes, y, ys, u, us, v, vs, sc->dens, why,
                              sizeof why);
    pthread_mutex_unlock(&r->cuda_mu);
    if (e != 0) rc = osc_seterr(OSC_EIO, "render_frame: GPU: %s", why);
  } else
#endif
  {
    osc__vcpu_lowres(&sc->plan, sc->layers, &r->L, sc);
    osc__vcpu_compose(&sc->plan, sc->layers, &r->L, sc, y, ys, u, us, v, vs);
  }
  if (rc == OSC_OK) draw_sprites(r, &sc->plan, sc->layers, sc->dens, sc->sky_end, y, ys, u, us, v, vs);
  scratch_put(r, sc);
  return rc;
}


/* ---- YUV -> RGB and PNG ---- */

static uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)); }

void osc__video_yuv_to_rgb(const uint8_t *y, int ys, const uint8_t *u, int us, const uint8_t *v, int vs, int w,
                           int h, uint8_t *rgb) {
  /* BT.709 limited range, 16.16 fixed point */
  const int cy = 76309, crv = 117489, cgu = 13975, cgv = 34925, cbu = 138438;
  for (int j = 0; j < h; j++) {
    const uint8_t *yr = y + (size_t)j * ys, *ur = u + (size_t)(j / 2) * us, *vr = v + (size_t)(j / 2) * vs;
    uint8_t *o = rgb + (size_t)j * w * 3;
    for (int i = 0; i < w; i++) {
      int Y = (yr[i] - 16) * cy, U = ur[i / 2] - 128, V = vr[i / 2] - 128;
      o[3 * i + 0] = clamp8((Y + crv * V + 32768) >> 16);
      o[3 * i + 1] = clamp8((Y - cgu * U - cgv * V + 32768) >> 16);
      o[3 * i + 2] = clamp8((Y + cbu * U + 32768) >> 16);
    }
  }
}

int osc__video_write_png(const uint8_t *rgb, int w, int h, const char *path) {
  if (!rgb || !path || w <= 0 || h <= 0) return osc_seterr(OSC_EINVAL, "write_png: bad arguments");
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = (png_uint_32)w;
  img.height = (png_uint_32)h;
  img.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&img, path, 0, rgb, w * 3, NULL)) {
    int e = osc_seterr(OSC_EIO, "%s: cannot write PNG: %s", path, img.message);
    png_image_free(&img);
    return e;
  }
  return OSC_OK;
}

int osc__video_render_png(const char *prompt, uint64_t seed, int w, int h, int fps, int64_t index, const char *path) {
  osc_scene *s = NULL;
  osc_renderer *r = NULL;
  uint8_t *buf = NULL, *rgb = NULL;
  int rc = osc__video_scene_from_prompt(prompt, seed, &s);
  if (rc) return rc;
  if ((rc = osc__video_renderer_open(s, w, h, fps, "cpu", &r))) goto out;
  size_t ysz = (size_t)w * h, csz = ysz / 4;
  buf = malloc(ysz + 2 * csz);
  rgb = malloc(ysz * 3);
  if (!buf || !rgb) { rc = osc_seterr(OSC_ENOMEM, "render_png: out of memory"); goto out; }
  if ((rc = osc__video_render_frame(r, index, buf, w, buf + ysz, w / 2, buf + ysz + csz, w / 2))) goto out;
  osc__video_yuv_to_rgb(buf, w, buf + ysz, w / 2, buf + ysz + csz, w / 2, w, h, rgb);
  rc = osc__video_write_png(rgb, w, h, path);
out:
  free(buf); free(rgb);
  osc__video_renderer_close(r);
  osc__video_scene_free(s);
  return rc;
}
