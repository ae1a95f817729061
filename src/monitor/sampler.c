/*
 * monitor/sampler.c - the monitor object: options, the sampler thread, one
 * tick (collectors -> exposition snapshot + series values -> rings, store,
 * alerts), range queries and the scrape.
 *
 * A tick builds a fresh exposition set off-lock and swaps it with the
 * published snapshot under m->lock, so a scrape never sees a half-built set
 * and never waits for /proc reads.  Collectors that fail 3 ticks in a row
 * are switched off (logged once); a collector whose source does not exist on
 * this host (OSC_EUNSUPPORTED, e.g. no PSI) is switched off at once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

#define LOGM "monitor"

static const struct {
  const char *name;
  osc__col_fn fn;
} col_table[OSC__NCOLLECTORS] = {
    {"cpu", osc__col_cpu},           {"meminfo", osc__col_meminfo},     {"loadavg", osc__col_loadavg},
    {"diskstats", osc__col_diskstats}, {"filesystem", osc__col_filesystem}, {"netdev", osc__col_netdev},
    {"netstat", osc__col_netstat},   {"pressure", osc__col_pressure},   {"vmstat", osc__col_vmstat},
    {"filefd", osc__col_filefd},     {"cgroup", osc__col_cgroup},       {"self", osc__col_self},
    {"processes", osc__col_processes}, {"system", osc__col_system},
};

static bool valid_series_name(const char *n) {
  size_t l = strlen(n);
  if (l == 0 || l > 95) return false;
  for (const char *c = n; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
          *c == '.' || *c == ':' || *c == '-'))
      return false;
  return true;
}

osc__ring *osc__ring_get(osc_monitor *m, const char *name, bool create) {
  for (size_t i = 0; i < m->nrings; i++)
    if (!strcmp(m->rings[i].name, name)) return &m->rings[i];
  if (!create) return NULL;
  if (m->nrings == m->caprings) {
    size_t nc = m->caprings ? m->caprings * 2 : 64;
    osc__ring *nr = realloc(m->rings, nc * sizeof(*nr));
    if (!nr) return NULL;
    m->rings = nr;
    m->caprings = nc;
  }
  osc__ring *r = &m->rings[m->nrings];
  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", name);
  r->cap = (size_t)m->o.ring_points;
  r->ts = malloc(r->cap * sizeof(int64_t));
  r->v = malloc(r->cap * sizeof(double));
  if (!r->ts || !r->v) {
    free(r->ts);
    free(r->v);
    return NULL;
  }
  m->nrings++;
  return r;
}

static void ring_push(osc__ring *r, int64_t ts, double v) {
  size_t i = (r->head + r->len) % r->cap;
  if (r->len == r->cap) r->head = (r->head + 1) % r->cap;
  else r->len++;
  r->ts[i] = ts;
  r->v[i] = v;
}

void osc__fmt_json_num(osc_buf *b, double v) {
  if (!isfinite(v)) {
    osc_buf_puts(b, "null");
    return;
  }
  char tmp[64];
  osc__expo_fmt_value(tmp, sizeof tmp, v);
  osc_buf_puts(b, tmp);
}

/* ---------------- options ---------------- */
static int fill_defaults(osc_monitor_options *o) {
  if (o->interval_ms == 0) o->interval_ms = 1000;
  if (o->interval_ms < 10 || o->interval_ms > 3600000)
    return osc_seterr(OSC_EINVAL, "monitor.interval_ms: %lld is outside 10..3600000", (long long)o->interval_ms);
  if (!o->proc_root || !*o->proc_root) o->proc_root = "/proc";
  if (!o->sys_root || !*o->sys_root) o->sys_root = "/sys";
  if (o->raw_retention_ms == 0) o->raw_retention_ms = 6LL * 3600 * 1000;
  if (o->minute_retention_ms == 0) o->minute_retention_ms = 7LL * 86400 * 1000;
  if (o->hour_retention_ms == 0) o->hour_retention_ms = 400LL * 86400 * 1000;
  if (o->raw_retention_ms < 0 || o->minute_retention_ms < 0 || o->hour_retention_ms < 0)
    return osc_seterr(OSC_EINVAL, "monitor retention: negative durations are not allowed");
  if (o->ring_points == 0) o->ring_points = 3600;
  if (o->ring_points < 16 || o->ring_points > 1000000)
    return osc_seterr(OSC_EINVAL, "monitor.ring_points: %d is outside 16..1000000", o->ring_points);
  if (o->top_k == 0) o->top_k = 20;
  if (o->top_k > 1000) return osc_seterr(OSC_EINVAL, "monitor.top_k: %d is above 1000", o->top_k);
  if (o->process_interval_ms == 0) o->process_interval_ms = 5000;
  if (o->process_interval_ms < 0) return osc_seterr(OSC_EINVAL, "monitor.process_interval: negative");
  if (o->chunk_points == 0) o->chunk_points = 120;
  if (o->chunk_points < 8 || o->chunk_points > 4096)
    return osc_seterr(OSC_EINVAL, "monitor.chunk_points: %d is outside 8..4096", o->chunk_points);
  return OSC_OK;
}

