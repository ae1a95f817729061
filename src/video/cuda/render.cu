/*
 * video/cuda/render.cu - the CUDA back end: the same per-pixel maths as the
 * CPU renderer (render_kern.h), one thread per pixel.
 *
 * Kernels: k_lo (low-res sky/water pass, osc_vlo_pixel) and k_compose (one
 * per plane: bilinear upscale of the low-res plane, the silhouette layers
 * with the same integer blend as render_cpu.c, the fog overlay).  The host
 * plans the frame (layer tops, row colours) and draws the sprites after the
 * planes come back, exactly as on the CPU path, so frames match the CPU's up
 * to float rounding in the low-res pass (PSNR checked by
 * tests/video/render_cuda_test.c where a GPU exists).
 *
 * The runtime is linked statically (cudart_static) and loads the driver at
 * run time: without a GPU or driver, cudaGetDeviceCount fails and
 * osc__vcuda_open reports why, and the renderer stays on the CPU.
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "video/render_cuda.h"

struct osc_vcuda {
  int W, H, lw, lh, cw, chh;
  size_t layer_bytes;
  void *d_layers;
  uint16_t *d_lo;   /* 4 planes of lw*lh: Y, U, V, fog */
  float *d_dens;    /* lw*lh */
  uint8_t *d_frame; /* Y (W*H) then U, V (cw*chh each), tightly packed */
  cudaStream_t st;
};

__global__ void k_lo(osc_vplan P, const float *lotop, uint16_t *lo, float *dens) {
  int lx = blockIdx.x * blockDim.x + threadIdx.x, ly = blockIdx.y * blockDim.y + threadIdx.y;
  if (lx >= P.lw || ly >= P.lh) return;
  float d;
  osc_vyuvf o = osc_vlo_pixel(&P, lotop, lx, ly, &d);
  size_t n = (size_t)P.lw * P.lh, i = (size_t)ly * P.lw + lx;
  const float q = (float)(1 << OSC_VLO_FRAC);
  lo[i] = (uint16_t)(int32_t)(o.y * q + 0.5f);
  lo[n + i] = (uint16_t)(int32_t)(o.u * q + 0.5f);
  lo[2 * n + i] = (uint16_t)(int32_t)(o.v * q + 0.5f);
  lo[3 * n + i] = (uint16_t)(int32_t)(o.fog * 255.f * q + 0.5f);
  dens[i] = d;
}

__global__ void k_compose(osc_vplan P, const int32_t *blk, osc_vlayout L, const uint16_t *lo, uint8_t *out, int comp) {
  const bool ch = comp != 0;
  const int pw = ch ? P.cw : P.W, ph = ch ? P.chh : P.H, s = ch ? 1 : 2;
  int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= pw || y >= ph) return;
  const size_t n = (size_t)P.lw * P.lh;
  const int shift = comp * 8;
  int v = osc_vup(lo + comp * n, P.lw, x, y, s);
  for (int k = 0; k < P.nlayers; k++) {
    const osc_vlayer *ly = &P.layer[k];
    int ymin = ch ? ly->ymin / 2 : ly->ymin, ymax = ch ? ly->ymax / 2 : ly->ymax;
    int yfull = ch ? (ly->yfull + 1) / 2 + 1 : ly->yfull;
    int ysnow = ch ? ly->ysnow / 2 + 1 : ly->ysnow;
    if (y < ymin || y >= ymax) continue;
    int top = blk[(ch ? L.topc + (size_t)k * P.cw : L.top + (size_t)k * P.W) + x];
    int shade = ch ? 0 : osc_vshade(blk[L.shade + (size_t)k * P.W + x], top, x, y, ly->shade_k);
    int c = (blk[L.row + (size_t)k * P.H + y] >> shift) & 255;
    if (y >= yfull) {
      v = ch ? c : osc_vclampi(c + shade, 16, 235);
    } else {
      v = osc_vblend(v, osc_vclampi(c + shade, 16, 235), top, y);
    }
    if (ly->snow && y < ysnow) {
      int cs = (blk[L.srow + (size_t)k * P.H + y] >> shift) & 255;
      int snow = blk[(ch ? L.snowc + (size_t)k * P.cw : L.snow + (size_t)k * P.W) + x];
      int v2 = osc_vblend(v, osc_vclampi(cs + shade + (shade >> 1), 16, 235), top, y);
      v = ((y << 8) + 128 < snow) ? v2 : v;
    }
  }
  if (P.fog_on) {
    int a = osc_vup(lo + 3 * n, P.lw, x, y, s);
    osc_vyuvf fo = osc_vgrade(&P, P.fog_col[0], P.fog_col[1], P.fog_col[2]);
    int fc = (int)((comp == 0 ? fo.y : (comp == 1 ? fo.u : fo.v)) + 0.5f);
    v = v + (((fc - v) * a + 128) >> 8);
  }
  out[(size_t)y * pw + x] = (uint8_t)v;
}

