/*
 * tests/video/render_test.c - prompt -> scene, the lexicon, and the CPU
 * renderer: determinism, temporal coherence, scene selection, bad input,
 * PNG output.  (Speed is measured by bench/video/render_bench.c, not here.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "video/render.h"

typedef struct {
  int w, h;
  uint8_t *buf;
} frame;

static void frame_alloc(frame *f, int w, int h) {
  f->w = w; f->h = h;
  f->buf = malloc((size_t)w * h * 3 / 2);
  assert_non_null(f->buf);
}

static int render(osc_renderer *r, frame *f, int64_t i) {
  size_t ysz = (size_t)f->w * f->h;
  return osc__video_render_frame(r, i, f->buf, f->w, f->buf + ysz, f->w / 2, f->buf + ysz + ysz / 4, f->w / 2);
}

static uint64_t frame_hash(const frame *f) { return osc_hash64(f->buf, (size_t)f->w * f->h * 3 / 2, 1); }

static double mad(const frame *a, const frame *b) {
  size_t n = (size_t)a->w * a->h * 3 / 2;
  double s = 0;
  for (size_t i = 0; i < n; i++) s += abs((int)a->buf[i] - (int)b->buf[i]);
  return s / (double)n;
}

static osc_renderer *open_r(const char *prompt, uint64_t seed, int w, int h, osc_scene **sp) {
  osc_scene *s = NULL;
  osc_renderer *r = NULL;
  assert_int_equal(osc__video_scene_from_prompt(prompt, seed, &s), OSC_OK);
  assert_int_equal(osc__video_renderer_open(s, w, h, 30, "cpu", &r), OSC_OK);
  *sp = s;
  return r;
}

static void test_lexicon(void **st) {
  (void)st;
  assert_true(osc__video_lexicon_element_count() >= 30);
  char *js = NULL;
  assert_int_equal(osc__video_lexicon_json(&js), OSC_OK);
  json_t *j = NULL;
  assert_int_equal(osc_json_parse(js, strlen(js), true, &j), OSC_OK);
  json_t *els = json_object_get(j, "elements");
  assert_true(json_array_size(els) >= 30);
  int seen_sunset = 0;
  json_t *w;
  size_t i;
  json_array_foreach(json_object_get(j, "words"), i, w) {
    assert_non_null(json_string_value(json_object_get(w, "description")));
    if (strcmp(json_string_value(json_object_get(w, "word")), "sundown") == 0) {
      assert_string_equal(json_string_value(json_object_get(w, "element")), "sunset");
      seen_sunset = 1;
    }
  }
  assert_true(seen_sunset);
  json_decref(j);
  free(js);
}

/* docs/video_lexicon.md is the table rendered as Markdown: it must match. */
static void test_lexicon_doc(void **st) {
  (void)st;
  const char *src = getenv("OSC_SOURCE_DIR");
  if (!src) src = ".";
  char path[1024];
  snprintf(path, sizeof path, "%s/docs/video_lexicon.md", src);
  char *doc = NULL, *md = NULL;
  size_t len = 0;
  assert_int_equal(osc__video_lexicon_markdown(&md), OSC_OK);
  int rc = osc_read_file(path, 1 << 20, &doc, &len);
  if (rc != OSC_OK) fprintf(stderr, "cannot read %s: %s\n", path, osc_errmsg());
  assert_int_equal(rc, OSC_OK);
  if (strcmp(doc, md) != 0)
    fprintf(stderr, "docs/video_lexicon.md is stale: regenerate it with test_video_render --write-lexicon-doc\n");
  assert_string_equal(doc, md);
  free(doc);
  free(md);
}

