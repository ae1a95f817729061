/*
 * tests/video/render_cuda_test.c - CPU vs CUDA renderer: PSNR >= 40 dB on
 * test scenes.  Runs only where a GPU is present; elsewhere it is skipped
 * with a message (the one allowed skip of the video tests).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oscontent/error.h"
#include "video/render.h"

static double psnr(const uint8_t *a, const uint8_t *b, size_t n) {
  double se = 0;
  for (size_t i = 0; i < n; i++) {
    double d = (double)a[i] - (double)b[i];
    se += d * d;
  }
  if (se == 0) return 99.0;
  return 10.0 * log10(255.0 * 255.0 / (se / (double)n));
}

static void test_cpu_vs_cuda(void **st) {
  (void)st;
  const char *prompts[] = {"Beautiful sunset over the ocean", "snowy mountains at night with aurora",
                           "foggy city skyline at dusk in the rain", "calm lake at golden hour"};
  const int w = 1280, h = 720;
  size_t n = (size_t)w * h * 3 / 2;
  uint8_t *a = malloc(n), *b = malloc(n);
  assert_non_null(a);
  assert_non_null(b);
  for (size_t p = 0; p < sizeof prompts / sizeof prompts[0]; p++) {
    osc_scene *s;
    osc_renderer *rc = NULL, *rg = NULL;
    assert_int_equal(osc__video_scene_from_prompt(prompts[p], 11, &s), OSC_OK);
    assert_int_equal(osc__video_renderer_open(s, w, h, 30, "cpu", &rc), OSC_OK);
    assert_int_equal(osc__video_renderer_open(s, w, h, 30, "cuda", &rg), OSC_OK);
    if (strcmp(osc__video_renderer_device(rg), "cuda") != 0) {
      osc__video_renderer_close(rc);
      osc__video_renderer_close(rg);
      osc__video_scene_free(s);
      free(a);
      free(b);
      fprintf(stderr, "SKIP: no usable CUDA GPU here (or a build without the CUDA renderer); "
                      "the CPU-vs-CUDA comparison runs only where a GPU exists\n");
      skip();
    }
    for (int64_t i = 0; i < 90; i += 41) {
      size_t ys = (size_t)w * h;
      assert_int_equal(osc__video_render_frame(rc, i, a, w, a + ys, w / 2, a + ys + ys / 4, w / 2), OSC_OK);
      assert_int_equal(osc__video_render_frame(rg, i, b, w, b + ys, w / 2, b + ys + ys / 4, w / 2), OSC_OK);
      double q = psnr(a, b, n);
      fprintf(stderr, "%s frame %lld: PSNR CPU vs CUDA %.2f dB\n", prompts[p], (long long)i, q);
      assert_true(q >= 40.0);
    }
    osc__video_renderer_close(rc);
    osc__video_renderer_close(rg);
    osc__video_scene_free(s);
  }
  free(a);
  free(b);
}

int main(void) {
  /* Skip (exit 77, SKIP_RETURN_CODE) with a clear message where there is no GPU. */
  osc_scene *s = NULL;
  osc_renderer *r = NULL;
  if (osc__video_scene_from_prompt("sunset", 1, &s) != OSC_OK || osc__video_renderer_open(s, 64, 36, 30, "cuda", &r) != OSC_OK)
    return 1;
  int gpu = strcmp(osc__video_renderer_device(r), "cuda") == 0;
  osc__video_renderer_close(r);
  osc__video_scene_free(s);
  if (!gpu) {
    fprintf(stderr, "SKIP: no usable CUDA GPU here (or a build without the CUDA renderer); "
                    "the CPU-vs-CUDA PSNR comparison runs only where a GPU exists\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_cpu_vs_cuda)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
