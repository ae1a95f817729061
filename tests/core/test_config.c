/* tests/core/test_config.c - settings table, units, precedence
 * defaults < file < env < CLI, and the exact forms of error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/util.h"
#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "testutil.h"

static char *write_tmp(const char *dir, const char *name, const char *text) {
  char *p = osc_path_join(dir, name);
  assert_int_equal(osc_write_file_atomic(p, text, strlen(text)), OSC_OK);
  return p;
}

static void test_units(void **st) {
  (void)st;
  int64_t v;
  assert_int_equal(osc_parse_bytes("64MiB", &v), OSC_OK);
  assert_int_equal(v, 64ll << 20);
  assert_int_equal(osc_parse_bytes("1kb", &v), OSC_OK);
  assert_int_equal(v, 1000);
  assert_int_equal(osc_parse_bytes("1.5KiB", &v), OSC_OK);
  assert_int_equal(v, 1536);
  assert_int_equal(osc_parse_bytes("12", &v), OSC_OK);
  assert_int_equal(v, 12);
  assert_int_equal(osc_parse_bytes("3 parsecs", &v), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "unknown unit"));
  assert_int_equal(osc_parse_bytes("", &v), OSC_EINVAL);
  assert_int_equal(osc_parse_duration_ms("250ms", &v), OSC_OK);
  assert_int_equal(v, 250);
  assert_int_equal(osc_parse_duration_ms("30s", &v), OSC_OK);
  assert_int_equal(v, 30000);
  assert_int_equal(osc_parse_duration_ms("5m", &v), OSC_OK);
  assert_int_equal(v, 300000);
  assert_int_equal(osc_parse_duration_ms("1h", &v), OSC_OK);
  assert_int_equal(v, 3600000);
  assert_int_equal(osc_parse_duration_ms("2d", &v), OSC_OK);
  assert_int_equal(v, 2 * 86400000ll);
  assert_int_equal(osc_parse_duration_ms("100", &v), OSC_OK);
  assert_int_equal(v, 100);
  assert_int_equal(osc_parse_duration_ms("soon", &v), OSC_EINVAL);
  bool b;
  assert_int_equal(osc_parse_bool("Yes", &b), OSC_OK);
  assert_true(b);
  assert_int_equal(osc_parse_bool("off", &b), OSC_OK);
  assert_false(b);
  assert_int_equal(osc_parse_bool("maybe", &b), OSC_EINVAL);
  assert_int_equal(osc_parse_int("12x", &v), OSC_EINVAL);
  assert_int_equal(osc_parse_int("-7", &v), OSC_OK);
  assert_int_equal(v, -7);
  double d;
  assert_int_equal(osc_parse_double("2.5", &d), OSC_OK);
  assert_true(d == 2.5);
  assert_int_equal(osc_parse_double("nan", &d), OSC_EINVAL);
}

static void test_defaults_and_types(void **st) {
  (void)st;
  osc_config *c = osc_config_new();
  assert_non_null(c);
  assert_true(osc_config_count(c) >= 10);
  /* sorted by name */
  for (size_t i = 1; i < osc_config_count(c); i++)
    assert_true(strcmp(osc_config_def_at(c, i - 1)->name, osc_config_def_at(c, i)->name) < 0);
  assert_int_equal(osc_config_int(c, "server.port"), 8000);
  assert_string_equal(osc_config_str(c, "server.host"), "127.0.0.1");
  assert_int_equal(osc_config_int(c, "server.max_body_bytes"), 1 << 20);
  assert_int_equal(osc_config_int(c, "server.connection_timeout"), 30000);
  assert_false(osc_config_bool(c, "server.debug_routes"));
  assert_string_equal(osc_config_str(c, "log.level"), "info");
  osc_setting_source src;
  const char *origin = "x";
  assert_string_equal(osc_config_text(c, "server.max_body_bytes", &src, &origin), "1048576");
  assert_int_equal(src, OSC_SOURCE_DEFAULT);
  assert_null(origin);
  assert_null(osc_config_text(c, "no.such", NULL, NULL));
  assert_false(osc_config_has(c, "no.such"));
  assert_int_equal(osc_config_set(c, "no.such", "1", OSC_SOURCE_CLI, "--set"), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "unknown setting 'no.such'"));
  /* enum values are canonicalised, case-insensitively */
  assert_int_equal(osc_config_set(c, "log.level", "DEBUG", OSC_SOURCE_CLI, "--log-level"), OSC_OK);
  assert_string_equal(osc_config_str(c, "log.level"), "debug");
  osc_config_free(c);
}

