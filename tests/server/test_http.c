/* tests/server/test_http.c - the real `oscontent serve` over real HTTP:
 * health, openapi, 404/405/413/400 JSON bodies, request ids, process time,
 * path and query decoding, and SIGTERM during a slow request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

static osc_test_server g_srv;

static int setup(void **st) {
  (void)st;
  static const char *const extra[] = {"--set", "server.debug_routes=true", NULL};
  return osc_test_server_start(&g_srv, extra, NULL);
}

static int teardown(void **st) {
  (void)st;
  if (g_srv.pid == 0) { /* stopped by the SIGTERM test */
    osc_test_server_stop(&g_srv);
    return 0;
  }
  int status = osc_test_server_stop(&g_srv);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static json_t *request(const char *method, const char *path, const char *body, size_t len, const char *const hdrs[],
                       long want_status, osc_test_resp *keep) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", g_srv.base, path);
  osc_test_resp r;
  assert_int_equal(osc_test_http(method, url, body, len, hdrs, &r), 0);
  if (r.status != want_status) fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body);
  assert_int_equal(r.status, want_status);
  char ct[128];
  json_t *j = NULL;
  if (strcmp(method, "HEAD") != 0 && osc_test_resp_header(&r, "Content-Type", ct, sizeof ct) &&
      strcmp(ct, "application/json") == 0) {
    json_error_t e;
    j = json_loads(r.body, 0, &e);
    assert_non_null(j);
  }
  char v[200];
  assert_true(osc_test_resp_header(&r, "X-Request-ID", v, sizeof v));
  assert_true(osc_test_resp_header(&r, "X-Process-Time", v, sizeof v));
  char *end;
  double pt = strtod(v, &end);
  assert_true(*end == '\0' && pt >= 0 && pt < 60);
  if (keep)
    *keep = r;
  else
    osc_test_resp_free(&r);
  return j;
}

static void assert_error_body(json_t *j, const char *code, const char *detail_part) {
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "error")), code);
  const char *d = json_string_value(json_object_get(j, "detail"));
  assert_non_null(d);
  if (!strstr(d, detail_part)) fprintf(stderr, "detail '%s' lacks '%s'\n", d, detail_part);
  assert_non_null(strstr(d, detail_part));
  json_decref(j);
}

static void test_health(void **st) {
  (void)st;
  osc_test_resp r;
  json_t *j = request("GET", "/health", NULL, 0, NULL, 200, &r);
  assert_string_equal(json_string_value(json_object_get(j, "status")), "healthy");
  assert_non_null(json_string_value(json_object_get(j, "version")));
  assert_true(json_is_number(json_object_get(j, "uptime")));
  assert_true(json_is_number(json_object_get(j, "timestamp")));
  assert_true(json_is_object(json_object_get(j, "components")));
  json_decref(j);
  char id[200];
  assert_true(osc_test_resp_header(&r, "X-Request-ID", id, sizeof id));
  assert_int_equal(strlen(id), 36); /* a generated UUID */
  assert_true(id[8] == '-' && id[14] == '4');
  osc_test_resp_free(&r);
  request("HEAD", "/health", NULL, 0, NULL, 200, NULL);
}

static void test_request_id(void **st) {
  (void)st;
  const char *const h1[] = {"X-Request-ID: trace-abc_123", NULL};
  osc_test_resp r;
  json_decref(request("GET", "/health", NULL, 0, h1, 200, &r));
  char id[200];
  assert_true(osc_test_resp_header(&r, "X-Request-ID", id, sizeof id));
  assert_string_equal(id, "trace-abc_123");
  osc_test_resp_free(&r);
  /* too long: replaced */
  char longid[200] = "X-Request-ID: ";
  memset(longid + strlen(longid), 'a', 150);
  const char *const h2[] = {longid, NULL};
  json_decref(request("GET", "/health", NULL, 0, h2, 200, &r));
  assert_true(osc_test_resp_header(&r, "X-Request-ID", id, sizeof id));
  assert_int_equal(strlen(id), 36);
  osc_test_resp_free(&r);
  /* also on errors */
  json_decref(request("GET", "/nope", NULL, 0, h1, 404, &r));
  assert_true(osc_test_resp_header(&r, "X-Request-ID", id, sizeof id));
  assert_string_equal(id, "trace-abc_123");
  osc_test_resp_free(&r);
}

static void test_errors(void **st) {
  (void)st;
  osc_test_resp r;
  assert_error_body(request("GET", "/does/not/exist", NULL, 0, NULL, 404, NULL), "OSC_ENOENT", "/does/not/exist");
  assert_error_body(request("POST", "/health", "{}", 2, NULL, 405, &r), "OSC_EMETHOD", "POST /health");
  char allow[64];
  assert_true(osc_test_resp_header(&r, "Allow", allow, sizeof allow));
  assert_string_equal(allow, "GET");
  osc_test_resp_free(&r);
  assert_error_body(request("DELETE", "/openapi.json", NULL, 0, NULL, 405, NULL), "OSC_EMETHOD", "allowed: GET");
  /* debug routes answer only when enabled (they are here) */
  json_t *j = request("GET", "/debug/sleep?ms=1", NULL, 0, NULL, 200, NULL);
  assert_int_equal(json_integer_value(json_object_get(j, "slept_ms")), 1);
  json_decref(j);
  assert_error_body(request("GET", "/debug/sleep?ms=abc", NULL, 0, NULL, 400, NULL), "OSC_EINVAL", "ms:");
}