static int fail(char *why, size_t len, const char *what, cudaError_t e) {
  snprintf(why, len, "%s: %s", what, cudaGetErrorString(e));
  return -1;
}

extern "C" int osc__vcuda_open(int W, int H, int lw, int lh, size_t layer_bytes, osc_vcuda **out, char *why,
                               size_t why_len) {
  *out = NULL;
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) return fail(why, why_len, "cudaGetDeviceCount", e);
  if (n <= 0) {
    snprintf(why, why_len, "no CUDA device");
    return -1;
  }
  osc_vcuda *c = (osc_vcuda *)calloc(1, sizeof *c);
  if (!c) {
    snprintf(why, why_len, "out of memory");
    return -1;
  }
  c->W = W; c->H = H; c->lw = lw; c->lh = lh; c->cw = W / 2; c->chh = H / 2;
  c->layer_bytes = layer_bytes;
  size_t lo = (size_t)lw * lh;
  size_t fb = (size_t)W * H + 2 * (size_t)c->cw * c->chh;
  if ((e = cudaStreamCreate(&c->st)) != cudaSuccess || (e = cudaMalloc(&c->d_layers, layer_bytes)) != cudaSuccess ||
      (e = cudaMalloc((void **)&c->d_lo, lo * 4 * sizeof(uint16_t))) != cudaSuccess ||
      (e = cudaMalloc((void **)&c->d_dens, lo * sizeof(float))) != cudaSuccess ||
      (e = cudaMalloc((void **)&c->d_frame, fb)) != cudaSuccess) {
    fail(why, why_len, "cuda allocation", e);
    osc__vcuda_close(c);
    return -1;
  }
  *out = c;
  return 0;
}

extern "C" void osc__vcuda_close(osc_vcuda *c) {
  if (!c) return;
  cudaFree(c->d_layers);
  cudaFree(c->d_lo);
  cudaFree(c->d_dens);
  cudaFree(c->d_frame);
  if (c->st) cudaStreamDestroy(c->st);
  free(c);
}

extern "C" int osc__vcuda_render(osc_vcuda *c, const osc_vplan *P, const void *layers, size_t layer_bytes, uint8_t *y,
                                 int ys, uint8_t *u, int us, uint8_t *v, int vs, float *dens, char *why,
                                 size_t why_len) {
  cudaError_t e;
  osc_vlayout L;
  osc_vlayout_make(&L, c->W, c->H, c->cw, c->chh, c->lw);
  if ((e = cudaMemcpyAsync(c->d_layers, layers, layer_bytes, cudaMemcpyHostToDevice, c->st)) != cudaSuccess)
    return fail(why, why_len, "upload", e);
  const int32_t *blk = (const int32_t *)c->d_layers;
  const float *lotop = (const float *)(blk + L.lotop);
  dim3 b(32, 8);
  dim3 glo((c->lw + 31) / 32, (c->lh + 7) / 8);
  k_lo<<<glo, b, 0, c->st>>>(*P, lotop, c->d_lo, c->d_dens);
  uint8_t *dy = c->d_frame, *du = dy + (size_t)c->W * c->H, *dv = du + (size_t)c->cw * c->chh;
  dim3 gy((c->W + 31) / 32, (c->H + 7) / 8), gc((c->cw + 31) / 32, (c->chh + 7) / 8);
  k_compose<<<gy, b, 0, c->st>>>(*P, blk, L, c->d_lo, dy, 0);
  k_compose<<<gc, b, 0, c->st>>>(*P, blk, L, c->d_lo, du, 1);
  k_compose<<<gc, b, 0, c->st>>>(*P, blk, L, c->d_lo, dv, 2);
  if ((e = cudaGetLastError()) != cudaSuccess) return fail(why, why_len, "kernel launch", e);
  if ((e = cudaMemcpy2DAsync(y, ys, dy, c->W, c->W, c->H, cudaMemcpyDeviceToHost, c->st)) != cudaSuccess ||
      (e = cudaMemcpy2DAsync(u, us, du, c->cw, c->cw, c->chh, cudaMemcpyDeviceToHost, c->st)) != cudaSuccess ||
      (e = cudaMemcpy2DAsync(v, vs, dv, c->cw, c->cw, c->chh, cudaMemcpyDeviceToHost, c->st)) != cudaSuccess ||
      (e = cudaMemcpyAsync(dens, c->d_dens, (size_t)c->lw * c->lh * sizeof(float), cudaMemcpyDeviceToHost, c->st)) !=
          cudaSuccess)
    return fail(why, why_len, "download", e);
  if ((e = cudaStreamSynchronize(c->st)) != cudaSuccess) return fail(why, why_len, "render", e);
  return 0;
}
