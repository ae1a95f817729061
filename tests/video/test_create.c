/* tests/video/test_create.c - osc_video_create end to end, checked with ffprobe and ffmpeg:
 * streams, codecs, durations within one frame, A/V agreement, moov before mdat, determinism,
 * cancellation leaves no file, bad output paths, VP9/AV1 smoke. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "oscontent/video.h"
#include "vtest.h"

static char *g_dir;

static osc_video_request small(const char *prompt, const char *out) {
  osc_video_request r;
  memset(&r, 0, sizeof r);
  r.prompt = prompt;
  r.output_path = out;
  r.opts.width = 320;
  r.opts.height = 180;
  r.opts.duration_s = 2;
  r.opts.fps = 30;
  return r;
}

static char *path(const char *name) {
  char *p = malloc(strlen(g_dir) + strlen(name) + 2);
  sprintf(p, "%s/%s", g_dir, name);
  return p;
}

static void test_mp4_streams(void **st) {
  (void)st;
  char *out = path("sunset.mp4");
  osc_video_request r = small("Beautiful sunset over the ocean", out);
  r.script = "The sun sets. Waves roll in.";
  osc_video_result res;
  assert_int_equal(osc_video_create(&r, NULL, &res), OSC_OK);
  assert_int_equal(res.stats.frames, 60);
  assert_int_equal(res.stats.file_bytes, vt_file_size(out));
  assert_string_equal(res.codec, "h264");
  assert_string_equal(res.encoder, "libx264");
  assert_string_equal(res.device, "cpu");
  json_t *caps = json_loads(res.captions_json, 0, NULL);
  assert_int_equal(json_array_size(caps), 2);
  assert_string_equal(vt_str(json_array_get(caps, 0), "text"), "The sun sets.");
  json_decref(caps);
  json_t *scene = json_loads(res.scene_json, 0, NULL);
  assert_non_null(scene);
  json_decref(scene);
  osc_video_result_release(&res);

  json_t *p = vt_ffprobe(out);
  assert_non_null(p);
  json_t *v = vt_stream(p, "video"), *a = vt_stream(p, "audio");
  assert_non_null(v);
  assert_non_null(a);
  assert_string_equal(vt_str(v, "codec_name"), "h264");
  assert_string_equal(vt_str(v, "pix_fmt"), "yuv420p");
  assert_int_equal((int)vt_num(v, "width"), 320);
  assert_int_equal((int)vt_num(v, "height"), 180);
  assert_int_equal((int)vt_num(v, "nb_read_frames"), 60);
  assert_string_equal(vt_str(a, "codec_name"), "aac");
  assert_int_equal((int)vt_num(a, "sample_rate"), 44100);
  double vd = vt_num(v, "duration"), ad = vt_num(a, "duration");
  const double frame = 1.0 / 30;
  assert_true(vd > 2.0 - frame && vd < 2.0 + frame);
  assert_true(ad > vd - frame && ad < vd + frame); /* audio and video agree within one frame */
  json_decref(p);
  /* +faststart: moov before mdat */
  long moov = vt_box_offset(out, "moov"), mdat = vt_box_offset(out, "mdat");
  assert_true(moov > 0 && mdat > 0);
  assert_true(moov < mdat);
  assert_int_equal(vt_count_files(g_dir, ".part"), 0);
  free(out);
}

static void test_determinism(void **st) {
  (void)st;
  char *a = path("a.mp4"), *b = path("b.mp4"), *c = path("c.mp4");
  osc_video_request r = small("Stormy night over a city skyline with rain", a);
  r.opts.seed = 7;
  r.opts.no_audio = true;
  r.opts.duration_s = 1;
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_OK);
  r.output_path = b;
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_OK);
  r.output_path = c;
  r.prompt = "Snowy mountains at sunrise";
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_OK);
  char *ha = vt_framemd5(a), *hb = vt_framemd5(b), *hc = vt_framemd5(c);
  assert_non_null(ha);
  assert_non_null(hb);
  assert_non_null(hc);
  assert_true(strlen(ha) > 100);
  assert_string_equal(ha, hb); /* same prompt and seed: identical frames */
  assert_string_not_equal(ha, hc);
  json_t *p = vt_ffprobe(a);
  assert_null(vt_stream(p, "audio")); /* no_audio */
  json_decref(p);
  free(ha), free(hb), free(hc), free(a), free(b), free(c);
}

typedef struct cancel_state {
  int64_t cancel_at;
  int calls;
  osc_video_stage last;
} cancel_state;

static int cancel_cb(void *ud, const osc_video_progress *p) {
  cancel_state *s = ud;
  s->calls++;
  s->last = p->stage;
  return p->stage == OSC_VIDEO_STAGE_RENDER && p->frames_done >= s->cancel_at;
}