static void test_body_limits(void **st) {
  (void)st;
  size_t big = 2u << 20;
  char *body = malloc(big);
  memset(body, 'x', big);
  /* Content-Length over the limit: refused before reading, on any path */
  assert_error_body(request("POST", "/debug/echo", body, big, NULL, 413, NULL), "OSC_ETOOBIG", "1048576");
  assert_error_body(request("POST", "/health", body, big, NULL, 413, NULL), "OSC_ETOOBIG", "larger than");
  /* streamed (chunked) body: refused once it passes the limit */
  const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
  assert_error_body(request("POST", "/debug/echo", body, big, chunked, 413, NULL), "OSC_ETOOBIG", "larger than");
  /* the server is still fine */
  json_decref(request("GET", "/health", NULL, 0, NULL, 200, NULL));
  free(body);
}

static void test_json_bodies(void **st) {
  (void)st;
  const char *bad = "{\n  \"prompt\": \"sunset\",\n  \"duration\": \n}";
  assert_error_body(request("POST", "/debug/echo", bad, strlen(bad), NULL, 400, NULL), "OSC_EPARSE",
                    "invalid JSON at line 4, column 1");
  assert_error_body(request("POST", "/debug/echo", "", 0, NULL, 400, NULL), "OSC_EINVAL", "empty");
  assert_error_body(request("POST", "/debug/echo", "\"\xff\"", 3, NULL, 400, NULL), "OSC_EPARSE", "line 1");
  const char *ok = "{\"a\":[1,2,{\"b\":\"\\u00e9\"}]}";
  json_t *j = request("POST", "/debug/echo", ok, strlen(ok), NULL, 200, NULL);
  assert_int_equal(json_array_size(json_object_get(j, "a")), 3);
  json_decref(j);
}

static void test_path_and_query_decoding(void **st) {
  (void)st;
  json_t *j = request("GET", "/debug/params/caf%C3%A9%2Fx/a/b%20c?q=one+two%21", NULL, 0, NULL, 200, NULL);
  assert_string_equal(json_string_value(json_object_get(j, "a")), "caf\xc3\xa9/x");
  assert_string_equal(json_string_value(json_object_get(j, "rest")), "a/b c");
  assert_string_equal(json_string_value(json_object_get(j, "q")), "one two!");
  json_decref(j);
  assert_error_body(request("GET", "/debug/params/%zz/b", NULL, 0, NULL, 400, NULL), "OSC_EINVAL",
                    "percent-encoding");
}

static void test_openapi(void **st) {
  (void)st;
  json_t *j = request("GET", "/openapi.json", NULL, 0, NULL, 200, NULL);
  assert_string_equal(json_string_value(json_object_get(j, "openapi")), "3.0.3");
  json_t *paths = json_object_get(j, "paths");
  assert_non_null(json_object_get(json_object_get(paths, "/health"), "get"));
  assert_non_null(json_object_get(json_object_get(paths, "/openapi.json"), "get"));
  assert_null(json_object_get(paths, "/debug/sleep"));
  json_decref(j);
}

typedef struct slow_arg {
  char url[256];
  long status;
  char body[256];
} slow_arg;

static void *slow_request(void *p) {
  slow_arg *a = p;
  osc_test_resp r;
  if (osc_test_http("GET", a->url, NULL, 0, NULL, &r) == 0) {
    a->status = r.status;
    snprintf(a->body, sizeof a->body, "%s", r.body);
    osc_test_resp_free(&r);
  }
  return NULL;
}

/* Runs last: SIGTERM while a 1.5 s request is in flight; the request
 * completes with 200 and the server exits 0. */
static void test_sigterm_during_slow_request(void **st) {
  (void)st;
  slow_arg a = {0};
  snprintf(a.url, sizeof a.url, "%s/debug/sleep?ms=1500", g_srv.base);
  pthread_t t;
  pthread_create(&t, NULL, slow_request, &a);
  usleep(400000); /* the request is being served by now (it takes 1.5 s) */
  pid_t pid = g_srv.pid;
  assert_int_equal(kill(pid, SIGTERM), 0);
  pthread_join(t, NULL);
  assert_int_equal(a.status, 200);
  assert_non_null(strstr(a.body, "\"slept_ms\":1500"));
  int status = osc_test_kill(pid, 0, 10000); /* signal 0: only wait */
  g_srv.pid = 0;
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_health),          cmocka_unit_test(test_request_id),
      cmocka_unit_test(test_errors),          cmocka_unit_test(test_body_limits),
      cmocka_unit_test(test_json_bodies),     cmocka_unit_test(test_path_and_query_decoding),
      cmocka_unit_test(test_openapi),         cmocka_unit_test(test_sigterm_during_slow_request),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
