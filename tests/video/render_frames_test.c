/*
 * tests/video/render_frames_test.c - the frame-parallel producer: frames come
 * out in order with the same bytes as a direct render, the ring bounds the
 * memory, cancel stops it, close without draining is clean.  Concurrent:
 * labelled tsan.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "video/render.h"

#define W 192
#define H 108

static uint64_t hash_frame(const osc_video_frame *fr) {
  uint64_t h = 7;
  for (int y = 0; y < H; y++) h = osc_hash64(fr->data[0] + (size_t)y * fr->linesize[0], W, h);
  for (int p = 1; p < 3; p++)
    for (int y = 0; y < H / 2; y++) h = osc_hash64(fr->data[p] + (size_t)y * fr->linesize[p], W / 2, h);
  return h;
}

static uint64_t hash_direct(osc_renderer *r, int64_t i) {
  static uint8_t buf[W * H * 3 / 2];
  osc_video_frame fr = {i, {buf, buf + W * H, buf + W * H + W * H / 4}, {W, W / 2, W / 2}};
  assert_int_equal(osc__video_render_frame(r, i, fr.data[0], W, fr.data[1], W / 2, fr.data[2], W / 2), OSC_OK);
  return hash_frame(&fr);
}

static void test_order(void **st) {
  (void)st;
  osc_scene *s;
  osc_renderer *r;
  assert_int_equal(osc__video_scene_from_prompt("stormy sea at dusk with snow", 9, &s), OSC_OK);
  assert_int_equal(osc__video_renderer_open(s, W, H, 30, "cpu", &r), OSC_OK);
  const int total = 45;
  uint64_t want[45];
  for (int i = 0; i < total; i++) want[i] = hash_direct(r, i);
  for (int threads = 1; threads <= 4; threads++) {
    osc_video_frames *f;
    assert_int_equal(osc__video_frames_open(r, total, threads, threads == 3 ? 4 : 0, &f), OSC_OK);
    osc_video_frame *fr;
    int n = 0;
    while (osc__video_frames_next(f, &fr) == OSC_OK) {
      assert_int_equal(fr->index, n);
      assert_int_equal(hash_frame(fr), want[n]);
      memset(fr->data[0], 0, W); /* the consumer may draw on a frame before release */
      osc__video_frames_release(f, fr);
      n++;
    }
    assert_int_equal(n, total);
    assert_int_equal(osc__video_frames_next(f, &fr), OSC_ENOENT);
    assert_true(osc__video_frames_render_ns(f) > 0);
    osc__video_frames_close(f);
  }
  osc__video_renderer_close(r);
  osc__video_scene_free(s);
}

typedef struct {
  osc_video_frames *f;
} cancel_arg;

static void *canceller(void *p) {
  cancel_arg *a = p;
  osc__video_frames_cancel(a->f);
  return NULL;
}

static void test_cancel(void **st) {
  (void)st;
  osc_scene *s;
  osc_renderer *r;
  assert_int_equal(osc__video_scene_from_prompt("city at night", 2, &s), OSC_OK);
  assert_int_equal(osc__video_renderer_open(s, W, H, 30, "cpu", &r), OSC_OK);
  osc_video_frames *f;
  assert_int_equal(osc__video_frames_open(r, 1000000, 2, 3, &f), OSC_OK);
  osc_video_frame *fr;
  for (int i = 0; i < 10; i++) {
    assert_int_equal(osc__video_frames_next(f, &fr), OSC_OK);
    assert_int_equal(fr->index, i);
    osc__video_frames_release(f, fr);
  }
  pthread_t th;
  cancel_arg a = {f};
  pthread_create(&th, NULL, canceller, &a);
  pthread_join(th, NULL);
  assert_int_equal(osc__video_frames_next(f, &fr), OSC_ECANCELED);
  osc__video_frames_close(f);
  /* close with frames in flight and one held, never drained */
  assert_int_equal(osc__video_frames_open(r, 500, 2, 0, &f), OSC_OK);
  assert_int_equal(osc__video_frames_next(f, &fr), OSC_OK);
  osc__video_frames_close(f);
  /* zero frames */
  assert_int_equal(osc__video_frames_open(r, 0, 2, 0, &f), OSC_OK);
  assert_int_equal(osc__video_frames_next(f, &fr), OSC_ENOENT);
  osc__video_frames_close(f);
  assert_int_equal(osc__video_frames_open(r, 10, -1, 0, &f), OSC_EINVAL);
  assert_int_equal(osc__video_frames_open(NULL, 10, 1, 0, &f), OSC_EINVAL);
  osc__video_renderer_close(r);
  osc__video_scene_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_order), cmocka_unit_test(test_cancel)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
