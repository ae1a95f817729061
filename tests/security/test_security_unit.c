/*
 * Unit tests of the security library: key store, rate limiter, audit log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/security.h"
#include "testutil.h"

static void test_keys_create_verify_revoke(void **state) {
  (void)state;
  char *dir = osc_test_tmpdir("keys");
  char *path = osc_path_join(dir, "keys.json");
  osc_keys *ks = NULL;
  assert_int_equal(osc_keys_open(path, &ks), OSC_OK);
  char key[128];
  osc_key_info info;
  assert_int_equal(osc_keys_create(ks, "ci", OSC_SCOPE_WRITE, key, sizeof key, &info), OSC_OK);
  assert_int_equal(strlen(key), 4 + 12 + 1 + 64);
  assert_true(strncmp(key, "osc_", 4) == 0);
  assert_int_equal(strlen(info.id), 12);

  /* The secret is never stored: the file holds neither the key nor its secret part. */
  char *text = NULL;
  assert_int_equal(osc_read_file(path, 1 << 20, &text, NULL), OSC_OK);
  assert_null(strstr(text, key + 17));
  assert_non_null(strstr(text, info.id));
  free(text);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 077, 0);

  osc_key_info got;
  assert_int_equal(osc_keys_verify(ks, key, strlen(key), &got), OSC_OK);
  assert_string_equal(got.id, info.id);
  assert_int_equal(got.scope, OSC_SCOPE_WRITE);

  /* One changed character of the secret, a truncated key, garbage: all refused. */
  char bad[128];
  snprintf(bad, sizeof bad, "%s", key);
  bad[40] = bad[40] == 'a' ? 'b' : 'a';
  assert_int_equal(osc_keys_verify(ks, bad, strlen(bad), NULL), OSC_EAUTH);
  assert_int_equal(osc_keys_verify(ks, key, strlen(key) - 1, NULL), OSC_EAUTH);
  assert_int_equal(osc_keys_verify(ks, "Bearer", 6, NULL), OSC_EAUTH);
  assert_string_equal(osc_errmsg(), "malformed API key");

  /* Reopen: the key still verifies (persisted), then revoke it. */
  osc_keys_close(ks);
  assert_int_equal(osc_keys_open(path, &ks), OSC_OK);
  assert_int_equal(osc_keys_verify(ks, key, strlen(key), NULL), OSC_OK);
  assert_int_equal(osc_keys_revoke(ks, info.id), OSC_OK);
  assert_int_equal(osc_keys_verify(ks, key, strlen(key), NULL), OSC_EAUTH);
  assert_non_null(strstr(osc_errmsg(), "revoked"));
  assert_int_equal(osc_keys_revoke(ks, "000000000000"), OSC_ENOENT);
  assert_int_equal(osc_keys_active(ks), 0);
  osc_key_info list[4];
  assert_int_equal(osc_keys_list(ks, list, 4), 1);
  assert_true(list[0].revoked_ms > 0);

  /* Bad names and scopes. */
  assert_int_equal(osc_keys_create(ks, "", OSC_SCOPE_READ, key, sizeof key, NULL), OSC_EINVAL);
  assert_int_equal(osc_keys_create(ks, "a\nb", OSC_SCOPE_READ, key, sizeof key, NULL), OSC_EINVAL);
  assert_int_equal(osc_keys_create(ks, "x", (osc_scope)9, key, sizeof key, NULL), OSC_EINVAL);
  osc_scope sc;
  assert_int_equal(osc_scope_parse("admin", &sc), OSC_OK);
  assert_int_equal(sc, OSC_SCOPE_ADMIN);
  assert_int_equal(osc_scope_parse("root", &sc), OSC_EINVAL);
  osc_keys_close(ks);

  /* A corrupt store is reported, not silently emptied. */
  assert_int_equal(osc_write_file_atomic(path, "{\"keys\":[{\"id\":1}]}", 19), OSC_OK);
  assert_int_equal(osc_keys_open(path, &ks), OSC_ECORRUPT);
  free(path);
  osc_test_tmpdir_free(dir);
}

