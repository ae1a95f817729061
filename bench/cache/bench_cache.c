/*
 * bench/cache/bench_cache.c - every row of the cache bench, each with its peer
 * measured in the same run:
 *
 *   cache.l1_get_hit   1 and 2 threads, Zipf(0.99) over 65,536 keys, 16,384 entries;
 *                      peer: the anchors' baseline (one mutex, chained hash, LRU move-to-front)
 *   cache.l1_set_evict SET of new keys into a full cache (weighted bytes, TTL); same peer
 *   cache.replay       miss ratio of every policy at 1% and 10% of every trace in
 *                      ../shared/traces, beside libCacheSim's numbers from its README
 *   cache.l2_get_*     through our hiredis client vs redis-benchmark on the same server
 *   cache.codec        ratio and MB/s per codec on a deterministic JSON corpus vs the raw library
 *   cache.l3_*         L3 get/set per second vs raw LMDB with the same flags
 *
 * usage: bench_cache [l1|replay|l2|codec|l3 ...]   (no argument = all)
 * BENCH_SECONDS (default 2) sets the length of each timed case.
 */
#include <lmdb.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lz4.h>
#include <zstd.h>
#include <zlib.h>
#include <brotli/encode.h>
#include <brotli/decode.h>

#include "cache/cache_int.h"
#include "common/bench.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

static double g_secs = 2.0;

static double thread_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ keys */

enum { NITEMS = 16384, NKEYS = 65536 };
static uint64_t g_keys[NKEYS];

static void make_zipf_keys(void) {
  double *cdf = malloc(NITEMS * sizeof *cdf), sum = 0;
  for (int i = 0; i < NITEMS; i++) sum += 1.0 / pow((double)(i + 1), 0.99), cdf[i] = sum;
  osc_rng r;
  osc_rng_seed(&r, 1);
  for (int i = 0; i < NKEYS; i++) {
    double u = osc_rng_double(&r) * sum;
    int lo = 0, hi = NITEMS - 1;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    g_keys[i] = osc_mix64((uint64_t)lo) ; /* scrambled item id */
  }
  free(cdf);
}

/* ---------------------------------------------- peer: the anchors' baseline */

typedef struct bnode {
  uint64_t key, val;
  struct bnode *hnext, *prev, *next;
} bnode;
typedef struct baseline {
  pthread_mutex_t mu;
  bnode **buckets;
  size_t mask, n, cap;
  bnode *head, *tail;
} baseline;

static void bl_unlink(baseline *b, bnode *x) {
  if (x->prev) x->prev->next = x->next;
  else b->head = x->next;
  if (x->next) x->next->prev = x->prev;
  else b->tail = x->prev;
}
static void bl_front(baseline *b, bnode *x) {
  x->prev = NULL;
  x->next = b->head;
  if (b->head) b->head->prev = x;
  else b->tail = x;
  b->head = x;
}
static bool bl_get(baseline *b, uint64_t k, uint64_t *v) {
  pthread_mutex_lock(&b->mu);
  bnode *x = b->buckets[osc_mix64(k) & b->mask];
  while (x && x->key != k) x = x->hnext;
  if (x) {
    bl_unlink(b, x);
    bl_front(b, x);
    *v = x->val;
  }
  pthread_mutex_unlock(&b->mu);
  return x != NULL;
}
static void bl_set(baseline *b, uint64_t k, uint64_t v) {
  pthread_mutex_lock(&b->mu);
  bnode **pp = &b->buckets[osc_mix64(k) & b->mask];
  bnode *x = *pp;
  while (x && x->key != k) x = x->hnext;
  if (x) {
    x->val = v;
    bl_unlink(b, x);
    bl_front(b, x);
  } else {
    if (b->n >= b->cap) { /* evict the tail */
      bnode *t = b->tail;
      bl_unlink(b, t);
      bnode **q = &b->buckets[osc_mix64(t->key) & b->mask];
      while (*q != t) q = &(*q)->hnext;
      *q = t->hnext;
      free(t);
      b->n--;
    }
    x = malloc(sizeof *x);
    x->key = k;
    x->val = v;
    x->hnext = *pp;
    *pp = x;
    bl_front(b, x);
    b->n++;
  }
  pthread_mutex_unlock(&b->mu);
}
static baseline *bl_new(size_t cap) {
  baseline *b = calloc(1, sizeof *b);
  pthread_mutex_init(&b->mu, NULL);
  size_t nb = 1;
  while (nb < cap * 2) nb <<= 1;
  b->buckets = calloc(nb, sizeof *b->buckets);
  b->mask = nb - 1;
  b->cap = cap;
  return b;
}
static void bl_free(baseline *b) {
  for (bnode *x = b->head, *nx; x; x = nx) nx = x->next, free(x);
  free(b->buckets);
  free(b);
}

