/*
 * bench/monitor/bench_monitor.c - see run.sh.  One JSON line per case.
 *
 *  monitor.ingest      500 series x N ticks through the store (one transaction
 *                      per tick) vs the same stream into a heap table
 *                      (ts, metric_id, value) with synchronous=NORMAL.
 *  monitor.stats_1h    query + statistics over 3600 points of one series.
 *  monitor.agent       a child process running the monitor (sampling every
 *                      collector each second, SQLite on) and answering
 *                      /metrics, beside prometheus-node-exporter; both scraped
 *                      once a second for BENCH_SECONDS; CPU share from
 *                      /proc/PID/stat, RSS from VmRSS/VmHWM; then 100 sequential
 *                      scrapes each for p50/p99.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bench.h"
#include "core/clock.h"
#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

#define NSER 500

static char tmpdir[256];

static int64_t file_size(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/*
 * The synthetic stream: a documented mix shaped like what a host monitor stores
 * (not tuned to any codec), the same for us and for the peer:
 *   20 %  busy counters (bytes, packets): monotone integers, each series with its own
 *         rate (log-uniform 1..1e6 /s), increment = rate x uniform(0.5, 1.5);
 *   10 %  rare-event counters (errors, drops): +1..3 with probability 0.05 per tick;
 *   25 %  integer gauges (memory bytes in pages, fds, threads): random walk changing
 *         on 30 % of the ticks;
 *   15 %  two-decimal gauges (load averages, PSI avg10): smooth signal plus noise,
 *         rounded to 0.01 as the kernel prints them;
 *   30 %  full-precision derived gauges (CPU %, rates, ratios): smooth signal plus
 *         uniform noise, every bit random below the first digits.
 * Timestamps are a 1 s tick with 0..3 ms of wake-up jitter, shared by the series of
 * a tick, as the sampler writes them.
 */
static double gstate[NSER], grate[NSER];

static void gen_init(osc_rng *r) {
  for (int s = 0; s < NSER; s++) {
    grate[s] = pow(10.0, 6.0 * osc_rng_double(r));
    gstate[s] = floor(osc_rng_double(r) * 1e6);
  }
}

static int64_t gen(osc_rng *r, double *vals, int tick, int64_t t0) {
  for (int s = 0; s < NSER; s++) {
    int kind = s % 20;
    double u = osc_rng_double(r);
    if (kind < 4) gstate[s] += floor(grate[s] * (0.5 + u));
    else if (kind < 6) gstate[s] += u < 0.05 ? 1 + floor(osc_rng_double(r) * 3) : 0;
    else if (kind < 11) {
      if (u < 0.3) gstate[s] = fmax(0, gstate[s] + floor((osc_rng_double(r) - 0.5) * grate[s] / 100) * 4096);
    } else if (kind < 14) gstate[s] = round(100 * (2 + sin(tick / 120.0 + s) + u * 0.3)) / 100;
    else gstate[s] = 50 + 10 * sin(tick / 300.0 + s) + u;
    vals[s] = gstate[s];
  }
  return t0 + tick * 1000LL + (int64_t)(osc_rng_double(r) * 4);
}

static void bench_ingest(void) {
  int ticks = (int)bench_env_int("BENCH_INGEST_TICKS", 2000);
  char db[300], heap[300];
  snprintf(db, sizeof db, "%s/ours.db", tmpdir);
  snprintf(heap, sizeof heap, "%s/heap.db", tmpdir);
  double *vals = malloc(NSER * sizeof *vals);
  char names[NSER][32];
  for (int s = 0; s < NSER; s++) snprintf(names[s], sizeof names[s], "bench.series.%d", s);
  osc__store *st = NULL;
  if (osc__store_open(db, false, 120, &st)) {
    fprintf(stderr, "bench: store: %s\n", osc_errmsg());
    exit(1);
  }
  osc_rng r;
  osc_rng_seed(&r, 1);
  gen_init(&r);
  int64_t t0 = 1700000000000;
  uint64_t a = bench_now_ns();
  /* default retentions (6 h / 7 d / 400 d), so the retention pass runs as in production */
  for (int t = 0; t < ticks; t++) {
    int64_t ts = gen(&r, vals, t, t0);
    osc__store_begin(st);
    for (int s = 0; s < NSER; s++) osc__store_append(st, names[s], ts, vals[s]);
    osc__store_commit(st, ts, 6LL * 3600000, 7LL * 86400000, 400LL * 86400000);
  }
  osc__store_flush(st, t0 + ticks * 1000LL);
  double ours_s = bench_seconds(a, bench_now_ns());
  osc__store_close(st);
  /* checkpoint so the size is the database, not the WAL */
  sqlite3 *h = NULL;
  sqlite3_open(db, &h);
  sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  sqlite3_close(h);
  double samples = (double)ticks * NSER;
  double ours_bps = (double)file_size(db) / samples;

  /* peer: the heap layout of monitor_anchors.md section 4 */
  sqlite3_open(heap, &h);
  sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE s(ts INTEGER, metric_id INTEGER, value REAL)",
               NULL, NULL, NULL);
  sqlite3_stmt *ins = NULL;
  sqlite3_prepare_v2(h, "INSERT INTO s VALUES(?,?,?)", -1, &ins, NULL);
  osc_rng_seed(&r, 1);
  gen_init(&r);
  a = bench_now_ns();
  for (int t = 0; t < ticks; t++) {
    int64_t ts = gen(&r, vals, t, t0);
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    for (int s = 0; s < NSER; s++) {
      sqlite3_bind_int64(ins, 1, ts);
      sqlite3_bind_int(ins, 2, s);
      sqlite3_bind_double(ins, 3, vals[s]);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
  }
  double peer_s = bench_seconds(a, bench_now_ns());
  sqlite3_finalize(ins);
  sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  sqlite3_close(h);
  double peer_bps = (double)file_size(heap) / samples;
  bench_line l;
  bench_line_begin(&l, "monitor.ingest");
  bench_line_int(&l, "series", NSER);
  bench_line_int(&l, "samples", (int64_t)samples);
  bench_line_double(&l, "samples_s", samples / ours_s);
  bench_line_double(&l, "target_samples_s", 500000);
  bench_line_peer(&l, "sqlite_heap_table", "samples_s", samples / ours_s, samples / peer_s);
  bench_line_end(&l);
  bench_line_begin(&l, "monitor.bytes_per_sample");
  bench_line_str(&l, "metric", "lower_is_better");
  bench_line_double(&l, "bytes_per_sample", ours_bps);
  bench_line_double(&l, "target", 8);
  bench_line_peer(&l, "sqlite_heap_table", "bytes_per_sample", ours_bps, peer_bps);
  bench_line_end(&l);
  free(vals);
}

