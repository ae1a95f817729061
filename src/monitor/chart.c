/*
 * monitor/chart.c - line charts of one or more series with cairo: PNG from an
 * image surface, SVG from an SVG surface, both drawn by the same code.
 * Axes with "nice" ticks and units guessed from the series name (%, bytes
 * in KiB/MiB/GiB, per second), time labels in local time, a legend, and the
 * alert thresholds of the charted series as dashed lines.
 */
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"

typedef enum { U_NONE, U_PERCENT, U_BYTES, U_PER_S, U_BYTES_PER_S } unit;

static unit unit_of(const char *n) {
  if (osc_str_has_suffix(n, "bytes_per_s")) return U_BYTES_PER_S;
  if (osc_str_has_suffix(n, "_per_s")) return U_PER_S;
  if (osc_str_has_suffix(n, ".usage") || osc_str_has_suffix(n, ".percent") || osc_str_has_suffix(n, ".cpu") ||
      osc_str_has_suffix(n, ".iowait") || strstr(n, ".avg10"))
    return U_PERCENT;
  if (osc_str_has_suffix(n, ".rss") || osc_str_has_suffix(n, ".vms") || osc_str_has_suffix(n, ".total") ||
      osc_str_has_suffix(n, ".available") || osc_str_has_suffix(n, ".used") || strstr(n, "bytes"))
    return U_BYTES;
  return U_NONE;
}