/* ----------------------------------------------------------------- L1 */

typedef struct l1_arg {
  osc_cache *c;
  baseline *b;
  int id;
  uint64_t ops;
  double cpu;
  volatile int *stop;
} l1_arg;

static void *l1_ours(void *p) {
  l1_arg *a = p;
  char buf[16];
  size_t len;
  uint64_t i = (uint64_t)a->id * 7919, n = 0;
  double c0 = thread_cpu_s();
  while (!*a->stop) {
    for (int j = 0; j < 4096; j++, i++) n += osc_cache_get_buf(a->c, &g_keys[i & (NKEYS - 1)], 8, buf, 16, &len, NULL) == OSC_OK;
    a->ops += 4096;
  }
  a->cpu = thread_cpu_s() - c0;
  if (n != a->ops) fprintf(stderr, "bench: %llu misses in a hit-only run\n", (unsigned long long)(a->ops - n));
  return NULL;
}

static void *l1_peer(void *p) {
  l1_arg *a = p;
  uint64_t i = (uint64_t)a->id * 7919, v;
  double c0 = thread_cpu_s();
  while (!*a->stop) {
    for (int j = 0; j < 4096; j++, i++) bl_get(a->b, g_keys[i & (NKEYS - 1)], &v);
    a->ops += 4096;
  }
  a->cpu = thread_cpu_s() - c0;
  return NULL;
}

static void run_threads(void *(*fn)(void *), l1_arg *args, int t, double *ops_s, double *cpu_ops_s) {
  volatile int stop = 0;
  pthread_t th[8];
  for (int i = 0; i < t; i++) {
    args[i].stop = &stop;
    args[i].ops = 0;
    args[i].id = i;
    pthread_create(&th[i], NULL, fn, &args[i]);
  }
  uint64_t t0 = osc_now_ns();
  osc_sleep_ms((uint64_t)(g_secs * 1000));
  stop = 1;
  uint64_t total = 0;
  double cpu = 0;
  for (int i = 0; i < t; i++) {
    pthread_join(th[i], NULL);
    total += args[i].ops;
    cpu += args[i].cpu;
  }
  double wall = (double)(osc_now_ns() - t0) / 1e9;
  *ops_s = (double)total / wall;
  *cpu_ops_s = cpu > 0 ? (double)total / cpu * t : 0; /* what t threads would do with t whole CPUs */
}

static void bench_l1(void) {
  make_zipf_keys();
  osc_cache_options o = {0};
  o.l1_max_bytes = 64 << 20;
  osc_cache *c;
  if (osc_cache_open(&o, &c)) return;
  baseline *b = bl_new(NITEMS);
  for (uint64_t i = 0; i < NITEMS; i++) {
    uint64_t k = osc_mix64(i);
    osc_cache_set(c, &k, 8, &k, 8, OSC_CACHE_CTYPE_BINARY, OSC_CACHE_TTL_NONE);
    bl_set(b, k, k);
  }
  for (int t = 1; t <= 2; t++) {
    l1_arg args[2];
    for (int i = 0; i < t; i++) args[i] = (l1_arg){.c = c, .b = b};
    double ours, ours_cpu, peer, peer_cpu;
    run_threads(l1_ours, args, t, &ours, &ours_cpu);
    run_threads(l1_peer, args, t, &peer, &peer_cpu);
    bench_line l;
    bench_line_begin(&l, "cache.l1_get_hit");
    bench_line_int(&l, "threads", t);
    bench_line_int(&l, "entries", NITEMS);
    bench_line_str(&l, "keys", "zipf0.99x65536");
    bench_line_double(&l, "ops_s", ours);
    bench_line_double(&l, "cpu_ops_s", ours_cpu);
    bench_line_double(&l, "target_ops_s", t == 1 ? 30e6 : 50e6);
    bench_line_double(&l, "peer_cpu_ops_s", peer_cpu);
    bench_line_peer(&l, "mutex-lru-baseline", "ops_s", ours, peer);
    bench_line_end(&l);
  }
  osc_cache_close(c);
  bl_free(b);

  /* SET with eviction: new keys into a full, byte-bounded cache with a TTL */
  o.l1_max_bytes = NITEMS * 160;
  if (osc_cache_open(&o, &c)) return;
  b = bl_new(NITEMS);
  uint64_t n = 0, t0 = osc_now_ns();
  double c0 = thread_cpu_s();
  while (osc_now_ns() - t0 < (uint64_t)(g_secs * 1e9)) {
    for (int j = 0; j < 1024; j++, n++) osc_cache_set(c, &n, 8, &n, 8, OSC_CACHE_CTYPE_BINARY, 60000);
  }
  double ours = (double)n / ((double)(osc_now_ns() - t0) / 1e9), ours_cpu = (double)n / (thread_cpu_s() - c0);
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  uint64_t m = 0;
  t0 = osc_now_ns();
  c0 = thread_cpu_s();
  while (osc_now_ns() - t0 < (uint64_t)(g_secs * 1e9)) {
    for (int j = 0; j < 1024; j++, m++) bl_set(b, m, m);
  }
  double peer = (double)m / ((double)(osc_now_ns() - t0) / 1e9), peer_cpu = (double)m / (thread_cpu_s() - c0);
  bench_line l;
  bench_line_begin(&l, "cache.l1_set_evict");
  bench_line_int(&l, "threads", 1);
  bench_line_double(&l, "ops_s", ours);
  bench_line_double(&l, "cpu_ops_s", ours_cpu);
  bench_line_int(&l, "evictions", (int64_t)s.l1.evictions);
  bench_line_double(&l, "target_ops_s", 5e6);
  bench_line_double(&l, "peer_cpu_ops_s", peer_cpu);
  bench_line_peer(&l, "mutex-lru-baseline", "ops_s", ours, peer);
  bench_line_end(&l);
  osc_cache_close(c);
  bl_free(b);
}

