/* tests/video/test_media.c - existing videos: probe, compress/transcode (codec, size, fps, audio),
 * thumbnail PNG, and clear errors for missing or non-media inputs.  The input is made by ffmpeg. */
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

static char *g_dir, *g_in;

static char *path(const char *name) {
  char *p = malloc(strlen(g_dir) + strlen(name) + 2);
  sprintf(p, "%s/%s", g_dir, name);
  return p;
}

static void test_probe(void **st) {
  (void)st;
  char *j = NULL;
  assert_int_equal(osc_video_probe(g_in, &j), OSC_OK);
  json_t *p = json_loads(j, 0, NULL);
  free(j);
  assert_non_null(p);
  double d = json_real_value(json_object_get(p, "duration_s"));
  assert_true(d > 1.9 && d < 2.2);
  json_t *ss = json_object_get(p, "streams");
  assert_int_equal(json_array_size(ss), 2);
  json_t *v = json_array_get(ss, 0);
  assert_string_equal(vt_str(v, "type"), "video");
  assert_string_equal(vt_str(v, "codec"), "h264");
  assert_int_equal(json_integer_value(json_object_get(v, "width")), 320);
  assert_true(json_real_value(json_object_get(v, "fps")) == 25.0);
  assert_string_equal(vt_str(json_array_get(ss, 1), "type"), "audio");
  json_decref(p);
}

static void test_compress_h264(void **st) {
  (void)st;
  char *out = path("small.mp4");
  osc_video_transcode_options o;
  memset(&o, 0, sizeof o);
  o.width = 160;
  o.fps = 15;
  o.crf = 30;
  assert_int_equal(osc_video_transcode(g_in, out, &o, NULL), OSC_OK);
  json_t *p = vt_ffprobe(out);
  json_t *v = vt_stream(p, "video"), *a = vt_stream(p, "audio");
  assert_string_equal(vt_str(v, "codec_name"), "h264");
  assert_int_equal((int)vt_num(v, "width"), 160);
  assert_int_equal((int)vt_num(v, "height"), 120); /* aspect kept */
  int frames = (int)vt_num(v, "nb_read_frames");
  assert_true(frames >= 29 && frames <= 31);
  assert_string_equal(vt_str(a, "codec_name"), "aac");
  double vd = vt_num(v, "duration"), ad = vt_num(a, "duration");
  assert_true(ad > vd - 0.1 && ad < vd + 0.1);
  assert_true(vt_box_offset(out, "moov") < vt_box_offset(out, "mdat"));
  assert_true(vt_file_size(out) < vt_file_size(g_in));
  json_decref(p);
  free(out);
}

static void test_transcode_vp9_no_audio(void **st) {
  (void)st;
  char *out = path("t.webm");
  osc_video_transcode_options o;
  memset(&o, 0, sizeof o);
  o.codec = "vp9";
  o.no_audio = true;
  o.height = 120;
  assert_int_equal(osc_video_transcode(g_in, out, &o, NULL), OSC_OK);
  json_t *p = vt_ffprobe(out);
  assert_string_equal(vt_str(vt_stream(p, "video"), "codec_name"), "vp9");
  assert_int_equal((int)vt_num(vt_stream(p, "video"), "height"), 120);
  assert_null(vt_stream(p, "audio"));
  json_decref(p);
  free(out);
}

static void test_thumbnail(void **st) {
  (void)st;
  char *png = path("poster.png");
  assert_int_equal(osc_video_thumbnail(g_in, png, 1.0, 0), OSC_OK);
  FILE *f = fopen(png, "rb");
  unsigned char sig[8] = {0};
  assert_int_equal(fread(sig, 1, 8, f), 8);
  fclose(f);
  assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
  json_t *p = vt_ffprobe(png);
  assert_int_equal((int)vt_num(vt_stream(p, "video"), "width"), 320);
  json_decref(p);
  assert_int_equal(osc_video_thumbnail(g_in, png, -1, 100), OSC_OK);
  p = vt_ffprobe(png);
  assert_int_equal((int)vt_num(vt_stream(p, "video"), "width"), 100);
  json_decref(p);
  assert_int_equal(osc_video_thumbnail(g_in, png, 30.0, 0), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "past the end"));
  assert_int_equal(osc_video_thumbnail(g_in, "/tmp/x.jpg", 1.0, 0), OSC_EINVAL);
  free(png);
}

static void test_errors(void **st) {
  (void)st;
  char *j = NULL;
  assert_int_equal(osc_video_probe("/nonexistent/in.mp4", &j), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "/nonexistent/in.mp4"));
  char *txt = path("notes.mp4");
  FILE *f = fopen(txt, "w");
  fputs("this is not a video at all, just text\n", f);
  fclose(f);
  assert_int_equal(osc_video_probe(txt, &j), OSC_EMEDIA);
  char *out = path("out.mp4");
  assert_int_equal(osc_video_transcode(txt, out, NULL, NULL), OSC_EMEDIA);
  assert_int_equal(access(out, F_OK), -1);
  assert_int_equal(osc_video_transcode(g_in, "/tmp/out.avi", NULL, NULL), OSC_EINVAL);
  osc_video_transcode_options o;
  memset(&o, 0, sizeof o);
  o.fps = 5;
  assert_int_equal(osc_video_transcode(g_in, out, &o, NULL), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "fps"));
  assert_int_equal(osc_video_transcode(g_in, "/nonexistent-dir/out.mp4", NULL, NULL), OSC_ENOENT);
  assert_int_equal(vt_count_files(g_dir, ".part"), 0);
  free(txt);
  free(out);
}

static int setup(void **st) {
  (void)st;
  g_dir = osc_test_tmpdir("video-media");
  if (!g_dir) return -1;
  g_in = path("in.mp4");
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 "
           "-t 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest '%s'",
           g_in);
  int ec = -1;
  free(osc_test_sh(cmd, &ec));
  return ec == 0 ? 0 : -1;
}

static int teardown(void **st) {
  (void)st;
  free(g_in);
  osc_test_tmpdir_free(g_dir);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_probe), cmocka_unit_test(test_compress_h264),
                                     cmocka_unit_test(test_transcode_vp9_no_audio), cmocka_unit_test(test_thumbnail),
                                     cmocka_unit_test(test_errors)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