static const struct {
  const char *prompt;
  const char *has[6];
  const char *not_has[3];
} g_sel[] = {
    {"Beautiful sunset", {"sunset", "vibrant"}, {"night", "rain"}},
    {"snowy mountains at night", {"snow", "mountains", "night"}, {"sunset", "ocean"}},
    {"A calm lake at dawn with fog", {"lake", "sunrise", "fog", "calm"}, {"night"}},
    {"stormy ocean, dramatic", {"ocean", "storm", "rain", "lightning", "dramatic"}, {"snow"}},
    {"Northern lights over the fjord", {"aurora", "night", "lake"}, {"noon"}},
    {"golden hour in the desert dunes", {"golden_hour", "desert"}, {"ocean"}},
    {"neon city skyline at midnight in the rain", {"city", "night", "rain"}, {"desert"}},
    {"pine forest in autumn, panning", {"forest", "autumn", "pan"}, {"city"}},
    {"tropical beach at noon, seaside", {"beach", "ocean", "noon"}, {"night"}},
    {"sundown over rolling hills and meadows", {"sunset", "hills", "fields"}, {"night"}},
    {"starry sky zooming", {"stars", "night", "zoom"}, {"rain"}},
    {"moonlit misty valley", {"moon", "fog", "hills", "night"}, {"noon"}},
};

static void test_scene_selection(void **st) {
  (void)st;
  for (size_t i = 0; i < sizeof g_sel / sizeof g_sel[0]; i++) {
    osc_scene *s = NULL;
    assert_int_equal(osc__video_scene_from_prompt(g_sel[i].prompt, 1, &s), OSC_OK);
    for (int k = 0; k < 6 && g_sel[i].has[k]; k++) {
      if (!osc__video_scene_has(s, g_sel[i].has[k]))
        fail_msg("prompt '%s': expected element '%s'", g_sel[i].prompt, g_sel[i].has[k]);
    }
    for (int k = 0; k < 3 && g_sel[i].not_has[k]; k++) {
      if (osc__video_scene_has(s, g_sel[i].not_has[k]))
        fail_msg("prompt '%s': unexpected element '%s'", g_sel[i].prompt, g_sel[i].not_has[k]);
    }
    char *js = NULL;
    assert_int_equal(osc__video_scene_json(s, &js), OSC_OK);
    json_t *j = NULL;
    assert_int_equal(osc_json_parse(js, strlen(js), true, &j), OSC_OK);
    assert_false(json_is_true(json_object_get(j, "default")));
    assert_true(json_array_size(json_object_get(j, "matched")) > 0);
    json_decref(j);
    free(js);
    osc__video_scene_free(s);
  }
}

static void test_unknown_words(void **st) {
  (void)st;
  osc_scene *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(osc__video_scene_from_prompt("sunset ocean", 3, &a), OSC_OK);
  assert_int_equal(osc__video_scene_from_prompt("florp Sunset, zzyzx OCEAN!!! \xd0\xbf\xd1\x80\xd0\xb8 \xe6\x97\xa5", 3, &b), OSC_OK);
  const char *names[] = {"sunset", "ocean", "night", "mountains", "rain"};
  for (int i = 0; i < 5; i++) assert_int_equal(osc__video_scene_has(a, names[i]), osc__video_scene_has(b, names[i]));
  /* nothing known: the default scene, reported as such */
  assert_int_equal(osc__video_scene_from_prompt("qwerty asdf \xe2\x80\x8f", 3, &c), OSC_OK);
  char *js = NULL;
  assert_int_equal(osc__video_scene_json(c, &js), OSC_OK);
  assert_non_null(strstr(js, "\"default\":true"));
  assert_true(osc__video_scene_has(c, "golden_hour") && osc__video_scene_has(c, "lake"));
  free(js);
  osc__video_scene_free(c);
  assert_int_equal(osc__video_scene_from_prompt(NULL, 3, &c), OSC_EINVAL);
  assert_null(c);
  osc__video_scene_free(a);
  osc__video_scene_free(b);
  osc__video_scene_free(osc__video_scene_from_prompt("", 0, &c) == OSC_OK ? c : NULL);
}