/* ------------------------------------------------------------- replay */

static const char *g_traces[] = {"cloudPhysicsIO", "multi1", "multi2", "multi3", "2_pools", "sprite", "cpp", "cs",
                                 "gli",            "ps",     "loop",   "scan",   "zigzag",  "web07",  "web12"};
static bool synthetic(const char *t) { return !strcmp(t, "loop") || !strcmp(t, "scan") || !strcmp(t, "zigzag"); }

/* Reference "a / b" cell of the README table for trace and column name; <0 when absent. */
static double readme_ref(const char *readme, const char *trace, const char *col, bool ten) {
  if (!readme) return -1;
  const char *hdr = strstr(readme, "| trace | requests");
  if (!hdr) return -1;
  int want = -1, i = 0;
  const char *p = hdr;
  const char *eol = strchr(hdr, '\n');
  while (p && p < eol) {
    const char *q = strchr(p + 1, '|');
    if (!q || q > eol) break;
    char name[64];
    size_t n = (size_t)(q - p - 1);
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, p + 1, n);
    name[n] = 0;
    if (!strcmp(osc_str_trim(name), col)) want = i;
    p = q;
    i++;
  }
  if (want < 0) return -1;
  char pat[80];
  if (!strcmp(trace, "cloudPhysicsIO")) trace = "cloudPhysicsIO-obj"; /* the README's name, object-count mode */
  snprintf(pat, sizeof pat, "\n| %s |", trace);
  p = strstr(readme, pat);
  if (!p) return -1;
  p++;
  for (int k = 0; k < want; k++) p = strchr(p + 1, '|');
  if (!p) return -1;
  double a, b;
  if (sscanf(p + 1, " %lf / %lf", &a, &b) != 2) return -1;
  return ten ? b : a;
}

