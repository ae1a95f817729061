/* tests/cache/test_http.c - the /cache routes against the real `oscontent serve`
 * (L1 + L3 under its data_dir, plus a real Redis as L2 through REDIS_URL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"
#include "testutil.h"

static osc_test_server g_srv;
static osc_test_redis g_redis;

static int setup(void **st) {
  (void)st;
  if (osc_test_redis_start(&g_redis)) return -1;
  char env[128];
  snprintf(env, sizeof env, "REDIS_URL=%s", g_redis.url);
  const char *const envs[] = {env, "OSC_CACHE_NAMESPACE=httptest", NULL};
  memset(&g_srv, 0, sizeof g_srv);
  return osc_test_server_start(&g_srv, NULL, envs);
}
static int teardown(void **st) {
  (void)st;
  osc_test_server_stop(&g_srv);
  osc_test_redis_stop(&g_redis);
  return 0;
}

static json_t *req(const char *method, const char *path, const char *body, long expect_status) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", g_srv.base, path);
  const char *const hdr[] = {"Content-Type: application/json", NULL};
  osc_test_resp r;
  assert_int_equal(osc_test_http(method, url, body, body ? strlen(body) : 0, hdr, &r), 0);
  if (r.status != expect_status) fprintf(stderr, "%s %s -> %ld %s\n", method, path, r.status, r.body);
  assert_int_equal(r.status, expect_status);
  json_t *j = NULL;
  assert_int_equal(osc_json_parse(r.body, r.len, false, &j), 0);
  osc_test_resp_free(&r);
  return j;
}

static void test_set_get_delete(void **st) {
  (void)st;
  json_t *j = req("POST", "/cache/set", "{\"key\":\"user:1\",\"value\":{\"name\":\"Ada\",\"tags\":[1,2]},\"ttl\":60}", 200);
  assert_true(json_is_true(json_object_get(j, "success")));
  assert_string_equal(json_string_value(json_object_get(j, "message")), "Value set successfully");
  json_decref(j);
  j = req("GET", "/cache/get/user:1", NULL, 200);
  assert_string_equal(json_string_value(json_object_get(j, "key")), "user:1");
  json_t *v = json_object_get(j, "value");
  assert_string_equal(json_string_value(json_object_get(v, "name")), "Ada");
  assert_int_equal(json_array_size(json_object_get(v, "tags")), 2);
  json_decref(j);
  /* any JSON value: string, number, null */
  json_decref(req("POST", "/cache/set", "{\"key\":\"s\",\"value\":\"text\"}", 200));
  j = req("GET", "/cache/get/s", NULL, 200);
  assert_string_equal(json_string_value(json_object_get(j, "value")), "text");
  json_decref(j);
  json_decref(req("POST", "/cache/set", "{\"key\":\"n\",\"value\":null,\"ttl\":null}", 200));
  j = req("GET", "/cache/get/n", NULL, 200);
  assert_true(json_is_null(json_object_get(j, "value")));
  json_decref(j);
  /* the value reached Redis under the namespace, with a PX close to the TTL */
  char cmd[128];
  snprintf(cmd, sizeof cmd, "redis-cli -p %d PTTL httptest:user:1", g_redis.port);
  int code;
  char *out = osc_test_sh(cmd, &code);
  long pttl = atol(out);
  free(out);
  assert_true(pttl > 50000 && pttl <= 66000); /* 60 s +-10% jitter */
  /* percent-encoded key in the path */
  json_decref(req("POST", "/cache/set", "{\"key\":\"a b/c\",\"value\":1}", 200));
  j = req("GET", "/cache/get/a%20b%2Fc", NULL, 200);
  assert_int_equal(json_integer_value(json_object_get(j, "value")), 1);
  json_decref(j);
  j = req("DELETE", "/cache/delete/user:1", NULL, 200);
  assert_string_equal(json_string_value(json_object_get(j, "message")), "Value deleted successfully");
  assert_true(json_is_true(json_object_get(j, "existed")));
  json_decref(j);
  j = req("GET", "/cache/get/user:1", NULL, 404);
  assert_string_equal(json_string_value(json_object_get(j, "detail")), "Key not found");
  json_decref(j);
  j = req("DELETE", "/cache/delete/never", NULL, 200); /* success even if absent, as the original */
  assert_true(json_is_false(json_object_get(j, "existed")));
  json_decref(j);
}

