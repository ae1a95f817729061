/* tests/core/test_log.c - levels, handler, text and JSON-lines output,
 * level checked before formatting, concurrent logging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "oscontent/error.h"
#include "oscontent/log.h"

typedef struct captured {
  int calls;
  osc_log_level level;
  char module[32];
  char msg[256];
} captured;

static void capture(void *ud, osc_log_level level, const char *module, const char *msg) {
  captured *c = ud;
  c->calls++;
  c->level = level;
  snprintf(c->module, sizeof c->module, "%s", module);
  snprintf(c->msg, sizeof c->msg, "%s", msg);
}

static int g_evaluated;
static int side_effect(void) { return ++g_evaluated; }

static void test_levels_and_handler(void **st) {
  (void)st;
  captured c = {0};
  osc_log_set_handler(capture, &c);
  osc_log_set_level(OSC_LOG_INFO);
  assert_int_equal(osc_log_get_level(), OSC_LOG_INFO);
  assert_false(osc_log_enabled(OSC_LOG_DEBUG));
  assert_true(osc_log_enabled(OSC_LOG_WARN));
  OSC_INFO("cache", "hit %d\n", 3);
  assert_int_equal(c.calls, 1);
  assert_int_equal(c.level, OSC_LOG_INFO);
  assert_string_equal(c.module, "cache");
  assert_string_equal(c.msg, "hit 3"); /* trailing newline removed */
  g_evaluated = 0;
  OSC_DEBUG("cache", "value %d", side_effect()); /* below the level: arguments never evaluated */
  assert_int_equal(g_evaluated, 0);
  assert_int_equal(c.calls, 1);
  osc_log_set_level(OSC_LOG_OFF);
  OSC_ERROR("x", "nothing");
  assert_int_equal(c.calls, 1);
  osc_log_set_level(OSC_LOG_TRACE);
  OSC_LOG(OSC_LOG_TRACE, "x", "%s", "t");
  assert_int_equal(c.calls, 2);
  osc_log_set_handler(NULL, NULL);
}

static void test_parse_names(void **st) {
  (void)st;
  osc_log_level l;
  assert_int_equal(osc_log_level_parse("WARN", &l), OSC_OK);
  assert_int_equal(l, OSC_LOG_WARN);
  assert_int_equal(osc_log_level_parse("warning", &l), OSC_OK);
  assert_int_equal(l, OSC_LOG_WARN);
  assert_int_equal(osc_log_level_parse("loud", &l), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "trace|debug|info|warn|error|off"));
  assert_string_equal(osc_log_level_name(OSC_LOG_ERROR), "error");
}

static void test_text_and_json_output(void **st) {
  (void)st;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  osc_log_set_level(OSC_LOG_INFO);
  osc_log_use_stream(fp, OSC_LOG_FORMAT_TEXT);
  OSC_WARN("tasks", "queue %s", "full");
  fflush(fp);
  assert_non_null(strstr(buf, " warn  [tasks] queue full\n"));
  assert_true(buf[4] == '-' && strchr(buf, 'T') && strchr(buf, 'Z')); /* ISO 8601 time */
  fclose(fp);
  free(buf);
  buf = NULL;
  fp = open_memstream(&buf, &len);
  osc_log_use_stream(fp, OSC_LOG_FORMAT_JSON);
  OSC_ERROR("nlp", "bad \"quote\" and\ttab");
  fflush(fp);
  json_error_t e;
  json_t *j = json_loads(buf, 0, &e);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "level")), "error");
  assert_string_equal(json_string_value(json_object_get(j, "module")), "nlp");
  assert_string_equal(json_string_value(json_object_get(j, "msg")), "bad \"quote\" and\ttab");
  assert_non_null(json_object_get(j, "time"));
  json_decref(j);
  osc_log_use_stream(stderr, OSC_LOG_FORMAT_TEXT);
  fclose(fp);
  free(buf);
}

static void *writer(void *arg) {
  for (int i = 0; i < 500; i++) OSC_INFO("t", "line %d from %d", i, *(int *)arg);
  return NULL;
}

static void test_concurrent_lines_do_not_interleave(void **st) {
  (void)st;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  osc_log_use_stream(fp, OSC_LOG_FORMAT_JSON);
  pthread_t t[4];
  int ids[4] = {0, 1, 2, 3};
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, writer, &ids[i]);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  fflush(fp);
  int lines = 0;
  for (char *p = buf, *nl; p && *p; p = nl + 1) {
    nl = strchr(p, '\n');
    assert_non_null(nl);
    *nl = '\0';
    json_error_t e;
    json_t *j = json_loads(p, 0, &e);
    assert_non_null(j);
    json_decref(j);
    lines++;
  }
  assert_int_equal(lines, 2000);
  osc_log_use_stream(stderr, OSC_LOG_FORMAT_TEXT);
  fclose(fp);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_levels_and_handler),
      cmocka_unit_test(test_parse_names),
      cmocka_unit_test(test_text_and_json_output),
      cmocka_unit_test(test_concurrent_lines_do_not_interleave),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