int osc_monitor_options_from_config(const osc_config *cfg, osc_monitor_options *o) {
  memset(o, 0, sizeof *o);
  o->interval_ms = osc_config_int(cfg, "monitor.interval_ms");
  o->raw_retention_ms = osc_config_int(cfg, "monitor.raw_retention");
  o->minute_retention_ms = osc_config_int(cfg, "monitor.minute_retention");
  o->hour_retention_ms = osc_config_int(cfg, "monitor.hour_retention");
  o->ring_points = (int)osc_config_int(cfg, "monitor.ring_points");
  o->top_k = (int)osc_config_int(cfg, "monitor.top_k");
  if (o->top_k == 0) o->top_k = -1; /* the setting's 0 means off; the option's 0 means default */
  o->process_interval_ms = osc_config_int(cfg, "monitor.process_interval");
  o->chunk_points = (int)osc_config_int(cfg, "monitor.chunk_points");
  o->proc_root = osc_config_str(cfg, "monitor.proc_root");
  o->sys_root = osc_config_str(cfg, "monitor.sys_root");
  const char *wh = osc_config_str(cfg, "monitor.webhook_url");
  o->webhook_url = wh && *wh ? wh : NULL;
  const char *rules = osc_config_str(cfg, "monitor.alert_rules");
  if (!rules || !strcmp(rules, "default")) o->alert_rules = NULL;
  else if (!strcmp(rules, "none")) o->alert_rules = "";
  else o->alert_rules = rules;
  if (osc_config_bool(cfg, "monitor.storage")) {
    char *p = NULL;
    int rc = osc_config_data_path(cfg, "monitor", true, &p);
    if (rc) return rc;
    char *db = osc_path_join(p, "metrics.db");
    free(p);
    if (!db) return OSC_ENOMEM;
    o->db_path = db;
  }
  return OSC_OK;
}

void osc_monitor_options_release(osc_monitor_options *o) {
  if (!o) return;
  free((char *)o->db_path);
  o->db_path = NULL;
}

/* ---------------- tick ---------------- */
static void alert_load_cb(void *ud, const osc_alert *a) { osc__alerts_restore(ud, a); }

