/* tests/video/test_cli.c - the `oscontent video` commands: bad inputs give exit 2 and a message
 * naming the flag; unwritable outputs exit 1; a small real video, probe, thumbnail, compress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vtest.h"

static char *g_dir;

static char *run(const char *args, int *ec) {
  char cmd[2048];
  /* JSON output: stdout only; otherwise both (the error messages are on stderr) */
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s %s", g_dir, osc_test_bin(), args,
           strncmp(args, "--json", 6) == 0 ? "2>/dev/null" : "2>&1");
  return osc_test_sh(cmd, ec);
}

static void expect(const char *args, int code, const char *needle) {
  int ec = -1;
  char *out = run(args, &ec);
  if (ec != code || (needle && !strstr(out, needle)))
    fprintf(stderr, "`%s` -> exit %d, output:\n%s\n", args, ec, out ? out : "");
  assert_int_equal(ec, code);
  if (needle) assert_non_null(strstr(out, needle));
  free(out);
}

static void test_bad_inputs(void **st) {
  (void)st;
  expect("video create 'Sunset' -o a.mp4 --duration 0", 2, "--duration");
  expect("video create 'Sunset' -o a.mp4 --duration 61", 2, "--duration: 61");
  expect("video create 'Sunset' -o a.mp4 --resolution abc", 2, "resolution: 'abc'");
  expect("video create 'Sunset' -o a.mp4 --fps 0", 2, "--fps: 0");
  expect("video create 'Sunset' -o a.mp4 --codec mpeg2", 2, "codec: 'mpeg2'");
  expect("video create 'Sunset' -o a.mp4 --preset warp", 2, "preset");
  expect("video create 'Sunset' -o a.mp4 --mood 2", 2, "--mood: 2");
  expect("video create 'Sunset'", 2, "-o FILE is required");
  expect("video create -o a.mp4", 2, "PROMPT");
  expect("video create 'Sunset' -o /nonexistent-dir-osc/a.mp4 --duration 1 --resolution 320x180", 1,
         "/nonexistent-dir-osc");
  expect("video probe /nonexistent/x.mp4", 1, "does not exist");
  expect("video nosuch", 2, NULL);
  assert_int_equal(access("a.mp4", F_OK), -1);
}

static void test_create_probe_thumbnail(void **st) {
  (void)st;
  int ec = -1;
  char *out = run("--json video create 'Calm lake at dawn' -o lake.mp4 --duration 1 --resolution 320x180 --seed 3",
                  &ec);
  assert_int_equal(ec, 0);
  json_t *j = json_loads(out, 0, NULL);
  assert_non_null(j);
  assert_int_equal(json_integer_value(json_object_get(j, "width")), 320);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "stats"), "frames")), 30);
  json_decref(j);
  free(out);
  out = run("--json video probe lake.mp4", &ec);
  assert_int_equal(ec, 0);
  j = json_loads(out, 0, NULL);
  assert_int_equal(json_array_size(json_object_get(j, "streams")), 2);
  json_decref(j);
  free(out);
  expect("video thumbnail lake.mp4 -o poster.png --at 0.5", 0, NULL);
  expect("video compress lake.mp4 -o lake_small.mp4 --width 160 --crf 30", 0, NULL);
  out = run("--json video probe lake_small.mp4", &ec);
  assert_int_equal(ec, 0);
  assert_non_null(strstr(out, "\"width\":160"));
  free(out);
  out = run("--json video scenes", &ec);
  assert_int_equal(ec, 0);
  j = json_loads(out, JSON_DECODE_ANY, NULL);
  assert_non_null(j);
  json_decref(j);
  free(out);
}

static int setup(void **st) {
  (void)st;
  g_dir = osc_test_tmpdir("video-cli");
  return g_dir ? 0 : -1;
}

static int teardown(void **st) {
  (void)st;
  osc_test_tmpdir_free(g_dir);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_inputs), cmocka_unit_test(test_create_probe_thumbnail)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
