/*
 * cli/cmd_monitor.c - `oscontent monitor run|status|stats|query|alerts|ack|chart|report|prometheus`.
 *
 * `run` samples into the store under data_dir until SIGINT/SIGTERM (or
 * --duration); the history commands open the same store read-only, so they
 * work while `run` or `serve` is writing (SQLite WAL).
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/monitor.h"

static int open_mon(osc_cli *cli, bool history, bool writable, osc_monitor **m) {
  osc_monitor_options o;
  int rc = osc_monitor_options_from_config(cli->cfg, &o);
  if (rc) return osc_cli_fail(cli, rc, "monitor");
  if (!history) {
    osc_monitor_options_release(&o);
    o.db_path = NULL;
  }
  o.no_sampler = true;
  o.read_only = history && !writable;
  rc = osc_monitor_open(&o, m);
  osc_monitor_options_release(&o);
  if (rc) return osc_cli_fail(cli, rc, "monitor");
  return -1;
}

static int64_t since_ms(const char *since, int64_t def, int *err, osc_cli *cli) {
  if (!since) return def;
  int64_t v;
  if (osc_parse_duration_ms(since, &v) || v <= 0) {
    *err = osc_cli_usage_error(cli, "--since %s: expected a duration like 90s, 15m, 1h or 7d", since);
    return 0;
  }
  return v;
}

static int cmd_run(osc_cli *cli, int argc, char **argv) {
  int64_t duration = 0;
  const osc_cli_opt opts[] = {
      {"duration", 'd', OSC_OPT_DURATION, &duration, "DURATION", "stop after this long (default: until Ctrl-C)", NULL},
      {"interval", 'i', OSC_OPT_SETTING, NULL, "DURATION", "sampling period (monitor.interval_ms)", "monitor.interval_ms"},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor run [--duration D] [--interval D]",
                         "Sample every collector into the history store until Ctrl-C.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "monitor run: unexpected argument '%s'", argv[1]);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the sampler thread starts */
  osc_monitor_options o;
  rc = osc_monitor_options_from_config(cli->cfg, &o);
  if (rc) return osc_cli_fail(cli, rc, "monitor run");
  osc_monitor *m = NULL;
  rc = osc_monitor_open(&o, &m);
  if (rc) {
    osc_monitor_options_release(&o);
    return osc_cli_fail(cli, rc, "monitor run");
  }
  if (!cli->quiet)
    fprintf(stderr, "oscontent: monitoring every %lld ms into %s; Ctrl-C stops\n", (long long)o.interval_ms,
            o.db_path ? o.db_path : "(memory)");
  osc_monitor_options_release(&o);
  struct timespec ts = {0, 0};
  if (duration > 0) {
    ts.tv_sec = duration / 1000;
    ts.tv_nsec = (duration % 1000) * 1000000L;
    while (sigtimedwait(&set, NULL, &ts) < 0 && osc_monitor_uptime_ms(m) < duration) {
      int64_t left = duration - osc_monitor_uptime_ms(m);
      if (left <= 0) break;
      ts.tv_sec = left / 1000;
      ts.tv_nsec = (left % 1000) * 1000000L;
    }
  } else {
    int sig;
    sigwait(&set, &sig);
  }
  osc_monitor_close(m);
  return OSC_EXIT_OK;
}

static int cmd_status(osc_cli *cli, int argc, char **argv) {
  const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent monitor status [--json]", "Sample the system now and print the current values.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "monitor status: unexpected argument '%s'", argv[1]);
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, false, false, &m)) >= 0) return rc;
  osc_monitor_sample_now(m);
  osc_sleep_ms(250); /* a second sample gives the rates (CPU busy share, bytes/s) */
  osc_monitor_sample_now(m);
  char *text = NULL;
  rc = osc_monitor_latest_json(m, &text);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor status");
  json_t *j = NULL;
  osc_json_parse(text, strlen(text), false, &j);
  free(text);
  if (cli->json) {
    osc_cli_print_json(cli, j);
    return OSC_EXIT_OK;
  }
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) printf("%-40s %.6g\n", k, json_number_value(v));
  json_decref(j);
  return OSC_EXIT_OK;
}

static int cmd_stats(osc_cli *cli, int argc, char **argv) {
  const char *since = NULL;
  double threshold = NAN;
  const osc_cli_opt opts[] = {
      {"since", 's', OSC_OPT_STRING, &since, "DURATION", "range back from now (default 1h)", NULL},
      {"threshold", 't', OSC_OPT_DOUBLE, &threshold, "VALUE", "also forecast when the trend reaches VALUE", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor stats METRIC [--since 1h] [--threshold V]",
                         "Statistics of one series from the history: count, min, max, mean, median, std, p95, p99, trend.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "monitor stats: expected one METRIC (e.g. system.cpu.usage)");
  int err = -1;
  int64_t win = since_ms(since, 3600000, &err, cli);
  if (err >= 0) return err;
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, true, false, &m)) >= 0) return rc;
  osc_monitor_stats st;
  int64_t now = osc_wall_ms();
  rc = osc_monitor_stats_range(m, argv[1], now - win, now, &st);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor stats");
  double fc = isnan(threshold) ? -1 : osc_monitor_forecast_s(&st, threshold);
  json_t *j = json_pack("{s:s,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "metric", argv[1], "count", (json_int_t)st.count,
                        "min", st.min, "max", st.max, "mean", st.mean, "median", st.median, "std", st.std, "p95", st.p95,
                        "p99", st.p99, "trend_per_s", st.slope_per_s, "last", st.last);
  if (!isnan(threshold)) osc_json_set(j, "seconds_to_threshold", fc >= 0 ? json_real(fc) : json_null());
  osc_cli_print_json(cli, j);
  return OSC_EXIT_OK;
}