static int tick_locked(osc_monitor *m) {
  osc__tick t;
  t.set = m->build;
  t.vals = &m->vals;
  t.wall_ms = osc_wall_ms();
  t.mono_ns = osc_now_ns();
  t.dt_s = m->last_tick_mono_ns ? (double)(t.mono_ns - m->last_tick_mono_ns) / 1e9 : 0;
  osc__mset_reset(m->build);
  m->vals.n = 0;
  for (int i = 0; i < OSC__NCOLLECTORS; i++) {
    osc__collector *c = &m->cols[i];
    if (c->disabled) continue;
    uint64_t t0 = osc_now_ns();
    int rc = c->fn(m, &t);
    c->duration_s = (double)(osc_now_ns() - t0) / 1e9;
    if (rc == OSC_OK) {
      c->fails = 0;
      c->ok = true;
      continue;
    }
    c->ok = false;
    if (rc == OSC_EUNSUPPORTED) {
      c->disabled = true;
      OSC_INFO(LOGM, "collector %s switched off: %s", c->name, osc_errmsg());
    } else if (++c->fails >= 3) {
      c->disabled = true;
      OSC_WARN(LOGM, "collector %s switched off after %d failures in a row: %s", c->name, c->fails, osc_errmsg());
    }
  }
  osc__mset_family(m->build, "node_scrape_collector_duration_seconds",
                   "node_exporter: Duration of a collector scrape.", OSC__MT_GAUGE);
  for (int i = 0; i < OSC__NCOLLECTORS; i++) {
    const char *lb[] = {"collector", m->cols[i].name, NULL};
    osc__mset_add(m->build, "", lb, m->cols[i].duration_s);
  }
  osc__mset_family(m->build, "node_scrape_collector_success", "node_exporter: Whether a collector succeeded.",
                   OSC__MT_GAUGE);
  for (int i = 0; i < OSC__NCOLLECTORS; i++) {
    const char *lb[] = {"collector", m->cols[i].name, NULL};
    osc__mset_add(m->build, "", lb, m->cols[i].ok && !m->cols[i].disabled ? 1 : 0);
  }
  osc__mset_family(m->build, "oscontent_monitor_last_sample_timestamp_seconds",
                   "Wall-clock time of the sample this exposition shows.", OSC__MT_GAUGE);
  osc__mset_add(m->build, "", NULL, (double)t.wall_ms / 1000.0);
  /* Render the text exposition now, off-lock: a scrape then copies bytes. */
  osc_buf_reset(&m->build_text);
  m->build_text.oom = false;
  if (osc__mset_render(m->build, OSC_EXPO_TEXT, &m->build_text) != OSC_OK || m->build_text.oom)
    osc_buf_reset(&m->build_text);

  pthread_mutex_lock(&m->lock);
  osc__mset *tmp = m->snap;
  m->snap = m->build;
  m->build = tmp;
  osc_buf tb = m->snap_text;
  m->snap_text = m->build_text;
  m->build_text = tb;
  for (size_t i = 0; i < m->vals.n; i++) {
    osc__ring *r = osc__ring_get(m, m->vals.v[i].name, true);
    if (r) ring_push(r, t.wall_ms, m->vals.v[i].v);
  }
  m->last_tick_wall_ms = t.wall_ms;
  pthread_mutex_unlock(&m->lock);
  m->last_tick_mono_ns = t.mono_ns;

  int rc = OSC_OK;
  if (m->store) {
    rc = osc__store_begin(m->store);
    for (size_t i = 0; rc == OSC_OK && i < m->vals.n; i++)
      rc = osc__store_append(m->store, m->vals.v[i].name, t.wall_ms, m->vals.v[i].v);
  }
  for (size_t i = 0; i < m->vals.n; i++) osc__alerts_eval(m->alerts, m->store, m->vals.v[i].name, t.wall_ms, m->vals.v[i].v);
  if (m->store) {
    if (rc == OSC_OK)
      rc = osc__store_commit(m->store, t.wall_ms, m->o.raw_retention_ms, m->o.minute_retention_ms,
                             m->o.hour_retention_ms);
    else osc__store_rollback(m->store);
    if (rc) {
      OSC_WARN(LOGM, "store: tick not saved: %s", osc_errmsg());
      osc_metric_add(m->m_store_err, NULL, 1);
    }
  }
  m->ticks++;
  double dur = (double)(osc_now_ns() - t.mono_ns) / 1e9;
  m->last_tick_duration_s = dur;
  osc_metric_add(m->m_ticks, NULL, 1);
  osc_metric_observe(m->m_tick_dur, NULL, dur);
  return rc;
}

