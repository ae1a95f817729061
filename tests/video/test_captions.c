/* tests/video/test_captions.c - caption layout: wrapping within the safe area, long words,
 * any UTF-8, right-to-left text; blending into YUV planes only inside the caption box. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "video/video_internal.h"

typedef struct planes {
  int w, h;
  uint8_t *y, *u, *v;
} planes;

static planes mk(int w, int h) {
  planes p = {w, h, malloc((size_t)w * h), malloc((size_t)w * h / 4), malloc((size_t)w * h / 4)};
  memset(p.y, 100, (size_t)w * h);
  memset(p.u, 90, (size_t)w * h / 4);
  memset(p.v, 160, (size_t)w * h / 4);
  return p;
}

static void rel(planes *p) {
  free(p->y);
  free(p->u);
  free(p->v);
}

/* Checks the caption is inside the frame and the title-safe width, and that drawing touched
 * pixels only inside its box. */
static void check_caption(osc__captioner *c, planes *p, const char *text, int min_lines) {
  osc__caption_box b;
  assert_int_equal(osc__video_captioner_set(c, text, &b), OSC_OK);
  assert_true(b.lines >= min_lines);
  assert_true(b.lines <= 3);
  assert_true(b.max_line_w <= p->w * 8 / 10 + 2);
  assert_true(b.x >= 0 && b.y >= 0 && b.x + b.w <= p->w && b.y + b.h <= p->h);
  osc__video_captioner_draw(c, 1.0, p->y, p->w, p->u, p->w / 2, p->v, p->w / 2);
  int changed = 0;
  for (int yy = 0; yy < p->h; yy++)
    for (int xx = 0; xx < p->w; xx++) {
      if (p->y[(size_t)yy * p->w + xx] != 100) {
        changed++;
        assert_true(xx >= b.x && xx < b.x + b.w && yy >= b.y && yy < b.y + b.h);
      }
    }
  assert_true(changed > 50);
  memset(p->y, 100, (size_t)p->w * p->h);
}

static void test_wrap_and_long_words(void **st) {
  (void)st;
  planes p = mk(320, 180);
  osc__captioner *c = NULL;
  assert_int_equal(osc__video_captioner_open(OSC_VIDEO_DEFAULT_FONT, p.w, p.h, &c), OSC_OK);
  check_caption(c, &p, "Beautiful sunset", 1);
  check_caption(c, &p, "A calm ocean at golden hour with gentle waves and drifting clouds", 2);
  /* One word far wider than the frame is broken, not drawn off-screen. */
  check_caption(c, &p, "Supercalifragilisticexpialidociousnessandthensomemorelettersuntilitneverfits", 2);
  /* Much too much text: shrinks, then cuts with an ellipsis at three lines. */
  check_caption(c, &p,
                "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                "seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four",
                3);
  osc__caption_box b;
  assert_int_equal(osc__video_captioner_set(c, "   ", &b), OSC_OK); /* nothing visible, no crash */
  assert_int_equal(b.lines, 0);
  osc__video_captioner_close(c);
  rel(&p);
}

static void test_utf8_and_rtl(void **st) {
  (void)st;
  planes p = mk(640, 360);
  osc__captioner *c = NULL;
  assert_int_equal(osc__video_captioner_open(OSC_VIDEO_DEFAULT_FONT, p.w, p.h, &c), OSC_OK);
  check_caption(c, &p, "Crème brûlée — naïve façade, Ærøskøbing", 1);
  check_caption(c, &p, "Закат над морем", 1);                                 /* Cyrillic */
  check_caption(c, &p, "\xd8\xba\xd8\xb1\xd9\x88\xd8\xa8 \xd8\xac\xd9\x85\xd9\x8a\xd9\x84", 1); /* Arabic (RTL) */
  check_caption(c, &p, "\xd7\xa9\xd7\xa7\xd7\xa2\xd7\x94 \xd7\x99\xd7\xa4\xd7\x94 and English", 1); /* Hebrew + LTR */
  check_caption(c, &p, "日没 🌅 emoji and CJK", 1); /* glyphs missing from the font: boxes, no crash */
  osc__video_captioner_close(c);
  rel(&p);
}

static void test_timed_frames(void **st) {
  (void)st;
  planes p = mk(320, 180);
  osc__captioner *c = NULL;
  assert_int_equal(osc__video_captioner_open(OSC_VIDEO_DEFAULT_FONT, p.w, p.h, &c), OSC_OK);
  osc__vcaption caps[2] = {{"First", 0.0, 1.0}, {"Second", 1.0, 2.0}};
  assert_int_equal(osc__video_captions_frame(c, caps, 2, 2.5, p.y, p.w, p.u, p.w / 2, p.v, p.w / 2), OSC_OK);
  for (size_t i = 0; i < (size_t)p.w * p.h; i++) assert_int_equal(p.y[i], 100); /* after the end: nothing */
  assert_int_equal(osc__video_captions_frame(c, caps, 2, 0.5, p.y, p.w, p.u, p.w / 2, p.v, p.w / 2), OSC_OK);
  int white = 0;
  for (size_t i = 0; i < (size_t)p.w * p.h; i++) white += p.y[i] > 200;
  assert_true(white > 20);
  osc__video_captioner_close(c);
  rel(&p);
}

static void test_missing_font(void **st) {
  (void)st;
  osc__captioner *c = NULL;
  assert_int_equal(osc__video_captioner_open("/nonexistent/font.ttf", 320, 180, &c), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "/nonexistent/font.ttf"));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_wrap_and_long_words), cmocka_unit_test(test_utf8_and_rtl),
                                     cmocka_unit_test(test_timed_frames), cmocka_unit_test(test_missing_font)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