static int cmd_query(osc_cli *cli, int argc, char **argv) {
  const char *since = NULL, *tier = NULL;
  const osc_cli_opt opts[] = {
      {"since", 's', OSC_OPT_STRING, &since, "DURATION", "range back from now (default 1h)", NULL},
      {"tier", 0, OSC_OPT_STRING, &tier, "TIER", "auto|raw|minute|hour (default auto)", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor query METRIC [--since 1h] [--tier raw|minute|hour]",
                         "Print the points of one series (timestamp, value), oldest first.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "monitor query: expected one METRIC");
  int err = -1;
  int64_t win = since_ms(since, 3600000, &err, cli);
  if (err >= 0) return err;
  osc_monitor_tier t = OSC_MONITOR_TIER_AUTO;
  if (tier) {
    if (!strcmp(tier, "raw")) t = OSC_MONITOR_TIER_RAW;
    else if (!strcmp(tier, "minute")) t = OSC_MONITOR_TIER_MINUTE;
    else if (!strcmp(tier, "hour")) t = OSC_MONITOR_TIER_HOUR;
    else if (strcmp(tier, "auto") != 0) return osc_cli_usage_error(cli, "--tier %s: expected auto|raw|minute|hour", tier);
  }
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, true, false, &m)) >= 0) return rc;
  osc_monitor_point *p = NULL;
  size_t n = 0;
  int64_t now = osc_wall_ms();
  rc = osc_monitor_query(m, argv[1], now - win, now, t, &p, &n);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor query");
  if (cli->json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(arr, json_pack("{s:f,s:f}", "timestamp", (double)p[i].ts_ms / 1000.0, "value", p[i].value));
    osc_cli_print_json(cli, json_pack("{s:s,s:o}", "metric_name", argv[1], "data", arr));
  } else {
    char iso[40];
    for (size_t i = 0; i < n; i++) {
      osc_iso8601(p[i].ts_ms, iso, sizeof iso);
      printf("%s %.17g\n", iso, p[i].value);
    }
  }
  free(p);
  return OSC_EXIT_OK;
}

static int cmd_alerts(osc_cli *cli, int argc, char **argv) {
  const char *level = NULL, *ack = NULL;
  const osc_cli_opt opts[] = {{"level", 'l', OSC_OPT_STRING, &level, "LEVEL", "info|warning|error|critical", NULL},
                              {"acknowledged", 'a', OSC_OPT_STRING, &ack, "BOOL", "true or false", NULL},
                              {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor alerts [--level L] [--acknowledged true|false]",
                         "List fired and resolved alerts, newest first.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "monitor alerts: unexpected argument '%s'", argv[1]);
  osc_alert_level lv = OSC_ALERT_INFO;
  if (level && osc_alert_level_parse(level, &lv)) return osc_cli_usage_error(cli, "--level: %s", osc_errmsg());
  bool a = false;
  if (ack && osc_parse_bool(ack, &a)) return osc_cli_usage_error(cli, "--acknowledged %s: expected true or false", ack);
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, true, false, &m)) >= 0) return rc;
  char *text = NULL;
  rc = osc_monitor_alerts_json(m, level ? (int)lv : -1, ack ? (a ? 1 : 0) : -1, &text);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor alerts");
  json_t *j = NULL;
  osc_json_parse(text, strlen(text), false, &j);
  free(text);
  osc_cli_print_json(cli, j);
  return OSC_EXIT_OK;
}

static int cmd_ack(osc_cli *cli, int argc, char **argv) {
  const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent monitor ack ID", "Acknowledge an alert.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "monitor ack: expected one alert ID");
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, true, true, &m)) >= 0) return rc;
  rc = osc_monitor_ack(m, argv[1]);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor ack");
  if (cli->json) osc_cli_print_json(cli, json_pack("{s:b,s:s}", "success", 1, "message", "Alert acknowledged"));
  else if (!cli->quiet) printf("acknowledged %s\n", argv[1]);
  return OSC_EXIT_OK;
}