static void bench_stats1h(void) {
  char db[300];
  snprintf(db, sizeof db, "%s/stats.db", tmpdir);
  osc_monitor_options o = {0};
  o.no_sampler = true;
  o.db_path = db;
  o.alert_rules = "";
  osc_monitor *m = NULL;
  osc_monitor_open(&o, &m);
  int64_t now = osc_wall_ms();
  for (int i = 0; i < 3600; i++) osc_monitor_record(m, "bench.cpu", now - 3600000 + i * 1000, 50 + 20 * sin(i / 100.0));
  osc_monitor_close(m);
  o.read_only = true; /* from the store, as the CLI and a restarted server read it */
  osc_monitor_open(&o, &m);
  double lat[200];
  osc_monitor_stats st;
  for (int i = 0; i < 200; i++) {
    uint64_t a = bench_now_ns();
    osc_monitor_stats_range(m, "bench.cpu", now - 3600000, now, &st);
    lat[i] = bench_seconds(a, bench_now_ns()) * 1000.0;
  }
  osc_monitor_close(m);
  bench_stats s;
  bench_stats_compute(lat, 200, &s);
  bench_line l;
  bench_line_begin(&l, "monitor.stats_1h");
  bench_line_int(&l, "points", (int64_t)st.count);
  bench_line_stats(&l, "ms", &s);
  bench_line_double(&l, "target_ms", 2);
  bench_line_end(&l);
}

/* ---- the agent comparison ---- */
static void serve_child(int fd) {
  char db[300];
  snprintf(db, sizeof db, "%s/agent.db", tmpdir);
  osc_log_set_level(OSC_LOG_ERROR);
  osc_monitor_options o = {0};
  o.db_path = db;
  osc_monitor *m = NULL;
  if (osc_monitor_open(&o, &m)) _exit(3);
  char req[4096];
  for (;;) {
    int c = accept(fd, NULL, NULL);
    if (c < 0) continue;
    ssize_t n = read(c, req, sizeof req - 1);
    if (n <= 0) {
      close(c);
      continue;
    }
    char *text = NULL;
    size_t len = 0;
    osc_monitor_render_prometheus(m, OSC_EXPO_TEXT, &text, &len);
    char hdr[256];
    int hl = snprintf(hdr, sizeof hdr,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      len);
    if (write(c, hdr, (size_t)hl) < 0 || write(c, text, len) < 0) {
    }
    free(text);
    close(c);
  }
}

static size_t sink(char *p, size_t s, size_t n, void *ud) {
  (void)p;
  *(size_t *)ud += s * n;
  return s * n;
}

static double scrape(const char *url, size_t *bytes) {
  CURL *c = curl_easy_init();
  size_t got = 0;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  uint64_t a = bench_now_ns();
  curl_easy_perform(c);
  double ms = bench_seconds(a, bench_now_ns()) * 1000.0;
  curl_easy_cleanup(c);
  if (bytes) *bytes = got;
  return ms;
}

static double proc_cpu_s(pid_t pid) {
  char p[64], buf[1024];
  snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(p, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *q = strrchr(buf, ')');
  unsigned long ut = 0, stt = 0;
  if (q) sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt);
  return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

static double proc_kb(pid_t pid, const char *key) {
  char p[64], line[256];
  snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
  FILE *f = fopen(p, "r");
  double v = 0;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, key, strlen(key))) v = strtod(line + strlen(key), NULL);
  if (f) fclose(f);
  return v * 1024.0;
}