static void test_determinism(void **st) {
  (void)st;
  const char *prompts[] = {"Beautiful sunset over the ocean", "snowy mountains at night", "city skyline at dusk in the rain",
                           "aurora over a lake", "foggy forest at sunrise", "desert storm"};
  frame f1, f2;
  frame_alloc(&f1, 320, 180);
  frame_alloc(&f2, 320, 180);
  for (size_t p = 0; p < sizeof prompts / sizeof prompts[0]; p++) {
    osc_scene *s1, *s2, *s3;
    osc_renderer *r1 = open_r(prompts[p], 42, 320, 180, &s1);
    osc_renderer *r2 = open_r(prompts[p], 42, 320, 180, &s2);
    osc_renderer *r3 = open_r(prompts[p], 43, 320, 180, &s3);
    for (int64_t i = 0; i < 40; i += 13) {
      assert_int_equal(render(r1, &f1, i), OSC_OK);
      assert_int_equal(render(r2, &f2, i), OSC_OK);
      assert_int_equal(frame_hash(&f1), frame_hash(&f2));
      assert_int_equal(render(r3, &f2, i), OSC_OK);
      assert_int_not_equal(frame_hash(&f1), frame_hash(&f2));
    }
    /* rendering out of order gives the same frame */
    assert_int_equal(render(r1, &f1, 7), OSC_OK);
    uint64_t h7 = frame_hash(&f1);
    assert_int_equal(render(r1, &f1, 30), OSC_OK);
    assert_int_equal(render(r1, &f1, 7), OSC_OK);
    assert_int_equal(frame_hash(&f1), h7);
    osc__video_renderer_close(r1); osc__video_renderer_close(r2); osc__video_renderer_close(r3);
    osc__video_scene_free(s1); osc__video_scene_free(s2); osc__video_scene_free(s3);
  }
  free(f1.buf);
  free(f2.buf);
}

static void test_temporal_coherence(void **st) {
  (void)st;
  const char *prompts[] = {"sunset ocean with clouds, panning", "snowy mountains at night", "calm lake at golden hour"};
  frame a, b, c;
  frame_alloc(&a, 480, 270);
  frame_alloc(&b, 480, 270);
  frame_alloc(&c, 480, 270);
  for (size_t p = 0; p < 3; p++) {
    osc_scene *s;
    osc_renderer *r = open_r(prompts[p], 5, 480, 270, &s);
    assert_int_equal(render(r, &a, 60), OSC_OK);
    assert_int_equal(render(r, &b, 61), OSC_OK);
    assert_int_equal(render(r, &c, 60 + 30 * 20), OSC_OK);
    double near = mad(&a, &b), far = mad(&a, &c);
    fprintf(stderr, "%s: consecutive %.3f, 20 s apart %.3f\n", prompts[p], near, far);
    assert_true(near < 2.5);        /* consecutive frames are close */
    assert_true(far > near * 2.0);  /* distant frames differ */
    assert_true(far > 0.5);
    osc__video_renderer_close(r);
    osc__video_scene_free(s);
  }
  free(a.buf); free(b.buf); free(c.buf);
}

static void test_bad_args(void **st) {
  (void)st;
  osc_scene *s;
  osc_renderer *r = NULL;
  assert_int_equal(osc__video_scene_from_prompt("sunset", 1, &s), OSC_OK);
  assert_int_equal(osc__video_renderer_open(s, 0, 720, 30, "cpu", &r), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "resolution"));
  assert_int_equal(osc__video_renderer_open(s, 1281, 720, 30, "cpu", &r), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "even"));
  assert_int_equal(osc__video_renderer_open(s, 1280, 721, 30, "cpu", &r), OSC_EINVAL);
  assert_int_equal(osc__video_renderer_open(s, 100000, 720, 30, "cpu", &r), OSC_EINVAL);
  assert_int_equal(osc__video_renderer_open(s, -2, -2, 30, "cpu", &r), OSC_EINVAL);
  assert_int_equal(osc__video_renderer_open(s, 1280, 720, 0, "cpu", &r), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "fps"));
  assert_int_equal(osc__video_renderer_open(s, 1280, 720, 30, "gpu", &r), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "device"));
  assert_int_equal(osc__video_renderer_open(NULL, 1280, 720, 30, "cpu", &r), OSC_EINVAL);
  assert_null(r);
  assert_int_equal(osc__video_renderer_open(s, 64, 36, 30, NULL, &r), OSC_OK);
  uint8_t buf[64 * 36 * 3 / 2];
  assert_int_equal(osc__video_render_frame(r, -1, buf, 64, buf + 2304, 32, buf + 2880, 32), OSC_EINVAL);
  assert_int_equal(osc__video_render_frame(r, 0, buf, 32, buf + 2304, 32, buf + 2880, 32), OSC_EINVAL);
  assert_int_equal(osc__video_render_frame(r, 0, NULL, 64, buf + 2304, 32, buf + 2880, 32), OSC_EINVAL);
  assert_int_equal(osc__video_render_frame(r, 0, buf, 64, buf + 2304, 32, buf + 2880, 32), OSC_OK);
  osc__video_renderer_close(r);
  osc__video_scene_free(s);
}

