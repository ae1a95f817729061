/* tests/server/test_cli.c - the real `oscontent` command: help at every
 * level, version, config show --json, usage errors (exit 2, one line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

/* Runs the binary with args; returns stdout; *code = exit code; stderr to *err. */
static char *run(const char *args, int *code, char **err) {
  char errfile[] = "/tmp/osc-cli-err-XXXXXX";
  int fd = mkstemp(errfile);
  close(fd);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "env -i PATH=\"$PATH\" '%s' %s 2>%s", osc_test_bin(), args, errfile);
  char *out = osc_test_sh(cmd, code);
  if (err) {
    FILE *f = fopen(errfile, "r");
    char buf[4096] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
    *err = strdup(buf);
  }
  unlink(errfile);
  return out;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

static void test_help_everywhere(void **st) {
  (void)st;
  int code;
  char *out = run("--help", &code, NULL);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "usage: oscontent"));
  assert_non_null(strstr(out, "serve"));
  assert_null(strstr(out, "docs ")); /* hidden */
  free(out);
  /* every command path in the generated reference answers --help with 0 */
  out = run("docs cli", &code, NULL);
  assert_int_equal(code, 0);
  int paths = 0;
  for (char *p = out; (p = strstr(p, "`oscontent ")) != NULL; p++) {
    if (p[-1] != ' ' || (p[-2] != '#')) continue; /* headings only: "## `oscontent x`" */
    char path[256];
    const char *end = strchr(p + 1, '`');
    snprintf(path, sizeof path, "%.*s", (int)(end - p - 11), p + 11);
    char args[300];
    snprintf(args, sizeof args, "%s --help", path);
    char *h = run(args, &code, NULL);
    if (code != 0) fprintf(stderr, "oscontent %s exited %d\n", args, code);
    assert_int_equal(code, 0);
    assert_non_null(strstr(h, "usage:"));
    free(h);
    paths++;
  }
  assert_true(paths >= 5);
  assert_null(strstr(out, "--help` exited"));
  free(out);
  out = run("config -h", &code, NULL);
  assert_int_equal(code, 0);
  free(out);
}

static void test_version(void **st) {
  (void)st;
  int code;
  char *out = run("--version", &code, NULL);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "oscontent 0."));
  free(out);
  out = run("--json version", &code, NULL);
  assert_int_equal(code, 0);
  json_error_t e;
  json_t *j = json_loads(out, 0, &e);
  assert_non_null(j);
  assert_non_null(json_string_value(json_object_get(j, "version")));
  json_decref(j);
  free(out);
}

static void test_config_show(void **st) {
  (void)st;
  int code;
  char *out = run("--set server.port=9123 config show --json", &code, NULL);
  assert_int_equal(code, 0);
  json_error_t e;
  json_t *j = json_loads(out, 0, &e);
  assert_non_null(j);
  json_t *port = json_object_get(j, "server.port");
  assert_int_equal(json_integer_value(json_object_get(port, "value")), 9123);
  assert_string_equal(json_string_value(json_object_get(port, "source")), "cli");
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "server.host"), "source")), "default");
  json_decref(j);
  free(out);
  out = run("config show", &code, NULL);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "server.port"));
  free(out);
  out = run("config get server.host", &code, NULL);
  assert_int_equal(code, 0);
  assert_string_equal(out, "127.0.0.1\n");
  free(out);
}

static void expect_usage_error(const char *args, const char *needle) {
  int code;
  char *err = NULL;
  char *out = run(args, &code, &err);
  if (code != 2 || !strstr(err, needle)) fprintf(stderr, "oscontent %s -> %d: %s", args, code, err);
  assert_int_equal(code, 2);
  assert_int_equal(count_lines(err), 1);
  assert_non_null(strstr(err, needle));
  assert_string_equal(out, "");
  free(out);
  free(err);
}

static void test_usage_errors(void **st) {
  (void)st;
  expect_usage_error("frobnicate", "'frobnicate' is not an oscontent command");
  expect_usage_error("config frob", "'frob' is not a command of 'oscontent config'");
  expect_usage_error("config show --bogus", "unknown option '--bogus'");
  expect_usage_error("serve --port", "--port needs a value");
  expect_usage_error("serve --port abc", "server.port=abc (from --port)");
  expect_usage_error("--set nosuch=1 version", "unknown setting 'nosuch'");
  expect_usage_error("--log-level loud version", "log.level=loud");
  expect_usage_error("--config /nonexistent/x.ini version", "/nonexistent/x.ini");
  expect_usage_error("docs nothing", "unknown document 'nothing'");
  /* no command: usage on stderr, exit 2 */
  int code;
  char *err = NULL;
  char *out = run("", &code, &err);
  assert_int_equal(code, 2);
  assert_non_null(strstr(err, "usage: oscontent"));
  free(out);
  free(err);
  /* a bad environment value names the variable */
  out = run("", &code, NULL);
  free(out);
  err = NULL;
  out = osc_test_sh("env -i OSC_SERVER_PORT=x \"$OSC_TEST_BIN\" version 2>&1", &code);
  assert_int_equal(code, 2);
  assert_non_null(strstr(out, "OSC_SERVER_PORT"));
  free(out);
}

static void test_serve_bind_error(void **st) {
  (void)st;
  int code;
  char *err = NULL;
  char *out = run("--data-dir /tmp serve --host 256.1.1.1 --port 0", &code, &err);
  assert_int_not_equal(code, 0);
  assert_non_null(strstr(err, "server.host=256.1.1.1"));
  free(out);
  free(err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_help_everywhere), cmocka_unit_test(test_version),
      cmocka_unit_test(test_config_show),     cmocka_unit_test(test_usage_errors),
      cmocka_unit_test(test_serve_bind_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