static void bench_replay(void) {
  const char *shared = getenv("OSC_SHARED_DIR");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/traces", shared ? shared : "../shared");
  char *readme = NULL;
  char rp[600];
  snprintf(rp, sizeof rp, "%s/README.md", dir);
  osc_read_file(rp, 1 << 20, &readme, NULL);
  static const struct { osc_cache_policy p; const char *col; } pols[] = {
      {OSC_CACHE_POLICY_S3FIFO, "S3-FIFO"}, {OSC_CACHE_POLICY_LRU, "LRU"}, {OSC_CACHE_POLICY_LFU, "LFU"},
      {OSC_CACHE_POLICY_FIFO, "FIFO"}};
  double sum_ours10 = 0, sum_ref_s3_10 = 0, worst_vs_lru = -1e9;
  const char *worst_trace = "";
  int nprod = 0;
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_traces); t++) {
    char path[700];
    snprintf(path, sizeof path, "%s/%s.keys.zst", dir, g_traces[t]);
    uint64_t *keys;
    size_t n, unique;
    if (osc__cache_trace_load(path, &keys, &n, &unique)) {
      fprintf(stderr, "bench: %s\n", osc_errmsg());
      continue;
    }
    for (int sz = 0; sz < 2; sz++) {
      double frac = sz ? 0.10 : 0.01;
      size_t cap = (size_t)((double)unique * frac);
      double mr[4];
      for (int p = 0; p < 4; p++) {
        uint64_t misses;
        uint64_t t0 = osc_now_ns();
        osc__cache_replay(keys, n, pols[p].p, cap, 0, &misses);
        double secs = (double)(osc_now_ns() - t0) / 1e9;
        mr[p] = (double)misses / (double)n;
        double ref = readme_ref(readme, g_traces[t], pols[p].col, sz == 1);
        bench_line l;
        bench_line_begin(&l, "cache.replay");
        bench_line_str(&l, "trace", g_traces[t]);
        bench_line_str(&l, "size", sz ? "10%" : "1%");
        bench_line_int(&l, "capacity", (int64_t)cap);
        bench_line_str(&l, "policy", osc_cache_policy_name(pols[p].p));
        bench_line_double(&l, "miss_ratio", mr[p]);
        bench_line_double(&l, "mreq_s", secs > 0 ? (double)n / secs / 1e6 : 0);
        char peer[64];
        snprintf(peer, sizeof peer, "libCacheSim %s (traces/README.md)", pols[p].col);
        /* lower is better: ratio = ours / reference, below 1 means fewer misses */
        if (ref >= 0) bench_line_peer(&l, peer, "miss_ratio", mr[p], ref);
        bench_line_end(&l);
      }
      if (sz == 1 && !synthetic(g_traces[t])) {
        double ref_s3 = readme_ref(readme, g_traces[t], "S3-FIFO", true);
        sum_ours10 += mr[0];
        sum_ref_s3_10 += ref_s3;
        nprod++;
        double rel = (mr[0] - mr[1]) / mr[1]; /* > 0: more misses than our LRU */
        if (rel > worst_vs_lru) worst_vs_lru = rel, worst_trace = g_traces[t];
      }
    }
    free(keys);
  }
  if (nprod) {
    bench_line l;
    bench_line_begin(&l, "cache.replay_summary");
    bench_line_str(&l, "policy", "s3fifo (default)");
    bench_line_int(&l, "traces", nprod);
    bench_line_str(&l, "size", "10%");
    bench_line_double(&l, "mean_miss_ratio", sum_ours10 / nprod);
    bench_line_double(&l, "worst_rel_vs_lru", worst_vs_lru);
    bench_line_str(&l, "worst_trace", worst_trace);
    bench_line_double(&l, "target_worst_rel_vs_lru", 0.03);
    bench_line_peer(&l, "libCacheSim S3-FIFO mean (traces/README.md)", "mean_miss_ratio", sum_ours10 / nprod,
                    sum_ref_s3_10 / nprod);
    bench_line_end(&l);
  }
  free(readme);
}

/* ----------------------------------------------------------------- L2 */

static pid_t g_redis_pid;
static int g_redis_port;

static int start_redis(void) {
  char port[16];
  for (int attempt = 0; attempt < 5; attempt++) {
    g_redis_port = 20000 + (int)(osc_rng_below(osc_rng_thread(), 20000));
    snprintf(port, sizeof port, "%d", g_redis_port);
    pid_t pid = fork();
    if (pid == 0) {
      freopen("/dev/null", "w", stdout);
      execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--protected-mode", "yes", (char *)NULL);
      _exit(127);
    }
    g_redis_pid = pid;
    for (int i = 0; i < 50; i++) {
      char cmd[64];
      snprintf(cmd, sizeof cmd, "redis-cli -p %d ping >/dev/null 2>&1", g_redis_port);
      if (system(cmd) == 0) return 0;
      osc_sleep_ms(50);
      int st;
      if (waitpid(pid, &st, WNOHANG) == pid) break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  return -1;
}

static void stop_redis(void) {
  if (g_redis_pid > 0) {
    kill(g_redis_pid, SIGTERM);
    waitpid(g_redis_pid, NULL, 0);
  }
}

/* redis-benchmark --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95..","p99..","max.." */
static bool redis_bench(int pipeline, int clients, double *rps, double *p99_ms) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "redis-benchmark -p %d -t get -n 200000 -c %d -P %d -d 100 -r 100000 --csv", g_redis_port,
           clients, pipeline);
  bench_peer_result r;
  if (bench_run_peer(cmd, &r) || r.exit_code) return false;
  const char *line = strstr(r.out, "\"GET\"");
  bool ok = false;
  if (line) {
    double v[7];
    if (sscanf(line, "\"GET\",\"%lf\",\"%lf\",\"%lf\",\"%lf\",\"%lf\",\"%lf\",\"%lf\"", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6]) == 7) {
      *rps = v[0];
      *p99_ms = v[5];
      ok = true;
    }
  }
  bench_peer_release(&r);
  return ok;
}

typedef struct l2_arg {
  osc_cache *c;
  int id, batch;
  uint64_t ops;
  double *lat;
  size_t nlat, cap;
  volatile int *stop;
} l2_arg;

