/*
 * video/render_kern.h - the per-pixel maths of the renderer, shared by the
 * CPU renderer (render_cpu.c) and the CUDA renderer (cuda/render.cu).
 *
 * Everything here is a pure function of a per-frame plan (osc_vplan, plain
 * data computed on the host by render.c) and pixel coordinates, so the two
 * back ends produce the same frames (up to float rounding).  Written in the
 * common subset of C11 and CUDA C++; no libc calls but sqrtf/sinf.
 *
 * Coordinates: screen X = (x + 0.5 - W/2) / H, Y = (y + 0.5) / H (0 at the
 * top).  The low-resolution grid samples full-resolution pixel 4*i.
 *
 * Fixed point: low-res Y/U/V are u16 with 6 fractional bits (0..16320), so a
 * x4 bilinear sum still fits 16 bits.  Layer tops are int32 rows with 8
 * fractional bits.
 */
#ifndef OSC_VIDEO_RENDER_KERN_H
#define OSC_VIDEO_RENDER_KERN_H

#include <math.h>
#include <stdint.h>

#if defined(__CUDA_ARCH__)
#define OSC_UNROLL _Pragma("unroll")
#elif defined(__CUDACC__)
#define OSC_UNROLL
#else
#define OSC_UNROLL _Pragma("GCC unroll 8")
#endif
#ifdef __CUDACC__
#define OSC_HD __host__ __device__ __forceinline__
#else
#define OSC_HD static inline __attribute__((always_inline))
#endif

#define OSC_VL_MAXLAYERS 12
#define OSC_VLO_SHIFT 2 /* low-res = full / 4 per axis */
#define OSC_VLO_FRAC 6  /* fractional bits of low-res samples */

enum { OSC_VWATER_NONE = 0, OSC_VWATER_OCEAN = 1, OSC_VWATER_LAKE = 2 };

/* Per-layer scalars of a frame. */
typedef struct osc_vlayer {
  int ymin;     /* first row any column reaches (floor of min top) */
  int yfull;    /* first row fully covered at every column */
  int ymax;     /* rows >= ymax are not covered (water below a far shore) */
  int snow;     /* has a snow line */
  int ysnow;    /* rows >= ysnow have no snow (first row below every snow line) */
  int kind;
  int shade_k;  /* shade fade with depth below the ridge: att = 256 - depth(8.8) * shade_k >> 16, >= 90 */
} osc_vlayer;

typedef struct osc_vplan {
  int W, H, lw, lh, cw, chh; /* full, low-res (lw x lh) and chroma (cw x chh) sizes */
  int nlayers, nrefl;        /* layers; the first nrefl ones are mirrored in a lake */
  int water, aurora_on, clouds_on, fog_on;
  float t, half_w, vh;       /* time s; W/2/H; horizon Y */
  float zen[3], hor[3], band[3];
  float sun_x, sun_y, sun_col[3], sun_glow, sun_halo, sun_band;
  float moon_x, moon_y, moon_col[3], moon_glow;
  float cloud_thr, cloud_alpha, cloud_scale, cloud_ox, cloud_oy, cloud_par;
  float cloud_lit[3], cloud_dark[3];
  float aurora, aurora_t;
  float wave_amp, wave_t, water_deep[3], glint, fresnel0;
  float refl_col[OSC_VL_MAXLAYERS][3];
  float fog, fog_col[3], fog_t, fog_top;
  float exposure, warm, sat, contrast, vignette, flash;
  float cam_x;
  osc_vlayer layer[OSC_VL_MAXLAYERS];
} osc_vplan;

/* Per-frame layer arrays, one contiguous block (uploaded as is to the GPU).
 * Offsets in elements from the start of the block, for layer k:
 *   top   int32 [k*W + x]     (8.8 rows)      shade int32 [k*W + x] (Y delta)
 *   snow  int32 [k*W + x]     (8.8 rows; row above it is snow)
 *   topc  int32 [k*cw + xc]   (8.8 chroma rows)
 *   snowc int32 [k*cw + xc]
 *   row   int32 [k*H + y] packed Y | U<<8 | V<<16 (U, V of chroma row y/2 in rows < chh)
 *   srow  int32 [k*H + y] same for snow colour
 *   lotop float [k*lw + i]    (Y of the ridge at low-res column i, for lake reflections) */
typedef struct osc_vlayout {
  size_t top, shade, snow, topc, snowc, row, srow, lotop, total_bytes;
} osc_vlayout;

