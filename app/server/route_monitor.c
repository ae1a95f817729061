/*
 * server/route_monitor.c - the monitor's routes (the original API's shapes)
 * and its service: `oscontent serve` opens the monitor into app->monitor
 * (monitor.enabled, default on) and installs the on_request hook that counts
 * every HTTP request in oscontent_http_requests_total and
 * oscontent_http_request_duration_seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/monitor.h"
#include "server/app.h"
#include "server/http.h"
#ifdef OSC_HAVE_CACHE
#include "oscontent/cache.h"
#endif
#ifdef OSC_HAVE_TASKS
#include "oscontent/tasks.h"
#endif
#include <pthread.h>

static osc_monitor *mon(osc_req *req) { return osc_req_app(req)->monitor; }

#define NEED_MONITOR(req, resp)                                                                              \
  osc_monitor *m = mon(req);                                                                                 \
  if (!m) return osc_seterr(OSC_EUNAVAIL, "the performance monitor is off (monitor.enabled=false)");

static int reply_text_json(osc_resp *resp, int status, char *text) {
  return osc_resp_take(resp, status, "application/json", text, strlen(text));
}

static int parse_since(osc_req *req, int64_t def, int64_t *out) {
  const char *s = osc_req_query(req, "since");
  *out = def;
  if (!s) return OSC_OK;
  int64_t v;
  if (osc_parse_duration_ms(s, &v) || v <= 0)
    return osc_seterr(OSC_EINVAL, "since=%s: expected a duration like 90s, 15m, 1h or 7d", s);
  *out = v;
  return OSC_OK;
}

static int h_stats(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  int64_t win;
  int rc = parse_since(req, 3600000, &win);
  if (rc) return rc;
  char *text = NULL;
  if ((rc = osc_monitor_stats_json(m, win, &text))) return rc;
  json_t *j = NULL;
  rc = osc_json_parse(text, strlen(text), false, &j);
  free(text);
  if (rc) return rc;
  /* Other components' statistics are exposed by /cache/stats and /tasks/stats and in /metrics. */
  return osc_resp_json(resp, 200, j);
}

static int h_alerts(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  const char *ls = osc_req_query(req, "level"), *as = osc_req_query(req, "acknowledged");
  osc_alert_level lv = OSC_ALERT_INFO;
  if (ls && *ls && osc_alert_level_parse(ls, &lv)) return OSC_EINVAL;
  bool ack = false;
  if (as && *as && osc_parse_bool(as, &ack))
    return osc_seterr(OSC_EINVAL, "acknowledged=%s: expected true or false", as);
  char *text = NULL;
  int rc = osc_monitor_alerts_json(m, ls && *ls ? (int)lv : -1, as && *as ? (ack ? 1 : 0) : -1, &text);
  if (rc) return rc;
  return reply_text_json(resp, 200, text);
}

static int h_ack(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  const char *id = osc_req_param(req, "id");
  int rc = osc_monitor_ack(m, id);
  if (rc == OSC_ENOENT) {
    json_t *j = json_pack("{s:s,s:s,s:b,s:s}", "detail", osc_errmsg(), "error", osc_err_name(OSC_ENOENT), "success", 0,
                          "message", "Alert not found");
    return osc_resp_json(resp, 404, j);
  }
  if (rc) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:b,s:s}", "success", 1, "message", "Alert acknowledged"));
}

static int h_prometheus(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  osc_expo_format f = osc_expo_negotiate(osc_req_header(req, "Accept"));
  char *text = NULL;
  size_t len = 0;
  int rc = osc_monitor_render_prometheus(m, f, &text, &len);
  if (rc) return rc;
  return osc_resp_take(resp, 200, osc_expo_content_type(f), text, len);
}

static int h_report(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  int64_t win;
  int rc = parse_since(req, 0, &win);
  if (rc) return rc;
  char *text = NULL;
  if ((rc = osc_monitor_report_json(m, win, &text))) return rc;
  const char *fmt = osc_req_query(req, "format");
  json_t *body;
  if (fmt && !strcmp(fmt, "string")) {
    body = json_pack("{s:s,s:b}", "report", text, "success", 1); /* the original double-encoded shape */
  } else {
    json_t *j = NULL;
    rc = osc_json_parse(text, strlen(text), false, &j);
    if (rc) {
      free(text);
      return rc;
    }
    body = json_pack("{s:o,s:b}", "report", j, "success", 1);
  }
  free(text);
  return osc_resp_json(resp, 200, body);
}

