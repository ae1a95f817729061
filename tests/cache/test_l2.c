/* tests/cache/test_l2.c - the Redis tier against a real redis-server on a loopback port:
 * round trip, PTTL = TTL, pipelined batches, namespace-only clear, pub/sub invalidation,
 * and Redis killed mid-run (the cache keeps serving, then recovers by itself). */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/clock.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"
#include "testutil.h"

static osc_test_redis g_redis;

static int setup(void **st) {
  (void)st;
  return osc_test_redis_start(&g_redis) == 0 ? 0 : -1;
}
static int teardown(void **st) {
  (void)st;
  osc_test_redis_stop(&g_redis);
  return 0;
}

static char *rcli(const char *args) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "redis-cli -p %d %s", g_redis.port, args);
  int code = -1;
  char *out = osc_test_sh(cmd, &code);
  assert_int_equal(code, 0);
  size_t n = strlen(out);
  while (n && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = 0;
  return out;
}

static osc_cache *open_c(bool l1, const char *l3, const char *ns) {
  osc_cache_options o = {0};
  o.l1_max_bytes = l1 ? 0 : -1;
  o.l2_url = g_redis.url;
  o.namespace_ = ns;
  o.l3_path = l3;
  o.ttl_jitter = -1;
  o.l2_command_timeout_ms = 300;
  osc_cache *c = NULL;
  assert_int_equal(osc_cache_open(&o, &c), OSC_OK);
  return c;
}

static void test_roundtrip_pttl(void **st) {
  (void)st;
  osc_cache *c = open_c(false, NULL, "t1");
  assert_true(osc_cache_l2_up(c));
  char val[2000];
  for (size_t i = 0; i < sizeof val; i++) val[i] = (char)('a' + i % 3);
  assert_int_equal(osc_cache_set(c, "k1", 2, val, sizeof val, OSC_CACHE_CTYPE_JSON, 60000), OSC_OK);
  char *pttl = rcli("PTTL t1:k1");
  long p = atol(pttl);
  free(pttl);
  assert_true(p > 59000 && p <= 60000);
  /* stored encoded (header magic 0xC5) and compressed below 2000 bytes */
  char *len = rcli("STRLEN t1:k1");
  assert_true(atol(len) < 2000);
  free(len);
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(c, "k1", 2, &v), OSC_OK);
  size_t n;
  assert_memory_equal(osc_cache_value_data(v, &n), val, sizeof val);
  assert_int_equal(n, sizeof val);
  int64_t left = osc_cache_value_ttl_ms(v);
  assert_true(left > 59000 && left <= 60010);
  assert_int_equal(osc_cache_value_ctype(v), OSC_CACHE_CTYPE_JSON);
  osc_cache_value_release(v);
  assert_true(osc_cache_exists(c, "k1", 2));
  bool existed = false;
  assert_int_equal(osc_cache_delete(c, "k1", 2, &existed), OSC_OK);
  assert_true(existed);
  assert_int_equal(osc_cache_get(c, "k1", 2, &v), OSC_ENOENT);
  /* no TTL means no PX */
  assert_int_equal(osc_cache_set(c, "k2", 2, "x", 1, OSC_CACHE_CTYPE_TEXT, OSC_CACHE_TTL_NONE), OSC_OK);
  pttl = rcli("PTTL t1:k2");
  assert_string_equal(pttl, "-1");
  free(pttl);
  /* a corrupt value in Redis is a counted miss and is removed */
  free(rcli("SET t1:bad garbage"));
  assert_int_equal(osc_cache_get(c, "bad", 3, &v), OSC_ENOENT);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_int_equal(s.corrupt, 1);
  char *ex = rcli("EXISTS t1:bad");
  assert_string_equal(ex, "0");
  free(ex);
  osc_cache_close(c);
}

