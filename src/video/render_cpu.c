/*
 * video/render_cpu.c - the CPU back end's per-pixel loops.
 *
 * Two passes per frame:
 *  1. low-res pass (1/4 per axis): sky gradient, sun/moon glow, fBm clouds on
 *     a perspective plane, aurora, water with reflections and glint, fog
 *     alpha; graded and converted to Y/U/V fixed point (render_kern.h).
 *  2. composite at full res, row by row: a separable bilinear upscale of the
 *     low-res planes (horizontal pass once per low-res row, vertical blend
 *     per output row, both straight loops the compiler vectorises), then the
 *     sharp silhouette layers with anti-aliased edges from 8.8 fixed-point
 *     tops, then the fog overlay.  Rows fully covered by an opaque layer skip
 *     the background and every layer behind it.
 * This file is built with -O3 (render.cmake) so GCC and clang vectorise the
 * loops at every build type but Debug.
 */
#include <string.h>

#include "video/render_int.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(OSC_SANITIZED)
#define OSC_VCLONES __attribute__((target_clones("avx2", "default")))
#else
#define OSC_VCLONES
#endif

static inline void lo_store(uint16_t *oy, uint16_t *ou, uint16_t *ov, uint16_t *of, int lx, osc_vyuvf o) {
  const float q = (float)(1 << OSC_VLO_FRAC);
  oy[lx] = (uint16_t)(int32_t)(o.y * q + 0.5f);
  ou[lx] = (uint16_t)(int32_t)(o.u * q + 0.5f);
  ov[lx] = (uint16_t)(int32_t)(o.v * q + 0.5f);
  of[lx] = (uint16_t)(int32_t)(o.fog * 255.f * q + 0.5f);
}

/* One low-res row.  The sky/water choice is uniform per row and the feature
 * flags are compile-time constants in each variant, so every loop is
 * branch-free per pixel and `omp simd` (-fopenmp-simd, no runtime) vectorises
 * it; target_clones adds an AVX2 copy picked at load time. */
#define OSC_SKY_LOOP(A, C, F)                                                                      \
  _Pragma("omp simd") for (int lx = 0; lx < lw; lx++) {                                           \
    float X = osc_vlo_x(P, lx);                                                                    \
    osc_vskyout so = osc_vlo_sky(P, X, Y, A, C);                                                   \
    lo_store(oy, ou, ov, of, lx, osc_vlo_finish(P, X, Y, so.c, F));                                \
    od[lx] = so.dens;                                                                              \
  }
#define OSC_WATER_LOOP(A, F)                                                                       \
  _Pragma("omp simd") for (int lx = 0; lx < lw; lx++) {                                           \
    float X = osc_vlo_x(P, lx);                                                                    \
    osc_vrgb c = osc_vlo_water(P, lotop, lx, X, Y, A);                                             \
    lo_store(oy, ou, ov, of, lx, osc_vlo_finish(P, X, Y, c, F));                                   \
    od[lx] = 0.f;                                                                                  \
  }

OSC_VCLONES static void lo_row(const osc_vplan *restrict Pin, const float *restrict lotop, int ly, uint16_t *restrict oy,
                               uint16_t *restrict ou, uint16_t *restrict ov, uint16_t *restrict of,
                               float *restrict od) {
  const osc_vplan Pl = *Pin; /* a local copy: its fields become loop invariants */
  const osc_vplan *P = &Pl;
  const int lw = P->lw;
  const float Y = osc_vlo_y(P, ly);
  const int a = P->aurora_on, cl = P->clouds_on, fg = P->fog_on;
  if (osc_vlo_is_sky(P, Y)) {
    switch (a * 4 + cl * 2 + fg) {
    case 0: OSC_SKY_LOOP(0, 0, 0) break;
    case 1: OSC_SKY_LOOP(0, 0, 1) break;
    case 2: OSC_SKY_LOOP(0, 1, 0) break;
    case 3: OSC_SKY_LOOP(0, 1, 1) break;
    case 4: OSC_SKY_LOOP(1, 0, 0) break;
    case 5: OSC_SKY_LOOP(1, 0, 1) break;
    case 6: OSC_SKY_LOOP(1, 1, 0) break;
    default: OSC_SKY_LOOP(1, 1, 1) break;
    }
  } else {
    switch (a * 2 + fg) {
    case 0: OSC_WATER_LOOP(0, 0) break;
    case 1: OSC_WATER_LOOP(0, 1) break;
    case 2: OSC_WATER_LOOP(1, 0) break;
    default: OSC_WATER_LOOP(1, 1) break;
    }
  }
}

