/*
 * monitor/internal.h - what the monitor's files share (internal).
 *
 * The monitor object (sampler.c) owns: the collectors' state, per-series
 * rings of recent points, the latest exposition snapshot (an osc__mset built
 * by the collectors at each tick), the application registry, the alert
 * engine and the store.  Locks, outermost first: m->lock (rings, latest
 * values, snapshot), then the store's own lock; the registry and the alert
 * engine have their own locks and never call back into m->lock holders.
 */
#ifndef OSC_MONITOR_INTERNAL_H
#define OSC_MONITOR_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "oscontent/monitor.h"

/* ---------------- exposition set (expo.c) ---------------- */
typedef enum osc__mtype { OSC__MT_GAUGE = 0, OSC__MT_COUNTER, OSC__MT_HISTOGRAM, OSC__MT_UNTYPED } osc__mtype;
typedef struct osc__mset osc__mset;

osc__mset *osc__mset_new(void);
void osc__mset_free(osc__mset *s);
/** Forgets every family and sample, keeping memory. */
void osc__mset_reset(osc__mset *s);
/**
 * Makes family @p name current (created on first use; a later call with the
 * same name re-opens it, so families stay contiguous however the collectors
 * interleave).  The name is sanitized.  OSC_OK or OSC_ENOMEM.
 */
int osc__mset_family(osc__mset *s, const char *name, const char *help, osc__mtype type);
/**
 * Adds a sample to the current family.  @p suffix ("" / "_bucket" / "_sum" /
 * "_count"), @p labels NULL-terminated name,value pairs (NULL = none).  Label
 * values are escaped and made valid UTF-8; a duplicate series is dropped.
 * @return OSC_OK, OSC_EEXIST (duplicate dropped), OSC_ESTATE (no family), OSC_ENOMEM.
 */
int osc__mset_add(osc__mset *s, const char *suffix, const char *const *labels, double v);
/** Appends the whole set in a format (no "# EOF"). */
int osc__mset_render(const osc__mset *s, osc_expo_format f, osc_buf *out);
size_t osc__mset_nseries(const osc__mset *s);
size_t osc__mset_nfamilies(const osc__mset *s);

/** Appends @p s escaped for a label value (\\ \" \n; invalid UTF-8 -> U+FFFD). */
void osc__expo_escape_label(osc_buf *b, const char *s, size_t n);
/** Appends @p s escaped for HELP text (\\ and \n only). */
void osc__expo_escape_help(osc_buf *b, const char *s);
/** Replaces characters outside [a-zA-Z0-9_:] by '_' and a leading digit by '_'. */
void osc__expo_sanitize_name(char *s);
/** Sample value: exact integers, else shortest round-trip, NaN/+Inf/-Inf. */
void osc__expo_fmt_value(char *buf, size_t len, double v);
/** Canonical le/quantile: "0.005", "1.0", "1e+06", "+Inf". */
void osc__expo_fmt_le(char *buf, size_t len, double v);

/* ---------------- small helpers ---------------- */
typedef struct osc__pfile {
  char path[512];
  int fd;
} osc__pfile;
void osc__pfile_init(osc__pfile *f, const char *root, const char *rel);
/** Reads the whole file with pread on a kept-open fd.  OSC_OK, OSC_ENOENT, OSC_EIO. */
int osc__pfile_read(osc__pfile *f, osc_buf *b);
void osc__pfile_close(osc__pfile *f);
/** Reads a small file by path (open/read/close) into b.  OSC_OK, OSC_ENOENT, OSC_EIO. */
int osc__read_small(const char *path, osc_buf *b);
struct osc__col_state;
/**
 * Like osc__read_small for a file read every tick (sysfs attributes, cgroup
 * files, procfs singletons): the fd is kept open (at most 64 paths) and
 * re-read with pread, reopened once when stale.  Not for /proc/PID files.
 */
int osc__read_cached(struct osc__col_state *st, const char *path, osc_buf *b);

/* Derived series values of one tick ("system.cpu.usage" -> 12.5). */
typedef struct osc__val {
  char name[96];
  double v;
} osc__val;
typedef struct osc__vals {
  osc__val *v;
  size_t n, cap;
} osc__vals;
void osc__vals_put(osc__vals *vs, const char *name, double v);
void osc__vals_release(osc__vals *vs);

typedef struct osc__tick {
  osc__mset *set;
  osc__vals *vals;
  int64_t wall_ms;
  uint64_t mono_ns;
  double dt_s; /* since the previous tick; 0 on the first */
} osc__tick;

