/*
 * tests/tasks/test_tasks_http.c - the /tasks routes against the real
 * `oscontent serve`, and durable resume after kill -9 with queued and
 * running jobs (every job completes, none is lost).
 */
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "testutil.h"

static json_t *req(osc_test_server *s, const char *method, const char *path, const char *body, long want) {
  char url[256];
  snprintf(url, sizeof url, "%s%s", s->base, path);
  osc_test_resp r;
  const char *hdr[] = {"Content-Type: application/json", NULL};
  assert_int_equal(osc_test_http(method, url, body, body ? strlen(body) : 0, hdr, &r), 0);
  if (r.status != want) fprintf(stderr, "%s %s -> %ld %s\n", method, path, r.status, r.body);
  assert_int_equal(r.status, want);
  json_error_t e;
  json_t *v = json_loads(r.body, 0, &e);
  osc_test_resp_free(&r);
  assert_non_null(v);
  return v;
}

static char *submit(osc_test_server *s, const char *body) {
  json_t *v = req(s, "POST", "/tasks/submit", body, 202);
  char *id = strdup(json_string_value(json_object_get(v, "task_id")));
  json_decref(v);
  return id;
}

static const char *status_of(json_t *v) { return json_string_value(json_object_get(v, "status")); }

static void test_routes(void **state) {
  (void)state;
  osc_test_server s = {0};
  assert_int_equal(osc_test_server_start(&s, NULL, NULL), 0);
  /* submit + get with result */
  char *id = submit(&s, "{\"kind\":\"echo\",\"task_type\":\"cpu\",\"priority\":\"high\",\"data\":{\"x\":[1,2,3]}}");
  char path[128];
  snprintf(path, sizeof path, "/tasks/%s", id);
  json_t *v = NULL;
  for (int i = 0; i < 200; i++) {
    json_decref(v);
    v = req(&s, "GET", path, NULL, 200);
    if (strcmp(status_of(v), "completed") == 0) break;
    osc_sleep_ms(10);
  }
  assert_string_equal(status_of(v), "completed");
  assert_int_equal(json_integer_value(json_object_get(v, "priority")), 1);
  assert_string_equal(json_string_value(json_object_get(v, "task_type")), "cpu");
  json_t *res = json_object_get(v, "result");
  assert_int_equal(json_integer_value(json_array_get(json_object_get(res, "x"), 2)), 3);
  assert_true(json_is_string(json_object_get(v, "created_at")));
  assert_true(json_real_value(json_object_get(v, "progress")) == 1.0);
  json_decref(v);
  /* list in the original's shape, with a status filter */
  v = req(&s, "GET", "/tasks?status=completed", NULL, 200);
  json_t *arr = json_object_get(v, "tasks");
  assert_int_equal(json_array_size(arr), 1);
  json_t *t0 = json_array_get(arr, 0);
  const char *keys[] = {"id", "status", "priority", "created_at", "started_at", "completed_at", "progress"};
  for (size_t i = 0; i < 7; i++) assert_non_null(json_object_get(t0, keys[i]));
  json_decref(v);
  v = req(&s, "GET", "/tasks?status=pending", NULL, 200);
  assert_int_equal(json_array_size(json_object_get(v, "tasks")), 0);
  json_decref(v);
  /* cancel a running sleep, then cancel again = 409 */
  char *sl = submit(&s, "{\"kind\":\"sleep\",\"data\":{\"ms\":20000}}");
  snprintf(path, sizeof path, "/tasks/%s/cancel", sl);
  osc_sleep_ms(100);
  v = req(&s, "POST", path, "", 200);
  assert_true(json_is_true(json_object_get(v, "success")));
  json_decref(v);
  snprintf(path, sizeof path, "/tasks/%s", sl);
  for (int i = 0; i < 200; i++) {
    v = req(&s, "GET", path, NULL, 200);
    bool done = strcmp(status_of(v), "cancelled") == 0;
    json_decref(v);
    if (done) break;
    osc_sleep_ms(10);
  }
  v = req(&s, "GET", path, NULL, 200);
  assert_string_equal(status_of(v), "cancelled");
  json_decref(v);
  snprintf(path, sizeof path, "/tasks/%s/cancel", sl);
  v = req(&s, "POST", path, "", 409);
  assert_string_equal(json_string_value(json_object_get(v, "error")), "OSC_ESTATE");
  json_decref(v);
  /* bad input: unknown kind lists the known ones; bad priority; bad JSON; unknown id */
  v = req(&s, "POST", "/tasks/submit", "{\"kind\":\"nope\"}", 400);
  /* other modules register more kinds (nlp.batch, video.create) in a full build */
  assert_non_null(strstr(json_string_value(json_object_get(v, "detail")), "known: "));
  assert_non_null(strstr(json_string_value(json_object_get(v, "detail")), "echo"));
  assert_non_null(strstr(json_string_value(json_object_get(v, "detail")), "sleep"));
  json_decref(v);
  v = req(&s, "POST", "/tasks/submit", "{\"kind\":\"echo\",\"priority\":\"urgent\"}", 400);
  assert_non_null(strstr(json_string_value(json_object_get(v, "detail")), "priority"));
  json_decref(v);
  v = req(&s, "POST", "/tasks/submit", "{\"kind\":", 400);
  json_decref(v);
  v = req(&s, "GET", "/tasks/00000000-0000-4000-8000-000000000000", NULL, 404);
  json_decref(v);
  v = req(&s, "GET", "/tasks?status=done", NULL, 400);
  json_decref(v);
  /* idempotency key over HTTP */
  char *a = submit(&s, "{\"kind\":\"sleep\",\"data\":{\"ms\":300},\"idempotency_key\":\"k1\"}");
  v = req(&s, "POST", "/tasks/submit", "{\"kind\":\"sleep\",\"data\":{\"ms\":300},\"idempotency_key\":\"k1\"}", 202);
  assert_string_equal(json_string_value(json_object_get(v, "task_id")), a);
  assert_true(json_is_true(json_object_get(v, "duplicate")));
  json_decref(v);
  /* stats and kinds */
  v = req(&s, "GET", "/tasks/stats", NULL, 200);
  assert_true(json_integer_value(json_object_get(v, "submitted")) >= 3);
  assert_true(json_integer_value(json_object_get(v, "cancelled")) >= 1);
  assert_non_null(json_object_get(json_object_get(v, "pools"), "io"));
  json_decref(v);
  v = req(&s, "GET", "/tasks/kinds", NULL, 200);
  /* echo and sleep, plus the kinds other compiled-in modules register */
  assert_true(json_array_size(json_object_get(v, "kinds")) >= 2);
  json_decref(v);
  free(a);
  free(sl);
  free(id);
  assert_int_equal(osc_test_server_stop(&s), 0);
}