static void *l2_worker(void *p) {
  l2_arg *a = p;
  osc_rng r;
  osc_rng_seed(&r, (uint64_t)a->id + 5);
  char keys[128][16];
  osc_cache_kv items[128];
  while (!*a->stop) {
    if (a->batch > 1) {
      for (int i = 0; i < a->batch; i++) {
        int n = snprintf(keys[i], sizeof keys[i], "k%llu", (unsigned long long)osc_rng_below(&r, 10000));
        items[i] = (osc_cache_kv){.key = keys[i], .klen = (size_t)n};
      }
      osc_cache_batch_get(a->c, items, (size_t)a->batch);
      for (int i = 0; i < a->batch; i++) osc_cache_value_release(items[i].result);
      a->ops += (uint64_t)a->batch;
    } else {
      int n = snprintf(keys[0], sizeof keys[0], "k%llu", (unsigned long long)osc_rng_below(&r, 10000));
      uint64_t t0 = osc_now_ns();
      osc_cache_value *v = NULL;
      osc_cache_get(a->c, keys[0], (size_t)n, &v);
      osc_cache_value_release(v);
      if (a->nlat < a->cap) a->lat[a->nlat++] = (double)(osc_now_ns() - t0) / 1e6;
      a->ops++;
    }
  }
  return NULL;
}

static void bench_l2(void) {
  if (!bench_have("redis-server") || !bench_have("redis-benchmark")) {
    fprintf(stderr, "bench: redis-server/redis-benchmark missing; L2 rows skipped\n");
    return;
  }
  if (start_redis()) {
    fprintf(stderr, "bench: redis-server did not start\n");
    return;
  }
  char url[64];
  snprintf(url, sizeof url, "redis://127.0.0.1:%d", g_redis_port);
  for (int mode = 0; mode < 2; mode++) {
    bool piped = mode == 0;
    int threads = piped ? 2 : 50;
    osc_cache_options o = {0};
    o.l1_max_bytes = -1; /* measure L2 alone */
    o.l2_url = url;
    o.l2_pool_size = threads;
    o.l2_no_invalidation = true;
    o.compress_threshold = -1;
    osc_cache *c;
    if (osc_cache_open(&o, &c)) continue;
    char val[100];
    memset(val, 'v', sizeof val);
    osc_cache_kv items[100];
    char keys[100][16];
    for (int i = 0; i < 10000; i += 100) {
      for (int j = 0; j < 100; j++) {
        int n = snprintf(keys[j], sizeof keys[j], "k%d", i + j);
        items[j] = (osc_cache_kv){.key = keys[j], .klen = (size_t)n, .val = val, .vlen = sizeof val};
      }
      osc_cache_batch_set(c, items, 100, OSC_CACHE_TTL_NONE);
    }
    l2_arg *args = calloc((size_t)threads, sizeof *args);
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    volatile int stop = 0;
    for (int i = 0; i < threads; i++) {
      args[i] = (l2_arg){.c = c, .id = i, .batch = piped ? 100 : 1, .stop = &stop, .cap = 200000};
      if (!piped) args[i].lat = malloc(args[i].cap * sizeof(double));
      pthread_create(&th[i], NULL, l2_worker, &args[i]);
    }
    uint64_t t0 = osc_now_ns();
    osc_sleep_ms((uint64_t)(g_secs * 1000));
    stop = 1;
    uint64_t total = 0;
    size_t nl = 0;
    for (int i = 0; i < threads; i++) {
      pthread_join(th[i], NULL);
      total += args[i].ops;
      nl += args[i].nlat;
    }
    double ours = (double)total / ((double)(osc_now_ns() - t0) / 1e9);
    double p99 = 0;
    if (!piped) {
      double *all = malloc((nl ? nl : 1) * sizeof *all);
      size_t k = 0;
      for (int i = 0; i < threads; i++) {
        memcpy(all + k, args[i].lat, args[i].nlat * sizeof *all);
        k += args[i].nlat;
        free(args[i].lat);
      }
      p99 = bench_percentile(all, nl, 99);
      free(all);
    }
    osc_cache_close(c);
    free(args);
    free(th);
    double peer = 0, peer_p99 = 0;
    bool have = redis_bench(piped ? 16 : 1, 50, &peer, &peer_p99);
    bench_line l;
    bench_line_begin(&l, piped ? "cache.l2_get_pipelined" : "cache.l2_get_unpipelined");
    bench_line_int(&l, "threads", threads);
    bench_line_str(&l, "method", piped ? "batch_get of 100 keys: MGET + PTTL pipelined" : "GET+PTTL per call, 50 connections");
    bench_line_int(&l, "value_bytes", 100);
    bench_line_double(&l, "ops_s", ours);
    bench_line_double(&l, "target_ops_s", piped ? 400000 : 70000);
    if (!piped) {
      bench_line_double(&l, "p99_ms", p99);
      bench_line_double(&l, "target_p99_ms", 1.2);
      if (have) bench_line_double(&l, "peer_p99_ms", peer_p99);
    }
    if (have) bench_line_peer(&l, piped ? "redis-benchmark -P 16 -c 50" : "redis-benchmark -P 1 -c 50", "ops_s", ours, peer);
    bench_line_end(&l);
  }
  stop_redis();
}