OSC_HD void osc_vlayout_make(osc_vlayout *L, int W, int H, int cw, int chh, int lw) {
  size_t o = 0;
  int n = OSC_VL_MAXLAYERS;
  L->top = o; o += (size_t)n * W;
  L->shade = o; o += (size_t)n * W;
  L->snow = o; o += (size_t)n * W;
  L->topc = o; o += (size_t)n * cw;
  L->snowc = o; o += (size_t)n * cw;
  L->row = o; o += (size_t)n * H;
  L->srow = o; o += (size_t)n * H;
  L->lotop = o; o += (size_t)n * lw;
  (void)chh;
  L->total_bytes = o * 4;
}

/* ---- noise ---- */

OSC_HD uint32_t osc_vhash2(int32_t x, int32_t y) {
  uint32_t h = ((uint32_t)x * 0x27d4eb2du) ^ ((uint32_t)y * 0x165667b1u);
  h ^= h >> 15; h *= 0x2c1b3c6du; h ^= h >> 12; h *= 0x297a2d39u; h ^= h >> 15;
  return h;
}

OSC_HD float osc_vfloorf(float x, int32_t *ix) {
  int32_t i = (int32_t)x;
  i -= (x < (float)i);
  *ix = i;
  return x - (float)i;
}

/* Value noise in [0,1], smooth (C1), table-free so loops over it vectorise. */
OSC_HD float osc_vnoise(float x, float y) {
  int32_t ix, iy;
  float fx = osc_vfloorf(x, &ix), fy = osc_vfloorf(y, &iy);
  float ux = fx * fx * (3.f - 2.f * fx), uy = fy * fy * (3.f - 2.f * fy);
  const float k = 1.f / 65535.f;
  float a = (float)(int32_t)(osc_vhash2(ix, iy) & 0xffffu) * k;
  float b = (float)(int32_t)(osc_vhash2(ix + 1, iy) & 0xffffu) * k;
  float c = (float)(int32_t)(osc_vhash2(ix, iy + 1) & 0xffffu) * k;
  float d = (float)(int32_t)(osc_vhash2(ix + 1, iy + 1) & 0xffffu) * k;
  return a + (b - a) * ux + (c - a) * uy + (a - b - c + d) * ux * uy;
}

OSC_HD float osc_vfbm(float x, float y, int oct) {
  float s = 0.f, amp = 0.5f, norm = 0.f;
  OSC_UNROLL
  for (int i = 0; i < oct; i++) {
    s += amp * osc_vnoise(x, y);
    norm += amp;
    /* rotate ~37 degrees and scale each octave to hide the lattice */
    float nx = 1.6f * x - 1.2f * y + 17.3f, ny = 1.2f * x + 1.6f * y + 5.7f;
    x = nx; y = ny;
    amp *= 0.5f;
  }
  return s / norm;
}

/* Branch-free (two selects that map to max/min) so GCC if-converts and vectorises callers. */
OSC_HD float osc_vclamp01(float x) {
  x = x > 0.f ? x : 0.f;
  return x < 1.f ? x : 1.f;
}
OSC_HD float osc_vsmooth(float e0, float e1, float x) {
  float t = osc_vclamp01((x - e0) / (e1 - e0));
  return t * t * (3.f - 2.f * t);
}

/* ---- colour ---- */

/* Soft shoulder above 0.75 so the sun glow saturates smoothly. */
OSC_HD float osc_vtone(float c) {
  float e = c - 0.75f, l = c < 0.75f ? c : 0.75f;
  e = e > 0.f ? e : 0.f;
  l = l > 0.f ? l : 0.f;
  return l + (0.25f - 0.25f / (1.f + 4.f * e)); /* = c below 0.75 (e = 0), the shoulder above */
}

typedef struct osc_vrgb { float r, g, b; } osc_vrgb;
typedef struct osc_vyuvf { float y, u, v, fog; } osc_vyuvf;
typedef struct osc_vskyout { osc_vrgb c; float dens; } osc_vskyout;
/* Everything is passed and returned by value: no addressable locals, so the
 * CPU loops vectorise (GCC will not vectorise stores to per-lane arrays). */