/* Mountain ridge profile (render.c's profile() for OSC_LK_MOUNTAIN) for n
 * world x positions: 6 octaves of ridged value noise plus 2 smooth ones,
 * vectorised across columns (the octave loops have constant trip counts). */
OSC_VCLONES static void mountain_row(const float *restrict xw, float *restrict out, int n, float freq, uint32_t seed) {
  const float sy = (float)(seed % 1000u), sy2 = (float)((seed + 3u) % 1000u);
  _Pragma("omp simd") for (int x = 0; x < n; x++) {
    float xx = xw[x] * freq;
    float s = 0.f, a = 0.5f, nn = 0.f, f = 1.f;
    OSC_UNROLL for (int i = 0; i < 6; i++) {
      float v = osc_vnoise(xx * f, sy + 13.7f * (float)i);
      float rr = 1.f - fabsf(2.f * v - 1.f);
      s += a * rr * rr;
      nn += a;
      a *= 0.5f; f *= 2.03f;
    }
    float s2 = 0.f, a2 = 0.5f, n2 = 0.f, f2 = 1.f;
    OSC_UNROLL for (int i = 0; i < 2; i++) {
      s2 += a2 * osc_vnoise(xx * 0.5f * f2, sy2 + 7.1f * (float)i);
      n2 += a2;
      a2 *= 0.5f; f2 *= 2.1f;
    }
    float v = 0.65f * (s / nn) + 0.35f * (s2 / n2);
    out[x] = osc_vclamp01((v - 0.2f) * 1.6f);
  }
}

void osc__vcpu_mountain(const float *xw, float *out, int n, float freq, uint32_t seed) {
  mountain_row(xw, out, n, freq, seed);
}

void osc__vcpu_lowres(const osc_vplan *P, const int32_t *layers, const osc_vlayout *L, osc_vscratch *sc) {
  const float *lotop = (const float *)(layers + L->lotop);
  const int lw = P->lw;
  for (int ly = 0; ly < P->lh; ly++) {
    size_t o = (size_t)ly * lw;
    lo_row(P, lotop, ly, sc->loY + o, sc->loU + o, sc->loV + o, sc->loF + o, sc->dens + o);
  }
}

#define OSC_VINL static inline __attribute__((always_inline))

/* Horizontal x(1<<s) upscale of one low-res row into pw samples; the
 * interpolation weights are constants per case, so the body is a few
 * straight-line stores the SLP vectoriser packs. */
OSC_VINL void hup(uint16_t *restrict out, const uint16_t *restrict lo, int pw, int s) {
  if (s == 2) {
    const int ni = (pw + 3) >> 2;
    for (int i = 0; i < ni; i++) {
      const uint32_t a = lo[i], b = lo[i + 1];
      out[4 * i + 0] = (uint16_t)a;
      out[4 * i + 1] = (uint16_t)((3 * a + b) >> 2);
      out[4 * i + 2] = (uint16_t)((a + b) >> 1);
      out[4 * i + 3] = (uint16_t)((a + 3 * b) >> 2);
    }
  } else {
    const int ni = (pw + 1) >> 1;
    for (int i = 0; i < ni; i++) {
      const uint32_t a = lo[i], b = lo[i + 1];
      out[2 * i + 0] = (uint16_t)a;
      out[2 * i + 1] = (uint16_t)((a + b) >> 1);
    }
  }
}

