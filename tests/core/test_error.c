/* tests/core/test_error.c - error texts, names, HTTP statuses, detail messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "server/http.h"

static void test_names_and_texts(void **st) {
  (void)st;
  assert_string_equal(osc_err_name(OSC_OK), "OSC_OK");
  assert_string_equal(osc_err_name(OSC_ENOENT), "OSC_ENOENT");
  assert_string_equal(osc_err_name(OSC_EMEDIA), "OSC_EMEDIA");
  assert_string_equal(osc_err_name(-999), "OSC_EUNKNOWN");
  assert_string_equal(osc_strerror(OSC_ENOENT), "not found");
  assert_string_equal(osc_strerror(OSC_ETOOBIG), "too large");
  assert_string_equal(osc_strerror(12345), "unknown error");
  /* every code has a distinct name and a non-empty text */
#define CHECK(name, value, status, text)                                         \
  assert_true(strlen(osc_strerror(value)) > 0);                                  \
  assert_string_equal(osc_err_name(value), "OSC_" #name);                        \
  assert_int_equal(osc_err_http_status(value), status);
  OSC_ERR_LIST(CHECK)
#undef CHECK
}

static void test_http_status_map(void **st) {
  (void)st;
  assert_int_equal(osc_err_http_status(OSC_EINVAL), 400);
  assert_int_equal(osc_err_http_status(OSC_ENOENT), 404);
  assert_int_equal(osc_err_http_status(OSC_EMETHOD), 405);
  assert_int_equal(osc_err_http_status(OSC_ETOOBIG), 413);
  assert_int_equal(osc_err_http_status(OSC_ERATE), 429);
  assert_int_equal(osc_err_http_status(OSC_EUNAVAIL), 503);
  assert_int_equal(osc_err_http_status(OSC_ENOSPC), 507);
  assert_int_equal(osc_err_http_status(-999), 500);
  assert_int_equal(osc_http_status_for(OSC_EPARSE), 400);
}

static void test_detail(void **st) {
  (void)st;
  osc_clearerr();
  assert_string_equal(osc_errmsg(), "");
  assert_int_equal(osc_seterr(OSC_EINVAL, "ttl_ms: %d is below 0", -5), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "ttl_ms: -5 is below 0");
  osc_seterr(OSC_EIO, NULL);
  assert_string_equal(osc_errmsg(), "input/output error");
  osc_clearerr();
  assert_string_equal(osc_errmsg(), "");
}

static void *other_thread(void *arg) {
  osc_seterr(OSC_EIO, "from the other thread");
  *(int *)arg = strcmp(osc_errmsg(), "from the other thread") == 0;
  return NULL;
}

static void test_detail_is_per_thread(void **st) {
  (void)st;
  osc_seterr(OSC_EINVAL, "mine");
  int ok = 0;
  pthread_t t;
  pthread_create(&t, NULL, other_thread, &ok);
  pthread_join(t, NULL);
  assert_true(ok);
  assert_string_equal(osc_errmsg(), "mine");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_and_texts),
      cmocka_unit_test(test_http_status_map),
      cmocka_unit_test(test_detail),
      cmocka_unit_test(test_detail_is_per_thread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