/* Grades an RGB triple and converts it to BT.709 limited-range Y, U, V (0..255 floats). */
OSC_HD osc_vyuvf osc_vgrade(const osc_vplan *P, float r, float g, float b) {
  r *= P->exposure * (1.f + 0.10f * P->warm);
  g *= P->exposure * (1.f + 0.02f * P->warm);
  b *= P->exposure * (1.f - 0.12f * P->warm);
  r = osc_vtone(r); g = osc_vtone(g); b = osc_vtone(b);
  float l = 0.2126f * r + 0.7152f * g + 0.0722f * b;
  r = l + (r - l) * P->sat; g = l + (g - l) * P->sat; b = l + (b - l) * P->sat;
  r = 0.5f + (r - 0.5f) * P->contrast; g = 0.5f + (g - 0.5f) * P->contrast; b = 0.5f + (b - 0.5f) * P->contrast;
  r = osc_vclamp01(r); g = osc_vclamp01(g); b = osc_vclamp01(b);
  float yl = 0.2126f * r + 0.7152f * g + 0.0722f * b;
  osc_vyuvf o;
  o.y = 16.f + 219.f * yl;
  o.u = 128.f + 224.f * (b - yl) * (1.f / 1.8556f);
  o.v = 128.f + 224.f * (r - yl) * (1.f / 1.5748f);
  o.fog = 0.f;
  return o;
}

OSC_HD void osc_vgrade_yuv(const osc_vplan *P, float r, float g, float b, float *oy, float *ou, float *ov) {
  osc_vyuvf o = osc_vgrade(P, r, g, b);
  *oy = o.y; *ou = o.u; *ov = o.v;
}

/* Sky without clouds at screen (X, Y); h = height above the horizon in [0,1]. */
OSC_HD osc_vrgb osc_vsky(const osc_vplan *P, float X, float Y, float h) {
  float g = sqrtf(h);
  float hh = 1.f - h, hh2 = hh * hh, hh4 = hh2 * hh2;
  float dx = X - P->sun_x, dy = Y - P->sun_y;
  float d2 = dx * dx + dy * dy;
  float glow = P->sun_glow / (1.f + d2 * 500.f) + P->sun_halo / (1.f + d2 * 14.f);
  float band = P->sun_band * hh4 * hh4 / (1.f + dx * dx * 2.5f);
  float mx = X - P->moon_x, my = Y - P->moon_y;
  float mglow = P->moon_glow / (1.f + (mx * mx + my * my) * 220.f);
  osc_vrgb c;
  c.r = P->hor[0] + (P->zen[0] - P->hor[0]) * g + P->band[0] * band + P->sun_col[0] * glow + P->moon_col[0] * mglow;
  c.g = P->hor[1] + (P->zen[1] - P->hor[1]) * g + P->band[1] * band + P->sun_col[1] * glow + P->moon_col[1] * mglow;
  c.b = P->hor[2] + (P->zen[2] - P->hor[2]) * g + P->band[2] * band + P->sun_col[2] * glow + P->moon_col[2] * mglow;
  return c;
}

/* Aurora curtains: a wavy lower edge, vertical rays, fading upward. */
OSC_HD osc_vrgb osc_vaurora(const osc_vplan *P, float X, float Y, osc_vrgb c) {
  float ax = X * 1.1f + P->aurora_t * 0.025f;
  float yc = P->vh - 0.2f + 0.12f * (osc_vnoise(ax * 1.3f, 7.3f) - 0.5f) + 0.03f * osc_vnoise(ax * 4.f, P->aurora_t * 0.2f);
  float rays = osc_vnoise(ax * 14.f + P->aurora_t * 0.2f, 3.1f + P->aurora_t * 0.05f);
  float dy = yc - Y;
  float prof = dy < 0.f ? osc_vclamp01(1.f + dy * 25.f) : 1.f / (1.f + dy * dy * 40.f);
  prof *= prof;
  float inten = P->aurora * prof * (0.3f + 0.7f * rays * rays) * (0.35f + osc_vnoise(ax * 2.2f, P->aurora_t * 0.06f));
  float m = osc_vclamp01(dy * 3.5f);
  c.r += inten * (0.08f + 0.5f * m);
  c.g += inten * (0.9f - 0.75f * m);
  c.b += inten * (0.4f + 0.4f * m);
  return c;
}

