/* tests/cache/test_facade.c - get-or-compute single flight, negative TTL, key builder,
 * batches and many threads of mixed operations (run under TSan too). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/clock.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"

static atomic_int g_calls;

static int slow_compute(void *ud, const void *key, size_t klen, void **val, size_t *vlen, osc_cache_ctype *ct,
                        int64_t *ttl) {
  (void)ud;
  (void)ttl;
  atomic_fetch_add(&g_calls, 1);
  osc_sleep_ms(100); /* long enough for every thread to pile up on the miss */
  *val = malloc(klen + 9);
  memcpy(*val, "computed:", 9);
  memcpy((char *)*val + 9, key, klen);
  *vlen = klen + 9;
  *ct = OSC_CACHE_CTYPE_TEXT;
  return OSC_OK;
}

typedef struct worker_arg {
  osc_cache *c;
  pthread_barrier_t *bar;
  int rc;
  char val[64];
} worker_arg;

static void *sf_worker(void *p) {
  worker_arg *a = p;
  pthread_barrier_wait(a->bar);
  osc_cache_value *v = NULL;
  a->rc = osc_cache_get_or_compute(a->c, "hot", 3, slow_compute, NULL, 0, &v);
  if (v) {
    size_t n;
    const char *d = osc_cache_value_data(v, &n);
    snprintf(a->val, sizeof a->val, "%.*s", (int)n, d);
    osc_cache_value_release(v);
  }
  return NULL;
}

static void test_single_flight(void **st) {
  (void)st;
  osc_cache *c;
  assert_int_equal(osc_cache_open(NULL, &c), OSC_OK);
  enum { N = 100 };
  pthread_t th[N];
  worker_arg args[N];
  pthread_barrier_t bar;
  pthread_barrier_init(&bar, NULL, N);
  atomic_store(&g_calls, 0);
  for (int i = 0; i < N; i++) {
    args[i] = (worker_arg){.c = c, .bar = &bar};
    assert_int_equal(pthread_create(&th[i], NULL, sf_worker, &args[i]), 0);
  }
  for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&bar);
  assert_int_equal(atomic_load(&g_calls), 1);
  for (int i = 0; i < N; i++) {
    assert_int_equal(args[i].rc, OSC_OK);
    assert_string_equal(args[i].val, "computed:hot");
  }
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_int_equal(s.computes, 1);
  assert_true(s.singleflight_waits + s.l1.hits >= N - 1);
  osc_cache_close(c);
}

static int not_found(void *ud, const void *key, size_t klen, void **val, size_t *vlen, osc_cache_ctype *ct,
                     int64_t *ttl) {
  (void)ud, (void)key, (void)klen, (void)val, (void)vlen, (void)ct, (void)ttl;
  atomic_fetch_add(&g_calls, 1);
  return OSC_ENOENT;
}

static int failing(void *ud, const void *key, size_t klen, void **val, size_t *vlen, osc_cache_ctype *ct,
                   int64_t *ttl) {
  (void)ud, (void)key, (void)klen, (void)val, (void)vlen, (void)ct, (void)ttl;
  atomic_fetch_add(&g_calls, 1);
  return OSC_ETIMEDOUT;
}