/* ---------------- collectors (collectors/ *.c) ---------------- */
typedef struct osc__cpu_times {
  uint64_t v[10]; /* user nice system idle iowait irq softirq steal guest guest_nice */
} osc__cpu_times;

typedef struct osc__col_state {
  osc_buf buf, buf2; /* scratch */
  osc__pfile stat, meminfo, loadavg, diskstats, netdev, snmp, netstat, vmstat, filenr, sockstat;
  osc__pfile psi[4];
  osc__pfile self_stat, self_status;
  osc__cpu_times prev_cpu;
  bool have_prev_cpu;
  uint64_t prev_self_ticks;
  bool have_prev_self;
  uint64_t prev_disk_bytes[2]; /* read, written: for system.disk.*_bytes_per_s */
  bool have_prev_disk;
  uint64_t prev_net[2];
  bool have_prev_net;
  int ncpu;
  double mem_total_bytes;
  long clk_tck;
  long page_size;
  double boot_time;
  /* process groups: the last scan's result is re-emitted until the next scan */
  struct osc__pgroup *groups;
  size_t ngroups;
  int64_t last_scan_ms;
  double ptotals[8]; /* pids, threads, states R S D Z T other */
  bool have_scan;
  struct osc__pprev *pprev; /* per-pid previous cpu ticks for the CPU ranking */
  size_t npprev, cappprev;
  char cgroup_dir[512];
  int cgroup_state; /* 0 unknown, 1 found, -1 none */
  char uname_labels[6][65];
  bool have_uname;
  osc__pfile *fcache; /* kept-open sysfs/cgroup/procfs files by path (osc__read_cached) */
  size_t nfcache;
} osc__col_state;

typedef struct osc_monitor osc_monitor;
typedef int (*osc__col_fn)(osc_monitor *m, osc__tick *t);

int osc__col_cpu(osc_monitor *m, osc__tick *t);
int osc__col_meminfo(osc_monitor *m, osc__tick *t);
int osc__col_loadavg(osc_monitor *m, osc__tick *t);
int osc__col_diskstats(osc_monitor *m, osc__tick *t);
int osc__col_filesystem(osc_monitor *m, osc__tick *t);
int osc__col_netdev(osc_monitor *m, osc__tick *t);
int osc__col_netstat(osc_monitor *m, osc__tick *t);
int osc__col_pressure(osc_monitor *m, osc__tick *t);
int osc__col_vmstat(osc_monitor *m, osc__tick *t);
int osc__col_filefd(osc_monitor *m, osc__tick *t);
int osc__col_cgroup(osc_monitor *m, osc__tick *t);
int osc__col_self(osc_monitor *m, osc__tick *t);
int osc__col_processes(osc_monitor *m, osc__tick *t);
int osc__col_system(osc_monitor *m, osc__tick *t); /* uname, time, boot */
void osc__col_state_release(osc__col_state *st);

/** Splits a whitespace-separated line in place; returns the number of fields (at most max). */
int osc__split_ws(char *line, char **fields, int max);
/** Parses an unsigned decimal; 0 on garbage. */
uint64_t osc__u64(const char *s);

/* ---------------- store (store.c) ---------------- */
typedef struct osc__store osc__store;
int osc__store_open(const char *path, bool read_only, int chunk_points, osc__store **out);
void osc__store_close(osc__store *s);
/** Begins the tick transaction. */
int osc__store_begin(osc__store *s);
int osc__store_append(osc__store *s, const char *name, int64_t ts_ms, double v);
int osc__store_alert_put(osc__store *s, const osc_alert *a);
/** Commits the tick; flushes chunks and purges (bounded) when due. */
int osc__store_commit(osc__store *s, int64_t now_ms, int64_t raw_ret_ms, int64_t min_ret_ms, int64_t hour_ret_ms);
void osc__store_rollback(osc__store *s);
int osc__store_query(osc__store *s, const char *name, int64_t start_ms, int64_t end_ms, osc_monitor_tier tier,
                     osc_monitor_point **out, size_t *n);
