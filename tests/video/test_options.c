/* tests/video/test_options.c - validation of video requests: every error names its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/video.h"

static osc_video_request base(void) {
  osc_video_request r;
  memset(&r, 0, sizeof r);
  r.prompt = "Beautiful sunset";
  r.output_path = "/tmp/x.mp4";
  return r;
}

#define EXPECT_BAD(req, field)                                             \
  do {                                                                     \
    assert_int_equal(osc_video_validate(&(req)), OSC_EINVAL);              \
    assert_non_null(strstr(osc_errmsg(), field));                          \
  } while (0)

static void test_defaults_ok(void **st) {
  (void)st;
  osc_video_request r = base();
  assert_int_equal(osc_video_validate(&r), OSC_OK);
  r.opts.codec = "vp9";
  r.output_path = "/tmp/x.webm";
  assert_int_equal(osc_video_validate(&r), OSC_OK);
  r.opts.codec = "av1";
  r.opts.preset = "10";
  assert_int_equal(osc_video_validate(&r), OSC_OK);
}

static void test_bad_fields(void **st) {
  (void)st;
  osc_video_request r = base();
  r.opts.duration_s = 61;
  EXPECT_BAD(r, "duration_s: 61");
  r = base();
  r.opts.duration_s = 0.5;
  EXPECT_BAD(r, "duration_s");
  r = base();
  r.opts.fps = 10;
  EXPECT_BAD(r, "fps: 10");
  r = base();
  r.opts.fps = 61;
  EXPECT_BAD(r, "fps");
  r = base();
  r.opts.width = 641;
  EXPECT_BAD(r, "width: 641");
  r = base();
  r.opts.height = 5000;
  EXPECT_BAD(r, "height");
  r = base();
  r.opts.codec = "mpeg2";
  EXPECT_BAD(r, "codec: 'mpeg2'");
  r = base();
  r.opts.crf = 52;
  EXPECT_BAD(r, "crf: 52");
  r = base();
  r.opts.codec = "vp9";
  r.output_path = "/tmp/x.webm";
  r.opts.crf = 64;
  EXPECT_BAD(r, "crf: 64");
  r = base();
  r.opts.preset = "warp9";
  EXPECT_BAD(r, "preset: 'warp9'");
  r = base();
  r.opts.device = "tpu";
  EXPECT_BAD(r, "device");
  r = base();
  r.opts.language = "en; rm -rf /";
  EXPECT_BAD(r, "language");
  r = base();
  r.output_path = "/tmp/x.avi";
  EXPECT_BAD(r, "output_path: extension");
  r = base();
  r.output_path = "/tmp/x.webm"; /* h264 cannot go in WebM */
  EXPECT_BAD(r, "codec: h264 cannot be stored in WebM");
  r = base();
  r.prompt = "";
  EXPECT_BAD(r, "prompt");
  r = base();
  r.prompt = NULL;
  EXPECT_BAD(r, "prompt: field required");
  r = base();
  r.prompt = "bad \xc3\x28 utf8";
  EXPECT_BAD(r, "prompt: invalid UTF-8");
  r = base();
  r.output_path = NULL;
  EXPECT_BAD(r, "output_path");
  r = base();
  r.opts.bitrate = 10;
  EXPECT_BAD(r, "bitrate");
  r = base();
  r.opts.audio_channels = 3;
  EXPECT_BAD(r, "audio_channels");
  r = base();
  r.opts.mood = 1.5;
  EXPECT_BAD(r, "mood: 1.5");
}

static void test_resolution(void **st) {
  (void)st;
  int w = 0, h = 0;
  assert_int_equal(osc_video_parse_resolution("1280x720", &w, &h), OSC_OK);
  assert_int_equal(w, 1280);
  assert_int_equal(h, 720);
  assert_int_equal(osc_video_parse_resolution("abc", &w, &h), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "resolution: 'abc'"));
  assert_int_equal(osc_video_parse_resolution("1280x", &w, &h), OSC_EINVAL);
  assert_int_equal(osc_video_parse_resolution("-2x4", &w, &h), OSC_EINVAL);
  assert_int_equal(osc_video_parse_resolution("1281x720", &w, &h), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "even"));
  assert_int_equal(osc_video_parse_resolution("99999x720", &w, &h), OSC_EINVAL);
  assert_int_equal(osc_video_parse_resolution("1280x720 ", &w, &h), OSC_EINVAL);
  assert_int_equal(osc_video_parse_resolution(NULL, &w, &h), OSC_EINVAL);
}

static void test_from_config(void **st) {
  (void)st;
  osc_config *cfg = osc_config_new();
  assert_non_null(cfg);
  osc_video_options o;
  assert_int_equal(osc_video_options_from_config(cfg, &o), OSC_OK);
  assert_int_equal(o.width, 1920);
  assert_int_equal(o.height, 1080);
  assert_int_equal(o.fps, 30);
  assert_true(o.duration_s == 10.0);
  assert_string_equal(o.codec, "h264");
  assert_false(o.no_audio);
  assert_int_equal(osc_config_set(cfg, "video.resolution", "640x360", OSC_SOURCE_API, "test"), OSC_OK);
  assert_int_equal(osc_config_set(cfg, "video.audio", "false", OSC_SOURCE_API, "test"), OSC_OK);
  assert_int_equal(osc_video_options_from_config(cfg, &o), OSC_OK);
  assert_int_equal(o.width, 640);
  assert_true(o.no_audio);
  assert_int_equal(osc_config_set(cfg, "video.resolution", "wide", OSC_SOURCE_API, "test"), OSC_OK);
  assert_int_equal(osc_video_options_from_config(cfg, &o), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "video.resolution"));
  assert_int_equal(osc_config_set(cfg, "video.fps", "0", OSC_SOURCE_API, "test"), OSC_EINVAL);
  osc_config_free(cfg);
}

static void test_stage_names(void **st) {
  (void)st;
  assert_string_equal(osc_video_stage_name(OSC_VIDEO_STAGE_RENDER), "render");
  assert_string_equal(osc_video_stage_name(OSC_VIDEO_STAGE_NARRATION), "narration");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_defaults_ok), cmocka_unit_test(test_bad_fields),
                                     cmocka_unit_test(test_resolution), cmocka_unit_test(test_from_config),
                                     cmocka_unit_test(test_stage_names)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