static void test_durable_resume_after_kill9(void **state) {
  (void)state;
  osc_test_server s = {0};
  s.dir = osc_test_tmpdir("tasks-kill9");
  const char *extra[] = {"--set", "tasks.io.max_workers=2", "--set", "tasks.io.min_workers=2", "--set",
                         "tasks.autoscale=false", NULL};
  assert_int_equal(osc_test_server_start(&s, extra, NULL), 0);
  enum { N = 8 };
  char *ids[N];
  for (int i = 0; i < N; i++) ids[i] = submit(&s, "{\"kind\":\"sleep\",\"data\":{\"ms\":1000}}");
  char path[128];
  /* wait until two run and six are queued */
  int running = 0;
  for (int k = 0; k < 100 && running < 2; k++) {
    json_t *v = req(&s, "GET", "/tasks?status=running", NULL, 200);
    running = (int)json_array_size(json_object_get(v, "tasks"));
    json_decref(v);
    if (running < 2) osc_sleep_ms(10);
  }
  assert_int_equal(running, 2);
  osc_sleep_ms(300); /* lets the journal commit the start records (async by design) */
  assert_int_equal(osc_test_kill(s.pid, SIGKILL, 5000) & 0x7f, SIGKILL);
  s.pid = 0;
  /* restart on the same data dir: every job completes */
  assert_int_equal(osc_test_server_start(&s, extra, NULL), 0);
  int interrupted = 0;
  for (int i = 0; i < N; i++) {
    snprintf(path, sizeof path, "/tasks/%s", ids[i]);
    json_t *v = NULL;
    uint64_t end = osc_now_ms() + 20000;
    for (;;) {
      v = req(&s, "GET", path, NULL, 200);
      if (strcmp(status_of(v), "completed") == 0 || osc_now_ms() > end) break;
      json_decref(v);
      osc_sleep_ms(20);
    }
    assert_string_equal(status_of(v), "completed");
    int att = (int)json_integer_value(json_object_get(v, "attempts"));
    assert_true(att == 1 || att == 2);
    if (att == 2) interrupted++; /* the interrupted attempt is counted */
    json_decref(v);
    free(ids[i]);
  }
  assert_int_equal(interrupted, 2);
  assert_int_equal(osc_test_server_stop(&s), 0);
  osc_test_tmpdir_free(s.dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_routes), cmocka_unit_test(test_durable_resume_after_kill9)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
