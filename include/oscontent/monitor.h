/*
 * oscontent/monitor.h - the performance monitor: /proc collectors, a sampler
 * thread, an SQLite time-series store with downsampled tiers, statistics,
 * alerts with hysteresis, Prometheus/OpenMetrics exposition, reports and
 * charts, plus the registry into which other components report application
 * metrics (counters, gauges, histograms).
 *
 * Series names follow the original monitor ("system.cpu.usage",
 * "system.memory.usage", "system.disk.usage", "system.load.1min",
 * "application.process.memory.rss", ...).  The Prometheus exposition uses
 * node_exporter's names for system metrics and "oscontent_*" for ours.
 * Timestamps in this API are wall-clock milliseconds since the epoch.
 *
 * Thread safety: an osc_monitor is shared: every function may be called from
 * any thread while the sampler runs.  Alert callbacks and webhooks run on the
 * monitor's notifier thread, never on the sampling thread.  The metric handles
 * returned by osc_monitor_counter/gauge/histogram are owned by the monitor,
 * stay valid until osc_monitor_close(), and may be updated from any thread.
 */
#ifndef OSCONTENT_MONITOR_H
#define OSCONTENT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"
#include "oscontent/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct osc_monitor osc_monitor;
typedef struct osc_metric osc_metric; /* one application metric family */

/** Options; all-zero means defaults.  Strings are borrowed for the call to osc_monitor_open. */
typedef struct osc_monitor_options {
  int64_t interval_ms;          /* sampling period; default 1000; 10..3600000 */
  const char *proc_root;        /* default "/proc" (tests point it at fixtures) */
  const char *sys_root;         /* default "/sys" */
  const char *db_path;          /* SQLite file; NULL = in-memory history only */
  bool read_only;               /* open the store for queries only (no sampler writes) */
  bool no_sampler;              /* do not start the sampler thread (ticks via osc_monitor_sample_now) */
  int64_t raw_retention_ms;     /* raw tier; default 6 h */
  int64_t minute_retention_ms;  /* 1-minute tier; default 7 d */
  int64_t hour_retention_ms;    /* 1-hour tier; default 400 d */
  int ring_points;              /* recent points kept in memory per series; default 3600; 16..1000000 */
  int top_k;                    /* process groups exposed; default 20; < 0 disables the process collector */
  int64_t process_interval_ms;  /* process scan period; default 5000 */
  const char *webhook_url;      /* alert JSON POSTed here; NULL/"" = none */
  const char *alert_rules;      /* rules text (see osc_monitor_rules_parse); NULL = defaults; "" = none */
  int chunk_points;             /* raw points per stored chunk; default 120; 8..4096 */
} osc_monitor_options;

/**
 * Fills @p opts from the monitor.* settings of @p cfg (db_path under data_dir
 * when monitor.storage is on).  Strings point into cfg or into a malloc'd
 * db path the caller frees with osc_monitor_options_release().
 * @return OSC_OK, OSC_EINVAL, OSC_EIO (data dir cannot be created).
 */
OSC_API int osc_monitor_options_from_config(const osc_config *cfg, osc_monitor_options *opts);
OSC_API void osc_monitor_options_release(osc_monitor_options *opts);

/**
 * Opens a monitor: loads history and alerts from the store and, unless
 * no_sampler, starts the sampler thread.
 * @return OSC_OK, OSC_EINVAL (bad option or rule, detail says which),
 *         OSC_EIO / OSC_ECORRUPT (store), OSC_ENOMEM.
 */
OSC_API int osc_monitor_open(const osc_monitor_options *opts, osc_monitor **out);
/** Stops the sampler, flushes the store and frees everything.  NULL is fine. */
OSC_API void osc_monitor_close(osc_monitor *m);

/** Runs one sampling tick now on the calling thread (collect, store, alerts). */
OSC_API int osc_monitor_sample_now(osc_monitor *m);
/**
 * Records one point of a series from outside the collectors (synthetic or
 * application series).  @p name: 1..127 chars of [A-Za-z0-9_.:-].
 * @return OSC_OK, OSC_EINVAL.  The point is stored and checked against alerts.
 */
OSC_API int osc_monitor_record(osc_monitor *m, const char *name, int64_t ts_ms, double value);
/** Milliseconds since the monitor was opened. */
OSC_API int64_t osc_monitor_uptime_ms(const osc_monitor *m);

/* ---- series and statistics ---- */
typedef struct osc_monitor_point {
  int64_t ts_ms;
  double value;
} osc_monitor_point;

typedef enum osc_monitor_tier {
  OSC_MONITOR_TIER_AUTO = 0, /* raw when it covers the range, else 1 min, else 1 h */
  OSC_MONITOR_TIER_RAW,
  OSC_MONITOR_TIER_MINUTE,
  OSC_MONITOR_TIER_HOUR
} osc_monitor_tier;

