/* tests/video/test_http.c - the /video routes against the real server: generate (202), identical
 * request deduplicated, live status, the MP4 with Range requests, cancellation leaving no file,
 * bad inputs and path traversal answered with clear 4xx JSON errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "vtest.h"

static osc_test_server g_srv;

static json_t *req_json(const char *method, const char *path, const char *body, long *status) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", g_srv.base, path);
  osc_test_resp r;
  const char *hdr[] = {"Content-Type: application/json", NULL};
  assert_int_equal(osc_test_http(method, url, body, body ? strlen(body) : 0, hdr, &r), 0);
  *status = r.status;
  json_t *j = json_loads(r.body, 0, NULL);
  if (!j) fprintf(stderr, "%s %s -> %ld: %s\n", method, path, r.status, r.body);
  osc_test_resp_free(&r);
  return j;
}

static void expect_400(const char *body, const char *field) {
  long st = 0;
  json_t *j = req_json("POST", "/video/generate", body, &st);
  assert_int_equal(st, 400);
  assert_non_null(j);
  assert_string_equal(vt_str(j, "error"), "OSC_EINVAL");
  if (!strstr(vt_str(j, "detail"), field)) fprintf(stderr, "detail: %s\n", vt_str(j, "detail"));
  assert_non_null(strstr(vt_str(j, "detail"), field));
  json_decref(j);
}

static json_t *wait_final(const char *id, int timeout_s) {
  char path[128];
  snprintf(path, sizeof path, "/video/status/%s", id);
  uint64_t end = osc_now_ms() + (uint64_t)timeout_s * 1000;
  while (osc_now_ms() < end) {
    long st = 0;
    json_t *j = req_json("GET", path, NULL, &st);
    assert_int_equal(st, 200);
    const char *s = vt_str(j, "status");
    if (!strcmp(s, "completed") || !strcmp(s, "failed") || !strcmp(s, "cancelled")) return j;
    json_decref(j);
    osc_sleep_ms(50);
  }
  fail_msg("job %s did not finish in %d s", id, timeout_s);
  return NULL;
}

static void test_bad_inputs(void **st) {
  (void)st;
  expect_400("{\"prompt\":\"Sunset\",\"duration\":0}", "duration");
  expect_400("{\"prompt\":\"Sunset\",\"duration\":61}", "duration");
  expect_400("{\"prompt\":\"Sunset\",\"resolution\":\"abc\"}", "resolution");
  expect_400("{\"prompt\":\"Sunset\",\"fps\":0}", "fps");
  expect_400("{\"prompt\":\"Sunset\",\"quality\":\"ultra\"}", "quality");
  expect_400("{\"duration\":5}", "prompt");
  expect_400("{\"prompt\":\"\"}", "prompt");
  expect_400("{\"prompt\":\"Sunset\",\"promt\":\"typo\"}", "promt");
  expect_400("[1,2]", "object");
  long s = 0;
  json_t *j = req_json("GET", "/video/status/00000000000000000000000000000000", NULL, &s);
  assert_int_equal(s, 404);
  json_decref(j);
  j = req_json("GET", "/video/status/not-an-id", NULL, &s);
  assert_int_equal(s, 400);
  json_decref(j);
  /* path traversal through the id: never reaches the file system */
  char url[512];
  osc_test_resp r;
  snprintf(url, sizeof url, "%s/video/..%%2F..%%2F..%%2Fetc%%2Fpasswd/file", g_srv.base);
  assert_int_equal(osc_test_http("GET", url, NULL, 0, NULL, &r), 0);
  assert_true(r.status == 400 || r.status == 404);
  assert_null(strstr(r.body, "root:"));
  assert_non_null(strstr(r.body, "\"error\""));
  osc_test_resp_free(&r);
  snprintf(url, sizeof url, "%s/video/..%%2Fvideo%%2Fx/file", g_srv.base);
  assert_int_equal(osc_test_http("GET", url, NULL, 0, NULL, &r), 0);
  assert_true(r.status == 400 || r.status == 404);
  osc_test_resp_free(&r);
}

