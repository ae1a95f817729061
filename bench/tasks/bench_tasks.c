/*
 * bench/tasks/bench_tasks.c - task processor benchmarks, peers in the same run.
 *
 *   tasks.empty_single   empty function tasks, 2 workers, one producer      peer: GLib GThreadPool
 *   tasks.empty_batched  the same through osc_tasks_run_batch (1024/batch)   peer: GLib GThreadPool
 *   tasks.latency        idle-pool submit-to-start p50/p99 (n=20000)         peer: GLib GThreadPool
 *   tasks.jobs           recorded jobs (ids, status, wait) end to end        (no peer: GLib has no records)
 *   tasks.streams_b100   Redis Streams end to end, batches of 100            peer: raw XADD/XREADGROUP/XACK loop
 *   tasks.streams_b1     the same unbatched                                  peer: raw loop, batch 1
 *   tasks.streams_lat    enqueue-to-start p99 at half the unbatched max rate (open loop)
 *
 * Environment: BENCH_N (default 2000000), BENCH_STREAMS_N (default 100000).
 */
#include <glib.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bench.h"
#include "core/clock.h"
#include "oscontent/error.h"
#include "oscontent/tasks.h"

static atomic_long g_done;
static atomic_int g_flag;

static void empty_fn(void *arg) {
  (void)arg;
  atomic_fetch_add_explicit(&g_done, 1, memory_order_relaxed);
}
static void flag_fn(void *arg) {
  (void)arg;
  atomic_store_explicit(&g_flag, 1, memory_order_release);
}
static void g_empty(gpointer data, gpointer ud) {
  (void)data;
  (void)ud;
  atomic_fetch_add_explicit(&g_done, 1, memory_order_relaxed);
}
static void g_flagfn(gpointer data, gpointer ud) {
  (void)data;
  (void)ud;
  atomic_store_explicit(&g_flag, 1, memory_order_release);
}

static void wait_done(long n) {
  while (atomic_load_explicit(&g_done, memory_order_relaxed) < n) sched_yield();
}

static osc_tasks *open_pool(int workers) {
  osc_tasks_options o = {0};
  o.pools[OSC_TASK_TYPE_CPU].min_workers = o.pools[OSC_TASK_TYPE_CPU].max_workers = workers;
  o.no_autoscale = true;
  osc_tasks *tp = NULL;
  if (osc_tasks_open(&o, &tp) != OSC_OK) {
    fprintf(stderr, "bench: open: %s\n", osc_errmsg());
    exit(1);
  }
  return tp;
}

static double ours_throughput(long n, bool batched) {
  osc_tasks *tp = open_pool(2);
  static void *args[1024];
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {
    atomic_store(&g_done, 0);
    uint64_t t0 = bench_now_ns();
    if (batched) {
      for (long i = 0; i < n; i += 1024)
        osc_tasks_run_batch(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_NORMAL, empty_fn, args,
                            (size_t)(n - i < 1024 ? n - i : 1024));
    } else {
      for (long i = 0; i < n; i++) osc_tasks_run(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_NORMAL, empty_fn, NULL);
    }
    wait_done(n);
    double r = n / bench_seconds(t0, bench_now_ns());
    if (r > best) best = r;
  }
  osc_tasks_close(tp);
  return best;
}

static double glib_throughput(long n) {
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {
    GThreadPool *p = g_thread_pool_new(g_empty, NULL, 2, TRUE, NULL);
    atomic_store(&g_done, 0);
    uint64_t t0 = bench_now_ns();
    for (long i = 0; i < n; i++) g_thread_pool_push(p, GINT_TO_POINTER(1), NULL);
    g_thread_pool_free(p, FALSE, TRUE);
    double r = n / bench_seconds(t0, bench_now_ns());
    if (r > best) best = r;
  }
  return best;
}

static void latency(bool glib, bench_stats *st) {
  enum { NL = 20000 };
  static double lat[NL];
  osc_tasks *tp = NULL;
  GThreadPool *p = NULL;
  if (glib) p = g_thread_pool_new(g_flagfn, NULL, 2, TRUE, NULL);
  else tp = open_pool(2);
  osc_sleep_ms(50);
  for (int i = 0; i < NL; i++) {
    atomic_store(&g_flag, 0);
    uint64_t t0 = bench_now_ns();
    if (glib) g_thread_pool_push(p, GINT_TO_POINTER(1), NULL);
    else osc_tasks_run(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_NORMAL, flag_fn, NULL);
    while (!atomic_load_explicit(&g_flag, memory_order_acquire)) {
    }
    lat[i] = (double)(bench_now_ns() - t0) / 1000.0;
  }
  if (glib) g_thread_pool_free(p, FALSE, TRUE);
  else osc_tasks_close(tp);
  bench_stats_compute(lat, NL, st);
}