static void fmt_val(char *buf, size_t len, double v, unit u) {
  if (u == U_BYTES || u == U_BYTES_PER_S) {
    static const char *const suf[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    double a = fabs(v);
    while (a >= 1024 && i < 5) {
      a /= 1024;
      v /= 1024;
      i++;
    }
    snprintf(buf, len, "%.4g %s%s", v, suf[i], u == U_BYTES_PER_S ? "/s" : "");
  } else if (u == U_PERCENT) {
    snprintf(buf, len, "%.4g%%", v);
  } else if (u == U_PER_S) {
    snprintf(buf, len, "%.4g/s", v);
  } else {
    snprintf(buf, len, "%.4g", v);
  }
}

static double nice_step(double range, int target, bool bytes) {
  if (range <= 0) return 1;
  double raw = range / target;
  if (bytes && raw >= 1024) {
    double p = pow(1024, floor(log(raw) / log(1024)));
    double f = raw / p;
    double s = f <= 1 ? 1 : f <= 2 ? 2 : f <= 4 ? 4 : f <= 8 ? 8 : f <= 16 ? 16 : f <= 32 ? 32 : f <= 64 ? 64 : f <= 128 ? 128 : f <= 256 ? 256 : 512;
    return s * p;
  }
  double p = pow(10, floor(log10(raw)));
  double f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

static const double palette[][3] = {{0.12, 0.47, 0.71}, {0.17, 0.63, 0.17}, {0.58, 0.40, 0.74},
                                    {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
                                    {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81}};
static const double level_rgb[OSC_ALERT_LEVELS][3] = {{0.2, 0.5, 0.9}, {1.0, 0.6, 0.0}, {0.85, 0.15, 0.15}, {0.5, 0.0, 0.0}};

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len) {
  return osc_buf_append(closure, data, len) == OSC_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void text(cairo_t *cr, double x, double y, const char *s, double ax, double ay) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s, &e);
  cairo_move_to(cr, x - e.width * ax - e.x_bearing, y - e.height * ay - e.y_bearing);
  cairo_show_text(cr, s);
}

int osc_monitor_chart(osc_monitor *m, const char *const *names, size_t n, int64_t start_ms, int64_t end_ms,
                      const osc_chart_options *opts, void **out, size_t *len) {
  *out = NULL;
  *len = 0;
  osc_chart_options o = opts ? *opts : (osc_chart_options){0};
  if (!o.width) o.width = 960;
  if (!o.height) o.height = 360;
  if (o.width < 160 || o.width > 8000 || o.height < 120 || o.height > 8000)
    return osc_seterr(OSC_EINVAL, "chart size %dx%d: width must be 160..8000 and height 120..8000", o.width, o.height);
  if (n == 0 || n > 8) return osc_seterr(OSC_EINVAL, "chart: 1..8 series (got %zu)", n);
  if (end_ms <= start_ms) return osc_seterr(OSC_EINVAL, "chart: empty time range");
  osc_monitor_point *pts[8] = {0};
  size_t np[8] = {0};
  double ymin = INFINITY, ymax = -INFINITY;
  int64_t tmin = INT64_MAX, tmax = INT64_MIN;
  int rc = OSC_OK;
  for (size_t i = 0; i < n && rc == OSC_OK; i++) {
    rc = osc_monitor_query(m, names[i], start_ms, end_ms, OSC_MONITOR_TIER_AUTO, &pts[i], &np[i]);
    for (size_t k = 0; k < np[i]; k++) {
      double v = pts[i][k].value;
      if (v < ymin) ymin = v;
      if (v > ymax) ymax = v;
      if (pts[i][k].ts_ms < tmin) tmin = pts[i][k].ts_ms;
      if (pts[i][k].ts_ms > tmax) tmax = pts[i][k].ts_ms;
    }
  }
  if (rc == OSC_OK && tmin == INT64_MAX) {
    rc = osc_seterr(OSC_ENOENT, "chart: no points for %s%s in the range", names[0], n > 1 ? " and the others" : "");
  }
  if (rc) goto done;
  unit u = unit_of(names[0]);
  /* thresholds of the charted series */
  osc_alert_rule *rules = NULL;
  size_t nrules = 0;
  if (!o.no_thresholds) osc__alerts_rules(m->alerts, &rules, &nrules);
  struct {
    double v;
    int level;
  } thr[32];
  int nthr = 0;
  for (size_t r = 0; r < nrules; r++)
    for (size_t i = 0; i < n; i++)
      if (!strcmp(rules[r].metric, names[i]))
        for (int l = 0; l < OSC_ALERT_LEVELS && nthr < 32; l++)
          if (!isnan(rules[r].threshold[l])) {
            thr[nthr].v = rules[r].threshold[l];
            thr[nthr++].level = l;
          }
  free(rules);
  /* show thresholds only when they are near the data (within the data range plus 50%) */
  double drange = ymax - ymin > 0 ? ymax - ymin : fabs(ymax) + 1;
  for (int i = 0; i < nthr; i++) {
    if (thr[i].v > ymax + drange * 0.5 + (u == U_PERCENT ? 100 : 0) || thr[i].v < ymin - drange * 0.5) continue;
    if (thr[i].v > ymax) ymax = thr[i].v;
    if (thr[i].v < ymin) ymin = thr[i].v;
  }
  if (u == U_PERCENT && ymin >= 0) ymin = 0;
  if (ymax - ymin < 1e-9) {
    ymax += fabs(ymax) * 0.1 + 1;
    ymin -= fabs(ymin) * 0.1 + (ymin >= 0 && ymin < 1 ? ymin : 1);
  }
  double step = nice_step(ymax - ymin, 5, u == U_BYTES || u == U_BYTES_PER_S);
  ymin = floor(ymin / step) * step;
  ymax = ceil(ymax / step) * step;
  if (tmax == tmin) {
    tmin -= 1000;
    tmax += 1000;
  }

  osc_buf png = OSC_BUF_INIT;
  cairo_surface_t *sf = o.format == OSC_CHART_SVG
                            ? cairo_svg_surface_create_for_stream(write_buf, &png, o.width, o.height)
                            : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, o.width, o.height);
  cairo_t *cr = cairo_create(sf);
  double W = o.width, H = o.height;
  double L = 78, R = 16, T = 34, B = 40;
  double pw = W - L - R, ph = H - T - B;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  /* title */
  char title[512];
  if (o.title) snprintf(title, sizeof title, "%s", o.title);
  else {
    title[0] = '\0';
    for (size_t i = 0; i < n; i++) {
      size_t l = strlen(title);
      snprintf(title + l, sizeof title - l, "%s%s", i ? ", " : "", names[i]);
    }
  }
  cairo_set_font_size(cr, 14);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text(cr, L, 10, title, 0, 0);
  /* grid and y labels */
  cairo_set_font_size(cr, 11);
  cairo_set_line_width(cr, 1);
  char lab[64];
  for (double y = ymin; y <= ymax + step * 0.5; y += step) {
    double py = T + ph - (y - ymin) / (ymax - ymin) * ph;
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, L, floor(py) + 0.5);
    cairo_line_to(cr, L + pw, floor(py) + 0.5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    fmt_val(lab, sizeof lab, fabs(y) < step * 1e-9 ? 0 : y, u);
    text(cr, L - 6, py, lab, 1, 0.5);
  }
  /* x labels */
  double span_s = (double)(tmax - tmin) / 1000.0;
  double xstep = nice_step(span_s, 6, false);
  static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    if (steps[i] >= span_s / 7) {
      xstep = steps[i];
      break;
    }
  double first = ceil((double)tmin / 1000.0 / xstep) * xstep;
  for (double ts = first; ts <= (double)tmax / 1000.0; ts += xstep) {
    double px = L + (ts * 1000.0 - (double)tmin) / (double)(tmax - tmin) * pw;
    cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
    cairo_move_to(cr, floor(px) + 0.5, T);
    cairo_line_to(cr, floor(px) + 0.5, T + ph);
    cairo_stroke(cr);
    time_t tt = (time_t)ts;
    struct tm tmv;
    localtime_r(&tt, &tmv);
    strftime(lab, sizeof lab, span_s > 2 * 86400 ? "%m-%d %H:%M" : span_s > 600 ? "%H:%M" : "%H:%M:%S", &tmv);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    text(cr, px, T + ph + 6, lab, 0.5, 0);
  }
  /* axes */
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_move_to(cr, L + 0.5, T);
  cairo_line_to(cr, L + 0.5, T + ph + 0.5);
  cairo_line_to(cr, L + pw, T + ph + 0.5);
  cairo_stroke(cr);
  /* thresholds */
  double dash[] = {6, 4};
  for (int i = 0; i < nthr; i++) {
    if (thr[i].v < ymin || thr[i].v > ymax) continue;
    double py = T + ph - (thr[i].v - ymin) / (ymax - ymin) * ph;
    cairo_set_source_rgb(cr, level_rgb[thr[i].level][0], level_rgb[thr[i].level][1], level_rgb[thr[i].level][2]);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, L, py);
    cairo_line_to(cr, L + pw, py);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    char tl[96], tv[48];
    fmt_val(tv, sizeof tv, thr[i].v, u);
    snprintf(tl, sizeof tl, "%s %s", osc_alert_level_name((osc_alert_level)thr[i].level), tv);
    text(cr, L + 4, py - 3, tl, 0, 1);
  }
  /* series */
  cairo_rectangle(cr, L, T, pw, ph);
  cairo_save(cr);
  cairo_clip(cr);
  cairo_set_line_width(cr, 1.6);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (size_t i = 0; i < n; i++) {
    const double *c = palette[i % 8];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    int64_t gap = 0;
    for (size_t k = 1; k < np[i]; k++) {
      int64_t d = pts[i][k].ts_ms - pts[i][k - 1].ts_ms;
      if (d > 0 && (gap == 0 || d < gap)) gap = d;
    }
    for (size_t k = 0; k < np[i]; k++) {
      double px = L + (double)(pts[i][k].ts_ms - tmin) / (double)(tmax - tmin) * pw;
      double py = T + ph - (pts[i][k].value - ymin) / (ymax - ymin) * ph;
      /* break the line over holes (monitor stopped) longer than 5 sampling periods */
      bool hole = k > 0 && gap > 0 && pts[i][k].ts_ms - pts[i][k - 1].ts_ms > 5 * gap;
      if (k == 0 || hole) cairo_move_to(cr, px, py);
      else cairo_line_to(cr, px, py);
    }
    if (np[i] == 1) {
      double px = L + (double)(pts[i][0].ts_ms - tmin) / (double)(tmax - tmin) * pw;
      double py = T + ph - (pts[i][0].value - ymin) / (ymax - ymin) * ph;
      cairo_arc(cr, px, py, 2.5, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    cairo_stroke(cr);
  }
  cairo_restore(cr);
  /* legend */
  cairo_set_font_size(cr, 11);
  double lx = W - R;
  for (size_t i = n; i-- > 0;) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, names[i], &e);
    lx -= e.x_advance;
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, lx, T - 8, names[i], 0, 1);
    lx -= 18;
    const double *c = palette[i % 8];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    cairo_rectangle(cr, lx, T - 16, 12, 4);
    cairo_fill(cr);
    lx -= 14;
  }
  cairo_destroy(cr);
  if (o.format == OSC_CHART_SVG) {
    cairo_surface_finish(sf);
  } else {
    cairo_surface_flush(sf);
    cairo_surface_write_to_png_stream(sf, write_buf, &png);
  }
  cairo_status_t cs = cairo_surface_status(sf);
  cairo_surface_destroy(sf);
  if (cs != CAIRO_STATUS_SUCCESS || png.oom || png.len == 0) {
    osc_buf_release(&png);
    rc = osc_seterr(OSC_EINTERNAL, "chart: cairo: %s", cairo_status_to_string(cs));
    goto done;
  }
  *out = osc_buf_detach(&png, len);
done:
  for (size_t i = 0; i < n; i++) free(pts[i]);
  return rc;
}
