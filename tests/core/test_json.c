/* tests/core/test_json.c - JSON parsing with line/column and typed access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"
#include "oscontent/error.h"

static void test_parse(void **st) {
  (void)st;
  json_t *v = NULL;
  const char *ok = "{\"a\": [1, 2, {\"b\": null}]}";
  assert_int_equal(osc_json_parse(ok, strlen(ok), true, &v), OSC_OK);
  assert_true(json_is_array(json_object_get(v, "a")));
  json_decref(v);
  assert_int_equal(osc_json_parse("42", 2, false, &v), OSC_OK); /* any top-level value */
  assert_int_equal(json_integer_value(v), 42);
  json_decref(v);
  const char *bad = "{\n  \"a\": 1,\n  \"b\": }";
  assert_int_equal(osc_json_parse(bad, strlen(bad), false, &v), OSC_EPARSE);
  assert_non_null(strstr(osc_errmsg(), "invalid JSON at line 3, column"));
  const char *dup = "{\"a\":1,\"a\":2}";
  assert_int_equal(osc_json_parse(dup, strlen(dup), true, &v), OSC_EPARSE);
  assert_int_equal(osc_json_parse(dup, strlen(dup), false, &v), OSC_OK);
  json_decref(v);
  assert_int_equal(osc_json_parse("", 0, false, &v), OSC_EPARSE);
  /* deep nesting is refused, not a crash */
  size_t depth = 5000;
  char *deep = malloc(depth * 2 + 1);
  memset(deep, '[', depth);
  memset(deep + depth, ']', depth);
  deep[depth * 2] = '\0';
  assert_int_equal(osc_json_parse(deep, depth * 2, false, &v), OSC_EPARSE);
  free(deep);
  /* invalid UTF-8 */
  assert_int_equal(osc_json_parse("\"\xff\"", 3, false, &v), OSC_EPARSE);
}

static void test_dump(void **st) {
  (void)st;
  json_t *o = json_pack("{s:i,s:s}", "a", 1, "b", "x\"y");
  char *s = osc_json_dump(o);
  assert_string_equal(s, "{\"a\":1,\"b\":\"x\\\"y\"}");
  free(s);
  s = osc_json_dump_pretty(o);
  assert_non_null(strstr(s, "\n  \"a\": 1"));
  free(s);
  json_decref(o);
}

static void test_typed_access(void **st) {
  (void)st;
  json_t *o = json_pack("{s:s,s:i,s:f,s:b,s:f,s:n}", "name", "clip", "duration", 10, "ratio", 0.5, "hd", 1, "fps",
                        30.0, "nothing");
  const char *s = NULL;
  int64_t i = -1;
  double d = -1;
  bool b = false;
  assert_int_equal(osc_json_get_str(o, "name", true, 16, &s), OSC_OK);
  assert_string_equal(s, "clip");
  assert_int_equal(osc_json_get_str(o, "name", true, 2, &s), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "name: longer than 2 bytes (4)");
  assert_int_equal(osc_json_get_str(o, "duration", true, 0, &s), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "duration: expected a string");
  assert_int_equal(osc_json_get_str(o, "missing", true, 0, &s), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "missing: field required");
  s = "unchanged";
  assert_int_equal(osc_json_get_str(o, "missing", false, 0, &s), OSC_OK);
  assert_string_equal(s, "unchanged");
  assert_int_equal(osc_json_get_str(o, "nothing", false, 0, &s), OSC_OK); /* null = absent */
  assert_int_equal(osc_json_get_int(o, "duration", true, 1, 60, &i), OSC_OK);
  assert_int_equal(i, 10);
  assert_int_equal(osc_json_get_int(o, "fps", true, 15, 60, &i), OSC_OK); /* 30.0 is an integer */
  assert_int_equal(i, 30);
  assert_int_equal(osc_json_get_int(o, "duration", true, 1, 5, &i), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "duration: 10 is out of range (expected 1 to 5)");
  assert_int_equal(osc_json_get_int(o, "ratio", true, 0, 5, &i), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "ratio: expected an integer from 0 to 5");
  assert_int_equal(osc_json_get_double(o, "ratio", true, 0, 1, &d), OSC_OK);
  assert_true(d == 0.5);
  assert_int_equal(osc_json_get_double(o, "ratio", true, 0.6, 1, &d), OSC_EINVAL);
  assert_int_equal(osc_json_get_double(o, "name", true, 0, 1, &d), OSC_EINVAL);
  assert_int_equal(osc_json_get_bool(o, "hd", true, &b), OSC_OK);
  assert_true(b);
  assert_int_equal(osc_json_get_bool(o, "name", true, &b), OSC_EINVAL);
  assert_string_equal(osc_errmsg(), "name: expected true or false");
  /* not an object */
  json_t *arr = json_array();
  assert_int_equal(osc_json_get_int(arr, "x", true, 0, 1, &i), OSC_EINVAL);
  json_decref(arr);
  assert_int_equal(osc_json_set(o, "added", NULL), OSC_OK);
  assert_true(json_is_null(json_object_get(o, "added")));
  json_decref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_dump),
      cmocka_unit_test(test_typed_access),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