int osc_monitor_sample_now(osc_monitor *m) {
  if (!m) return osc_seterr(OSC_EINVAL, "monitor: NULL");
  if (m->o.read_only) return osc_seterr(OSC_ESTATE, "monitor: opened read-only");
  pthread_mutex_lock(&m->tick_lock);
  int rc = tick_locked(m);
  pthread_mutex_unlock(&m->tick_lock);
  return rc;
}

static void *sampler_main(void *arg) {
  osc_monitor *m = arg;
  uint64_t next = osc_now_ns();
  pthread_mutex_lock(&m->stop_lock);
  while (!m->stopping) {
    pthread_mutex_unlock(&m->stop_lock);
    osc_monitor_sample_now(m);
    next += (uint64_t)m->o.interval_ms * 1000000ULL;
    uint64_t now = osc_now_ns();
    if (next < now) next = now + (uint64_t)m->o.interval_ms * 1000000ULL; /* fell behind: skip, never burst */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t wait = next - now;
    ts.tv_sec += (time_t)(wait / 1000000000ULL);
    ts.tv_nsec += (long)(wait % 1000000000ULL);
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&m->stop_lock);
    while (!m->stopping) {
      if (pthread_cond_timedwait(&m->stop_cond, &m->stop_lock, &ts) != 0) break;
    }
  }
  pthread_mutex_unlock(&m->stop_lock);
  return NULL;
}