static void test_precedence(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cfg");
  char *file = write_tmp(dir, "a.ini", "# comment\ndata_dir = /tmp/x\n[server]\nport = 9001\nhost = \"::1\"\n"
                                      "max_body_bytes = 2MiB # trailing comment\n");
  /* CLI first, then file and env: the order of calls cannot invert precedence */
  osc_config *c = osc_config_new();
  assert_int_equal(osc_config_set(c, "server.port", "9003", OSC_SOURCE_CLI, "--port"), OSC_OK);
  setenv("OSC_SERVER_PORT", "9002", 1);
  setenv("OSC_SERVER_THREADS", "3", 1);
  setenv("REDIS_URL", "redis://127.0.0.1:6390", 1);
  assert_int_equal(osc_config_load_file(c, file), OSC_OK);
  assert_int_equal(osc_config_load_env(c), OSC_OK);
  assert_int_equal(osc_config_int(c, "server.port"), 9003);
  assert_int_equal(osc_config_int(c, "server.threads"), 3);
  assert_string_equal(osc_config_str(c, "server.host"), "::1");
  assert_string_equal(osc_config_str(c, "data_dir"), "/tmp/x");
  assert_int_equal(osc_config_int(c, "server.max_body_bytes"), 2 << 20);
  assert_string_equal(osc_config_str(c, "redis_url"), "redis://127.0.0.1:6390");
  osc_setting_source src;
  const char *origin;
  osc_config_text(c, "server.port", &src, &origin);
  assert_int_equal(src, OSC_SOURCE_CLI);
  assert_string_equal(origin, "--port");
  osc_config_text(c, "server.threads", &src, &origin);
  assert_int_equal(src, OSC_SOURCE_ENV);
  assert_string_equal(origin, "OSC_SERVER_THREADS");
  osc_config_text(c, "redis_url", &src, &origin);
  assert_string_equal(origin, "REDIS_URL");
  osc_config_text(c, "server.host", &src, &origin);
  assert_int_equal(src, OSC_SOURCE_FILE);
  assert_non_null(strstr(origin, "a.ini:5"));
  osc_config_free(c);

  /* without CLI: env beats file */
  c = osc_config_new();
  assert_int_equal(osc_config_load_file(c, file), OSC_OK);
  assert_int_equal(osc_config_int(c, "server.port"), 9001);
  assert_int_equal(osc_config_load_env(c), OSC_OK);
  assert_int_equal(osc_config_int(c, "server.port"), 9002);
  osc_config_free(c);
  unsetenv("OSC_SERVER_PORT");
  unsetenv("OSC_SERVER_THREADS");
  unsetenv("REDIS_URL");

  /* render: JSON parses and carries value, source, origin */
  c = osc_config_new();
  assert_int_equal(osc_config_load_file(c, file), OSC_OK);
  char *text = NULL;
  assert_int_equal(osc_config_render(c, true, &text), OSC_OK);
  json_error_t je;
  json_t *j = json_loads(text, 0, &je);
  assert_non_null(j);
  json_t *port = json_object_get(j, "server.port");
  assert_int_equal(json_integer_value(json_object_get(port, "value")), 9001);
  assert_string_equal(json_string_value(json_object_get(port, "source")), "file");
  assert_non_null(strstr(json_string_value(json_object_get(port, "origin")), "a.ini:4"));
  json_decref(j);
  free(text);
  assert_int_equal(osc_config_render(c, false, &text), OSC_OK);
  assert_non_null(strstr(text, "server.port"));
  free(text);
  osc_config_free(c);
  free(file);
  osc_test_tmpdir_free(dir);
}