static void test_bad_input(void **st) {
  (void)st;
  json_t *j = req("POST", "/cache/set", "{\"value\":1}", 400);
  assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "key"));
  assert_string_equal(json_string_value(json_object_get(j, "error")), "OSC_EINVAL");
  json_decref(j);
  json_decref(req("POST", "/cache/set", "{\"key\":\"k\"}", 400));                  /* value missing */
  json_decref(req("POST", "/cache/set", "{\"key\":\"k\",\"value\":1,\"ttl\":-1}", 400));
  json_decref(req("POST", "/cache/set", "{\"key\":\"k\",\"value\":1,\"ttl\":\"x\"}", 400));
  json_decref(req("POST", "/cache/set", "{\"key\":5,\"value\":1}", 400));
  json_decref(req("POST", "/cache/set", "[1,2]", 400));
  j = req("POST", "/cache/set", "{\"key\":", 400);
  assert_string_equal(json_string_value(json_object_get(j, "error")), "OSC_EPARSE");
  json_decref(j);
  char big[700];
  memset(big, 'k', 600);
  big[600] = 0;
  char body[800];
  snprintf(body, sizeof body, "{\"key\":\"%s\",\"value\":1}", big);
  json_decref(req("POST", "/cache/set", body, 400));
  json_decref(req("POST", "/cache/batch-get", "{\"keys\":\"a\"}", 400));
  json_decref(req("POST", "/cache/batch-get", "{\"keys\":[1]}", 400));
  json_decref(req("POST", "/cache/batch-set", "{\"items\":5}", 400));
  json_decref(req("POST", "/cache/batch-set", "{\"items\":[{\"key\":\"a\"}]}", 400));
}

static void test_batches_and_stats(void **st) {
  (void)st;
  json_t *j = req("POST", "/cache/batch-set", "{\"items\":{\"b1\":1,\"b2\":{\"x\":2},\"b3\":\"three\"},\"ttl\":120}", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
  assert_true(json_is_true(json_object_get(json_object_get(j, "results"), "b2")));
  json_decref(j);
  json_decref(req("POST", "/cache/batch-set", "{\"items\":[{\"key\":\"b4\",\"value\":[4]}]}", 200));
  j = req("POST", "/cache/batch-get", "{\"keys\":[\"b1\",\"b2\",\"b3\",\"b4\",\"nope\"]}", 200);
  json_t *r = json_object_get(j, "results");
  assert_int_equal(json_integer_value(json_object_get(r, "b1")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "b2"), "x")), 2);
  assert_string_equal(json_string_value(json_object_get(r, "b3")), "three");
  assert_true(json_is_array(json_object_get(r, "b4")));
  assert_true(json_is_null(json_object_get(r, "nope")));
  assert_int_equal(json_integer_value(json_object_get(j, "found")), 4);
  assert_int_equal(json_integer_value(json_object_get(j, "missing")), 1);
  json_decref(j);
  j = req("GET", "/cache/stats", NULL, 200);
  assert_true(json_integer_value(json_object_get(j, "hits")) >= 4);
  assert_true(json_integer_value(json_object_get(j, "sets")) >= 4);
  assert_non_null(json_object_get(j, "hit_rate"));
  assert_non_null(json_object_get(j, "compression_ratio"));
  json_t *l2 = json_object_get(json_object_get(j, "levels"), "l2");
  assert_true(json_is_true(json_object_get(l2, "up")));
  json_decref(j);
  j = req("GET", "/health", NULL, 200);
  json_t *c = json_object_get(json_object_get(j, "components"), "cache");
  assert_string_equal(json_string_value(json_object_get(c, "l2")), "up");
  assert_string_equal(json_string_value(json_object_get(c, "l3")), "up");
  json_decref(j);
}

static void test_clear(void **st) {
  (void)st;
  json_decref(req("POST", "/cache/set", "{\"key\":\"c1\",\"value\":1}", 200));
  char cmd[160];
  snprintf(cmd, sizeof cmd, "redis-cli -p %d SET foreign:key keep >/dev/null", g_redis.port);
  int code;
  free(osc_test_sh(cmd, &code));
  json_t *j = req("POST", "/cache/clear", NULL, 200);
  assert_true(json_is_true(json_object_get(j, "success")));
  json_decref(j);
  json_decref(req("GET", "/cache/get/c1", NULL, 404));
  snprintf(cmd, sizeof cmd, "redis-cli -p %d GET foreign:key", g_redis.port);
  char *out = osc_test_sh(cmd, &code);
  assert_non_null(strstr(out, "keep")); /* only our namespace was cleared */
  free(out);
  json_decref(req("GET", "/cache/clear", NULL, 405));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_set_get_delete), cmocka_unit_test(test_bad_input),
                                     cmocka_unit_test(test_batches_and_stats), cmocka_unit_test(test_clear)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