/* Low-res sky sample (above the horizon): colour and cloud density. */
OSC_HD osc_vskyout osc_vlo_sky(const osc_vplan *P, float X, float Y, int aurora_on, int clouds_on) {
  osc_vskyout o;
  o.dens = 0.f;
  float h = osc_vclamp01((P->vh - Y) / P->vh);
  o.c = osc_vsky(P, X, Y, h);
  if (aurora_on) o.c = osc_vaurora(P, X, Y, o.c);
  if (clouds_on) {
    float z = 1.f / (h + 0.07f);
    float cu = (X - P->cam_x * P->cloud_par) * z * P->cloud_scale + P->cloud_ox;
    float cv = z * P->cloud_scale * 1.6f + P->cloud_oy;
    float n = osc_vfbm(cu, cv, 5);
    float fade = osc_vsmooth(0.0f, 0.22f, h);
    float dens = osc_vsmooth(P->cloud_thr, P->cloud_thr + 0.22f, n) * fade * P->cloud_alpha;
    float thick = osc_vclamp01((n - P->cloud_thr) * 2.8f);
    float dx = X - P->sun_x, dy = Y - P->sun_y;
    float near_sun = 1.f / (1.f + (dx * dx + dy * dy) * 30.f);
    float rim = near_sun * (1.f - thick) * 1.4f * P->sun_glow;
    float cr = P->cloud_lit[0] + (P->cloud_dark[0] - P->cloud_lit[0]) * thick + P->sun_col[0] * rim;
    float cg = P->cloud_lit[1] + (P->cloud_dark[1] - P->cloud_lit[1]) * thick + P->sun_col[1] * rim;
    float cb = P->cloud_lit[2] + (P->cloud_dark[2] - P->cloud_lit[2]) * thick + P->sun_col[2] * rim;
    o.c.r += (cr - o.c.r) * dens;
    o.c.g += (cg - o.c.g) * dens;
    o.c.b += (cb - o.c.b) * dens;
    o.dens = dens;
  }
  return o;
}

#define OSC_VMAXREFL 4

/* Low-res water sample (below the horizon): reflection of the sky and the far shore, waves, glint. */
OSC_HD osc_vrgb osc_vlo_water(const osc_vplan *P, const float *lotop, int lx, float X, float Y, int aurora_on) {
  float d = Y - P->vh, dmax = 1.f - P->vh;
  float z = 1.f / (d + 0.012f);
  float wu = X * z * 0.9f, wv = z * 1.1f;
  float w1 = osc_vnoise(wu * 1.5f + P->wave_t * 0.21f, wv * 2.2f + P->wave_t * 0.9f);
  float w2 = osc_vnoise(wu * 4.1f - P->wave_t * 0.33f, wv * 5.3f + P->wave_t * 1.7f);
  float wave = (w1 - 0.5f) + 0.5f * (w2 - 0.5f);
  float yr = P->vh - d * 0.9f - wave * P->wave_amp * (0.02f + d * 0.6f);
  float xr = X + wave * P->wave_amp * 0.02f;
  yr = yr < 0.f ? 0.f : yr;
  float hr = osc_vclamp01((P->vh - yr) / P->vh);
  osc_vrgb r = osc_vsky(P, xr, yr, hr);
  if (aurora_on) r = osc_vaurora(P, xr, yr, r);
  for (int k = 0; k < OSC_VMAXREFL; k++) {
    float m = (yr > lotop[k * P->lw + lx]) ? 1.f : 0.f; /* unconditional load: keeps the loop branch-free */
    m = k < P->nrefl ? m : 0.f;
    r.r += (P->refl_col[k][0] - r.r) * m;
    r.g += (P->refl_col[k][1] - r.g) * m;
    r.b += (P->refl_col[k][2] - r.b) * m;
  }
  float q = 1.f - d / dmax;
  float fres = P->fresnel0 + (0.92f - P->fresnel0) * q * q * q;
  float dx = X - P->sun_x;
  float wdt = 0.012f + d * 0.3f;
  float gl = P->glint / (1.f + dx * dx / (wdt * wdt));
  float sp = osc_vclamp01((w2 * 0.6f + w1 * 0.4f - 0.52f) * 5.f);
  float mdx = X - P->moon_x;
  float mgl = P->moon_glow / (1.f + mdx * mdx / (wdt * wdt * 0.5f));
  osc_vrgb c;
  c.r = P->water_deep[0] + (r.r - P->water_deep[0]) * fres + (P->sun_col[0] * gl + P->moon_col[0] * mgl) * sp;
  c.g = P->water_deep[1] + (r.g - P->water_deep[1]) * fres + (P->sun_col[1] * gl + P->moon_col[1] * mgl) * sp;
  c.b = P->water_deep[2] + (r.b - P->water_deep[2]) * fres + (P->sun_col[2] * gl + P->moon_col[2] * mgl) * sp;
  return c;
}