/* ---------------- open / close ---------------- */
int osc_monitor_open(const osc_monitor_options *opts, osc_monitor **out) {
  *out = NULL;
  osc_monitor_options o = opts ? *opts : (osc_monitor_options){0};
  int rc = fill_defaults(&o);
  if (rc) return rc;
  osc_alert_rule *rules = NULL;
  size_t nrules = 0;
  rc = osc_monitor_rules_parse(o.alert_rules ? o.alert_rules : osc_monitor_default_rules(), &rules, &nrules);
  if (rc) return rc;
  osc_monitor *m = calloc(1, sizeof *m);
  if (!m) {
    free(rules);
    return OSC_ENOMEM;
  }
  m->o = o;
  snprintf(m->proc_root, sizeof m->proc_root, "%s", o.proc_root);
  snprintf(m->sys_root, sizeof m->sys_root, "%s", o.sys_root);
  m->o.proc_root = m->proc_root;
  m->o.sys_root = m->sys_root;
  m->db_path = osc_strdup(o.db_path);
  m->webhook_url = osc_strdup(o.webhook_url);
  m->o.db_path = m->db_path;
  m->o.webhook_url = m->webhook_url;
  m->o.alert_rules = NULL;
  m->opened_wall_ms = osc_wall_ms();
  m->opened_mono_ns = osc_now_ns();
  pthread_mutex_init(&m->lock, NULL);
  pthread_mutex_init(&m->scrape_lock, NULL);
  pthread_mutex_init(&m->tick_lock, NULL);
  pthread_mutex_init(&m->stop_lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&m->stop_cond, &ca);
  pthread_condattr_destroy(&ca);
  osc__col_state *st = &m->cs;
  osc_buf_init(&st->buf);
  osc_buf_init(&st->buf2);
  const char *pr = m->proc_root;
  osc__pfile_init(&st->stat, pr, "stat");
  osc__pfile_init(&st->meminfo, pr, "meminfo");
  osc__pfile_init(&st->loadavg, pr, "loadavg");
  osc__pfile_init(&st->diskstats, pr, "diskstats");
  osc__pfile_init(&st->netdev, pr, "net/dev");
  osc__pfile_init(&st->snmp, pr, "net/snmp");
  osc__pfile_init(&st->netstat, pr, "net/netstat");
  osc__pfile_init(&st->sockstat, pr, "net/sockstat");
  osc__pfile_init(&st->vmstat, pr, "vmstat");
  osc__pfile_init(&st->filenr, pr, "sys/fs/file-nr");
  osc__pfile_init(&st->psi[0], pr, "pressure/cpu");
  osc__pfile_init(&st->psi[1], pr, "pressure/io");
  osc__pfile_init(&st->psi[2], pr, "pressure/memory");
  osc__pfile_init(&st->psi[3], pr, "pressure/irq");
  osc__pfile_init(&st->self_stat, pr, "self/stat");
  osc__pfile_init(&st->self_status, pr, "self/status");
  st->clk_tck = sysconf(_SC_CLK_TCK);
  if (st->clk_tck <= 0) st->clk_tck = 100;
  st->page_size = sysconf(_SC_PAGESIZE);
  if (st->page_size <= 0) st->page_size = 4096;
  for (int i = 0; i < OSC__NCOLLECTORS; i++) {
    m->cols[i].name = col_table[i].name;
    m->cols[i].fn = col_table[i].fn;
  }
  m->snap = osc__mset_new();
  m->build = osc__mset_new();
  m->scrape = osc__mset_new();
  osc_buf_init(&m->snap_text);
  osc_buf_init(&m->build_text);
  m->reg = osc__registry_new();
  if (!m->snap || !m->build || !m->scrape || !m->reg) {
    rc = OSC_ENOMEM;
    goto fail;
  }
  rc = osc__alerts_new(m->webhook_url, &m->alerts);
  if (rc) goto fail;
  for (size_t i = 0; i < nrules; i++) {
    rc = osc__alerts_add_rule(m->alerts, &rules[i]);
    if (rc) goto fail;
  }
  free(rules);
  rules = NULL;
  static const double tick_buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1};
  osc__registry_metric(m->reg, "oscontent_http_requests_total", "HTTP requests answered, by route, method and status.",
                       OSC_METRIC_COUNTER, "route,method,status", NULL, 0, &m->m_http_total);
  osc__registry_metric(m->reg, "oscontent_http_request_duration_seconds", "HTTP request latency in seconds.",
                       OSC_METRIC_HISTOGRAM, "route,method", NULL, 0, &m->m_http_dur);
  osc__registry_metric(m->reg, "oscontent_monitor_ticks_total", "Sampling ticks run by the monitor.",
                       OSC_METRIC_COUNTER, NULL, NULL, 0, &m->m_ticks);
  osc__registry_metric(m->reg, "oscontent_monitor_tick_duration_seconds",
                       "Time one sampling tick took (collect, store, alerts).", OSC_METRIC_HISTOGRAM, NULL,
                       tick_buckets, sizeof tick_buckets / sizeof tick_buckets[0], &m->m_tick_dur);
  osc__registry_metric(m->reg, "oscontent_monitor_store_errors_total", "Ticks the store failed to save.",
                       OSC_METRIC_COUNTER, NULL, NULL, 0, &m->m_store_err);
  if (m->db_path) {
    rc = osc__store_open(m->db_path, o.read_only, o.chunk_points, &m->store);
    if (rc) goto fail;
    osc__store_alerts_load(m->store, alert_load_cb, m->alerts);
  }
  if (!o.no_sampler && !o.read_only) {
    if (pthread_create(&m->thread, NULL, sampler_main, m) != 0) {
      rc = osc_seterr(OSC_EINTERNAL, "monitor: cannot start the sampler thread");
      goto fail;
    }
    m->thread_started = true;
  }
  *out = m;
  return OSC_OK;
fail:
  free(rules);
  osc_monitor_close(m);
  return rc;
}