static void test_batches_and_clear(void **st) {
  (void)st;
  osc_cache *c = open_c(false, NULL, "t2");
  enum { N = 200 };
  osc_cache_kv items[N];
  char keys[N][16], vals[N][32];
  for (int i = 0; i < N; i++) {
    int kl = snprintf(keys[i], sizeof keys[i], "b%d", i);
    int vl = snprintf(vals[i], sizeof vals[i], "value-%d", i);
    items[i] = (osc_cache_kv){.key = keys[i], .klen = (size_t)kl, .val = vals[i], .vlen = (size_t)vl};
  }
  assert_int_equal(osc_cache_batch_set(c, items, N, 30000), OSC_OK);
  char *dbsize = rcli("EVAL \"return #redis.call('keys','t2:*')\" 0");
  assert_int_equal(atol(dbsize), N);
  free(dbsize);
  osc_cache_kv get[N + 10];
  char miss[10][16];
  for (int i = 0; i < N; i++) get[i] = (osc_cache_kv){.key = keys[i], .klen = strlen(keys[i])};
  for (int i = 0; i < 10; i++) {
    snprintf(miss[i], sizeof miss[i], "none%d", i);
    get[N + i] = (osc_cache_kv){.key = miss[i], .klen = strlen(miss[i])};
  }
  assert_int_equal(osc_cache_batch_get(c, get, N + 10), OSC_OK);
  for (int i = 0; i < N; i++) {
    assert_int_equal(get[i].status, OSC_OK);
    size_t n;
    const char *d = osc_cache_value_data(get[i].result, &n);
    assert_int_equal(n, strlen(vals[i]));
    assert_memory_equal(d, vals[i], n);
    osc_cache_value_release(get[i].result);
  }
  for (int i = 0; i < 10; i++) assert_int_equal(get[N + i].status, OSC_ENOENT);
  /* clear leaves foreign keys alone */
  free(rcli("SET foreign:key 1"));
  free(rcli("SET t2x:key 1"));
  free(rcli("SET t2 1"));
  assert_int_equal(osc_cache_clear(c), OSC_OK);
  char *k = rcli("EVAL \"return #redis.call('keys','t2:*')\" 0");
  assert_string_equal(k, "0");
  free(k);
  char *f = rcli("EXISTS foreign:key t2x:key t2");
  assert_string_equal(f, "3");
  free(f);
  osc_cache_close(c);
}

static void test_promotion_carries_ttl(void **st) {
  (void)st;
  osc_cache *a = open_c(false, NULL, "t3"), *b = open_c(true, NULL, "t3");
  assert_int_equal(osc_cache_set(a, "p", 1, "v", 1, OSC_CACHE_CTYPE_TEXT, 5000), OSC_OK);
  osc_sleep_ms(300);
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(b, "p", 1, &v), OSC_OK);
  int64_t left = osc_cache_value_ttl_ms(v);
  assert_true(left > 4000 && left <= 4750); /* L1 copy capped at L2's remaining TTL */
  osc_cache_value_release(v);
  osc_cache_close(a);
  osc_cache_close(b);
}