static double jobs_throughput(long n, double *wait_p99_ms) {
  osc_tasks_options o = {0};
  o.pools[OSC_TASK_TYPE_MIXED].min_workers = o.pools[OSC_TASK_TYPE_MIXED].max_workers = 2;
  o.no_autoscale = true;
  o.max_pending = n + 1;
  o.retention_ms = 600000;
  osc_tasks *tp = NULL;
  osc_tasks_open(&o, &tp);
  enum { B = 256 };
  osc_task_submit s[B];
  for (int i = 0; i < B; i++) osc_task_submit_init(&s[i], "echo");
  static char ids[B][OSC_TASK_ID_LEN];
  uint64_t t0 = bench_now_ns();
  for (long i = 0; i < n; i += B) osc_tasks_submit_batch(tp, s, (size_t)(n - i < B ? n - i : B), ids);
  osc_tasks_stats st;
  for (;;) {
    osc_tasks_stats_get(tp, &st);
    if ((long)st.completed >= n) break;
    osc_sleep_ms(1);
  }
  double r = n / bench_seconds(t0, bench_now_ns());
  *wait_p99_ms = st.wait_p99_ms;
  osc_tasks_close(tp);
  return r;
}

/* ---------------------------------------------------------------- Redis Streams */

static int g_port;
static char g_url[64];
static atomic_long g_lat_n;
static double *g_lat;

static int k_stamp(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  size_t n;
  const char *p = osc_task_payload(ctx, &n);
  uint64_t enq = p ? strtoull(p, NULL, 10) : 0;
  long i = atomic_fetch_add(&g_lat_n, 1);
  if (g_lat && enq) g_lat[i] = (double)(osc_now_ns() - enq) / 1e6;
  atomic_fetch_add(&g_done, 1);
  return OSC_OK;
}

static pid_t start_redis(void) {
  g_port = 20000 + (int)(getpid() % 20000);
  snprintf(g_url, sizeof g_url, "redis://127.0.0.1:%d", g_port);
  pid_t pid = fork();
  if (pid == 0) {
    char port[16];
    snprintf(port, sizeof port, "%d", g_port);
    FILE *nul = freopen("/dev/null", "w", stdout);
    (void)nul;
    execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--loglevel", "warning", (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 100; i++) {
    redisContext *c = redisConnect("127.0.0.1", g_port);
    bool ok = c && !c->err;
    if (c) redisFree(c);
    if (ok) return pid;
    osc_sleep_ms(50);
  }
  return -1;
}

static void flush_redis(void) {
  redisContext *c = redisConnect("127.0.0.1", g_port);
  freeReplyObject(redisCommand(c, "FLUSHALL"));
  redisFree(c);
}

typedef struct wrun {
  osc_tasks *tp;
  int batch;
  volatile int stop;
} wrun;

static void *worker_thread(void *arg) {
  wrun *w = arg;
  osc_tasks_broker_options bo = {.url = g_url, .task_timeout_ms = 60000};
  osc_tasks_worker_options wo = {.threads = 2, .batch = w->batch, .name = "bench"};
  osc_tasks_worker_run(w->tp, &bo, &wo, &w->stop);
  return NULL;
}