static void test_cancel_leaves_no_file(void **st) {
  (void)st;
  char *out = path("cancelled.mp4");
  osc_video_request r = small("Desert dunes at noon", out);
  r.opts.duration_s = 5;
  cancel_state cs = {20, 0, OSC_VIDEO_STAGE_PREPARE};
  osc_video_callbacks cb = {cancel_cb, &cs};
  assert_int_equal(osc_video_create(&r, &cb, NULL), OSC_ECANCELED);
  assert_non_null(strstr(osc_errmsg(), "cancelled"));
  assert_int_equal(access(out, F_OK), -1);
  assert_int_equal(vt_count_files(g_dir, ".part"), 0);
  assert_true(cs.calls >= 20);
  /* an existing file at the target is left alone by a cancelled run */
  FILE *f = fopen(out, "w");
  fputs("old", f);
  fclose(f);
  cs.calls = 0;
  assert_int_equal(osc_video_create(&r, &cb, NULL), OSC_ECANCELED);
  assert_int_equal(vt_file_size(out), 3);
  unlink(out);
  free(out);
}

static int count_cb(void *ud, const osc_video_progress *p) {
  cancel_state *s = ud;
  if (p->stage == OSC_VIDEO_STAGE_RENDER) s->calls++;
  s->last = p->stage;
  return 0;
}

static void test_progress(void **st) {
  (void)st;
  char *out = path("progress.mp4");
  osc_video_request r = small("Forest in fog", out);
  r.opts.duration_s = 1;
  r.opts.no_captions = true;
  cancel_state cs = {0, 0, OSC_VIDEO_STAGE_PREPARE};
  osc_video_callbacks cb = {count_cb, &cs};
  assert_int_equal(osc_video_create(&r, &cb, NULL), OSC_OK);
  assert_int_equal(cs.calls, 31); /* start + one per frame */
  assert_int_equal(cs.last, OSC_VIDEO_STAGE_DONE);
  free(out);
}

static void test_bad_output(void **st) {
  (void)st;
  osc_video_request r = small("Sunset", "/nonexistent-dir-oscontent/x.mp4");
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "/nonexistent-dir-oscontent"));
  r.output_path = "/proc/oscontent-video-test.mp4"; /* not writable, even for root */
  int rc = osc_video_create(&r, NULL, NULL);
  assert_true(rc == OSC_EPERM || rc == OSC_EIO || rc == OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "output_path"));
  r.output_path = g_dir; /* a directory */
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_EINVAL);
  r.output_path = "/tmp/x.avi";
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_EINVAL);
  r.output_path = "/tmp/x.mp4";
  r.opts.duration_s = 61;
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "duration_s"));
}

static void test_vp9_av1_smoke(void **st) {
  (void)st;
  char *w = path("smoke.webm"), *m = path("smoke_av1.mp4");
  osc_video_request r = small("Aurora over a lake", w);
  r.opts.width = 256;
  r.opts.height = 144;
  r.opts.duration_s = 1;
  r.opts.codec = "vp9";
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_OK);
  json_t *p = vt_ffprobe(w);
  assert_string_equal(vt_str(vt_stream(p, "video"), "codec_name"), "vp9");
  assert_string_equal(vt_str(vt_stream(p, "audio"), "codec_name"), "opus");
  assert_int_equal((int)vt_num(vt_stream(p, "video"), "nb_read_frames"), 30);
  json_decref(p);
  r.output_path = m;
  r.opts.codec = "av1";
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_OK);
  p = vt_ffprobe(m);
  assert_string_equal(vt_str(vt_stream(p, "video"), "codec_name"), "av1");
  assert_string_equal(vt_str(vt_stream(p, "audio"), "codec_name"), "aac");
  assert_int_equal((int)vt_num(vt_stream(p, "video"), "nb_read_frames"), 30);
  json_decref(p);
  free(w);
  free(m);
}

static void test_utf8_rtl_prompt(void **st) {
  (void)st;
  char *out = path("rtl.mp4");
  osc_video_request r = small("\xd8\xba\xd8\xb1\xd9\x88\xd8\xa8 sunset \xd7\xa9\xd7\xa7\xd7\xa2\xd7\x94 日没 🌅", out);
  r.opts.duration_s = 1;
  assert_int_equal(osc_video_create(&r, NULL, NULL), OSC_OK);
  assert_true(vt_file_size(out) > 1000);
  free(out);
}

static int setup(void **st) {
  (void)st;
  g_dir = osc_test_tmpdir("video-create");
  return g_dir ? 0 : -1;
}

static int teardown(void **st) {
  (void)st;
  osc_test_tmpdir_free(g_dir);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mp4_streams),        cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_cancel_leaves_no_file), cmocka_unit_test(test_progress),
      cmocka_unit_test(test_bad_output),         cmocka_unit_test(test_vp9_av1_smoke),
      cmocka_unit_test(test_utf8_rtl_prompt)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