static void test_generate_status_file(void **st) {
  (void)st;
  const char *body = "{\"prompt\":\"Beautiful sunset\",\"duration\":2,\"resolution\":\"320x180\",\"fps\":30,\"quality\":\"medium\"}";
  long s = 0;
  json_t *j = req_json("POST", "/video/generate", body, &s);
  assert_int_equal(s, 202);
  char id[64];
  snprintf(id, sizeof id, "%s", vt_str(j, "task_id"));
  assert_int_equal(strlen(id), 32);
  assert_true(json_is_number(json_object_get(j, "estimated_time")));
  assert_non_null(json_object_get(j, "message"));
  json_decref(j);
  /* identical request: the same job */
  j = req_json("POST", "/video/generate", body, &s);
  assert_true(s == 202 || s == 200);
  assert_string_equal(vt_str(j, "task_id"), id);
  assert_true(json_is_true(json_object_get(j, "deduplicated")));
  json_decref(j);
  j = wait_final(id, 60);
  assert_string_equal(vt_str(j, "status"), "completed");
  assert_int_equal(json_integer_value(json_object_get(j, "progress")), 100);
  json_t *res = json_object_get(j, "result");
  assert_int_equal(json_integer_value(json_object_get(res, "width")), 320);
  long size = (long)json_integer_value(json_object_get(res, "size_bytes"));
  assert_true(size > 1000);
  char file_url[128];
  snprintf(file_url, sizeof file_url, "%s%s", g_srv.base, vt_str(res, "file_url"));
  json_decref(j);
  /* after completion an identical request still returns the finished job */
  j = req_json("POST", "/video/generate", body, &s);
  assert_int_equal(s, 200);
  assert_string_equal(vt_str(j, "task_id"), id);
  assert_string_equal(vt_str(j, "status"), "completed");
  json_decref(j);

  osc_test_resp r;
  assert_int_equal(osc_test_http("GET", file_url, NULL, 0, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_int_equal((long)r.len, size);
  assert_memory_equal(r.body + 4, "ftyp", 4);
  char hv[128];
  assert_true(osc_test_resp_header(&r, "Content-Type", hv, sizeof hv));
  assert_string_equal(hv, "video/mp4");
  assert_true(osc_test_resp_header(&r, "Accept-Ranges", hv, sizeof hv));
  /* the served bytes are a valid MP4 */
  char *tmp = osc_test_tmpdir("video-http-dl");
  char fpath[512];
  snprintf(fpath, sizeof fpath, "%s/dl.mp4", tmp);
  FILE *f = fopen(fpath, "wb");
  fwrite(r.body, 1, r.len, f);
  fclose(f);
  osc_test_resp_free(&r);
  json_t *p = vt_ffprobe(fpath);
  assert_string_equal(vt_str(vt_stream(p, "video"), "codec_name"), "h264");
  assert_string_equal(vt_str(vt_stream(p, "audio"), "codec_name"), "aac");
  json_decref(p);
  osc_test_tmpdir_free(tmp);

  const char *range[] = {"Range: bytes=0-99", NULL};
  assert_int_equal(osc_test_http("GET", file_url, NULL, 0, range, &r), 0);
  assert_int_equal(r.status, 206);
  assert_int_equal(r.len, 100);
  assert_true(osc_test_resp_header(&r, "Content-Range", hv, sizeof hv));
  char want[64];
  snprintf(want, sizeof want, "bytes 0-99/%ld", size);
  assert_string_equal(hv, want);
  osc_test_resp_free(&r);
  const char *suffix[] = {"Range: bytes=-10", NULL};
  assert_int_equal(osc_test_http("GET", file_url, NULL, 0, suffix, &r), 0);
  assert_int_equal(r.status, 206);
  assert_int_equal(r.len, 10);
  osc_test_resp_free(&r);
  const char *bad[] = {"Range: bytes=999999999-", NULL};
  assert_int_equal(osc_test_http("GET", file_url, NULL, 0, bad, &r), 0);
  assert_int_equal(r.status, 416);
  osc_test_resp_free(&r);
}

static void test_cancel(void **st) {
  (void)st;
  long s = 0;
  json_t *j = req_json("POST", "/video/generate",
                       "{\"prompt\":\"Stormy ocean at night\",\"duration\":30,\"resolution\":\"640x360\",\"fps\":30}", &s);
  assert_int_equal(s, 202);
  char id[64], path[128];
  snprintf(id, sizeof id, "%s", vt_str(j, "task_id"));
  json_decref(j);
  /* wait until it renders, then cancel mid-render */
  snprintf(path, sizeof path, "/video/status/%s", id);
  for (int i = 0; i < 400; i++) {
    j = req_json("GET", path, NULL, &s);
    bool rendering = json_integer_value(json_object_get(j, "frames_done")) > 0;
    json_decref(j);
    if (rendering) break;
    osc_sleep_ms(10);
  }
  snprintf(path, sizeof path, "/video/cancel/%s", id);
  j = req_json("DELETE", path, NULL, &s);
  assert_true(s == 200 || s == 202);
  json_decref(j);
  j = wait_final(id, 60);
  assert_string_equal(vt_str(j, "status"), "cancelled");
  json_decref(j);
  snprintf(path, sizeof path, "/video/%s/file", id);
  j = req_json("GET", path, NULL, &s);
  assert_int_equal(s, 409);
  json_decref(j);
  char dir[512];
  snprintf(dir, sizeof dir, "%s/video", g_srv.dir);
  assert_int_equal(vt_count_files(dir, id), 0); /* no file, no temp file */
  assert_int_equal(vt_count_files(dir, ".part"), 0);
  snprintf(path, sizeof path, "/video/cancel/%s", id);
  j = req_json("DELETE", path, NULL, &s);
  assert_int_equal(s, 409); /* already final */
  json_decref(j);
}

static int setup(void **st) {
  (void)st;
  memset(&g_srv, 0, sizeof g_srv);
  return osc_test_server_start(&g_srv, NULL, NULL);
}

static int teardown(void **st) {
  (void)st;
  osc_test_server_stop(&g_srv);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_inputs), cmocka_unit_test(test_generate_status_file),
                                     cmocka_unit_test(test_cancel)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