static int parse_epoch(const char *s, const char *what, int64_t *out) {
  double v;
  if (osc_parse_double(s, &v) || !isfinite(v) || v < 0)
    return osc_seterr(OSC_EINVAL, "%s=%s: expected seconds since the epoch", what, s);
  *out = (int64_t)llround(v * 1000.0);
  return OSC_OK;
}

static int h_metric(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  const char *name = osc_req_param(req, "metric_name");
  const char *ss = osc_req_query(req, "start_time"), *es = osc_req_query(req, "end_time");
  int64_t now = osc_wall_ms(), start = now - 3600000, end = now;
  int rc;
  int64_t win;
  if ((rc = parse_since(req, 0, &win))) return rc;
  if (win > 0) start = now - win;
  if (ss && *ss && (rc = parse_epoch(ss, "start_time", &start))) return rc;
  if (es && *es && (rc = parse_epoch(es, "end_time", &end))) return rc;
  if (end < start) return osc_seterr(OSC_EINVAL, "end_time is before start_time");
  osc_monitor_point *p = NULL;
  size_t n = 0;
  rc = osc_monitor_query(m, name, start, end, OSC_MONITOR_TIER_AUTO, &p, &n);
  if (rc) return rc;
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, json_pack("{s:f,s:f,s:{}}", "timestamp", (double)p[i].ts_ms / 1000.0, "value",
                                         p[i].value, "labels"));
  free(p);
  return osc_resp_json(resp, 200, json_pack("{s:s,s:o}", "metric_name", name, "data", arr));
}

static int h_series(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  char *text = NULL;
  int rc = osc_monitor_series_json(m, &text);
  if (rc) return rc;
  json_t *j = NULL;
  rc = osc_json_parse(text, strlen(text), false, &j);
  free(text);
  if (rc) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:o}", "series", j));
}

static int h_chart(osc_req *req, osc_resp *resp) {
  NEED_MONITOR(req, resp);
  const char *list = osc_req_query(req, "metrics");
  if (!list || !*list) return osc_seterr(OSC_EINVAL, "metrics: required (comma-separated series names)");
  int64_t win;
  int rc = parse_since(req, 3600000, &win);
  if (rc) return rc;
  const char *fmt = osc_req_query(req, "format");
  osc_chart_options co = {0, 0, OSC_CHART_PNG, osc_req_query(req, "title"), false};
  if (fmt && !strcmp(fmt, "svg")) co.format = OSC_CHART_SVG;
  else if (fmt && strcmp(fmt, "png") != 0) return osc_seterr(OSC_EINVAL, "format=%s: expected png or svg", fmt);
  const char *ws = osc_req_query(req, "width"), *hs = osc_req_query(req, "height");
  int64_t v;
  if (ws) {
    if (osc_parse_int(ws, &v) || v < 160 || v > 8000) return osc_seterr(OSC_EINVAL, "width=%s: expected 160..8000", ws);
    co.width = (int)v;
  }
  if (hs) {
    if (osc_parse_int(hs, &v) || v < 120 || v > 8000) return osc_seterr(OSC_EINVAL, "height=%s: expected 120..8000", hs);
    co.height = (int)v;
  }
  char *copy = osc_strdup(list);
  if (!copy) return OSC_ENOMEM;
  const char *names[8];
  size_t n = 0;
  char *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (n == 8) {
      free(copy);
      return osc_seterr(OSC_EINVAL, "metrics: at most 8 series");
    }
    names[n++] = osc_str_trim(t);
  }
  void *img = NULL;
  size_t len = 0;
  int64_t now = osc_wall_ms();
  rc = osc_monitor_chart(m, names, n, now - win, now, &co, &img, &len);
  free(copy);
  if (rc) return rc;
  return osc_resp_take(resp, 200, co.format == OSC_CHART_SVG ? "image/svg+xml" : "image/png", img, len);
}