/**
 * Points of @p name with start_ms <= ts <= end_ms, oldest first (downsampled
 * tiers give the average of each bucket).  *out is malloc'd (NULL when none).
 * @return OSC_OK (also for an unknown series: *n = 0), OSC_EINVAL, OSC_EIO.
 */
OSC_API int osc_monitor_query(osc_monitor *m, const char *name, int64_t start_ms, int64_t end_ms,
                              osc_monitor_tier tier, osc_monitor_point **out, size_t *n);

typedef struct osc_monitor_stats {
  size_t count;
  double min, max, mean, median, std, p95, p99;
  double slope_per_s;       /* least-squares trend, units per second */
  int64_t first_ms, last_ms;
  double last;              /* latest value */
  double trend_last;        /* the trend line's value at last_ms */
} osc_monitor_stats;

/** Statistics over points (any order of values; ts used for the trend). */
OSC_API int osc_monitor_stats_compute(const osc_monitor_point *pts, size_t n, osc_monitor_stats *out);
/**
 * Seconds from the last point until the trend reaches @p threshold, or a
 * negative value when the trend never reaches it (flat or moving away).
 */
OSC_API double osc_monitor_forecast_s(const osc_monitor_stats *st, double threshold);
/** Statistics of @p name over a range (query + compute).  OSC_ENOENT when no points. */
OSC_API int osc_monitor_stats_range(osc_monitor *m, const char *name, int64_t start_ms, int64_t end_ms,
                                    osc_monitor_stats *out);

/** Names of every series (JSON array text, malloc'd). */
OSC_API int osc_monitor_series_json(osc_monitor *m, char **out);
/** Latest value of every series as JSON {"name": value, ...} (malloc'd). */
OSC_API int osc_monitor_latest_json(osc_monitor *m, char **out);

/* ---- alerts ---- */
typedef enum osc_alert_level {
  OSC_ALERT_INFO = 0,
  OSC_ALERT_WARNING = 1,
  OSC_ALERT_ERROR = 2,
  OSC_ALERT_CRITICAL = 3
} osc_alert_level;
#define OSC_ALERT_LEVELS 4

/** "info", "warning", "error", "critical". */
OSC_API const char *osc_alert_level_name(osc_alert_level level);
OSC_API int osc_alert_level_parse(const char *text, osc_alert_level *out);

/** One rule.  A NaN threshold means "level not used". */
typedef struct osc_alert_rule {
  char metric[128];
  bool below;                        /* fire when the value drops below (default: above) */
  double threshold[OSC_ALERT_LEVELS];
  double clear[OSC_ALERT_LEVELS];    /* resolve when back past this; NaN = threshold -/+ 5% of it */
  int64_t for_ms;                    /* value must stay past the threshold this long before firing */
  int64_t clear_for_ms;              /* and past the clear threshold this long before resolving */
} osc_alert_rule;

/**
 * Parses rules text: rules separated by ';', each
 *   METRIC [<] LEVEL=THRESHOLD[/CLEAR] ... [for=DURATION] [clear_for=DURATION]
 * e.g. "system.cpu.usage warning=80/75 error=90/85 for=5s; system.disk.usage warning=85 error=95".
 * *out is malloc'd.  @return OSC_OK, OSC_EINVAL (detail names the rule and token).
 */
OSC_API int osc_monitor_rules_parse(const char *text, osc_alert_rule **out, size_t *n);
/** The defaults (the original's): CPU 80/90, memory 85/95, disk 85/95 (warning/error). */
OSC_API const char *osc_monitor_default_rules(void);
/** Adds or replaces (same metric) a rule.  OSC_EINVAL for a rule without thresholds. */
OSC_API int osc_monitor_add_rule(osc_monitor *m, const osc_alert_rule *rule);

typedef struct osc_alert {
  char id[192];
  osc_alert_level level;
  char metric[128];
  char message[256];
  double threshold;
  double current_value;
  int64_t fired_ms;
  int64_t resolved_ms;   /* 0 while firing */
  bool acknowledged;
} osc_alert;

/**
 * Callback for fired and resolved alerts (resolved when a->resolved_ms != 0);
 * runs on the notifier thread; @p a is valid during the call.
 */
typedef void (*osc_alert_fn)(void *ud, const osc_alert *a);
OSC_API int osc_monitor_on_alert(osc_monitor *m, osc_alert_fn fn, void *ud);

/**
 * Alerts as JSON {"alerts": [...], "total_alerts": N}; @p level < 0 = any,
 * @p ack < 0 = any, 0 = unacknowledged, 1 = acknowledged.  malloc'd.
 */