/* ours: broker submit in batches of B, 2 worker threads running the jobs on the local pools */
static double ours_streams(long n, int b, double rate, bench_stats *lat) {
  flush_redis();
  osc_tasks_options o = {0};
  o.pools[OSC_TASK_TYPE_MIXED].min_workers = o.pools[OSC_TASK_TYPE_MIXED].max_workers = 2;
  o.no_autoscale = true;
  o.no_builtin_kinds = true;
  o.max_pending = 1000000;
  o.retention_ms = 1000;
  osc_tasks *tp = NULL;
  osc_tasks_open(&o, &tp);
  osc_tasks_register(tp, "stamp", k_stamp, NULL, NULL);
  osc_tasks_broker_options bo = {.url = g_url, .task_timeout_ms = 60000};
  osc_tasks_broker *br = NULL;
  if (osc_tasks_broker_open(&bo, &br) != OSC_OK) {
    fprintf(stderr, "bench: broker: %s\n", osc_errmsg());
    exit(1);
  }
  atomic_store(&g_done, 0);
  atomic_store(&g_lat_n, 0);
  g_lat = calloc((size_t)n, sizeof *g_lat);
  wrun w = {.tp = tp, .batch = b, .stop = 0};
  pthread_t th;
  pthread_create(&th, NULL, worker_thread, &w);
  osc_sleep_ms(200);
  osc_task_submit *s = calloc((size_t)b, sizeof *s);
  char (*ids)[OSC_TASK_ID_LEN] = calloc((size_t)b, OSC_TASK_ID_LEN);
  char (*pl)[24] = calloc((size_t)b, 24);
  uint64_t t0 = bench_now_ns();
  for (long i = 0; i < n; i += b) {
    int k = (int)(n - i < b ? n - i : b);
    if (rate > 0) { /* open loop at a fixed rate */
      uint64_t due = t0 + (uint64_t)((double)i / rate * 1e9);
      while (bench_now_ns() < due) {
      }
    }
    for (int j = 0; j < k; j++) {
      osc_task_submit_init(&s[j], "stamp");
      snprintf(pl[j], sizeof pl[j], "%llu", (unsigned long long)osc_now_ns());
      s[j].payload = pl[j];
      s[j].payload_len = strlen(pl[j]);
    }
    osc_tasks_broker_submit(br, s, (size_t)k, ids);
  }
  while (atomic_load(&g_done) < n) osc_sleep_ms(1);
  double r = n / bench_seconds(t0, bench_now_ns());
  w.stop = 1;
  pthread_join(th, NULL);
  long nl = atomic_load(&g_lat_n);
  bench_stats_compute(g_lat, (size_t)(nl < n ? nl : n), lat);
  free(g_lat);
  g_lat = NULL;
  free(s);
  free(ids);
  free(pl);
  osc_tasks_broker_close(br);
  osc_tasks_close(tp);
  return r;
}

/* peer: the raw loop of reference 3.3 (XADD pipelined by B; 2 consumers XREADGROUP COUNT B + XACK) */
static long g_raw_n;
static int g_raw_b;
static atomic_long g_raw_consumed;
static void *raw_consumer(void *a) {
  long id = (long)a;
  redisContext *c = redisConnect("127.0.0.1", g_port);
  char name[16];
  snprintf(name, sizeof name, "c%ld", id);
  const char **argv = malloc(sizeof(char *) * (size_t)(g_raw_b + 3));
  size_t *alen = malloc(sizeof(size_t) * (size_t)(g_raw_b + 3));
  while (atomic_load(&g_raw_consumed) < g_raw_n) {
    redisReply *r = redisCommand(c, "XREADGROUP GROUP g %s COUNT %d BLOCK 100 STREAMS rawq >", name, g_raw_b);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
      if (r) freeReplyObject(r);
      continue;
    }
    redisReply *e = r->element[0]->element[1];
    int n = (int)e->elements;
    argv[0] = "XACK", argv[1] = "rawq", argv[2] = "g";
    alen[0] = 4, alen[1] = 4, alen[2] = 1;
    for (int i = 0; i < n; i++) argv[3 + i] = e->element[i]->element[0]->str, alen[3 + i] = e->element[i]->element[0]->len;
    freeReplyObject(redisCommandArgv(c, 3 + n, argv, alen));
    freeReplyObject(r);
    atomic_fetch_add(&g_raw_consumed, n);
  }
  free(argv);
  free(alen);
  redisFree(c);
  return NULL;
}

static double raw_streams(long n, int b) {
  flush_redis();
  redisContext *c = redisConnect("127.0.0.1", g_port);
  freeReplyObject(redisCommand(c, "XGROUP CREATE rawq g $ MKSTREAM"));
  g_raw_n = n;
  g_raw_b = b;
  atomic_store(&g_raw_consumed, 0);
  pthread_t cs[2];
  uint64_t t0 = bench_now_ns();
  for (long i = 0; i < 2; i++) pthread_create(&cs[i], NULL, raw_consumer, (void *)i);
  char pad[81];
  memset(pad, 'x', 80);
  pad[80] = 0;
  for (long i = 0; i < n; i += b) {
    int k = (int)(n - i < b ? n - i : b);
    for (int j = 0; j < k; j++) redisAppendCommand(c, "XADD rawq MAXLEN ~ 2000000 * t %llu p %s", (unsigned long long)osc_now_ns(), pad);
    for (int j = 0; j < k; j++) {
      redisReply *r;
      redisGetReply(c, (void **)&r);
      freeReplyObject(r);
    }
  }
  for (int i = 0; i < 2; i++) pthread_join(cs[i], NULL);
  double r = n / bench_seconds(t0, bench_now_ns());
  redisFree(c);
  return r;
}