const osc_route osc__routes_monitor[] = {
    {"GET", "/metrics", h_prometheus, OSC_ROUTE_HIDDEN, "monitor.metrics", "Prometheus exposition (text 0.0.4 or OpenMetrics)"},
    {"GET", "/metrics/{metric_name}", h_metric, 0, "monitor.metric", "Points of one series between start_time and end_time"},
    {"GET", "/performance/alerts", h_alerts, 0, "monitor.alerts", "Alerts, filtered by level and acknowledged"},
    {"POST", "/performance/alerts/{id}/acknowledge", h_ack, OSC_ROUTE_SCOPE_WRITE, "monitor.ack", "Acknowledge an alert"},
    {"GET", "/performance/chart", h_chart, 0, "monitor.chart", "PNG or SVG line chart of series with alert thresholds"},
    {"GET", "/performance/prometheus", h_prometheus, 0, "monitor.prometheus", "Prometheus exposition"},
    {"GET", "/performance/report", h_report, 0, "monitor.report", "Report: statistics of every series, alerts, summary"},
    {"GET", "/performance/series", h_series, 0, "monitor.series", "Names of every series"},
    {"GET", "/performance/stats", h_stats, 0, "monitor.stats", "CPU, memory, disk and process statistics"},
    {NULL, NULL, NULL, 0, NULL, NULL}};

/* ---- other components' statistics, read at scrape time ---- */
#if defined(OSC_HAVE_CACHE) || defined(OSC_HAVE_TASKS)
typedef struct prov_counter {
  osc_metric *m;
  double last;
} prov_counter;

/* Counters from absolute totals: add the growth since the last scrape. */
static void counter_to(prov_counter *c, double total) {
  if (total > c->last) osc_metric_add(c->m, NULL, total - c->last);
  c->last = total;
}

static pthread_mutex_t prov_mu = PTHREAD_MUTEX_INITIALIZER;
#endif

#ifdef OSC_HAVE_CACHE
static struct {
  prov_counter hits, misses, sets, deletes;
  osc_metric *l2_up, *ratio;
} cm;
static void cache_provider(void *ud, osc_monitor *m) {
  (void)m;
  osc_app *app = ud;
  if (!app->cache) return;
  osc_cache_stats st;
  osc_cache_stats_get(app->cache, &st);
  pthread_mutex_lock(&prov_mu);
  counter_to(&cm.hits, (double)st.hits);
  counter_to(&cm.misses, (double)st.misses);
  counter_to(&cm.sets, (double)st.sets);
  counter_to(&cm.deletes, (double)st.deletes);
  osc_metric_set(cm.l2_up, NULL, st.l2_enabled && st.l2_up ? 1 : 0);
  osc_metric_set(cm.ratio, NULL, st.compression_ratio);
  pthread_mutex_unlock(&prov_mu);
}
static void cache_register(osc_app *app) {
  osc_monitor *m = app->monitor;
  osc_monitor_metric(m, "oscontent_cache_hits_total", "Cache hits (any level).", OSC_METRIC_COUNTER, NULL, NULL, 0, &cm.hits.m);
  osc_monitor_metric(m, "oscontent_cache_misses_total", "Cache misses.", OSC_METRIC_COUNTER, NULL, NULL, 0, &cm.misses.m);
  osc_monitor_metric(m, "oscontent_cache_sets_total", "Cache sets.", OSC_METRIC_COUNTER, NULL, NULL, 0, &cm.sets.m);
  osc_monitor_metric(m, "oscontent_cache_deletes_total", "Cache deletes.", OSC_METRIC_COUNTER, NULL, NULL, 0, &cm.deletes.m);
  osc_monitor_metric(m, "oscontent_cache_l2_up", "Whether the Redis tier is enabled and reachable.", OSC_METRIC_GAUGE, NULL, NULL, 0, &cm.l2_up);
  osc_monitor_metric(m, "oscontent_cache_compression_ratio", "Bytes in / bytes out of the cache encoder.", OSC_METRIC_GAUGE, NULL, NULL, 0, &cm.ratio);
  osc_monitor_add_provider(m, cache_provider, app);
}
#endif