/* Vertical blend of two upscaled rows into u8. */
OSC_VINL void vup(uint8_t *restrict dst, const uint16_t *restrict a, const uint16_t *restrict b, int pw, int s,
                int fy) {
  const uint32_t wa = (uint32_t)((1 << s) - fy), wb = (uint32_t)fy;
  const int sh = s + OSC_VLO_FRAC;
  const uint32_t rnd = 1u << (sh - 1);
  for (int x = 0; x < pw; x++) dst[x] = (uint8_t)((a[x] * wa + b[x] * wb + rnd) >> sh);
}

typedef struct {
  const uint16_t *lo;
  int lw, s, j;
  uint16_t *r0, *r1;
  int pw;
} upcache;

OSC_VINL void up_row(upcache *c, int y, uint8_t *dst) {
  int j = y >> c->s, fy = y & ((1 << c->s) - 1);
  if (j != c->j) {
    if (j == c->j + 1) {
      uint16_t *t = c->r0; c->r0 = c->r1; c->r1 = t;
      hup(c->r1, c->lo + (size_t)(j + 1) * c->lw, c->pw, c->s);
    } else {
      hup(c->r0, c->lo + (size_t)j * c->lw, c->pw, c->s);
      hup(c->r1, c->lo + (size_t)(j + 1) * c->lw, c->pw, c->s);
    }
    c->j = j;
  }
  vup(dst, c->r0, c->r1, c->pw, c->s, fy);
}

OSC_VINL void layer_row_full(uint8_t *restrict dst, int pw, int c, const int32_t *restrict shade,
                             const int32_t *restrict top, int y, int sk) {
  if (!shade) {
    memset(dst, c, (size_t)pw);
    return;
  }
  for (int x = 0; x < pw; x++) {
    int v = c + osc_vshade(shade[x], top[x], x, y, sk);
    dst[x] = (uint8_t)(v < 16 ? 16 : (v > 235 ? 235 : v));
  }
}

OSC_VINL void layer_row_edge(uint8_t *restrict dst, int pw, int c, const int32_t *restrict shade,
                             const int32_t *restrict top, int y, int sk) {
  const int y1 = (y + 1) << 8;
  for (int x = 0; x < pw; x++) {
    int cc = c + (shade ? osc_vshade(shade[x], top[x], x, y, sk) : 0);
    cc = cc < 16 ? 16 : (cc > 235 ? 235 : cc);
    int a = y1 - top[x];
    a = a < 0 ? 0 : (a > 256 ? 256 : a);
    int d = dst[x];
    dst[x] = (uint8_t)(d + (((cc - d) * a + 128) >> 8));
  }
}

/* Snow caps: pixels above the snow line take the snow colour. */
OSC_VINL void layer_row_snow(uint8_t *restrict dst, int pw, int cs, const int32_t *restrict shade,
                             const int32_t *restrict top, const int32_t *restrict snow, int y, int sk) {
  const int y1 = (y + 1) << 8, ym = (y << 8) + 128;
  for (int x = 0; x < pw; x++) {
    int a = y1 - top[x];
    a = a < 0 ? 0 : (a > 256 ? 256 : a);
    int sh = shade ? osc_vshade(shade[x], top[x], x, y, sk) : 0;
    int cc = cs + sh + (sh >> 1);
    cc = cc < 16 ? 16 : (cc > 235 ? 235 : cc);
    int d = dst[x];
    int v = d + (((cc - d) * a + 128) >> 8);
    dst[x] = (uint8_t)(ym < snow[x] ? v : dst[x]);
  }
}

OSC_VINL void fog_row(uint8_t *restrict dst, const uint8_t *restrict alpha, int pw, int fc) {
  for (int x = 0; x < pw; x++) {
    int d = dst[x];
    dst[x] = (uint8_t)(d + (((fc - d) * alpha[x] + 128) >> 8));
  }
}