int main(void) {
  long n = bench_env_int("BENCH_N", 2000000);
  long sn = bench_env_int("BENCH_STREAMS_N", 100000);
  bench_line l;
  /* throughput */
  double glib = glib_throughput(n);
  double single = ours_throughput(n, false);
  double batched = ours_throughput(n, true);
  bench_line_begin(&l, "tasks.empty_single");
  bench_line_int(&l, "workers", 2);
  bench_line_int(&l, "n", n);
  bench_line_double(&l, "ops_s", single);
  bench_line_double(&l, "target_ops_s", 6e6);
  bench_line_peer(&l, "glib_gthreadpool", "ops_s", single, glib);
  bench_line_end(&l);
  bench_line_begin(&l, "tasks.empty_batched");
  bench_line_int(&l, "workers", 2);
  bench_line_int(&l, "n", n);
  bench_line_int(&l, "batch", 1024);
  bench_line_double(&l, "ops_s", batched);
  bench_line_double(&l, "target_ops_s", 10e6);
  bench_line_peer(&l, "glib_gthreadpool", "ops_s", batched, glib);
  bench_line_end(&l);
  /* latency */
  bench_stats ol, gl;
  latency(true, &gl);
  latency(false, &ol);
  bench_line_begin(&l, "tasks.latency");
  bench_line_str(&l, "metric", "submit_to_start_us p99, lower is better (ratio < 1 = faster than the peer)");
  bench_line_double(&l, "p50_us", ol.p50);
  bench_line_double(&l, "p99_us", ol.p99);
  bench_line_double(&l, "peer_p50_us", gl.p50);
  bench_line_double(&l, "target_p50_us", 5);
  bench_line_double(&l, "target_p99_us", 10);
  bench_line_peer(&l, "glib_gthreadpool", "p99_us", ol.p99, gl.p99);
  bench_line_end(&l);
  /* recorded jobs */
  double wait99 = 0;
  double jobs = jobs_throughput(200000, &wait99);
  bench_line_begin(&l, "tasks.jobs");
  bench_line_int(&l, "workers", 2);
  bench_line_double(&l, "ops_s", jobs);
  bench_line_double(&l, "wait_p99_ms", wait99);
  bench_line_end(&l);
  /* Redis Streams */
  if (!bench_have("redis-server")) {
    fprintf(stderr, "bench: redis-server not found; streams cases skipped\n");
    return 0;
  }
  pid_t rp = start_redis();
  if (rp <= 0) {
    fprintf(stderr, "bench: redis-server did not start\n");
    return 1;
  }
  bench_stats lat;
  double peer100 = raw_streams(sn, 100);
  double ours100 = ours_streams(sn, 100, 0, &lat);
  bench_line_begin(&l, "tasks.streams_b100");
  bench_line_int(&l, "n", sn);
  bench_line_double(&l, "ops_s", ours100);
  bench_line_double(&l, "target_ops_s", 100000);
  bench_line_peer(&l, "raw_redis_streams_loop", "ops_s", ours100, peer100);
  bench_line_end(&l);
  long sn1 = sn / 5;
  double peer1 = raw_streams(sn1, 1);
  double ours1 = ours_streams(sn1, 1, 0, &lat);
  bench_line_begin(&l, "tasks.streams_b1");
  bench_line_int(&l, "n", sn1);
  bench_line_double(&l, "ops_s", ours1);
  bench_line_double(&l, "target_ops_s", 15000);
  bench_line_peer(&l, "raw_redis_streams_loop", "ops_s", ours1, peer1);
  bench_line_end(&l);
  double half = ours1 / 2;
  ours_streams(sn1, 1, half, &lat);
  bench_line_begin(&l, "tasks.streams_lat");
  bench_line_double(&l, "rate_per_s", half);
  bench_line_double(&l, "enqueue_to_start_p50_ms", lat.p50);
  bench_line_double(&l, "enqueue_to_start_p99_ms", lat.p99);
  bench_line_double(&l, "target_p99_ms", 5);
  bench_line_end(&l);
  kill(rp, SIGTERM);
  waitpid(rp, NULL, 0);
  return 0;
}
