/* tests/cache/test_l3.c - the LMDB tier with real files: persistence across restart, kill -9
 * during writes, the disk cap, expiry, corruption detection and promotion to L1. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cache/cache_int.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"
#include "testutil.h"

static osc_cache *open_l3(const char *path, bool with_l1, int64_t max_bytes) {
  osc_cache_options o = {0};
  o.l1_max_bytes = with_l1 ? 0 : -1;
  o.l3_path = path;
  o.l3_max_bytes = max_bytes;
  o.ttl_jitter = -1;
  osc_cache *c = NULL;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  return c;
}

static void test_persistence(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-l3");
  osc_cache *c = open_l3(dir, true, 0);
  char big[5000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + i % 7);
  assert_int_equal(osc_cache_set(c, "small", 5, "tiny", 4, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  assert_int_equal(osc_cache_set(c, "big", 3, big, sizeof big, OSC_CACHE_CTYPE_JSON, OSC_CACHE_TTL_NONE), OSC_OK);
  assert_int_equal(osc_cache_set(c, "brief", 5, "x", 1, OSC_CACHE_CTYPE_TEXT, 100), OSC_OK);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.compress_out_bytes < s.compress_in_bytes); /* the big value was compressed */
  osc_cache_close(c);

  c = open_l3(dir, true, 0); /* restart: L1 empty, L3 has everything */
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(c, "small", 5, &v), OSC_OK);
  size_t n;
  assert_memory_equal(osc_cache_value_data(v, &n), "tiny", 4);
  int64_t left = osc_cache_value_ttl_ms(v);
  assert_true(left > 3500 * 1000 && left <= 3600 * 1000); /* the remaining TTL was carried */
  osc_cache_value_release(v);
  assert_int_equal(osc_cache_get(c, "big", 3, &v), OSC_OK);
  const char *d = osc_cache_value_data(v, &n);
  assert_int_equal(n, sizeof big);
  assert_memory_equal(d, big, sizeof big);
  assert_int_equal(osc_cache_value_ctype(v), OSC_CACHE_CTYPE_JSON);
  assert_int_equal(osc_cache_value_ttl_ms(v), OSC_CACHE_TTL_NONE);
  osc_cache_value_release(v);
  osc_cache_stats(c, &s);
  assert_int_equal(s.l3.hits, 2);
  assert_int_equal(s.l3.lat_count, 2); /* read latency histogram */
  assert_true(s.l3.lat_p99_ns > 0);
  /* promoted: the second read is an L1 hit */
  assert_int_equal(osc_cache_get(c, "big", 3, &v), OSC_OK);
  osc_cache_value_release(v);
  osc_cache_stats(c, &s);
  assert_int_equal(s.l3.hits, 2);
  assert_true(s.l1.hits >= 1);
  osc_sleep_ms(150);
  assert_int_equal(osc_cache_get(c, "brief", 5, &v), OSC_ENOENT); /* expired on disk too */
  bool existed = false;
  assert_int_equal(osc_cache_delete(c, "small", 5, &existed), OSC_OK);
  assert_true(existed);
  osc_cache_close(c);
  c = open_l3(dir, false, 0);
  assert_int_equal(osc_cache_get(c, "small", 5, &v), OSC_ENOENT); /* the delete persisted */
  osc_cache_close(c);
  osc_test_tmpdir_free(dir);
}

static void test_sweep(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-l3sweep");
  osc__l3 *l3;
  assert_int_equal(osc__l3_open(dir, 1 << 24, false, &l3), OSC_OK);
  int64_t now = osc__cache_now_ms();
  for (int i = 0; i < 100; i++) {
    char k[16];
    int n = snprintf(k, sizeof k, "k%03d", i);
    assert_int_equal(osc__l3_put(l3, k, (size_t)n, "data", 4, i % 2 ? now - 1 : 0), OSC_OK);
  }
  size_t removed = osc__l3_sweep(l3, now, 1000);
  assert_int_equal(removed, 50);
  uint64_t entries, bytes;
  assert_int_equal(osc__l3_check(l3, &entries, &bytes), OSC_OK);
  assert_int_equal(entries, 50);
  osc__l3_close(l3);
  osc_test_tmpdir_free(dir);
}