static void test_error_messages(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cfgerr");
  osc_config *c = osc_config_new();
  /* bad value in a file: file:line, setting, value, what is allowed */
  char *f1 = write_tmp(dir, "bad.ini", "[server]\n\nport = 70000\n");
  assert_int_equal(osc_config_load_file(c, f1), OSC_EINVAL);
  const char *m = osc_errmsg();
  assert_non_null(strstr(m, "server.port=70000"));
  assert_non_null(strstr(m, "bad.ini:3"));
  assert_non_null(strstr(m, "out of range"));
  assert_non_null(strstr(m, "expected int from 0 to 65535"));
  /* unknown setting in a file */
  char *f2 = write_tmp(dir, "unknown.ini", "[cache]\nbogus = 1\n");
  assert_int_equal(osc_config_load_file(c, f2), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "unknown.ini:2: unknown setting 'cache.bogus'"));
  /* syntax */
  char *f3 = write_tmp(dir, "syntax.ini", "[server\n");
  assert_int_equal(osc_config_load_file(c, f3), OSC_EPARSE);
  assert_non_null(strstr(osc_errmsg(), "syntax.ini:1: expected '[section]'"));
  char *f4 = write_tmp(dir, "noeq.ini", "ok = 1\n");
  assert_int_equal(osc_config_load_file(c, f4), OSC_EINVAL); /* 'ok' is no setting */
  char *f5 = write_tmp(dir, "noeq2.ini", "[log]\nlevel\n");
  assert_int_equal(osc_config_load_file(c, f5), OSC_EPARSE);
  assert_non_null(strstr(osc_errmsg(), "noeq2.ini:2: expected 'key = value'"));
  /* missing file */
  char *nofile = osc_path_join(dir, "missing.ini");
  assert_int_equal(osc_config_load_file(c, nofile), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "missing.ini"));
  /* environment: names the variable */
  setenv("OSC_LOG_LEVEL", "loud", 1);
  assert_int_equal(osc_config_load_env(c), OSC_EINVAL);
  m = osc_errmsg();
  assert_non_null(strstr(m, "log.level=loud (from OSC_LOG_LEVEL)"));
  assert_non_null(strstr(m, "one of trace|debug|info|warn|error|off"));
  unsetenv("OSC_LOG_LEVEL");
  setenv("OSC_SERVER_DEBUG_ROUTES", "perhaps", 1);
  assert_int_equal(osc_config_load_env(c), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "(from OSC_SERVER_DEBUG_ROUTES)"));
  assert_non_null(strstr(osc_errmsg(), "expected true or false"));
  unsetenv("OSC_SERVER_DEBUG_ROUTES");
  /* CLI flag */
  assert_int_equal(osc_config_set(c, "server.max_body_bytes", "lots", OSC_SOURCE_CLI, "--set"), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "server.max_body_bytes=lots (from --set)"));
  assert_non_null(strstr(osc_errmsg(), "expected bytes from 1024"));
  assert_int_equal(osc_config_set(c, "server.connection_timeout", "10ms", OSC_SOURCE_CLI, "--set"), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "allowed 1000 to 3600000 ms"));
  /* a failed set leaves the old value */
  assert_int_equal(osc_config_int(c, "server.port"), 8000);
  osc_config_free(c);
  free(f1);
  free(f2);
  free(f3);
  free(f4);
  free(f5);
  free(nofile);
  osc_test_tmpdir_free(dir);
}

static void test_data_path(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("datapath");
  osc_config *c = osc_config_new();
  assert_int_equal(osc_config_set(c, "data_dir", dir, OSC_SOURCE_CLI, "--data-dir"), OSC_OK);
  char *p = NULL;
  assert_int_equal(osc_config_data_path(c, "cache/l3", true, &p), OSC_OK);
  assert_true(osc_str_has_suffix(p, "/cache/l3"));
  free(p);
  assert_int_equal(osc_config_data_path(c, "../etc", true, &p), OSC_EINVAL);
  assert_int_equal(osc_config_data_path(c, "/etc", true, &p), OSC_EINVAL);
  osc_config_free(c);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  osc_log_set_level(OSC_LOG_ERROR);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_units),
      cmocka_unit_test(test_defaults_and_types),
      cmocka_unit_test(test_precedence),
      cmocka_unit_test(test_error_messages),
      cmocka_unit_test(test_data_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