static void bench_agent(void) {
  int secs = (int)bench_env_int("BENCH_SECONDS", 60);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(fd, (struct sockaddr *)&sa, sizeof sa);
  socklen_t sl = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &sl);
  listen(fd, 64);
  int port = ntohs(sa.sin_port);
  pid_t ours = fork();
  if (ours == 0) serve_child(fd);
  close(fd);
  int peer_port = port + 1;
  pid_t peer = -1;
  bool have_peer = bench_have("prometheus-node-exporter");
  if (have_peer) {
    peer = fork();
    if (peer == 0) {
      char addr[64];
      snprintf(addr, sizeof addr, "--web.listen-address=127.0.0.1:%d", peer_port);
      int dn = open("/dev/null", 1);
      dup2(dn, 1);
      dup2(dn, 2);
      execlp("prometheus-node-exporter", "prometheus-node-exporter", addr, (char *)NULL);
      _exit(127);
    }
  }
  char u1[64], u2[64];
  snprintf(u1, sizeof u1, "http://127.0.0.1:%d/metrics", port);
  snprintf(u2, sizeof u2, "http://127.0.0.1:%d/metrics", peer_port);
  osc_sleep_ms(1500);
  size_t b1 = 0, b2 = 0;
  scrape(u1, &b1);
  if (have_peer) scrape(u2, &b2);
  double c1 = proc_cpu_s(ours), c2 = have_peer ? proc_cpu_s(peer) : 0;
  uint64_t a = bench_now_ns();
  for (int i = 0; i < secs; i++) {
    uint64_t next = a + (uint64_t)(i + 1) * 1000000000ULL;
    scrape(u1, NULL);
    if (have_peer) scrape(u2, NULL);
    uint64_t now = bench_now_ns();
    if (next > now) osc_sleep_ms((next - now) / 1000000ULL);
  }
  double wall = bench_seconds(a, bench_now_ns());
  double cpu1 = 100.0 * (proc_cpu_s(ours) - c1) / wall;
  double cpu2 = have_peer ? 100.0 * (proc_cpu_s(peer) - c2) / wall : 0;
  double rss1 = proc_kb(ours, "VmRSS:"), hwm1 = proc_kb(ours, "VmHWM:");
  double rss2 = have_peer ? proc_kb(peer, "VmRSS:") : 0, hwm2 = have_peer ? proc_kb(peer, "VmHWM:") : 0;
  double l1[100], l2[100];
  for (int i = 0; i < 100; i++) {
    l1[i] = scrape(u1, NULL);
    l2[i] = have_peer ? scrape(u2, NULL) : 0;
  }
  bench_stats s1, s2;
  bench_stats_compute(l1, 100, &s1);
  bench_stats_compute(l2, 100, &s2);
  kill(ours, SIGKILL);
  waitpid(ours, NULL, 0);
  if (have_peer) {
    kill(peer, SIGTERM);
    waitpid(peer, NULL, 0);
  }
  const char *pn = have_peer ? "prometheus-node-exporter" : "none";
  bench_line l;
  bench_line_begin(&l, "monitor.agent_cpu");
  bench_line_str(&l, "metric", "lower_is_better");
  bench_line_int(&l, "seconds", secs);
  bench_line_double(&l, "cpu_pct_of_core", cpu1);
  bench_line_double(&l, "target_pct", 0.2);
  bench_line_peer(&l, pn, "cpu_pct_of_core", cpu1, cpu2);
  bench_line_end(&l);
  bench_line_begin(&l, "monitor.agent_rss");
  bench_line_str(&l, "metric", "lower_is_better");
  bench_line_double(&l, "rss_mb", rss1 / 1e6);
  bench_line_double(&l, "hwm_mb", hwm1 / 1e6);
  bench_line_double(&l, "target_mb", 8);
  bench_line_double(&l, "peer_hwm_mb", hwm2 / 1e6);
  bench_line_peer(&l, pn, "rss_mb", rss1 / 1e6, rss2 / 1e6);
  bench_line_end(&l);
  bench_line_begin(&l, "monitor.scrape");
  bench_line_str(&l, "metric", "lower_is_better");
  bench_line_int(&l, "bytes", (int64_t)b1);
  bench_line_int(&l, "peer_bytes", (int64_t)b2);
  bench_line_double(&l, "p50_ms", s1.p50);
  bench_line_double(&l, "p99_ms", s1.p99);
  bench_line_double(&l, "peer_p50_ms", s2.p50);
  bench_line_double(&l, "peer_p99_ms", s2.p99);
  bench_line_double(&l, "target_p50_ms", 1);
  bench_line_double(&l, "target_p99_ms", 5);
  bench_line_peer(&l, pn, "p50_ms", s1.p50, s2.p50);
  bench_line_end(&l);
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/osc-bench-monitor-XXXXXX");
  if (!mkdtemp(tmpdir)) return 1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  bench_ingest();
  bench_stats1h();
  bench_agent();
  osc_rm_rf(tmpdir);
  return 0;
}