/* -------------------------------------------------------------- codecs */

/* Deterministic "API payload / NLP result" JSON records of 200 B .. 20 KB. */
static char *make_record(osc_rng *r, size_t target, size_t *len) {
  static const char *words[] = {"video",  "render", "scene",   "caption", "completed", "processing", "positive",
                                "neutral", "negative", "keyword", "entity",  "person",    "location",   "summary",
                                "the",    "quick",  "analysis", "model",   "language",  "confidence", "result"};
  osc_buf b = OSC_BUF_INIT;
  osc_buf_printf(&b, "{\"task_id\":\"%016llx\",\"status\":\"%s\",\"created_at\":\"2026-11-%02dT%02d:%02d:%02dZ\",",
                 (unsigned long long)osc_rng_next(r), words[4 + osc_rng_below(r, 2)], 1 + (int)osc_rng_below(r, 28),
                 (int)osc_rng_below(r, 24), (int)osc_rng_below(r, 60), (int)osc_rng_below(r, 60));
  osc_buf_printf(&b, "\"sentiment\":{\"label\":\"%s\",\"score\":%.4f},\"language\":\"en\",\"keywords\":[",
                 words[6 + osc_rng_below(r, 3)], osc_rng_double(r));
  for (int i = 0; i < 5; i++) osc_buf_printf(&b, "%s\"%s\"", i ? "," : "", words[osc_rng_below(r, 21)]);
  osc_buf_puts(&b, "],\"entities\":[");
  bool first = true;
  while (b.len + 120 < target) {
    osc_buf_printf(&b, "%s{\"text\":\"%s %s\",\"type\":\"%s\",\"start\":%llu,\"score\":%.3f}", first ? "" : ",",
                   words[osc_rng_below(r, 21)], words[osc_rng_below(r, 21)], words[10 + osc_rng_below(r, 3)],
                   (unsigned long long)osc_rng_below(r, 5000), osc_rng_double(r));
    first = false;
  }
  osc_buf_puts(&b, "],\"summary\":\"");
  while (b.len + 3 < target) osc_buf_printf(&b, "%s ", words[osc_rng_below(r, 21)]);
  osc_buf_puts(&b, "\"}");
  return osc_buf_detach(&b, len);
}

static size_t raw_compress(osc_cache_codec codec, int level, const void *src, size_t n, void *dst, size_t cap) {
  switch (codec) {
    case OSC_CACHE_CODEC_ZSTD: return ZSTD_compress(dst, cap, src, n, level);
    case OSC_CACHE_CODEC_LZ4: return (size_t)LZ4_compress_default(src, dst, (int)n, (int)cap);
    case OSC_CACHE_CODEC_BROTLI: {
      size_t out = cap;
      BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n, src, &out, dst);
      return out;
    }
    case OSC_CACHE_CODEC_GZIP: {
      uLongf out = cap;
      compress2(dst, &out, src, (uLong)n, level);
      return out;
    }
    default: memcpy(dst, src, n); return n;
  }
}