/** Appends every stored series name to the JSON array text buffer (comma-joined quoted names). */
int osc__store_series_names(osc__store *s, char ***names, size_t *n);
typedef void (*osc__alert_load_fn)(void *ud, const osc_alert *a);
int osc__store_alerts_load(osc__store *s, osc__alert_load_fn fn, void *ud);
int64_t osc__store_oldest_ms(osc__store *s);
/** Forces the pending points into chunks (tests, close). */
int osc__store_flush(osc__store *s, int64_t now_ms);
/* Chunk codec (exposed for tests and the bench). */
int osc__chunk_encode(const osc_monitor_point *p, size_t n, osc_buf *out);
int osc__chunk_decode(const void *data, size_t len, osc_monitor_point **out, size_t *n);

/* ---------------- registry (registry.c) ---------------- */
typedef struct osc__registry osc__registry;
osc__registry *osc__registry_new(void);
void osc__registry_free(osc__registry *r);
int osc__registry_metric(osc__registry *r, const char *name, const char *help, osc_metric_type type,
                         const char *labels, const double *buckets, size_t nbuckets, osc_metric **out);
void osc__registry_emit(osc__registry *r, osc__mset *set);

/* ---------------- alerts (alerts.c) ---------------- */
typedef struct osc__alerts osc__alerts;
int osc__alerts_new(const char *webhook_url, osc__alerts **out);
void osc__alerts_free(osc__alerts *a);
int osc__alerts_add_rule(osc__alerts *a, const osc_alert_rule *r);
/** Rules copy (malloc'd). */
int osc__alerts_rules(osc__alerts *a, osc_alert_rule **out, size_t *n);
/**
 * Feeds one value of @p metric; fired/resolved alerts are persisted through
 * @p st (may be NULL) and queued for the notifier thread.
 */
void osc__alerts_eval(osc__alerts *a, osc__store *st, const char *metric, int64_t ts_ms, double v);
void osc__alerts_restore(osc__alerts *a, const osc_alert *al);
int osc__alerts_on(osc__alerts *a, osc_alert_fn fn, void *ud);
int osc__alerts_ack(osc__alerts *a, osc__store *st, const char *id);
int osc__alerts_list(osc__alerts *a, osc_alert *out, size_t cap, size_t *n);
int osc__alerts_flush(osc__alerts *a, int64_t timeout_ms);
void osc__alerts_emit(osc__alerts *a, osc__mset *set);
/** Alert as JSON object text appended to b (the API shape). */
void osc__alert_json(osc_buf *b, const osc_alert *a);

/* ---------------- the monitor ---------------- */
typedef struct osc__ring {
  char name[96];
  int64_t *ts;
  double *v;
  size_t cap, head, len;
} osc__ring;

typedef struct osc__collector {
  const char *name;
  osc__col_fn fn;
  int fails;
  bool disabled;
  bool ok;
  double duration_s;
} osc__collector;

#define OSC__NCOLLECTORS 14

struct osc_monitor {
  osc_monitor_options o;
  char proc_root[256], sys_root[256];
  char *db_path, *webhook_url;
  int64_t opened_wall_ms;
  uint64_t opened_mono_ns;
  pthread_mutex_t lock; /* rings, snapshot, collectors */
  osc__ring *rings;
  size_t nrings, caprings;
  osc__mset *snap;  /* latest system exposition */
  osc__mset *build; /* being built by the current tick */
  osc__mset *scrape; /* scratch for scrapes (under scrape_lock) */
  osc_buf snap_text;  /* m->snap rendered as text 0.0.4 at tick time (under m->lock) */
  osc_buf build_text; /* being rendered by the current tick */
  pthread_mutex_t scrape_lock;
  osc__vals vals;
  osc__col_state cs;
  osc__collector cols[OSC__NCOLLECTORS];
  pthread_mutex_t tick_lock; /* one tick at a time */
  uint64_t last_tick_mono_ns;
  int64_t last_tick_wall_ms;
  uint64_t ticks;
  double last_tick_duration_s;
  osc__store *store;
  osc__registry *reg;
  osc__alerts *alerts;
  osc_metric *m_http_total, *m_http_dur, *m_ticks, *m_tick_dur, *m_store_err;
  struct {
    osc_monitor_provider_fn fn;
    void *ud;
  } providers[8];
  int nproviders;
  pthread_t thread;
  bool thread_started;
  pthread_mutex_t stop_lock;
  pthread_cond_t stop_cond;
  bool stopping;
};

/** Ring of a series (created on first use).  Called with m->lock held. */
osc__ring *osc__ring_get(osc_monitor *m, const char *name, bool create);
/** Shortest round-trip text of a double for JSON (finite only). */
void osc__fmt_json_num(osc_buf *b, double v);

#endif