static int cmd_chart(osc_cli *cli, int argc, char **argv) {
  const char *since = NULL, *outp = NULL, *title = NULL;
  int64_t width = 0, height = 0;
  bool svg = false;
  const osc_cli_opt opts[] = {
      {"output", 'o', OSC_OPT_STRING, &outp, "FILE", "write the chart here (.png or .svg); required", NULL},
      {"since", 's', OSC_OPT_STRING, &since, "DURATION", "range back from now (default 1h)", NULL},
      {"width", 'W', OSC_OPT_INT, &width, "PX", "width in pixels (default 960)", NULL},
      {"height", 'H', OSC_OPT_INT, &height, "PX", "height in pixels (default 360)", NULL},
      {"svg", 0, OSC_OPT_FLAG, &svg, NULL, "SVG instead of PNG (also chosen by a .svg file name)", NULL},
      {"title", 0, OSC_OPT_STRING, &title, "TEXT", "chart title (default: the series names)", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor chart METRIC... -o FILE [--since 1h] [--width PX] [--height PX]",
                         "Draw a line chart of up to 8 series with their alert thresholds.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc < 2) return osc_cli_usage_error(cli, "monitor chart: expected at least one METRIC");
  if (argc > 9) return osc_cli_usage_error(cli, "monitor chart: at most 8 metrics");
  if (!outp) return osc_cli_usage_error(cli, "monitor chart: -o FILE is required");
  int err = -1;
  int64_t win = since_ms(since, 3600000, &err, cli);
  if (err >= 0) return err;
  if (osc_str_has_suffix(outp, ".svg")) svg = true;
  osc_chart_options co = {(int)width, (int)height, svg ? OSC_CHART_SVG : OSC_CHART_PNG, title, false};
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, true, false, &m)) >= 0) return rc;
  void *img = NULL;
  size_t len = 0;
  int64_t now = osc_wall_ms();
  rc = osc_monitor_chart(m, (const char *const *)argv + 1, (size_t)argc - 1, now - win, now, &co, &img, &len);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor chart");
  rc = osc_write_file_atomic(outp, img, len);
  free(img);
  if (rc) return osc_cli_fail(cli, rc, outp);
  if (!cli->quiet) fprintf(stderr, "oscontent: wrote %s (%zu bytes)\n", outp, len);
  return OSC_EXIT_OK;
}

static int cmd_report(osc_cli *cli, int argc, char **argv) {
  const char *since = NULL, *outp = NULL;
  const osc_cli_opt opts[] = {{"since", 's', OSC_OPT_STRING, &since, "DURATION", "report window (default 1h)", NULL},
                              {"output", 'o', OSC_OPT_STRING, &outp, "FILE", "also write the report to FILE", NULL},
                              {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor report [--since 1h] [-o FILE]",
                         "Report {timestamp, metrics: {name: stats}, alerts, summary} from the history.", opts, &argc,
                         argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "monitor report: unexpected argument '%s'", argv[1]);
  int err = -1;
  int64_t win = since_ms(since, 3600000, &err, cli);
  if (err >= 0) return err;
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, true, false, &m)) >= 0) return rc;
  char *text = NULL;
  rc = osc_monitor_report_json(m, win, &text);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor report");
  if (outp && (rc = osc_write_file_atomic(outp, text, strlen(text)))) {
    free(text);
    return osc_cli_fail(cli, rc, outp);
  }
  json_t *j = NULL;
  osc_json_parse(text, strlen(text), false, &j);
  free(text);
  osc_cli_print_json(cli, j);
  return OSC_EXIT_OK;
}

static int cmd_prometheus(osc_cli *cli, int argc, char **argv) {
  bool om = false;
  const osc_cli_opt opts[] = {{"openmetrics", 0, OSC_OPT_FLAG, &om, NULL, "OpenMetrics 1.0 instead of text 0.0.4", NULL},
                              {0}};
  int rc = osc_cli_parse(cli, "oscontent monitor prometheus [--openmetrics]",
                         "Sample once and print the Prometheus exposition (node_exporter names).", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "monitor prometheus: unexpected argument '%s'", argv[1]);
  osc_monitor *m = NULL;
  if ((rc = open_mon(cli, false, false, &m)) >= 0) return rc;
  osc_monitor_sample_now(m);
  char *text = NULL;
  size_t len = 0;
  rc = osc_monitor_render_prometheus(m, om ? OSC_EXPO_OPENMETRICS : OSC_EXPO_TEXT, &text, &len);
  osc_monitor_close(m);
  if (rc) return osc_cli_fail(cli, rc, "monitor prometheus");
  fwrite(text, 1, len, stdout);
  free(text);
  return OSC_EXIT_OK;
}

static const osc_cli_cmd monitor_subs[] = {
    {"ack", cmd_ack, "acknowledge an alert"},
    {"alerts", cmd_alerts, "list alerts"},
    {"chart", cmd_chart, "draw a PNG or SVG chart of series"},
    {"prometheus", cmd_prometheus, "print the Prometheus exposition"},
    {"query", cmd_query, "print the points of a series"},
    {"report", cmd_report, "JSON report of every series and the alerts"},
    {"run", cmd_run, "sample into the history store until Ctrl-C"},
    {"stats", cmd_stats, "statistics of a series"},
    {"status", cmd_status, "current values of every series"},
    {NULL, NULL, NULL}};

static int cmd_monitor(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent monitor", monitor_subs, argc, argv);
}

const osc_cli_cmd osc__cli_monitor[] = {{"monitor", cmd_monitor, "performance monitor: sample, query, alerts, charts"},
                                        {NULL, NULL, NULL}};