static void bench_codec(void) {
  enum { NREC = 600 };
  osc_rng r;
  osc_rng_seed(&r, 2026);
  char *recs[NREC];
  size_t lens[NREC], total = 0;
  for (int i = 0; i < NREC; i++) {
    size_t target = 200 + (size_t)(pow(100.0, osc_rng_double(&r)) * 200.0); /* 200 B .. 20 KB, log-uniform */
    recs[i] = make_record(&r, target, &lens[i]);
    total += lens[i];
  }
  static const struct { osc_cache_codec c; int level; } cs[] = {
      {OSC_CACHE_CODEC_ZSTD, 1}, {OSC_CACHE_CODEC_ZSTD, 3}, {OSC_CACHE_CODEC_LZ4, 1},
      {OSC_CACHE_CODEC_BROTLI, 5}, {OSC_CACHE_CODEC_GZIP, 6}};
  void *scratch = malloc(1 << 20);
  for (size_t k = 0; k < OSC_ARRAY_LEN(cs); k++) {
    osc__codec *c;
    if (osc__codec_new(cs[k].c, cs[k].level, 256, NULL, &c)) continue;
    size_t out = 0;
    int reps = 0;
    uint64_t t0 = osc_now_ns();
    void *encs[NREC];
    size_t elens[NREC];
    do {
      out = 0;
      for (int i = 0; i < NREC; i++) {
        if (reps) free(encs[i]);
        osc__codec_encode(c, recs[i], lens[i], OSC_CACHE_CTYPE_JSON, &encs[i], &elens[i]);
        out += elens[i];
      }
      reps++;
    } while (osc_now_ns() - t0 < (uint64_t)(g_secs * 0.25e9));
    double cmbs = (double)total * reps / ((double)(osc_now_ns() - t0) / 1e9) / 1e6;
    int dreps = 0;
    t0 = osc_now_ns();
    do {
      for (int i = 0; i < NREC; i++) {
        void *d;
        size_t dl;
        if (osc__codec_decode(c, encs[i], elens[i], &d, &dl, NULL) == OSC_OK) free(d);
      }
      dreps++;
    } while (osc_now_ns() - t0 < (uint64_t)(g_secs * 0.25e9));
    double dmbs = (double)total * dreps / ((double)(osc_now_ns() - t0) / 1e9) / 1e6;
    /* peer: the raw library on the same records (no header, no threshold) */
    size_t pout = 0;
    int preps = 0;
    t0 = osc_now_ns();
    do {
      pout = 0;
      for (int i = 0; i < NREC; i++) pout += raw_compress(cs[k].c, cs[k].level, recs[i], lens[i], scratch, 1 << 20);
      preps++;
    } while (osc_now_ns() - t0 < (uint64_t)(g_secs * 0.25e9));
    double pmbs = (double)total * preps / ((double)(osc_now_ns() - t0) / 1e9) / 1e6;
    for (int i = 0; i < NREC; i++) free(encs[i]);
    bench_line l;
    bench_line_begin(&l, "cache.codec");
    char name[32];
    snprintf(name, sizeof name, "%s-%d", osc_cache_codec_name(cs[k].c), cs[k].level);
    bench_line_str(&l, "codec", name);
    bench_line_str(&l, "corpus", "600 JSON records 200B-20KB, each compressed alone");
    bench_line_int(&l, "bytes", (int64_t)total);
    bench_line_double(&l, "compression_ratio", (double)total / (double)out);
    bench_line_double(&l, "peer_compression_ratio", (double)total / (double)pout);
    bench_line_double(&l, "compress_mb_s", cmbs);
    bench_line_double(&l, "decompress_mb_s", dmbs);
    char peer[48];
    snprintf(peer, sizeof peer, "raw lib%s", osc_cache_codec_name(cs[k].c));
    bench_line_peer(&l, peer, "compress_mb_s", cmbs, pmbs);
    bench_line_end(&l);
    osc__codec_free(c);
  }
  /* trained dictionary on small values: train on even records <= 2 KB, test on odd ones */
  const void *train[NREC];
  size_t tl[NREC];
  int nt = 0;
  for (int i = 0; i < NREC; i += 2)
    if (lens[i] <= 2048) train[nt] = recs[i], tl[nt++] = lens[i];
  char path[] = "/tmp/osc-bench-dict-XXXXXX";
  int fd = mkstemp(path);
  if (fd >= 0) close(fd);
  if (fd >= 0 && osc_cache_train_dict(train, tl, (size_t)nt, 64 * 1024, path, NULL) == OSC_OK) {
    osc__codec *with, *without;
    if (osc__codec_new(OSC_CACHE_CODEC_ZSTD, 1, 0, path, &with) == OSC_OK &&
        osc__codec_new(OSC_CACHE_CODEC_ZSTD, 1, 0, NULL, &without) == OSC_OK) {
      size_t in = 0, o1 = 0, o2 = 0;
      int reps = 0;
      uint64_t t0 = osc_now_ns();
      do {
        in = o1 = 0;
        for (int i = 1; i < NREC; i += 2) {
          if (lens[i] > 2048) continue;
          void *e;
          size_t el;
          osc__codec_encode(with, recs[i], lens[i], OSC_CACHE_CTYPE_JSON, &e, &el);
          in += lens[i];
          o1 += el;
          free(e);
        }
        reps++;
      } while (osc_now_ns() - t0 < (uint64_t)(g_secs * 0.25e9));
      double mbs = (double)in * reps / ((double)(osc_now_ns() - t0) / 1e9) / 1e6;
      for (int i = 1; i < NREC; i += 2) {
        if (lens[i] > 2048) continue;
        void *e;
        size_t el;
        osc__codec_encode(without, recs[i], lens[i], OSC_CACHE_CTYPE_JSON, &e, &el);
        o2 += el;
        free(e);
      }
      bench_line l;
      bench_line_begin(&l, "cache.codec_dict");
      bench_line_str(&l, "codec", "zstd-1 + 64KB trained dictionary");
      bench_line_str(&l, "corpus", "held-out records <= 2 KB (header included)");
      bench_line_double(&l, "compression_ratio", (double)in / (double)o1);
      bench_line_double(&l, "compress_mb_s", mbs);
      bench_line_double(&l, "target_compression_ratio", 3.5);
      bench_line_peer(&l, "zstd-1 without dictionary", "compression_ratio", (double)in / (double)o1,
                      (double)in / (double)o2);
      bench_line_end(&l);
      osc__codec_free(with);
      osc__codec_free(without);
    }
  }
  unlink(path);
  free(scratch);
  for (int i = 0; i < NREC; i++) free(recs[i]);
}