void osc_monitor_close(osc_monitor *m) {
  if (!m) return;
  if (m->thread_started) {
    pthread_mutex_lock(&m->stop_lock);
    m->stopping = true;
    pthread_cond_broadcast(&m->stop_cond);
    pthread_mutex_unlock(&m->stop_lock);
    pthread_join(m->thread, NULL);
  }
  if (m->alerts) osc__alerts_flush(m->alerts, 2000);
  osc__alerts_free(m->alerts);
  if (m->store && !m->o.read_only) osc__store_flush(m->store, osc_wall_ms());
  osc__store_close(m->store);
  osc__registry_free(m->reg);
  osc__mset_free(m->snap);
  osc__mset_free(m->build);
  osc__mset_free(m->scrape);
  osc_buf_release(&m->snap_text);
  osc_buf_release(&m->build_text);
  for (size_t i = 0; i < m->nrings; i++) {
    free(m->rings[i].ts);
    free(m->rings[i].v);
  }
  free(m->rings);
  osc__vals_release(&m->vals);
  osc__col_state_release(&m->cs);
  osc_buf_release(&m->cs.buf);
  osc_buf_release(&m->cs.buf2);
  pthread_mutex_destroy(&m->lock);
  pthread_mutex_destroy(&m->scrape_lock);
  pthread_mutex_destroy(&m->tick_lock);
  pthread_mutex_destroy(&m->stop_lock);
  pthread_cond_destroy(&m->stop_cond);
  free(m->db_path);
  free(m->webhook_url);
  free(m);
}

int64_t osc_monitor_uptime_ms(const osc_monitor *m) { return (int64_t)((osc_now_ns() - m->opened_mono_ns) / 1000000ULL); }

int osc_monitor_record(osc_monitor *m, const char *name, int64_t ts_ms, double value) {
  if (!m || !name || !valid_series_name(name))
    return osc_seterr(OSC_EINVAL, "series name '%s': expected 1..95 characters of [A-Za-z0-9_.:-]", name ? name : "");
  if (!isfinite(value)) return osc_seterr(OSC_EINVAL, "%s: value must be finite", name);
  if (m->o.read_only) return osc_seterr(OSC_ESTATE, "monitor: opened read-only");
  pthread_mutex_lock(&m->tick_lock);
  pthread_mutex_lock(&m->lock);
  osc__ring *r = osc__ring_get(m, name, true);
  if (r) ring_push(r, ts_ms, value);
  pthread_mutex_unlock(&m->lock);
  int rc = OSC_OK;
  if (m->store) {
    rc = osc__store_begin(m->store);
    if (rc == OSC_OK) rc = osc__store_append(m->store, name, ts_ms, value);
  }
  osc__alerts_eval(m->alerts, m->store, name, ts_ms, value);
  if (m->store) {
    if (rc == OSC_OK)
      rc = osc__store_commit(m->store, ts_ms, m->o.raw_retention_ms, m->o.minute_retention_ms, m->o.hour_retention_ms);
    else osc__store_rollback(m->store);
  }
  pthread_mutex_unlock(&m->tick_lock);
  return rc;
}