#ifdef OSC_HAVE_TASKS
static struct {
  prov_counter submitted, completed, failed, retried;
  osc_metric *pending, *running, *throughput;
} tm;
static void tasks_provider(void *ud, osc_monitor *m) {
  (void)m;
  osc_app *app = ud;
  if (!app->tasks) return;
  osc_tasks_stats st;
  if (osc_tasks_stats_get(app->tasks, &st)) return;
  pthread_mutex_lock(&prov_mu);
  counter_to(&tm.submitted, (double)st.submitted);
  counter_to(&tm.completed, (double)st.completed);
  counter_to(&tm.failed, (double)st.failed);
  counter_to(&tm.retried, (double)st.retried);
  osc_metric_set(tm.pending, NULL, (double)st.pending);
  osc_metric_set(tm.running, NULL, (double)st.running);
  osc_metric_set(tm.throughput, NULL, st.throughput_per_s);
  pthread_mutex_unlock(&prov_mu);
}
static void tasks_register(osc_app *app) {
  osc_monitor *m = app->monitor;
  osc_monitor_metric(m, "oscontent_tasks_submitted_total", "Tasks submitted.", OSC_METRIC_COUNTER, NULL, NULL, 0, &tm.submitted.m);
  osc_monitor_metric(m, "oscontent_tasks_completed_total", "Tasks completed.", OSC_METRIC_COUNTER, NULL, NULL, 0, &tm.completed.m);
  osc_monitor_metric(m, "oscontent_tasks_failed_total", "Tasks failed.", OSC_METRIC_COUNTER, NULL, NULL, 0, &tm.failed.m);
  osc_monitor_metric(m, "oscontent_tasks_retried_total", "Task retries.", OSC_METRIC_COUNTER, NULL, NULL, 0, &tm.retried.m);
  osc_monitor_metric(m, "oscontent_tasks_pending", "Tasks waiting to run.", OSC_METRIC_GAUGE, NULL, NULL, 0, &tm.pending);
  osc_monitor_metric(m, "oscontent_tasks_running", "Tasks running.", OSC_METRIC_GAUGE, NULL, NULL, 0, &tm.running);
  osc_monitor_metric(m, "oscontent_tasks_throughput_per_second", "Finished tasks per second (last ~5 s).", OSC_METRIC_GAUGE, NULL, NULL, 0, &tm.throughput);
  osc_monitor_add_provider(m, tasks_provider, app);
}
#endif

static void on_request(osc_app *app, const char *route, const char *method, int status, uint64_t duration_ns) {
  osc_monitor_http_request(app->monitor, route, method, status, duration_ns);
}

static int svc_open(osc_app *app) {
  if (!osc_config_bool(app->cfg, "monitor.enabled")) return OSC_OK;
  osc_monitor_options o;
  int rc = osc_monitor_options_from_config(app->cfg, &o);
  if (rc) return rc;
  rc = osc_monitor_open(&o, &app->monitor);
  osc_monitor_options_release(&o);
  if (rc) return rc;
  app->on_request = on_request;
  /* The monitor opens before or after the cache and the task processor depending on module
   * order; the providers check app->cache / app->tasks at every scrape, so either order works. */
#ifdef OSC_HAVE_CACHE
  cache_register(app);
#endif
#ifdef OSC_HAVE_TASKS
  tasks_register(app);
#endif
  return OSC_OK;
}

static void svc_close(osc_app *app) {
  if (app->on_request == on_request) app->on_request = NULL;
  osc_monitor_close(app->monitor);
  app->monitor = NULL;
}

static int svc_health(osc_app *app, json_t *out) {
  if (!app->monitor) {
    osc_json_set(out, "enabled", json_false());
    return OSC_OK;
  }
  osc_json_set(out, "enabled", json_true());
  osc_json_set(out, "uptime_seconds", json_real((double)osc_monitor_uptime_ms(app->monitor) / 1000.0));
  return OSC_OK;
}

const osc_service osc__service_monitor = {"monitor", svc_open, svc_close, svc_health};