static void test_invalidation(void **st) {
  (void)st;
  osc_cache *a = open_c(true, NULL, "t4"), *b = open_c(true, NULL, "t4");
  osc_sleep_ms(200); /* both subscribers up */
  assert_int_equal(osc_cache_set(a, "inv", 3, "one", 3, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(b, "inv", 3, &v), OSC_OK); /* now in b's L1 */
  osc_cache_value_release(v);
  assert_int_equal(osc_cache_set(a, "inv", 3, "two", 3, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  bool fresh = false;
  for (int i = 0; i < 100 && !fresh; i++) {
    assert_int_equal(osc_cache_get(b, "inv", 3, &v), OSC_OK);
    size_t n;
    fresh = memcmp(osc_cache_value_data(v, &n), "two", 3) == 0;
    osc_cache_value_release(v);
    if (!fresh) osc_sleep_ms(10);
  }
  assert_true(fresh);
  osc_cache_stats sa, sb;
  osc_cache_stats(a, &sa);
  osc_cache_stats(b, &sb);
  assert_true(sb.l2_invalidations_received >= 1);
  assert_int_equal(sa.l2_invalidations_received, 0); /* its own messages are ignored */
  /* a's own L1 still holds its value after its publication */
  assert_int_equal(osc_cache_get(a, "inv", 3, &v), OSC_OK);
  osc_cache_value_release(v);
  osc_cache_close(a);
  osc_cache_close(b);
}

typedef struct th_arg {
  osc_cache *c;
  int id;
  int ok;
} th_arg;

static void *l2_worker(void *p) {
  th_arg *a = p;
  for (int i = 0; i < 300; i++) {
    char k[32], val[32];
    int kl = snprintf(k, sizeof k, "w%d-%d", a->id, i % 50);
    int vl = snprintf(val, sizeof val, "%d-%d", a->id, i);
    if (osc_cache_set(a->c, k, (size_t)kl, val, (size_t)vl, OSC_CACHE_CTYPE_TEXT, 10000) != OSC_OK) continue;
    osc_cache_value *v;
    if (osc_cache_get(a->c, k, (size_t)kl, &v) == OSC_OK) {
      a->ok++;
      osc_cache_value_release(v);
    }
  }
  return NULL;
}

static void test_threads(void **st) {
  (void)st;
  osc_cache *c = open_c(true, NULL, "t5");
  pthread_t th[3];
  th_arg args[3];
  for (int i = 0; i < 3; i++) {
    args[i] = (th_arg){.c = c, .id = i};
    pthread_create(&th[i], NULL, l2_worker, &args[i]);
  }
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 3; i++) assert_int_equal(args[i].ok, 300);
  osc_cache_close(c);
}

static void test_redis_killed(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-l2kill");
  osc_cache *c = open_c(true, dir, "t6");
  for (int i = 0; i < 50; i++) {
    char k[16];
    int n = snprintf(k, sizeof k, "s%d", i);
    assert_int_equal(osc_cache_set(c, k, (size_t)n, k, (size_t)n, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  }
  osc_test_redis_kill(&g_redis, SIGKILL);
  /* keeps serving (L1 and L3) and accepting writes; once the breaker is open calls do not wait */
  for (int i = 0; i < 50; i++) {
    char k[16];
    int n = snprintf(k, sizeof k, "s%d", i);
    osc_cache_value *v;
    assert_int_equal(osc_cache_get(c, k, (size_t)n, &v), OSC_OK);
    osc_cache_value_release(v);
    char k2[16];
    int n2 = snprintf(k2, sizeof k2, "down%d", i);
    assert_int_equal(osc_cache_set(c, k2, (size_t)n2, "x", 1, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  }
  assert_false(osc_cache_l2_up(c));
  uint64_t t0 = osc_now_ns();
  for (int i = 0; i < 100; i++) {
    char k2[16];
    int n2 = snprintf(k2, sizeof k2, "fast%d", i);
    osc_cache_set(c, k2, (size_t)n2, "x", 1, OSC_CACHE_CTYPE_TEXT, 0);
  }
  assert_true(osc_now_ns() - t0 < 2000000000ull); /* not 100 command timeouts */
  /* a miss falls through to L3 quickly */
  osc_cache_value *v;
  assert_int_equal(osc_cache_get(c, "nothing", 7, &v), OSC_ENOENT);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  assert_true(s.l2_breaker_trips >= 1);
  /* Redis comes back: the cache reconnects by itself */
  assert_int_equal(osc_test_redis_restart(&g_redis), 0);
  bool up = false;
  for (int i = 0; i < 100 && !up; i++) {
    osc_cache_set(c, "probe", 5, "x", 1, OSC_CACHE_CTYPE_TEXT, 0);
    up = osc_cache_l2_up(c);
    if (!up) osc_sleep_ms(100);
  }
  assert_true(up);
  assert_int_equal(osc_cache_set(c, "after", 5, "back", 4, OSC_CACHE_CTYPE_TEXT, 0), OSC_OK);
  char *ex = rcli("EXISTS t6:after");
  assert_string_equal(ex, "1");
  free(ex);
  osc_cache_close(c);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_pttl), cmocka_unit_test(test_batches_and_clear),
      cmocka_unit_test(test_promotion_carries_ttl), cmocka_unit_test(test_invalidation),
      cmocka_unit_test(test_threads), cmocka_unit_test(test_redis_killed)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