/* auto/cuda without a GPU (or without a CUDA build) fall back to the CPU. */
static void test_device_fallback(void **st) {
  (void)st;
  osc_scene *s;
  osc_renderer *r = NULL;
  assert_int_equal(osc__video_scene_from_prompt("sunset", 1, &s), OSC_OK);
  const char *devs[] = {"auto", "cuda", "cpu"};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(osc__video_renderer_open(s, 128, 72, 30, devs[i], &r), OSC_OK);
    const char *d = osc__video_renderer_device(r);
    assert_true(strcmp(d, "cpu") == 0 || (i < 2 && strcmp(d, "cuda") == 0));
    frame f;
    frame_alloc(&f, 128, 72);
    assert_int_equal(render(r, &f, 3), OSC_OK);
    free(f.buf);
    osc__video_renderer_close(r);
  }
  osc__video_scene_free(s);
}

static void test_png(void **st) {
  (void)st;
  char dir[] = "/tmp/osc_vr_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/f.png", dir);
  assert_int_equal(osc__video_render_png("sunset over the sea", 1, 320, 180, 30, 10, path), OSC_OK);
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  unsigned char sig[8];
  assert_int_equal(fread(sig, 1, 8, fp), 8);
  fclose(fp);
  assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
  unlink(path);
  snprintf(path, sizeof path, "%s/no/such/dir/f.png", dir);
  assert_int_equal(osc__video_render_png("sunset", 1, 64, 36, 30, 0, path), OSC_EIO);
  assert_non_null(strstr(osc_errmsg(), path));
  rmdir(dir);
  /* YUV -> RGB of mid grey / limited-range white */
  uint8_t y[4] = {126, 126, 235, 235}, u = 128, v = 128, rgb[12];
  osc__video_yuv_to_rgb(y, 2, &u, 1, &v, 1, 2, 2, rgb);
  assert_true(abs(rgb[0] - 128) <= 1 && abs(rgb[1] - 128) <= 1);
  assert_int_equal(rgb[6], 255);
}

static void test_mood(void **st) {
  (void)st;
  osc_scene *s;
  assert_int_equal(osc__video_scene_from_prompt("sunset", 1, &s), OSC_OK);
  osc__video_scene_set_mood(s, 5.0);
  char *js = NULL;
  assert_int_equal(osc__video_scene_json(s, &js), OSC_OK);
  assert_non_null(strstr(js, "\"valence\":1.0"));
  free(js);
  osc__video_scene_free(s);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--write-lexicon-doc") == 0) {
    char *md = NULL;
    if (osc__video_lexicon_markdown(&md) != OSC_OK) return 1;
    fputs(md, stdout);
    free(md);
    return 0;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lexicon),          cmocka_unit_test(test_lexicon_doc),
      cmocka_unit_test(test_scene_selection),  cmocka_unit_test(test_unknown_words),
      cmocka_unit_test(test_determinism),      cmocka_unit_test(test_temporal_coherence),
      cmocka_unit_test(test_bad_args),         cmocka_unit_test(test_device_fallback),
      cmocka_unit_test(test_png),              cmocka_unit_test(test_mood),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