OSC_VCLONES static void compose_plane(const osc_vplan *P, const int32_t *blk, const osc_vlayout *L, osc_vscratch *sc, int comp,
                          uint8_t *dst, int stride) {
  const bool ch = comp != 0;
  const int pw = ch ? P->cw : P->W, ph = ch ? P->chh : P->H, s = ch ? 1 : 2;
  const uint16_t *lo = comp == 0 ? sc->loY : (comp == 1 ? sc->loU : sc->loV);
  upcache uc = {lo, P->lw, s, -10, sc->h0, sc->h1, pw};
  upcache fc = {sc->loF, P->lw, s, -10, sc->hf0, sc->hf1, pw};
  const int shift = comp * 8;
  uint8_t *fa = NULL;
  int fogc = 0;
  if (P->fog_on) {
    fa = (uint8_t *)(sc->sky_end + P->W); /* scratch row after sky_end (sized in render.c) */
    osc_vyuvf fo = osc_vgrade(P, P->fog_col[0], P->fog_col[1], P->fog_col[2]);
    fogc = (int)((comp == 0 ? fo.y : (comp == 1 ? fo.u : fo.v)) + 0.5f);
  }
  for (int y = 0; y < ph; y++) {
    uint8_t *row = dst + (size_t)y * stride;
    int kstart = 0, kfull = -1;
    for (int k = P->nlayers - 1; k >= 0; k--) {
      const osc_vlayer *ly = &P->layer[k];
      int yfull = ch ? (ly->yfull + 1) / 2 + 1 : ly->yfull, ymax = ch ? ly->ymax / 2 : ly->ymax;
      int ysnow = ch ? ly->ysnow / 2 + 1 : ly->ysnow;
      if ((!ly->snow || y >= ysnow) && y >= yfull && y < ymax) { kfull = k; break; }
    }
    if (kfull >= 0) kstart = kfull;
    else up_row(&uc, y, row);
    for (int k = kstart; k < P->nlayers; k++) {
      const osc_vlayer *ly = &P->layer[k];
      int ymin = ch ? ly->ymin / 2 : ly->ymin, ymax = ch ? ly->ymax / 2 : ly->ymax;
      int yfull = ch ? (ly->yfull + 1) / 2 + 1 : ly->yfull;
      if (y < ymin || y >= ymax) continue;
      const int32_t *top = blk + (ch ? L->topc + (size_t)k * P->cw : L->top + (size_t)k * P->W);
      const int32_t *shade = ch ? NULL : blk + L->shade + (size_t)k * P->W;
      int ridx = y;
      int c = (blk[L->row + (size_t)k * P->H + ridx] >> shift) & 255;
      int ysnow = ch ? ly->ysnow / 2 + 1 : ly->ysnow;
      if (ly->snow && y < ysnow) {
        int cs = (blk[L->srow + (size_t)k * P->H + ridx] >> shift) & 255;
        const int32_t *snow = blk + (ch ? L->snowc + (size_t)k * P->cw : L->snow + (size_t)k * P->W);
        if (y >= yfull) layer_row_full(row, pw, c, shade, top, y, ly->shade_k);
        else layer_row_edge(row, pw, c, shade, top, y, ly->shade_k);
        layer_row_snow(row, pw, cs, shade, top, snow, y, ly->shade_k);
      } else if (y >= yfull) {
        layer_row_full(row, pw, c, shade, top, y, ly->shade_k);
      } else {
        layer_row_edge(row, pw, c, shade, top, y, ly->shade_k);
      }
    }
    if (fa) {
      up_row(&fc, y, fa);
      fog_row(row, fa, pw, fogc);
    }
  }
}

void osc__vcpu_compose(const osc_vplan *P, const int32_t *layers, const osc_vlayout *L, osc_vscratch *sc,
                       uint8_t *y, int ys, uint8_t *u, int us, uint8_t *v, int vs) {
  compose_plane(P, layers, L, sc, 0, y, ys);
  compose_plane(P, layers, L, sc, 1, u, us);
  compose_plane(P, layers, L, sc, 2, v, vs);
}
