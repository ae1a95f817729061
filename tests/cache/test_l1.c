/* tests/cache/test_l1.c - L1 policies on crafted sequences, byte accounting, TTL, jitter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cache/cache_int.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"

static osc__l1 *mk(osc_cache_policy p, int cap) {
  osc__l1_opts o = {.max_entries = cap, .policy = p, .shards = 1, .unit_weight = true};
  osc__l1 *l1 = NULL;
  assert_int_equal(osc__l1_new(&o, &l1), OSC_OK);
  return l1;
}

static bool has(osc__l1 *l1, uint64_t k) {
  uint64_t h = osc_mix64(k + 0x9e3779b97f4a7c15ull);
  return osc__l1_contains(l1, h ? h : 1, &k, sizeof k, 0);
}

static void run(osc__l1 *l1, const uint64_t *seq, size_t n) {
  for (size_t i = 0; i < n; i++) osc__l1_access(l1, seq[i]);
}

/* Capacity 3.  The same sequence leaves a different resident set under each policy:
 *   1 2 3 1 1 2 4 : FIFO evicts 1 (oldest insert), LRU evicts 3 (least recent),
 *   LFU evicts 3 (1 seen 3x, 2 seen 2x, 3 once). */
static void test_fifo_lru_lfu_differ(void **st) {
  (void)st;
  const uint64_t seq[] = {1, 2, 3, 1, 1, 2, 4};
  osc__l1 *fifo = mk(OSC_CACHE_POLICY_FIFO, 3), *lru = mk(OSC_CACHE_POLICY_LRU, 3), *lfu = mk(OSC_CACHE_POLICY_LFU, 3);
  run(fifo, seq, 7);
  run(lru, seq, 7);
  run(lfu, seq, 7);
  assert_false(has(fifo, 1));
  assert_true(has(fifo, 2) && has(fifo, 3) && has(fifo, 4));
  assert_false(has(lru, 3));
  assert_true(has(lru, 1) && has(lru, 2) && has(lru, 4));
  assert_false(has(lfu, 3));
  /* now tell LRU and LFU apart: 1 1 1 2 3 (cap 2 would not do); cap 3: touch 2 and 4 recently, then 5 */
  const uint64_t seq2[] = {2, 4, 5};
  run(lru, seq2, 3); /* LRU: resident 1,2,4 -> access 2,4 -> 5 evicts 1 */
  run(lfu, seq2, 3); /* LFU: counts 1:3 2:3 4:2 -> 5 evicts 4 (2 became 3 by the hit) ... */
  assert_false(has(lru, 1));
  assert_true(has(lfu, 1));
  osc__l1_free(fifo);
  osc__l1_free(lru);
  osc__l1_free(lfu);
}

/* S3-FIFO is scan resistant: a hot set survives a long scan of one-hit keys, under LRU it does not. */
static void test_s3fifo_scan_resistance(void **st) {
  (void)st;
  osc__l1 *s3 = mk(OSC_CACHE_POLICY_S3FIFO, 20), *lru = mk(OSC_CACHE_POLICY_LRU, 20);
  for (int r = 0; r < 3; r++)
    for (uint64_t k = 1; k <= 10; k++) {
      osc__l1_access(s3, k);
      osc__l1_access(lru, k);
    }
  for (uint64_t k = 1000; k < 1100; k++) {
    osc__l1_access(s3, k);
    osc__l1_access(lru, k);
  }
  int s3_hot = 0, lru_hot = 0;
  for (uint64_t k = 1; k <= 10; k++) {
    s3_hot += has(s3, k);
    lru_hot += has(lru, k);
  }
  assert_int_equal(s3_hot, 10);
  assert_int_equal(lru_hot, 0);
  osc__l1_free(s3);
  osc__l1_free(lru);
}

/* Tiny caches still work (queues clamped): a 3-entry S3-FIFO hits on a loop of 2 keys. */
static void test_s3fifo_tiny(void **st) {
  (void)st;
  osc__l1 *s3 = mk(OSC_CACHE_POLICY_S3FIFO, 3);
  int hits = 0;
  for (int i = 0; i < 100; i++) hits += osc__l1_access(s3, (uint64_t)(i % 2));
  assert_true(hits >= 98);
  /* one-entry cache */
  osc__l1 *one = mk(OSC_CACHE_POLICY_S3FIFO, 1);
  hits = 0;
  for (int i = 0; i < 10; i++) hits += osc__l1_access(one, 7);
  assert_int_equal(hits, 9);
  osc__l1_free(s3);
  osc__l1_free(one);
}