/* ---------------- queries ---------------- */
int osc_monitor_query(osc_monitor *m, const char *name, int64_t start_ms, int64_t end_ms, osc_monitor_tier tier,
                      osc_monitor_point **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!name || !*name) return osc_seterr(OSC_EINVAL, "metric name: required");
  if (end_ms < start_ms) return osc_seterr(OSC_EINVAL, "range: end %lld is before start %lld", (long long)end_ms, (long long)start_ms);
  if (tier == OSC_MONITOR_TIER_AUTO || !m->store) {
    /* The ring holds every point since the series appeared in this process;
     * it answers when it reaches back to start_ms (or when there is no store). */
    pthread_mutex_lock(&m->lock);
    osc__ring *r = osc__ring_get(m, name, false);
    if (r && r->len > 0 && (!m->store || r->ts[r->head] <= start_ms)) {
      osc_monitor_point *p = malloc(r->len * sizeof *p);
      size_t k = 0;
      for (size_t i = 0; p && i < r->len; i++) {
        size_t j = (r->head + i) % r->cap;
        if (r->ts[j] >= start_ms && r->ts[j] <= end_ms) p[k++] = (osc_monitor_point){r->ts[j], r->v[j]};
      }
      pthread_mutex_unlock(&m->lock);
      if (!p) return OSC_ENOMEM;
      if (k == 0) {
        free(p);
        p = NULL;
      }
      *out = p;
      *n = k;
      return OSC_OK;
    }
    pthread_mutex_unlock(&m->lock);
    if (!m->store) return OSC_OK;
  }
  if (tier != OSC_MONITOR_TIER_AUTO) return osc__store_query(m->store, name, start_ms, end_ms, tier, out, n);
  /* AUTO: stitch the tiers - hour buckets beyond the minute retention, minute
   * buckets beyond the raw retention, raw points for the recent part. */
  int64_t now = osc_wall_ms();
  int64_t raw_from = now - m->o.raw_retention_ms, min_from = now - m->o.minute_retention_ms;
  struct {
    osc_monitor_tier t;
    int64_t a, b;
  } parts[3] = {{OSC_MONITOR_TIER_HOUR, start_ms, OSC_MIN(end_ms, min_from - 1)},
                {OSC_MONITOR_TIER_MINUTE, OSC_MAX(start_ms, min_from), OSC_MIN(end_ms, raw_from - 1)},
                {OSC_MONITOR_TIER_RAW, OSC_MAX(start_ms, raw_from), end_ms}};
  osc_monitor_point *acc = NULL;
  size_t nacc = 0;
  for (int i = 0; i < 3; i++) {
    if (parts[i].b < parts[i].a) continue;
    osc_monitor_point *p = NULL;
    size_t k = 0;
    int rc = osc__store_query(m->store, name, parts[i].a, parts[i].b, parts[i].t, &p, &k);
    if (rc) {
      free(acc);
      return rc;
    }
    if (!k) continue;
    osc_monitor_point *q = realloc(acc, (nacc + k) * sizeof *q);
    if (!q) {
      free(p);
      free(acc);
      return OSC_ENOMEM;
    }
    memcpy(q + nacc, p, k * sizeof *p);
    free(p);
    acc = q;
    nacc += k;
  }
  *out = acc;
  *n = nacc;
  return OSC_OK;
}

