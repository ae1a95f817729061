/* tests/core/test_util.c - buffers, strings, paths, files, hashing, RNG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "testutil.h"

static void test_buf(void **st) {
  (void)st;
  osc_buf b = OSC_BUF_INIT;
  assert_int_equal(osc_buf_puts(&b, "abc"), OSC_OK);
  assert_int_equal(osc_buf_putc(&b, '-'), OSC_OK);
  assert_int_equal(osc_buf_printf(&b, "%d/%s", 42, "x"), OSC_OK);
  assert_string_equal(b.data, "abc-42/x");
  assert_int_equal(b.len, 8);
  for (int i = 0; i < 10000; i++) osc_buf_putc(&b, 'z');
  assert_int_equal(b.len, 10008);
  assert_int_equal(b.data[b.len], '\0');
  osc_buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  osc_buf_put_json_str(&b, "a\"b\\c\n\x01", 7);
  assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
  size_t n = 0;
  char *s = osc_buf_detach(&b, &n);
  assert_int_equal(n, strlen(s));
  free(s);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  osc_buf_release(&b);
  char *empty = osc_buf_detach(&b, NULL);
  assert_non_null(empty);
  assert_string_equal(empty, "");
  free(empty);
}

static void test_strings(void **st) {
  (void)st;
  assert_null(osc_strdup(NULL));
  char *s = osc_asprintf("%s-%d", "x", 5);
  assert_string_equal(s, "x-5");
  free(s);
  s = osc_strndup("abcdef", 3);
  assert_string_equal(s, "abc");
  free(s);
  assert_true(osc_str_has_prefix("cache.l1", "cache."));
  assert_false(osc_str_has_prefix("ca", "cache"));
  assert_true(osc_str_has_suffix("a.mp4", ".mp4"));
  assert_false(osc_str_has_suffix("mp4", ".mp4"));
  char t[] = "  \t padded \n";
  assert_string_equal(osc_str_trim(t), "padded");
}

static void test_paths(void **st) {
  (void)st;
  assert_true(osc_path_is_safe_relative("a"));
  assert_true(osc_path_is_safe_relative("cache/l3/ab.bin"));
  assert_true(osc_path_is_safe_relative("..a/b.."));
  assert_false(osc_path_is_safe_relative(NULL));
  assert_false(osc_path_is_safe_relative(""));
  assert_false(osc_path_is_safe_relative("/etc/passwd"));
  assert_false(osc_path_is_safe_relative(".."));
  assert_false(osc_path_is_safe_relative("../x"));
  assert_false(osc_path_is_safe_relative("a/../../x"));
  assert_false(osc_path_is_safe_relative("a/.."));
  assert_false(osc_path_is_safe_relative("a//b"));
  assert_false(osc_path_is_safe_relative("./a"));
  char *p = osc_path_join("/data/", "/x/y");
  assert_string_equal(p, "/data/x/y");
  free(p);
  p = osc_path_join("/", "x");
  assert_string_equal(p, "/x");
  free(p);
}

static void test_files(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("util");
  char *sub = osc_path_join(dir, "a/b/c");
  assert_int_equal(osc_mkdir_p(sub, 0700), OSC_OK);
  assert_int_equal(osc_mkdir_p(sub, 0700), OSC_OK); /* idempotent */
  struct stat sb;
  assert_int_equal(stat(sub, &sb), 0);
  assert_true(S_ISDIR(sb.st_mode));
  char *f = osc_path_join(sub, "f.txt");
  assert_int_equal(osc_write_file_atomic(f, "hello", 5), OSC_OK);
  assert_int_equal(osc_write_file_atomic(f, "world!", 6), OSC_OK);
  char *data = NULL;
  size_t len = 0;
  assert_int_equal(osc_read_file(f, 100, &data, &len), OSC_OK);
  assert_int_equal(len, 6);
  assert_string_equal(data, "world!");
  free(data);
  assert_int_equal(osc_read_file(f, 3, &data, &len), OSC_ETOOBIG);
  char *missing = osc_path_join(dir, "none");
  assert_int_equal(osc_read_file(missing, 100, &data, &len), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "none"));
  assert_int_equal(osc_rm_rf(dir), OSC_OK);
  assert_int_equal(stat(dir, &sb), -1);
  free(f);
  free(sub);
  free(missing);
  free(dir);
}

/* Writing "atomically" to a device must write into it, never rename over the
 * node (a test once replaced /dev/null with a regular file that way). */
static void test_atomic_write_special_file(void **st) {
  (void)st;
  struct stat before, after;
  assert_int_equal(stat("/dev/null", &before), 0);
  assert_true(S_ISCHR(before.st_mode));
  assert_int_equal(osc_write_file_atomic("/dev/null", "12345\n", 6), OSC_OK);
  assert_int_equal(stat("/dev/null", &after), 0);
  assert_true(S_ISCHR(after.st_mode));
  assert_int_equal(after.st_rdev, before.st_rdev);
  assert_int_equal(osc_write_file_atomic("/tmp", "x", 1), OSC_EINVAL);
}

static void test_hash_rng_clock(void **st) {
  (void)st;
  assert_true(osc_hash64("abc", 3, 1) == osc_hash64("abc", 3, 1));
  assert_true(osc_hash64("abc", 3, 1) != osc_hash64("abd", 3, 1));
  assert_true(osc_hash64("abc", 3, 1) != osc_hash64("abc", 3, 2));
  osc_rng a, b;
  osc_rng_seed(&a, 7);
  osc_rng_seed(&b, 7);
  for (int i = 0; i < 100; i++) assert_true(osc_rng_next(&a) == osc_rng_next(&b));
  for (int i = 0; i < 1000; i++) {
    double d = osc_rng_double(&a);
    assert_true(d >= 0 && d < 1);
    assert_true(osc_rng_below(&a, 10) < 10);
  }
  char hex[33];
  osc_random_hex(hex, 32);
  assert_int_equal(strlen(hex), 32);
  assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
  uint64_t t0 = osc_now_ns();
  osc_sleep_ms(5);
  assert_true(osc_now_ns() - t0 >= 5000000);
  char ts[40];
  osc_iso8601(0, ts, sizeof ts);
  assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
  assert_true(osc_cpu_count() >= 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buf),         cmocka_unit_test(test_strings),        cmocka_unit_test(test_paths),
      cmocka_unit_test(test_files),       cmocka_unit_test(test_hash_rng_clock),
      cmocka_unit_test(test_atomic_write_special_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
