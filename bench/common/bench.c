/*
 * bench/common/bench.c - timing, percentiles, memory and CPU accounting,
 * peer commands and JSON lines for the benchmark programs.
 */
#include "common/bench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

uint64_t bench_now_ns(void) { return osc_now_ns(); }
double bench_seconds(uint64_t a, uint64_t b) { return (double)(b - a) / 1e9; }

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double pct_sorted(const double *v, size_t n, double p) {
  if (n == 0) return 0;
  if (p <= 0) return v[0];
  if (p >= 100) return v[n - 1];
  double rank = p / 100.0 * (double)(n - 1);
  size_t lo = (size_t)floor(rank);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  double f = rank - (double)lo;
  return v[lo] + (v[hi] - v[lo]) * f;
}

double bench_percentile(double *v, size_t n, double p) {
  if (n == 0) return 0;
  qsort(v, n, sizeof *v, cmp_double);
  return pct_sorted(v, n, p);
}

void bench_stats_compute(double *v, size_t n, bench_stats *out) {
  memset(out, 0, sizeof *out);
  out->n = n;
  if (n == 0) return;
  qsort(v, n, sizeof *v, cmp_double);
  double sum = 0, sq = 0;
  for (size_t i = 0; i < n; i++) sum += v[i];
  out->mean = sum / (double)n;
  for (size_t i = 0; i < n; i++) sq += (v[i] - out->mean) * (v[i] - out->mean);
  out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
  out->min = v[0];
  out->max = v[n - 1];
  out->p50 = pct_sorted(v, n, 50);
  out->p90 = pct_sorted(v, n, 90);
  out->p99 = pct_sorted(v, n, 99);
  out->p999 = pct_sorted(v, n, 99.9);
}

static int64_t status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  size_t fl = strlen(field);
  int64_t kb = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
      kb = strtoll(line + fl + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return kb;
}

int64_t bench_peak_rss_bytes(void) {
  int64_t kb = status_kb("VmHWM");
  if (kb < 0) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    kb = ru.ru_maxrss;
  }
  return kb * 1024;
}

int64_t bench_rss_bytes(void) {
  int64_t kb = status_kb("VmRSS");
  return kb < 0 ? 0 : kb * 1024;
}

static uint64_t tv_ns(struct timeval tv) { return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull; }

uint64_t bench_self_cpu_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

uint64_t bench_children_cpu_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

int bench_run_peer(const char *cmd, bench_peer_result *out) {
  memset(out, 0, sizeof *out);
  out->exit_code = -1;
  int pfd[2];
  if (pipe(pfd) != 0) return -1;
  uint64_t t0 = bench_now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(pfd[1], 1);
    close(pfd[0]);
    close(pfd[1]);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  close(pfd[1]);
  osc_buf b = OSC_BUF_INIT;
  char tmp[8192];
  for (;;) {
    ssize_t n = read(pfd[0], tmp, sizeof tmp);
    if (n > 0) {
      osc_buf_append(&b, tmp, (size_t)n);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pfd[0]);
  int st = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR) {
  }
  out->wall_s = bench_seconds(t0, bench_now_ns());
  out->cpu_ns = tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
  out->peak_rss = (int64_t)ru.ru_maxrss * 1024;
  out->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
  out->out = osc_buf_detach(&b, &out->out_len);
  return 0;
}

void bench_peer_release(bench_peer_result *r) {
  free(r->out);
  r->out = NULL;
}

bool bench_have(const char *prog) {
  if (strchr(prog, '/')) return access(prog, X_OK) == 0;
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  char *copy = strdup(path);
  bool found = false;
  for (char *save = NULL, *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", d, prog);
    found = access(full, X_OK) == 0;
  }
  free(copy);
  return found;
}

double bench_ratio(double ours, double peer) { return peer != 0 ? ours / peer : 0; }

static void key(bench_line *l, const char *k) {
  if (!l->first) osc_buf_putc(&l->b, ',');
  l->first = false;
  osc_buf_put_json_str(&l->b, k, strlen(k));
  osc_buf_putc(&l->b, ':');
}

void bench_line_begin(bench_line *l, const char *name) {
  osc_buf_init(&l->b);
  l->first = true;
  osc_buf_putc(&l->b, '{');
  bench_line_str(l, "bench", name);
}

void bench_line_str(bench_line *l, const char *k, const char *v) {
  key(l, k);
  if (v)
    osc_buf_put_json_str(&l->b, v, strlen(v));
  else
    osc_buf_puts(&l->b, "null");
}

void bench_line_int(bench_line *l, const char *k, int64_t v) {
  key(l, k);
  osc_buf_printf(&l->b, "%lld", (long long)v);
}

void bench_line_double(bench_line *l, const char *k, double v) {
  key(l, k);
  if (!isfinite(v))
    osc_buf_puts(&l->b, "null");
  else
    osc_buf_printf(&l->b, "%.6g", v);
}

void bench_line_bool(bench_line *l, const char *k, bool v) {
  key(l, k);
  osc_buf_puts(&l->b, v ? "true" : "false");
}

void bench_line_stats(bench_line *l, const char *prefix, const bench_stats *s) {
  static const char *const names[] = {"p50", "p90", "p99", "p999", "mean", "max"};
  const double vals[] = {s->p50, s->p90, s->p99, s->p999, s->mean, s->max};
  for (size_t i = 0; i < 6; i++) {
    char k[96];
    snprintf(k, sizeof k, "%s_%s", prefix, names[i]);
    bench_line_double(l, k, vals[i]);
  }
}

void bench_line_peer(bench_line *l, const char *peer, const char *metric, double ours, double peer_value) {
  char k[96];
  bench_line_str(l, "peer", peer);
  snprintf(k, sizeof k, "peer_%s", metric);
  bench_line_double(l, k, peer_value);
  bench_line_double(l, "ratio", bench_ratio(ours, peer_value));
}

void bench_line_end(bench_line *l) {
  osc_buf_puts(&l->b, "}\n");
  if (!l->b.oom) fwrite(l->b.data, 1, l->b.len, stdout);
  fflush(stdout);
  osc_buf_release(&l->b);
}

int64_t bench_env_int(const char *name, int64_t def) {
  const char *v = getenv(name);
  if (!v || !*v) return def;
  char *end;
  long long x = strtoll(v, &end, 10);
  return (*end || x <= 0) ? def : x;
}