OSC_API int osc_monitor_alerts_json(osc_monitor *m, int level, int ack, char **out);
/** Copies up to @p cap alerts (newest first) into @p out; returns the count in *n. */
OSC_API int osc_monitor_alerts(osc_monitor *m, osc_alert *out, size_t cap, size_t *n);
/** Acknowledges an alert.  @return OSC_OK, OSC_ENOENT. */
OSC_API int osc_monitor_ack(osc_monitor *m, const char *id);
/** Blocks until every queued alert notification (callbacks, webhook) has run, or @p timeout_ms passes. */
OSC_API int osc_monitor_flush_notifications(osc_monitor *m, int64_t timeout_ms);

/* ---- exposition, report, charts ---- */
typedef enum osc_expo_format { OSC_EXPO_TEXT = 0, OSC_EXPO_OPENMETRICS = 1 } osc_expo_format;
/** The Content-Type of a format. */
OSC_API const char *osc_expo_content_type(osc_expo_format f);
/** Picks OpenMetrics when an Accept header asks for application/openmetrics-text. */
OSC_API osc_expo_format osc_expo_negotiate(const char *accept);
/** Renders the exposition of the latest sample plus application metrics (malloc'd). */
OSC_API int osc_monitor_render_prometheus(osc_monitor *m, osc_expo_format f, char **out, size_t *len);

/**
 * The report {timestamp, metrics: {name: stats}, alerts, summary} over the
 * last @p window_ms (0 = since the monitor opened).  malloc'd JSON text.
 */
OSC_API int osc_monitor_report_json(osc_monitor *m, int64_t window_ms, char **out);
/**
 * The original /performance/stats shape plus the current values:
 * {system_metrics:{cpu_usage,...}, application_metrics:{...}, current:{...}}.
 */
OSC_API int osc_monitor_stats_json(osc_monitor *m, int64_t window_ms, char **out);

typedef enum osc_chart_format { OSC_CHART_PNG = 0, OSC_CHART_SVG = 1 } osc_chart_format;
typedef struct osc_chart_options {
  int width, height;      /* pixels; default 960 x 360; 160..8000 */
  osc_chart_format format;
  const char *title;      /* default: the series names */
  bool no_thresholds;     /* do not draw alert thresholds of the charted series */
} osc_chart_options;
/**
 * Draws a line chart of @p n series over [start_ms, end_ms] with axes, units,
 * time labels and the alert thresholds of those series.  *out malloc'd.
 * @return OSC_OK, OSC_EINVAL, OSC_ENOENT (no points in range for any series).
 */
OSC_API int osc_monitor_chart(osc_monitor *m, const char *const *names, size_t n, int64_t start_ms, int64_t end_ms,
                              const osc_chart_options *opts, void **out, size_t *len);

/* ---- application metrics registry ---- */
typedef enum osc_metric_type { OSC_METRIC_COUNTER = 0, OSC_METRIC_GAUGE, OSC_METRIC_HISTOGRAM } osc_metric_type;

/**
 * Registers (or returns the existing, same type and labels) family @p name
 * ("oscontent_http_requests_total"), with comma-separated label names
 * ("route,method,status"; NULL or "" = none, at most 8) and, for histograms,
 * @p nbuckets increasing upper bounds (+Inf is implicit; NULL = default
 * latency buckets in seconds).
 * @return OSC_OK, OSC_EINVAL (bad name/labels/buckets), OSC_EEXIST (same name, other type or labels).
 */
OSC_API int osc_monitor_metric(osc_monitor *m, const char *name, const char *help, osc_metric_type type,
                               const char *labels, const double *buckets, size_t nbuckets, osc_metric **out);
/** Adds @p delta (>= 0) to a counter child (label values in declared order; NULL when no labels). */
OSC_API int osc_metric_add(osc_metric *f, const char *const *label_values, double delta);
OSC_API int osc_metric_set(osc_metric *f, const char *const *label_values, double value);
OSC_API int osc_metric_observe(osc_metric *f, const char *const *label_values, double value);
/** Current value of a counter/gauge child, or the count of a histogram child; NAN when absent. */
OSC_API double osc_metric_get(osc_metric *f, const char *const *label_values);

/**
 * Records one HTTP request (the server's on_request hook uses it):
 * oscontent_http_requests_total{route,method,status} and
 * oscontent_http_request_duration_seconds{route,method}.
 */
OSC_API void osc_monitor_http_request(osc_monitor *m, const char *route, const char *method, int status,
                                      uint64_t duration_ns);

/**
 * A provider is called at the start of every scrape, before rendering, so it
 * can update registry metrics from another component's statistics (cache,
 * task processor).  It runs on the scraping thread.
 */
typedef void (*osc_monitor_provider_fn)(void *ud, osc_monitor *m);
OSC_API int osc_monitor_add_provider(osc_monitor *m, osc_monitor_provider_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif
