/*
 * monitor/report.c - the JSON report ({timestamp, metrics: {name: stats},
 * alerts, summary}, the original's shape with a real monitoring duration)
 * and the /performance/stats body.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "monitor/internal.h"
#include "oscontent/error.h"

static void stats_obj(osc_buf *b, const osc_monitor_stats *s) {
  osc_buf_printf(b, "{\"count\":%zu,\"min\":", s->count);
  osc__fmt_json_num(b, s->min);
  osc_buf_puts(b, ",\"max\":");
  osc__fmt_json_num(b, s->max);
  osc_buf_puts(b, ",\"mean\":");
  osc__fmt_json_num(b, s->mean);
  osc_buf_puts(b, ",\"median\":");
  osc__fmt_json_num(b, s->median);
  osc_buf_puts(b, ",\"std\":");
  osc__fmt_json_num(b, s->std);
  osc_buf_puts(b, ",\"p95\":");
  osc__fmt_json_num(b, s->p95);
  osc_buf_puts(b, ",\"p99\":");
  osc__fmt_json_num(b, s->p99);
  osc_buf_puts(b, ",\"trend_per_s\":");
  osc__fmt_json_num(b, s->slope_per_s);
  osc_buf_puts(b, ",\"last\":");
  osc__fmt_json_num(b, s->last);
  osc_buf_printf(b, ",\"first_timestamp\":%.3f,\"last_timestamp\":%.3f}", (double)s->first_ms / 1000.0,
                 (double)s->last_ms / 1000.0);
}

static char **series_names(osc_monitor *m, size_t *n) {
  char *json = NULL;
  *n = 0;
  if (osc_monitor_series_json(m, &json)) return NULL;
  /* the array text is ["a","b",...] of plain names: split on quotes */
  char **names = NULL;
  size_t cap = 0;
  for (char *p = strchr(json, '"'); p; p = strchr(p, '"')) {
    char *e = strchr(p + 1, '"');
    if (!e) break;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      char **q = realloc(names, cap * sizeof *q);
      if (!q) break;
      names = q;
    }
    names[(*n)++] = strndup(p + 1, (size_t)(e - p - 1));
    p = e + 1;
  }
  free(json);
  return names;
}

int osc_monitor_report_json(osc_monitor *m, int64_t window_ms, char **out) {
  int64_t now = osc_wall_ms();
  int64_t start = window_ms > 0 ? now - window_ms : m->opened_wall_ms;
  osc_buf b = OSC_BUF_INIT;
  char iso[40];
  osc_iso8601(now, iso, sizeof iso);
  osc_buf_printf(&b, "{\"timestamp\":\"%s\",\"metrics\":{", iso);
  size_t n = 0;
  char **names = series_names(m, &n);
  int64_t oldest = now;
  size_t nm = 0;
  for (size_t i = 0; i < n; i++) {
    osc_monitor_stats st;
    if (osc_monitor_stats_range(m, names[i], start, now, &st) == OSC_OK) {
      if (nm++) osc_buf_putc(&b, ',');
      osc_buf_put_json_str(&b, names[i], strlen(names[i]));
      osc_buf_putc(&b, ':');
      stats_obj(&b, &st);
      if (st.first_ms < oldest) oldest = st.first_ms;
    }
    free(names[i]);
  }
  free(names);
  osc_buf_puts(&b, "},\"alerts\":[");
  osc_alert *al = malloc(1000 * sizeof *al);
  size_t na = 0, active = 0, listed = 0;
  if (al) osc_monitor_alerts(m, al, 1000, &na);
  for (size_t i = 0; i < na; i++) {
    if (!al[i].resolved_ms) active++;
    if (al[i].acknowledged) continue;
    if (al[i].resolved_ms && al[i].resolved_ms < start) continue;
    if (listed++) osc_buf_putc(&b, ',');
    osc__alert_json(&b, &al[i]);
  }
  free(al);
  osc_buf_printf(&b,
                 "],\"summary\":{\"total_metrics\":%zu,\"active_alerts\":%zu,\"monitoring_duration\":%.3f,"
                 "\"uptime_seconds\":%.3f,\"window_start\":%.3f,\"window_end\":%.3f}}",
                 nm, active, nm ? (double)(now - oldest) / 1000.0 : 0.0, (double)osc_monitor_uptime_ms(m) / 1000.0,
                 (double)start / 1000.0, (double)now / 1000.0);
  if (b.oom) {
    osc_buf_release(&b);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&b, NULL);
  return OSC_OK;
}

int osc_monitor_stats_json(osc_monitor *m, int64_t window_ms, char **out) {
  int64_t now = osc_wall_ms();
  int64_t start = window_ms > 0 ? now - window_ms : now - 3600 * 1000;
  static const struct {
    const char *group, *key, *series;
  } rows[] = {
      {"system_metrics", "cpu_usage", "system.cpu.usage"},
      {"system_metrics", "memory_usage", "system.memory.usage"},
      {"system_metrics", "disk_usage", "system.disk.usage"},
      {"system_metrics", "load_1min", "system.load.1min"},
      {"application_metrics", "process_cpu", "application.process.cpu"},
      {"application_metrics", "process_memory", "application.process.memory.percent"},
      {"application_metrics", "process_memory_rss", "application.process.memory.rss"},
  };
  osc_buf b = OSC_BUF_INIT;
  const char *cur = NULL;
  osc_buf_putc(&b, '{');
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    if (!cur || strcmp(cur, rows[i].group) != 0) {
      if (cur) osc_buf_puts(&b, "},");
      osc_buf_printf(&b, "\"%s\":{", rows[i].group);
      cur = rows[i].group;
    } else {
      osc_buf_putc(&b, ',');
    }
    osc_buf_printf(&b, "\"%s\":", rows[i].key);
    osc_monitor_stats st;
    if (osc_monitor_stats_range(m, rows[i].series, start, now, &st) == OSC_OK) stats_obj(&b, &st);
    else osc_buf_puts(&b, "{}");
  }
  osc_buf_puts(&b, "},\"current\":");
  char *latest = NULL;
  if (osc_monitor_latest_json(m, &latest) == OSC_OK) {
    osc_buf_puts(&b, latest);
    free(latest);
  } else {
    osc_buf_puts(&b, "{}");
  }
  osc_buf_printf(&b, ",\"window_seconds\":%.3f,\"uptime_seconds\":%.3f}", (double)(now - start) / 1000.0,
                 (double)osc_monitor_uptime_ms(m) / 1000.0);
  if (b.oom) {
    osc_buf_release(&b);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&b, NULL);
  return OSC_OK;
}

int osc_monitor_alerts_json(osc_monitor *m, int level, int ack, char **out) {
  osc_alert *al = malloc(1000 * sizeof *al);
  if (!al) return OSC_ENOMEM;
  size_t n = 0, k = 0;
  osc_monitor_alerts(m, al, 1000, &n);
  osc_buf b = OSC_BUF_INIT;
  osc_buf_puts(&b, "{\"alerts\":[");
  for (size_t i = 0; i < n; i++) {
    if (level >= 0 && (int)al[i].level != level) continue;
    if (ack >= 0 && al[i].acknowledged != (ack == 1)) continue;
    if (k++) osc_buf_putc(&b, ',');
    osc__alert_json(&b, &al[i]);
  }
  osc_buf_printf(&b, "],\"total_alerts\":%zu}", k);
  free(al);
  if (b.oom) {
    osc_buf_release(&b);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&b, NULL);
  return OSC_OK;
}