/* ----------------------------------------------------------------- L3 */

static void bench_l3(void) {
  char dir[] = "/tmp/osc-bench-l3-XXXXXX", pdir[] = "/tmp/osc-bench-lmdb-XXXXXX";
  if (!mkdtemp(dir) || !mkdtemp(pdir)) return;
  osc_cache_options o = {0};
  o.l1_max_bytes = -1;
  o.l3_path = dir;
  o.l3_max_bytes = 1ll << 30;
  o.codec = OSC_CACHE_CODEC_NONE; /* measure the store, not the codec */
  osc_cache *c;
  if (osc_cache_open(&o, &c)) return;
  char val[1024];
  memset(val, 'x', sizeof val);
  enum { N = 20000 };
  uint64_t t0 = osc_now_ns();
  for (uint64_t i = 0; i < N; i++) osc_cache_set(c, &i, 8, val, sizeof val, OSC_CACHE_CTYPE_BINARY, 0);
  double set_s = (double)N / ((double)(osc_now_ns() - t0) / 1e9);
  t0 = osc_now_ns();
  for (uint64_t i = 0; i < N; i++) {
    uint64_t k = osc_mix64(i) % N;
    osc_cache_value *v;
    if (osc_cache_get(c, &k, 8, &v) == OSC_OK) osc_cache_value_release(v);
  }
  double get_s = (double)N / ((double)(osc_now_ns() - t0) / 1e9);
  osc_cache_close(c);
  /* peer: raw LMDB, one transaction per operation, the same flags */
  MDB_env *env;
  MDB_dbi dbi;
  MDB_txn *t;
  mdb_env_create(&env);
  mdb_env_set_mapsize(env, 1ull << 31);
  mdb_env_open(env, pdir, MDB_NOTLS | MDB_NOSYNC, 0600);
  mdb_txn_begin(env, NULL, 0, &t);
  mdb_dbi_open(t, NULL, 0, &dbi);
  mdb_txn_commit(t);
  t0 = osc_now_ns();
  for (uint64_t i = 0; i < N; i++) {
    mdb_txn_begin(env, NULL, 0, &t);
    MDB_val k = {8, &i}, d = {sizeof val, val};
    mdb_put(t, dbi, &k, &d, 0);
    mdb_txn_commit(t);
  }
  double pset = (double)N / ((double)(osc_now_ns() - t0) / 1e9);
  t0 = osc_now_ns();
  for (uint64_t i = 0; i < N; i++) {
    uint64_t kk = osc_mix64(i) % N;
    mdb_txn_begin(env, NULL, MDB_RDONLY, &t);
    MDB_val k = {8, &kk}, d;
    if (mdb_get(t, dbi, &k, &d) == 0) {
      void *copy = malloc(d.mv_size);
      memcpy(copy, d.mv_data, d.mv_size);
      free(copy);
    }
    mdb_txn_abort(t);
  }
  double pget = (double)N / ((double)(osc_now_ns() - t0) / 1e9);
  mdb_env_close(env);
  bench_line l;
  bench_line_begin(&l, "cache.l3_set");
  bench_line_int(&l, "value_bytes", 1024);
  bench_line_double(&l, "ops_s", set_s);
  bench_line_peer(&l, "raw LMDB put (txn per op, NOSYNC)", "ops_s", set_s, pset);
  bench_line_end(&l);
  bench_line_begin(&l, "cache.l3_get");
  bench_line_int(&l, "value_bytes", 1024);
  bench_line_double(&l, "ops_s", get_s);
  bench_line_peer(&l, "raw LMDB get (txn per op)", "ops_s", get_s, pget);
  bench_line_end(&l);
  osc_rm_rf(dir);
  osc_rm_rf(pdir);
}

int main(int argc, char **argv) {
  g_secs = (double)bench_env_int("BENCH_SECONDS", 2);
  osc_log_set_level(OSC_LOG_WARN);
  bool all = argc < 2;
  for (int i = 1; i < argc || all; i++) {
    const char *w = all ? "all" : argv[i];
    bool a = !strcmp(w, "all");
    if (a || !strcmp(w, "l1")) bench_l1();
    if (a || !strcmp(w, "replay")) bench_replay();
    if (a || !strcmp(w, "codec")) bench_codec();
    if (a || !strcmp(w, "l3")) bench_l3();
    if (a || !strcmp(w, "l2")) bench_l2();
    if (all) break;
  }
  return 0;
}