/* Flash, vignette, grade; fog alpha.  Y, U, V (0..255) and the fog alpha (0..1). */
OSC_HD osc_vyuvf osc_vlo_finish(const osc_vplan *P, float X, float Y, osc_vrgb c, int fog_on) {
  float fl = P->flash * (0.6f + 0.4f * osc_vclamp01(1.f - Y));
  float vx = X / P->half_w, vy = (Y - 0.5f) * 2.f;
  float vig = 1.f - P->vignette * (0.5f * vx * vx + 0.35f * vy * vy);
  osc_vyuvf o = osc_vgrade(P, (c.r + fl * 0.55f) * vig, (c.g + fl * 0.6f) * vig, (c.b + fl * 0.8f) * vig);
  if (fog_on) {
    float band = 1.f / (1.f + (Y - P->vh) * (Y - P->vh) * 30.f);
    float low = osc_vsmooth(P->fog_top, 1.f, Y);
    float n = osc_vfbm(X * 2.2f + P->fog_t * 0.04f, Y * 5.f - P->fog_t * 0.01f, 3);
    o.fog = P->fog * osc_vclamp01((0.55f * band + 0.45f * low) * (0.55f + 0.9f * (n - 0.35f)));
  }
  return o;
}

OSC_HD float osc_vlo_x(const osc_vplan *P, int lx) { return ((float)(lx << OSC_VLO_SHIFT) + 0.5f) / (float)P->H - P->half_w; }
OSC_HD float osc_vlo_y(const osc_vplan *P, int ly) { return ((float)(ly << OSC_VLO_SHIFT) + 0.5f) / (float)P->H; }
OSC_HD int osc_vlo_is_sky(const osc_vplan *P, float Y) { return Y <= P->vh || P->water == OSC_VWATER_NONE; }

/* One low-res sample (the GPU's entry point; the CPU runs the same parts row by row). */
OSC_HD osc_vyuvf osc_vlo_pixel(const osc_vplan *P, const float *lotop, int lx, int ly, float *odens) {
  float X = osc_vlo_x(P, lx), Y = osc_vlo_y(P, ly);
  osc_vrgb c;
  float dens = 0.f;
  if (osc_vlo_is_sky(P, Y)) {
    osc_vskyout so = osc_vlo_sky(P, X, Y, P->aurora_on, P->clouds_on);
    c = so.c;
    dens = so.dens;
  } else {
    c = osc_vlo_water(P, lotop, lx, X, Y, P->aurora_on);
  }
  *odens = dens;
  return osc_vlo_finish(P, X, Y, c, P->fog_on);
}

/* Bilinear x4 sample of a low-res u16 plane at full-res (x, y), factor 1<<s (2 for luma, 1 for chroma). */
OSC_HD int osc_vup(const uint16_t *lo, int lw, int x, int y, int s) {
  int i = x >> s, fx = x & ((1 << s) - 1);
  int j = y >> s, fy = y & ((1 << s) - 1);
  int n = 1 << s;
  const uint16_t *r0 = lo + (size_t)j * lw + i, *r1 = r0 + lw;
  int h0 = ((int)r0[0] * (n - fx) + (int)r0[1] * fx) >> s;
  int h1 = ((int)r1[0] * (n - fx) + (int)r1[1] * fx) >> s;
  return (h0 * (n - fy) + h1 * fy + (1 << (s + OSC_VLO_FRAC - 1))) >> (s + OSC_VLO_FRAC);
}

/* Blends a layer colour over a pixel with coverage from the 8.8 top. */
OSC_HD int osc_vblend(int dst, int c, int top, int y) {
  int a = ((y + 1) << 8) - top;
  a = a < 0 ? 0 : (a > 256 ? 256 : a);
  return dst + (((c - dst) * a + 128) >> 8);
}

OSC_HD int osc_vclampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Shade of a layer pixel: the column's shade (1/16 Y levels) faded with depth
 * below the ridge, then rounded to whole levels with a 4x4 ordered dither so
 * the smooth shade has no visible 1-level steps (dark scenes showed them as
 * vertical bands). */
OSC_HD int osc_vshade(int shade16, int top, int x, int y, int k) {
  int d = (y << 8) + 128 - top; /* 8.8 rows below the ridge; k <= 2047 so d * k fits */
  d = d < 0 ? 0 : (d > (1 << 20) ? (1 << 20) : d);
  d = d * k >> 16;
  d = d > 256 - 90 ? 256 - 90 : d;
  int b = ((((x ^ y) & 1) << 3) | ((y & 1) << 2) | (((x ^ y) & 2) << 0) | ((y >> 1) & 1)); /* Bayer 4x4, 0..15 */
  return ((shade16 * (256 - d) >> 8) + b) >> 4;
}

#endif