/* The ghost queue: a key evicted from the small queue and seen again goes to main. */
static void test_s3fifo_ghost(void **st) {
  (void)st;
  osc__l1 *s3 = mk(OSC_CACHE_POLICY_S3FIFO, 10);
  osc__l1_access(s3, 1);
  for (uint64_t k = 100; k < 112; k++) osc__l1_access(s3, k); /* 1 falls out of S into G */
  assert_false(has(s3, 1));
  osc__l1_access(s3, 1); /* back, into M */
  for (uint64_t k = 200; k < 230; k++) osc__l1_access(s3, k);
  assert_true(has(s3, 1)); /* main survived the second one-hit wave */
  osc__l1_free(s3);
}

static osc_cache *open_l1(int64_t max_bytes, osc_cache_policy p, int shards) {
  osc_cache_options o = {0};
  o.l1_max_bytes = max_bytes;
  o.l1_policy = p;
  o.l1_shards = shards;
  osc_cache *c = NULL;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  return c;
}

static void test_byte_accounting(void **st) {
  (void)st;
  osc_cache *c = open_l1(64 * 1024, OSC_CACHE_POLICY_LRU, 1);
  char val[1000];
  memset(val, 'x', sizeof val);
  for (int i = 0; i < 500; i++) {
    char k[32];
    int n = snprintf(k, sizeof k, "key-%d", i);
    assert_int_equal(osc_cache_set(c, k, (size_t)n, val, sizeof val, OSC_CACHE_CTYPE_BINARY, 0), OSC_OK);
  }
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.l1.bytes <= 64 * 1024);
  assert_true(s.l1.bytes >= 50 * 1024);
  assert_true(s.l1.entries >= 50 && s.l1.entries < 64);
  assert_int_equal(s.l1.evictions, 500 - s.l1.entries);
  /* each entry is charged at least key + value */
  assert_true(s.l1.bytes >= s.l1.entries * (1000 + 6));
  /* the newest is present (LRU), the oldest is gone */
  assert_true(osc_cache_exists(c, "key-499", 7));
  assert_false(osc_cache_exists(c, "key-0", 5));
  /* a value larger than L1 with no other level is refused */
  char *big = calloc(1, 100 * 1024);
  assert_int_equal(osc_cache_set(c, "big", 3, big, 100 * 1024, OSC_CACHE_CTYPE_BINARY, 0), OSC_ETOOBIG);
  free(big);
  /* overwrite keeps accounting exact */
  uint64_t before = s.l1.bytes;
  assert_int_equal(osc_cache_set(c, "key-499", 7, val, 10, OSC_CACHE_CTYPE_BINARY, 0), OSC_OK);
  osc_cache_stats(c, &s);
  assert_int_equal(s.l1.bytes, before - 990);
  osc_cache_close(c);
}