static void test_disk_cap(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-l3cap");
  osc_cache *c = open_l3(dir, false, 1 << 20); /* 1 MiB */
  uint8_t val[10000];
  osc_random_bytes(val, sizeof val); /* incompressible */
  for (int i = 0; i < 300; i++) {
    char k[16];
    int n = snprintf(k, sizeof k, "k%d", i);
    assert_int_equal(osc_cache_set(c, k, (size_t)n, val, sizeof val, OSC_CACHE_CTYPE_BINARY, 0), OSC_OK);
  }
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.l3.bytes <= 1 << 20);
  assert_true(s.l3.evictions >= 190);
  assert_true(s.l3.entries >= 80 && s.l3.entries <= 105);
  /* the newest survive, the oldest were evicted */
  assert_true(osc_cache_exists(c, "k299", 4));
  assert_false(osc_cache_exists(c, "k0", 2));
  osc_cache_close(c);
  osc_test_tmpdir_free(dir);
}

static void test_kill9_during_writes(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-l3kill");
  for (int round = 0; round < 3; round++) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      osc_cache_options o = {0};
      o.l1_max_bytes = -1;
      o.l3_path = dir;
      o.l3_max_bytes = 4 << 20;
      osc_cache *c = NULL;
      if (osc_cache_open(&o, &c)) _exit(3);
      char val[3000];
      for (unsigned i = 0;; i++) {
        char k[32];
        int n = snprintf(k, sizeof k, "r%d-%u", round, i % 5000);
        memset(val, 'a' + (int)(i % 26), sizeof val);
        snprintf(val, sizeof val, "%s|", k);
        osc_cache_kv items[4];
        char keys[4][32];
        for (int j = 0; j < 4; j++) {
          int kn = snprintf(keys[j], sizeof keys[j], "%s.%d", k, j);
          items[j] = (osc_cache_kv){.key = keys[j], .klen = (size_t)kn, .val = val, .vlen = sizeof val};
        }
        if (i % 3 == 0) osc_cache_batch_set(c, items, 4, 0);
        else osc_cache_set(c, k, (size_t)n, val, sizeof val, OSC_CACHE_CTYPE_TEXT, 0);
        if (i % 7 == 0) osc_cache_delete(c, k, (size_t)n, NULL);
      }
    }
    osc_sleep_ms(400 + (uint64_t)round * 150);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    /* the store opens, its totals match a recount, and every value decodes and belongs to its key */
    osc__l3 *l3;
    assert_int_equal(osc__l3_open(dir, 4 << 20, false, &l3), OSC_OK);
    uint64_t entries = 0, bytes = 0;
    assert_int_equal(osc__l3_check(l3, &entries, &bytes), OSC_OK);
    assert_true(entries > 0);
    assert_true(bytes <= 4u << 20);
    osc__l3_close(l3);
    osc_cache *c = open_l3(dir, false, 4 << 20);
    char k[32];
    int found = 0;
    for (unsigned i = 0; i < 5000; i++) {
      int n = snprintf(k, sizeof k, "r%d-%u", round, i);
      osc_cache_value *v;
      if (osc_cache_get(c, k, (size_t)n, &v) == OSC_OK) {
        size_t len;
        const char *d = osc_cache_value_data(v, &len);
        assert_int_equal(len, 3000);
        assert_memory_equal(d, k, (size_t)n);
        found++;
        osc_cache_value_release(v);
      }
    }
    osc_cache_stats s;
    osc_cache_stats(c, &s);
    assert_int_equal(s.corrupt, 0);
    assert_true(found > 0);
    osc_cache_close(c);
  }
  osc_test_tmpdir_free(dir);
}

/* A value damaged on disk is detected, counted, removed and reported as a miss. */
static void test_corrupt_on_disk(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-l3corrupt");
  osc__l3 *l3;
  assert_int_equal(osc__l3_open(dir, 1 << 24, false, &l3), OSC_OK);
  assert_int_equal(osc__l3_put(l3, "bad", 3, "\xc5\x01garbage-that-is-not-a-value", 28, 0), OSC_OK);
  osc__l3_close(l3);
  osc_cache *c = open_l3(dir, true, 0);
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(c, "bad", 3, &v), OSC_ENOENT);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_int_equal(s.corrupt, 1);
  assert_false(osc_cache_exists(c, "bad", 3)); /* removed */
  osc_cache_close(c);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_persistence), cmocka_unit_test(test_sweep),
                                     cmocka_unit_test(test_disk_cap), cmocka_unit_test(test_kill9_during_writes),
                                     cmocka_unit_test(test_corrupt_on_disk)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