int osc_monitor_stats_range(osc_monitor *m, const char *name, int64_t start_ms, int64_t end_ms,
                            osc_monitor_stats *out) {
  osc_monitor_point *p = NULL;
  size_t n = 0;
  int rc = osc_monitor_query(m, name, start_ms, end_ms, OSC_MONITOR_TIER_AUTO, &p, &n);
  if (rc) return rc;
  if (n == 0) {
    memset(out, 0, sizeof *out);
    return osc_seterr(OSC_ENOENT, "%s: no points in range", name);
  }
  rc = osc_monitor_stats_compute(p, n, out);
  free(p);
  return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int osc_monitor_series_json(osc_monitor *m, char **out) {
  char **names = NULL;
  size_t n = 0;
  if (m->store) osc__store_series_names(m->store, &names, &n);
  pthread_mutex_lock(&m->lock);
  for (size_t i = 0; i < m->nrings; i++) {
    bool dup = false;
    for (size_t j = 0; j < n && !dup; j++) dup = !strcmp(names[j], m->rings[i].name);
    if (dup) continue;
    char **nn = realloc(names, (n + 1) * sizeof *nn);
    if (!nn) break;
    names = nn;
    names[n++] = osc_strdup(m->rings[i].name);
  }
  pthread_mutex_unlock(&m->lock);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  osc_buf b = OSC_BUF_INIT;
  osc_buf_putc(&b, '[');
  for (size_t i = 0; i < n; i++) {
    if (i) osc_buf_putc(&b, ',');
    osc_buf_put_json_str(&b, names[i], strlen(names[i]));
    free(names[i]);
  }
  free(names);
  osc_buf_putc(&b, ']');
  if (b.oom) {
    osc_buf_release(&b);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&b, NULL);
  return OSC_OK;
}

int osc_monitor_latest_json(osc_monitor *m, char **out) {
  osc_buf b = OSC_BUF_INIT;
  osc_buf_putc(&b, '{');
  pthread_mutex_lock(&m->lock);
  for (size_t i = 0; i < m->nrings; i++) {
    osc__ring *r = &m->rings[i];
    if (!r->len) continue;
    if (b.len > 1) osc_buf_putc(&b, ',');
    osc_buf_put_json_str(&b, r->name, strlen(r->name));
    osc_buf_putc(&b, ':');
    osc__fmt_json_num(&b, r->v[(r->head + r->len - 1) % r->cap]);
  }
  pthread_mutex_unlock(&m->lock);
  osc_buf_putc(&b, '}');
  if (b.oom) {
    osc_buf_release(&b);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&b, NULL);
  return OSC_OK;
}

/* ---------------- exposition ---------------- */
int osc_monitor_render_prometheus(osc_monitor *m, osc_expo_format f, char **out, size_t *len) {
  for (int i = 0; i < m->nproviders; i++) m->providers[i].fn(m->providers[i].ud, m);
  osc_buf b = OSC_BUF_INIT;
  osc_buf_reserve(&b, 65536);
  pthread_mutex_lock(&m->lock);
  if (f == OSC_EXPO_TEXT && m->snap_text.len) osc_buf_append(&b, m->snap_text.data, m->snap_text.len);
  else osc__mset_render(m->snap, f, &b);
  pthread_mutex_unlock(&m->lock);
  pthread_mutex_lock(&m->scrape_lock);
  osc__mset_reset(m->scrape);
  osc__registry_emit(m->reg, m->scrape);
  osc__alerts_emit(m->alerts, m->scrape);
  osc__mset_render(m->scrape, f, &b);
  pthread_mutex_unlock(&m->scrape_lock);
  if (f == OSC_EXPO_OPENMETRICS) osc_buf_puts(&b, "# EOF\n");
  if (b.oom) {
    osc_buf_release(&b);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&b, len);
  return OSC_OK;
}

/* ---------------- registry and alerts pass-through ---------------- */
int osc_monitor_metric(osc_monitor *m, const char *name, const char *help, osc_metric_type type, const char *labels,
                       const double *buckets, size_t nbuckets, osc_metric **out) {
  return osc__registry_metric(m->reg, name, help, type, labels, buckets, nbuckets, out);
}

void osc_monitor_http_request(osc_monitor *m, const char *route, const char *method, int status,
                              uint64_t duration_ns) {
  if (!m) return;
  char st[16];
  snprintf(st, sizeof st, "%d", status);
  const char *r = route && *route ? route : "unmatched";
  const char *lv[] = {r, method ? method : "", st};
  osc_metric_add(m->m_http_total, lv, 1);
  const char *ld[] = {r, method ? method : ""};
  osc_metric_observe(m->m_http_dur, ld, (double)duration_ns / 1e9);
}

int osc_monitor_add_provider(osc_monitor *m, osc_monitor_provider_fn fn, void *ud) {
  if (!fn) return osc_seterr(OSC_EINVAL, "provider: NULL function");
  pthread_mutex_lock(&m->scrape_lock);
  int rc = OSC_OK;
  if (m->nproviders == 8) rc = osc_seterr(OSC_ETOOBIG, "monitor: at most 8 providers");
  else {
    m->providers[m->nproviders].fn = fn;
    m->providers[m->nproviders++].ud = ud;
  }
  pthread_mutex_unlock(&m->scrape_lock);
  return rc;
}

int osc_monitor_add_rule(osc_monitor *m, const osc_alert_rule *rule) { return osc__alerts_add_rule(m->alerts, rule); }
int osc_monitor_on_alert(osc_monitor *m, osc_alert_fn fn, void *ud) { return osc__alerts_on(m->alerts, fn, ud); }
int osc_monitor_ack(osc_monitor *m, const char *id) { return osc__alerts_ack(m->alerts, m->store, id); }
int osc_monitor_alerts(osc_monitor *m, osc_alert *out, size_t cap, size_t *n) {
  return osc__alerts_list(m->alerts, out, cap, n);
}
int osc_monitor_flush_notifications(osc_monitor *m, int64_t timeout_ms) { return osc__alerts_flush(m->alerts, timeout_ms); }