static void test_negative_ttl(void **st) {
  (void)st;
  osc_cache_options o = {0};
  o.negative_ttl_ms = 200;
  osc_cache *c;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  atomic_store(&g_calls, 0);
  osc_cache_value *v;
  assert_int_equal(osc_cache_get_or_compute(c, "nope", 4, not_found, NULL, 0, &v), OSC_ENOENT);
  assert_int_equal(osc_cache_get_or_compute(c, "nope", 4, not_found, NULL, 0, &v), OSC_ENOENT);
  assert_int_equal(atomic_load(&g_calls), 1); /* the second was answered by the negative entry */
  assert_false(osc_cache_exists(c, "nope", 4));
  assert_int_equal(osc_cache_get(c, "nope", 4, &v), OSC_ENOENT);
  osc_sleep_ms(250);
  assert_int_equal(osc_cache_get_or_compute(c, "nope", 4, not_found, NULL, 0, &v), OSC_ENOENT);
  assert_int_equal(atomic_load(&g_calls), 2); /* negative entry expired */
  /* errors are passed on and not cached */
  assert_int_equal(osc_cache_get_or_compute(c, "err", 3, failing, NULL, 0, &v), OSC_ETIMEDOUT);
  assert_int_equal(osc_cache_get_or_compute(c, "err", 3, failing, NULL, 0, &v), OSC_ETIMEDOUT);
  assert_int_equal(atomic_load(&g_calls), 4);
  /* a set replaces a negative entry */
  assert_int_equal(osc_cache_get_or_compute(c, "later", 5, not_found, NULL, 0, &v), OSC_ENOENT);
  assert_int_equal(osc_cache_set(c, "later", 5, "here", 4, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  assert_int_equal(osc_cache_get_or_compute(c, "later", 5, not_found, NULL, 0, &v), OSC_OK);
  osc_cache_value_release(v);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.negative_hits >= 1);
  osc_cache_close(c);
}

static void test_key_build(void **st) {
  (void)st;
  char a[128], b[128], d[128];
  const char *args1[] = {"ab", "c"}, *args2[] = {"a", "bc"};
  int n = osc_cache_key_build(a, sizeof a, "nlp", "analyze", args1, 2);
  assert_true(n > 0);
  assert_int_equal(osc_cache_key_build(b, sizeof b, "nlp", "analyze", args1, 2), n);
  assert_string_equal(a, b); /* stable */
  osc_cache_key_build(d, sizeof d, "nlp", "analyze", args2, 2);
  assert_string_not_equal(a, d); /* argument boundaries matter */
  assert_true(strncmp(a, "nlp:analyze:", 12) == 0);
  assert_int_equal(strlen(a), 12 + 16);
  /* the same on every run: a fixed expected value */
  char e[64];
  osc_cache_key_build(e, sizeof e, NULL, "f", NULL, 0);
  assert_true(strncmp(e, "f:", 2) == 0);
  assert_int_equal(osc_cache_key_build(e, 8, "nlp", "analyze", args1, 2), OSC_ETOOBIG);
  assert_int_equal(osc_cache_key_build(e, sizeof e, "nlp", NULL, args1, 2), OSC_EINVAL);
}

static void test_batch_l1(void **st) {
  (void)st;
  osc_cache *c;
  assert_int_equal(osc_cache_open(NULL, &c), OSC_OK);
  osc_cache_kv items[3] = {{.key = "a", .klen = 1, .val = "1", .vlen = 1},
                           {.key = "b", .klen = 1, .val = "22", .vlen = 2},
                           {.key = "c", .klen = 1, .val = "333", .vlen = 3, .ctype = OSC_CACHE_CTYPE_JSON}};
  assert_int_equal(osc_cache_batch_set(c, items, 3, 0), OSC_OK);
  osc_cache_kv get[4] = {{.key = "a", .klen = 1}, {.key = "zz", .klen = 2}, {.key = "b", .klen = 1},
                         {.key = "c", .klen = 1}};
  assert_int_equal(osc_cache_batch_get(c, get, 4), OSC_OK);
  assert_int_equal(get[0].status, OSC_OK);
  assert_int_equal(get[1].status, OSC_ENOENT);
  assert_null(get[1].result);
  size_t n;
  assert_memory_equal(osc_cache_value_data(get[2].result, &n), "22", 2);
  assert_int_equal(osc_cache_value_ctype(get[3].result), OSC_CACHE_CTYPE_JSON);
  for (int i = 0; i < 4; i++) osc_cache_value_release(get[i].result);
  osc_cache_kv del[2] = {{.key = "a", .klen = 1}, {.key = "zz", .klen = 2}};
  assert_int_equal(osc_cache_batch_delete(c, del, 2), OSC_OK);
  assert_int_equal(del[0].status, OSC_OK);
  assert_int_equal(del[1].status, OSC_ENOENT);
  assert_false(osc_cache_exists(c, "a", 1));
  osc_cache_kv bad[1] = {{.key = "", .klen = 0}};
  assert_int_equal(osc_cache_batch_get(c, bad, 1), OSC_EINVAL);
  assert_int_equal(osc_cache_clear(c), OSC_OK);
  assert_false(osc_cache_exists(c, "b", 1));
  osc_cache_close(c);
}

typedef struct mix_arg {
  osc_cache *c;
  int id;
  long ops;
} mix_arg;

static void *mix_worker(void *p) {
  mix_arg *a = p;
  uint64_t x = 0x12345u + (uint64_t)a->id;
  char buf[256];
  for (int i = 0; i < 20000; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    char k[16];
    int kl = snprintf(k, sizeof k, "k%u", (unsigned)((x >> 33) % 2000));
    unsigned op = (unsigned)(x >> 20) % 10;
    if (op < 5) {
      osc_cache_value *v;
      if (osc_cache_get(a->c, k, (size_t)kl, &v) == OSC_OK) {
        size_t n;
        const char *d = osc_cache_value_data(v, &n);
        /* values are always "v:<key>" */
        if (n != (size_t)kl + 2 || memcmp(d + 2, k, (size_t)kl) != 0) a->ops = -1000000;
        osc_cache_value_release(v);
      }
    } else if (op < 7) {
      size_t n;
      osc_cache_get_buf(a->c, k, (size_t)kl, buf, sizeof buf, &n, NULL);
    } else if (op < 9) {
      char v[32];
      int vl = snprintf(v, sizeof v, "v:%s", k);
      osc_cache_set(a->c, k, (size_t)kl, v, (size_t)vl, OSC_CACHE_CTYPE_TEXT, (op == 8) ? 5 : 0);
    } else {
      osc_cache_delete(a->c, k, (size_t)kl, NULL);
    }
    a->ops++;
  }
  return NULL;
}

static void test_threads_mixed(void **st) {
  (void)st;
  osc_cache_options o = {0};
  o.l1_max_bytes = 16 * 1024; /* far below the 2000 keys: constant eviction */
  o.l1_shards = 4;
  osc_cache *c;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  enum { T = 4 };
  pthread_t th[T];
  mix_arg args[T];
  for (int i = 0; i < T; i++) {
    args[i] = (mix_arg){.c = c, .id = i};
    pthread_create(&th[i], NULL, mix_worker, &args[i]);
  }
  for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < T; i++) assert_int_equal(args[i].ops, 20000);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.l1.bytes <= 16 * 1024);
  assert_true(s.l1.evictions > 0);
  assert_true(s.l1.hits > 0);
  osc_cache_close(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_single_flight), cmocka_unit_test(test_negative_ttl),
                                     cmocka_unit_test(test_key_build), cmocka_unit_test(test_batch_l1),
                                     cmocka_unit_test(test_threads_mixed)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
