/*
 * bench/common/bench.h - shared helpers for the benchmark programs.
 *
 * A benchmark prints one JSON line per case on stdout:
 *
 *     {"bench":"cache.get_hit","threads":2,"ops_s":1.2e6,"p99_ns":850,
 *      "peer":"redis","peer_ops_s":9.1e4,"ratio":13.2}
 *
 * built with bench_line_*; the peer (redis-server, nginx, ffmpeg, ...) is
 * run in the same program run (bench_run_peer) so that the ratio compares
 * numbers taken on the same machine at the same time.  "ratio" is always
 * ours / peer for a higher-is-better metric (say which in the case name or
 * a "metric" field when it is lower-is-better).
 *
 * Thread safety: the timing helpers are safe anywhere; a bench_line belongs
 * to one thread.
 */
#ifndef OSC_BENCH_H
#define OSC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "oscontent/common.h"

/** Monotonic nanoseconds. */
uint64_t bench_now_ns(void);
/** Seconds between two bench_now_ns() values. */
double bench_seconds(uint64_t start_ns, uint64_t end_ns);

/** Summary of a sample array. */
typedef struct bench_stats {
  size_t n;
  double min, max, mean, stddev;
  double p50, p90, p99, p999;
} bench_stats;

/** Percentile p (0..100) of n samples, linear interpolation; sorts @p v in place.  0 when n == 0. */
double bench_percentile(double *v, size_t n, double p);
/** Fills @p out from n samples (sorts @p v in place). */
void bench_stats_compute(double *v, size_t n, bench_stats *out);

/** Peak resident set size of this process in bytes (VmHWM, else getrusage). */
int64_t bench_peak_rss_bytes(void);
/** Current resident set size in bytes (VmRSS); 0 if unknown. */
int64_t bench_rss_bytes(void);
/** CPU time (user+system) of this process, and of its waited-for children, in ns. */
uint64_t bench_self_cpu_ns(void);
uint64_t bench_children_cpu_ns(void);

/** Result of a peer command. */
typedef struct bench_peer_result {
  int exit_code;      /* exit status, or 128+signal, or -1 if it could not run */
  double wall_s;
  uint64_t cpu_ns;    /* user+system CPU of the command and its children */
  int64_t peak_rss;   /* largest child RSS in bytes (ru_maxrss of children) */
  char *out;          /* stdout (malloc'd, NUL-terminated) */
  size_t out_len;
} bench_peer_result;

/**
 * Runs `sh -c cmd`, capturing stdout (stderr is inherited), and measures
 * wall time and the CPU time it used.  Returns 0 when the command ran (see
 * exit_code), -1 when it could not be started.  Free with bench_peer_release.
 */
int bench_run_peer(const char *cmd, bench_peer_result *out);
void bench_peer_release(bench_peer_result *r);
/** True if @p prog is found on PATH (or is an executable path). */
bool bench_have(const char *prog);

/** ours / peer, or 0 when peer is 0. */
double bench_ratio(double ours, double peer);

/** One JSON line: begin, add fields, end (prints and resets). */
typedef struct bench_line {
  osc_buf b;
  bool first;
} bench_line;

void bench_line_begin(bench_line *l, const char *bench_name);
void bench_line_str(bench_line *l, const char *key, const char *value);
void bench_line_int(bench_line *l, const char *key, int64_t value);
void bench_line_double(bench_line *l, const char *key, double value);
void bench_line_bool(bench_line *l, const char *key, bool value);
/** Adds the stats as <prefix>_p50, _p90, _p99, _p999, _mean, _max (prefix e.g. "lat_us"). */
void bench_line_stats(bench_line *l, const char *prefix, const bench_stats *s);
/** Adds "peer", "peer_<metric>" and "ratio" = ours/peer. */
void bench_line_peer(bench_line *l, const char *peer, const char *metric, double ours, double peer_value);
/** Prints the line (plus newline) to stdout, flushes, and frees. */
void bench_line_end(bench_line *l);

/** Reads an environment variable as a positive integer, else @p def (e.g. BENCH_SECONDS). */
int64_t bench_env_int(const char *name, int64_t def);

#endif
