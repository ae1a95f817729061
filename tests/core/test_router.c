/* tests/core/test_router.c - route matching on the compiled-in table:
 * literal vs parameter segments, {name*}, percent-decoding, 404/405,
 * HEAD, the route listing, the OpenAPI document and concurrent matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "server/server.h"

static void test_match_literal(void **st) {
  (void)st;
  osc_route_match m;
  char allow[64];
  assert_int_equal(osc_router_match("GET", "/health", &m, allow, sizeof allow), OSC_OK);
  assert_string_equal(m.route->name, "core.health");
  assert_int_equal(m.nparams, 0);
  osc_route_match_release(&m);
  assert_int_equal(osc_router_match("HEAD", "/health", &m, allow, sizeof allow), OSC_OK);
  osc_route_match_release(&m);
  assert_int_equal(osc_router_match("POST", "/health", &m, allow, sizeof allow), OSC_EMETHOD);
  assert_string_equal(allow, "GET");
  assert_int_equal(osc_router_match("GET", "/healthz", &m, allow, sizeof allow), OSC_ENOENT);
  assert_int_equal(osc_router_match("GET", "/health/", &m, allow, sizeof allow), OSC_ENOENT);
  assert_int_equal(osc_router_match("GET", "", &m, allow, sizeof allow), OSC_ENOENT);
  assert_int_equal(osc_router_match("GET", "health", &m, allow, sizeof allow), OSC_ENOENT);
}

static void test_params_and_decoding(void **st) {
  (void)st;
  osc_route_match m;
  char allow[64];
  assert_int_equal(osc_router_match("GET", "/debug/params/x%20y/a/b%2Fc", &m, allow, sizeof allow), OSC_OK);
  assert_string_equal(m.route->name, "core.debug_params");
  assert_int_equal(m.nparams, 2);
  assert_string_equal(m.params[0].name, "a");
  assert_string_equal(m.params[0].value, "x y");
  assert_string_equal(m.params[1].name, "rest");
  assert_string_equal(m.params[1].value, "a/b/c");
  osc_route_match_release(&m);
  /* %2F inside a one-segment parameter stays in it */
  assert_int_equal(osc_router_match("GET", "/debug/params/a%2Fb/c", &m, allow, sizeof allow), OSC_OK);
  assert_string_equal(m.params[0].value, "a/b");
  assert_string_equal(m.params[1].value, "c");
  osc_route_match_release(&m);
  /* empty segment or empty rest: no match */
  assert_int_equal(osc_router_match("GET", "/debug/params//c", &m, allow, sizeof allow), OSC_ENOENT);
  assert_int_equal(osc_router_match("GET", "/debug/params/a/", &m, allow, sizeof allow), OSC_ENOENT);
  assert_int_equal(osc_router_match("GET", "/debug/params/a", &m, allow, sizeof allow), OSC_ENOENT);
  /* bad escapes */
  assert_int_equal(osc_router_match("GET", "/debug/params/%zz/c", &m, allow, sizeof allow), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "path parameter 'a'"));
  assert_int_equal(osc_router_match("GET", "/debug/params/a/%00", &m, allow, sizeof allow), OSC_EINVAL);
  assert_int_equal(osc_router_match("GET", "/debug/params/a/b%2", &m, allow, sizeof allow), OSC_EINVAL);
}

static void test_url_decode(void **st) {
  (void)st;
  char *out = NULL;
  assert_int_equal(osc_url_decode("a+b%41%7e", 9, true, &out), OSC_OK);
  assert_string_equal(out, "a bA~");
  free(out);
  assert_int_equal(osc_url_decode("a+b", 3, false, &out), OSC_OK);
  assert_string_equal(out, "a+b");
  free(out);
  assert_int_equal(osc_url_decode("%", 1, false, &out), OSC_EINVAL);
  assert_int_equal(osc_url_decode("%4", 2, false, &out), OSC_EINVAL);
  assert_int_equal(osc_url_decode("%g1", 3, false, &out), OSC_EINVAL);
  assert_int_equal(osc_url_decode("", 0, false, &out), OSC_OK);
  assert_string_equal(out, "");
  free(out);
}

static void test_listing_and_openapi(void **st) {
  (void)st;
  size_t n = 0;
  bool health = false;
  for (; osc_router_at(n); n++) {
    const osc_route *r = osc_router_at(n);
    assert_non_null(r->method);
    assert_non_null(r->pattern);
    assert_non_null(r->handler);
    assert_non_null(r->name);
    assert_true(r->pattern[0] == '/');
    if (strcmp(r->name, "core.health") == 0) health = true;
  }
  assert_true(n >= 3);
  assert_true(health);
  json_t *doc = osc_server_openapi();
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
  json_t *paths = json_object_get(doc, "paths");
  json_t *h = json_object_get(json_object_get(paths, "/health"), "get");
  assert_non_null(h);
  assert_string_equal(json_string_value(json_object_get(h, "operationId")), "core.health");
  assert_null(json_object_get(paths, "/debug/sleep")); /* hidden */
  json_decref(doc);
}

static void *matcher(void *arg) {
  int *ok = arg;
  for (int i = 0; i < 2000; i++) {
    osc_route_match m;
    char allow[64];
    if (osc_router_match("GET", "/debug/params/q/r/s", &m, allow, sizeof allow) != OSC_OK ||
        strcmp(m.params[1].value, "r/s") != 0)
      *ok = 0;
    osc_route_match_release(&m);
  }
  return NULL;
}

static void test_concurrent(void **st) {
  (void)st;
  pthread_t t[4];
  int ok = 1;
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, matcher, &ok);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  assert_true(ok);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_match_literal),      cmocka_unit_test(test_params_and_decoding),
      cmocka_unit_test(test_url_decode),         cmocka_unit_test(test_listing_and_openapi),
      cmocka_unit_test(test_concurrent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