static void test_ttl(void **st) {
  (void)st;
  osc_cache_options o = {0};
  o.ttl_jitter = -1; /* exact TTLs */
  osc_cache *c = NULL;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  assert_int_equal(osc_cache_set(c, "short", 5, "v", 1, OSC_CACHE_CTYPE_TEXT, 150), OSC_OK);
  assert_int_equal(osc_cache_set(c, "forever", 7, "v", 1, OSC_CACHE_CTYPE_TEXT, OSC_CACHE_TTL_NONE), OSC_OK);
  assert_int_equal(osc_cache_set(c, "default", 7, "v", 1, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  osc_cache_value *v = NULL;
  assert_int_equal(osc_cache_get(c, "short", 5, &v), OSC_OK);
  int64_t left = osc_cache_value_ttl_ms(v);
  assert_true(left > 0 && left <= 150);
  osc_cache_value_release(v);
  assert_int_equal(osc_cache_get(c, "forever", 7, &v), OSC_OK);
  assert_int_equal(osc_cache_value_ttl_ms(v), OSC_CACHE_TTL_NONE);
  osc_cache_value_release(v);
  assert_int_equal(osc_cache_get(c, "default", 7, &v), OSC_OK);
  left = osc_cache_value_ttl_ms(v);
  assert_true(left > 3590 * 1000 && left <= 3600 * 1000);
  osc_cache_value_release(v);
  osc_sleep_ms(200);
  assert_int_equal(osc_cache_get(c, "short", 5, &v), OSC_ENOENT);
  assert_false(osc_cache_exists(c, "short", 5));
  assert_true(osc_cache_exists(c, "forever", 7));
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.l1.expirations >= 1);
  /* negative TTL is refused */
  assert_int_equal(osc_cache_set(c, "k", 1, "v", 1, OSC_CACHE_CTYPE_TEXT, -5), OSC_EINVAL);
  osc_cache_close(c);
}

static void test_jitter(void **st) {
  (void)st;
  osc_cache_options o = {0};
  o.ttl_jitter = 0.10;
  osc_cache *c = NULL;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  int64_t mn = INT64_MAX, mx = 0;
  for (int i = 0; i < 200; i++) {
    char k[16];
    int n = snprintf(k, sizeof k, "j%d", i);
    assert_int_equal(osc_cache_set(c, k, (size_t)n, "v", 1, OSC_CACHE_CTYPE_TEXT, 100000), OSC_OK);
    osc_cache_value *v;
    assert_int_equal(osc_cache_get(c, k, (size_t)n, &v), OSC_OK);
    int64_t t = osc_cache_value_ttl_ms(v);
    osc_cache_value_release(v);
    if (t < mn) mn = t;
    if (t > mx) mx = t;
  }
  assert_true(mn >= 89900 && mx <= 110000);
  assert_true(mx - mn > 10000); /* really spread */
  osc_cache_close(c);
}

/* A reference outlives overwrite, delete and eviction. */
static void test_refcount(void **st) {
  (void)st;
  osc_cache *c = open_l1(1 << 20, OSC_CACHE_POLICY_DEFAULT, 4);
  assert_int_equal(osc_cache_set(c, "k", 1, "hello", 5, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(c, "k", 1, &v), OSC_OK);
  assert_int_equal(osc_cache_set(c, "k", 1, "world!", 6, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  bool existed = false;
  assert_int_equal(osc_cache_delete(c, "k", 1, &existed), OSC_OK);
  assert_true(existed);
  size_t len;
  const char *d = osc_cache_value_data(v, &len);
  assert_int_equal(len, 5);
  assert_memory_equal(d, "hello", 5);
  assert_int_equal(osc_cache_value_ctype(v), OSC_CACHE_CTYPE_TEXT);
  osc_cache_value_release(v);
  char buf[4];
  assert_int_equal(osc_cache_set(c, "b", 1, "12345", 5, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  assert_int_equal(osc_cache_get_buf(c, "b", 1, buf, sizeof buf, &len, NULL), OSC_ETOOBIG);
  assert_int_equal(len, 5);
  /* bad keys */
  assert_int_equal(osc_cache_get(c, "", 0, &v), OSC_EINVAL);
  char longkey[OSC_CACHE_MAX_KEY + 1];
  memset(longkey, 'a', sizeof longkey);
  assert_int_equal(osc_cache_set(c, longkey, sizeof longkey, "v", 1, OSC_CACHE_CTYPE_TEXT, 0), OSC_EINVAL);
  assert_int_equal(osc_cache_set(c, longkey, OSC_CACHE_MAX_KEY, "v", 1, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  osc_cache_close(c);
}

static void test_options_validation(void **st) {
  (void)st;
  osc_cache_options o = {0};
  osc_cache *c = NULL;
  o.l1_shards = 3;
  assert_int_equal(osc_cache_open(&o, &c), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "l1_shards"));
  o.l1_shards = 0;
  o.namespace_ = "bad ns";
  assert_int_equal(osc_cache_open(&o, &c), OSC_EINVAL);
  o.namespace_ = NULL;
  o.ttl_jitter = 0.9;
  assert_int_equal(osc_cache_open(&o, &c), OSC_EINVAL);
  o.ttl_jitter = 0;
  o.codec = (osc_cache_codec)42;
  assert_int_equal(osc_cache_open(&o, &c), OSC_EINVAL);
  o.codec = OSC_CACHE_CODEC_GZIP;
  o.codec_level = 12;
  assert_int_equal(osc_cache_open(&o, &c), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "gzip"));
  osc_cache_policy p;
  assert_int_equal(osc_cache_policy_parse("lfu", &p), OSC_OK);
  assert_int_equal(p, OSC_CACHE_POLICY_LFU);
  assert_int_equal(osc_cache_policy_parse("arc", &p), OSC_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fifo_lru_lfu_differ), cmocka_unit_test(test_s3fifo_scan_resistance),
      cmocka_unit_test(test_s3fifo_tiny),         cmocka_unit_test(test_s3fifo_ghost),
      cmocka_unit_test(test_byte_accounting),     cmocka_unit_test(test_ttl),
      cmocka_unit_test(test_jitter),              cmocka_unit_test(test_refcount),
      cmocka_unit_test(test_options_validation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