static void test_ratelimit_bucket(void **state) {
  (void)state;
  osc_rate_class classes[] = {{"read", 10, 5}, {"off", 0, 1}};
  osc_ratelimit *rl = NULL;
  assert_int_equal(osc_ratelimit_new(classes, 2, &rl), OSC_OK);
  osc_rate_result r;
  uint64_t t = 1000000000ull;
  for (int i = 0; i < 5; i++) {
    osc_ratelimit_take(rl, "read", "1.2.3.4", t, &r);
    assert_true(r.allowed);
    assert_int_equal(r.limit, 5);
    assert_int_equal(r.remaining, 4 - i);
  }
  osc_ratelimit_take(rl, "read", "1.2.3.4", t, &r);
  assert_false(r.allowed);
  assert_true(r.retry_after_s > 0.09 && r.retry_after_s <= 0.1 + 1e-9);
  /* Another client has its own bucket. */
  osc_ratelimit_take(rl, "read", "5.6.7.8", t, &r);
  assert_true(r.allowed);
  /* 100 ms later one token is back (10/s). */
  osc_ratelimit_take(rl, "read", "1.2.3.4", t + 100000000ull, &r);
  assert_true(r.allowed);
  osc_ratelimit_take(rl, "read", "1.2.3.4", t + 100000000ull, &r);
  assert_false(r.allowed);
  /* Disabled and unknown classes always allow. */
  for (int i = 0; i < 100; i++) {
    osc_ratelimit_take(rl, "off", "x", t, &r);
    assert_true(r.allowed);
    osc_ratelimit_take(rl, "nope", "x", t, &r);
    assert_true(r.allowed);
  }
  /* Many distinct idle clients: memory stays bounded because full buckets are dropped on growth. */
  for (int i = 0; i < 100000; i++) {
    char who[32];
    snprintf(who, sizeof who, "c%d", i);
    osc_ratelimit_take(rl, "read", who, t + (uint64_t)i * 1000000000ull, &r);
    assert_true(r.allowed);
  }
  osc_ratelimit_free(rl);
}

typedef struct {
  osc_ratelimit *rl;
  int allowed;
} rl_arg;

static void *rl_thread(void *p) {
  rl_arg *a = p;
  for (int i = 0; i < 5000; i++) {
    osc_rate_result r;
    osc_ratelimit_take(a->rl, "read", "shared", 5000000000ull, &r);
    a->allowed += r.allowed;
  }
  return NULL;
}

static void test_ratelimit_threads(void **state) {
  (void)state;
  osc_rate_class c = {"read", 1, 1000};
  osc_ratelimit *rl = NULL;
  assert_int_equal(osc_ratelimit_new(&c, 1, &rl), OSC_OK);
  pthread_t th[4];
  rl_arg args[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (rl_arg){rl, 0};
    pthread_create(&th[i], NULL, rl_thread, &args[i]);
  }
  int total = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    total += args[i].allowed;
  }
  assert_int_equal(total, 1000); /* exactly the burst, at one instant */
  osc_ratelimit_free(rl);
}

static void test_audit_lines_and_rotation(void **state) {
  (void)state;
  char *dir = osc_test_tmpdir("audit");
  char *path = osc_path_join(dir, "audit.log");
  osc_audit *a = NULL;
  assert_int_equal(osc_audit_open(path, 600, 2, &a), OSC_OK);
  for (int i = 0; i < 10; i++) {
    osc_audit_event ev = {.key_id = i % 2 ? "abcdef012345" : NULL, .addr = "127.0.0.1", .method = "POST",
                          .route = "cache.set", .path = "/cache/set\"\n", .status = 200, .request_id = "r1"};
    assert_int_equal(osc_audit_write(a, &ev), OSC_OK);
  }
  osc_audit_close(a);
  char *text = NULL;
  assert_int_equal(osc_read_file(path, 1 << 20, &text, NULL), OSC_OK);
  assert_true(strlen(text) <= 600);
  /* Each line is one JSON object; escaping keeps the injected quote and newline inside the string. */
  int lines = 0;
  for (char *p = text; *p; p++) lines += *p == '\n';
  assert_true(lines >= 1);
  assert_non_null(strstr(text, "\\\"\\n"));
  assert_non_null(strstr(text, "\"status\":200"));
  free(text);
  char *rot = osc_asprintf("%s.1", path);
  struct stat st;
  assert_int_equal(stat(rot, &st), 0);
  free(rot);
  rot = osc_asprintf("%s.3", path);
  assert_int_not_equal(stat(rot, &st), 0); /* keep = 2 */
  free(rot);
  free(path);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys_create_verify_revoke),
      cmocka_unit_test(test_ratelimit_bucket),
      cmocka_unit_test(test_ratelimit_threads),
      cmocka_unit_test(test_audit_lines_and_rotation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
