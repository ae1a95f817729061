/*
 * tests/monitor/test_core.c - alerts (hysteresis on a flapping signal, for
 * duration, acknowledge, persistence, callbacks off the sampling thread),
 * the SQLite store (codec, history across a restart, a concurrent reader,
 * downsampled tiers, retention), statistics and charts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"
#include "oscontent/monitor.h"
#include "testutil.h"

typedef struct counts {
  pthread_mutex_t mu;
  int fired[OSC_ALERT_LEVELS], resolved[OSC_ALERT_LEVELS];
  pthread_t thread;
  bool other_thread;
} counts;

static void on_alert(void *ud, const osc_alert *a) {
  counts *c = ud;
  pthread_mutex_lock(&c->mu);
  if (a->resolved_ms) c->resolved[a->level]++;
  else c->fired[a->level]++;
  c->other_thread = !pthread_equal(pthread_self(), c->thread);
  pthread_mutex_unlock(&c->mu);
}

static osc_monitor *open_mem(const char *rules, const char *db) {
  osc_monitor_options o = {0};
  o.no_sampler = true;
  o.alert_rules = rules;
  o.db_path = db;
  o.chunk_points = 8;
  osc_monitor *m = NULL;
  int rc = osc_monitor_open(&o, &m);
  if (rc) fail_msg("open: %s", osc_errmsg());
  return m;
}

static void flapping_fires_once(void **state) {
  (void)state;
  osc_monitor *m = open_mem("test.signal warning=80/70 error=90/85", NULL);
  counts c = {.mu = PTHREAD_MUTEX_INITIALIZER, .thread = pthread_self()};
  assert_int_equal(osc_monitor_on_alert(m, on_alert, &c), OSC_OK);
  int64_t t0 = 1700000000000;
  int crossings = 0;
  double prev = 0;
  for (int i = 0; i < 20; i++) osc_monitor_record(m, "test.signal", t0 + i * 1000, 50 + i * 2.0);
  for (int i = 0; i < 400; i++) {
    double v = 88 + 2.5 * sin(i * 1.1); /* 85.5 .. 90.5: crosses 90 often, never below 85 */
    if (i && ((prev > 90) != (v > 90))) crossings++;
    prev = v;
    osc_monitor_record(m, "test.signal", t0 + (20 + i) * 1000, v);
  }
  for (int i = 0; i < 10; i++) osc_monitor_record(m, "test.signal", t0 + (420 + i) * 1000, 50);
  assert_true(crossings >= 100);
  assert_int_equal(osc_monitor_flush_notifications(m, 5000), OSC_OK);
  assert_int_equal(c.fired[OSC_ALERT_WARNING], 1);
  assert_int_equal(c.resolved[OSC_ALERT_WARNING], 1);
  assert_int_equal(c.fired[OSC_ALERT_ERROR], 1);
  assert_int_equal(c.resolved[OSC_ALERT_ERROR], 1);
  assert_int_equal(c.fired[OSC_ALERT_INFO] + c.fired[OSC_ALERT_CRITICAL], 0);
  assert_true(c.other_thread);
  osc_alert al[8];
  size_t n = 0;
  osc_monitor_alerts(m, al, 8, &n);
  assert_int_equal(n, 2);
  assert_true(al[0].resolved_ms > 0 && al[1].resolved_ms > 0);
  assert_non_null(strstr(al[0].message, "test.signal exceeded"));
  osc_monitor_close(m);
}

static void for_duration(void **state) {
  (void)state;
  osc_monitor *m = open_mem("test.for warning=10 for=5s", NULL);
  counts c = {.mu = PTHREAD_MUTEX_INITIALIZER, .thread = pthread_self()};
  osc_monitor_on_alert(m, on_alert, &c);
  int64_t t = 1700000000000;
  for (int i = 0; i < 4; i++) osc_monitor_record(m, "test.for", t += 1000, 20); /* 3 s above: not yet */
  osc_monitor_record(m, "test.for", t += 1000, 5);
  osc_monitor_flush_notifications(m, 5000);
  assert_int_equal(c.fired[OSC_ALERT_WARNING], 0);
  for (int i = 0; i < 7; i++) osc_monitor_record(m, "test.for", t += 1000, 20);
  osc_monitor_flush_notifications(m, 5000);
  assert_int_equal(c.fired[OSC_ALERT_WARNING], 1);
  osc_monitor_close(m);
}

static void rules_parse(void **state) {
  (void)state;
  osc_alert_rule *r = NULL;
  size_t n = 0;
  assert_int_equal(osc_monitor_rules_parse(osc_monitor_default_rules(), &r, &n), OSC_OK);
  assert_int_equal(n, 3);
  assert_string_equal(r[0].metric, "system.cpu.usage");
  assert_true(r[0].threshold[OSC_ALERT_WARNING] == 80 && r[0].threshold[OSC_ALERT_ERROR] == 90);
  assert_true(r[1].threshold[OSC_ALERT_WARNING] == 85 && r[2].threshold[OSC_ALERT_ERROR] == 95);
  free(r);
  assert_int_equal(osc_monitor_rules_parse("x.y < critical=5/10 clear_for=2s", &r, &n), OSC_OK);
  assert_true(r[0].below && r[0].clear[OSC_ALERT_CRITICAL] == 10 && r[0].clear_for_ms == 2000);
  free(r);
  assert_int_equal(osc_monitor_rules_parse("x.y warning=abc", &r, &n), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "not a number"));
  assert_int_equal(osc_monitor_rules_parse("x.y bogus=1", &r, &n), OSC_EINVAL);
  assert_int_equal(osc_monitor_rules_parse("x.y warning=80/90", &r, &n), OSC_EINVAL); /* clear above threshold */
  assert_int_equal(osc_monitor_rules_parse("x.y", &r, &n), OSC_EINVAL);
  osc_monitor_options o = {0};
  o.no_sampler = true;
  o.alert_rules = "x warning=1 for=-3";
  osc_monitor *m = NULL;
  assert_int_equal(osc_monitor_open(&o, &m), OSC_EINVAL);
  o.alert_rules = NULL;
  o.interval_ms = 5;
  assert_int_equal(osc_monitor_open(&o, &m), OSC_EINVAL);
}

static void alerts_persist_and_ack(void **state) {
  (void)state;
  char *dir = osc_test_tmpdir("alerts");
  char *db = osc_path_join(dir, "m.db");
  osc_monitor *m = open_mem("test.p warning=50/40", db);
  int64_t t = osc_wall_ms() - 10000;
  osc_monitor_record(m, "test.p", t, 60);
  osc_alert al[4];
  size_t n = 0;
  osc_monitor_alerts(m, al, 4, &n);
  assert_int_equal(n, 1);
  char id[192];
  snprintf(id, sizeof id, "%s", al[0].id);
  assert_int_equal(osc_monitor_ack(m, "nope"), OSC_ENOENT);
  assert_int_equal(osc_monitor_ack(m, id), OSC_OK);
  osc_monitor_close(m);
  /* restart: the alert, its acknowledgement and its firing state survive */
  m = open_mem("test.p warning=50/40", db);
  counts c = {.mu = PTHREAD_MUTEX_INITIALIZER, .thread = pthread_self()};
  osc_monitor_on_alert(m, on_alert, &c);
  osc_monitor_alerts(m, al, 4, &n);
  assert_int_equal(n, 1);
  assert_string_equal(al[0].id, id);
  assert_true(al[0].acknowledged);
  osc_monitor_record(m, "test.p", t + 1000, 70); /* still firing: no second alert */
  osc_monitor_record(m, "test.p", t + 2000, 10);
  osc_monitor_flush_notifications(m, 5000);
  assert_int_equal(c.fired[OSC_ALERT_WARNING], 0);
  assert_int_equal(c.resolved[OSC_ALERT_WARNING], 1);
  char *j = NULL;
  assert_int_equal(osc_monitor_alerts_json(m, OSC_ALERT_WARNING, 1, &j), OSC_OK);
  assert_non_null(strstr(j, "\"total_alerts\":1"));
  assert_non_null(strstr(j, "\"state\":\"resolved\""));
  free(j);
  assert_int_equal(osc_monitor_alerts_json(m, OSC_ALERT_ERROR, -1, &j), OSC_OK);
  assert_non_null(strstr(j, "\"total_alerts\":0"));
  free(j);
  osc_monitor_close(m);
  free(db);
  osc_test_tmpdir_free(dir);
}

static void codec_roundtrip(void **state) {
  (void)state;
  osc_rng rng;
  osc_rng_seed(&rng, 42);
  size_t n = 3600;
  osc_monitor_point *p = malloc(n * sizeof *p);
  int64_t t = 1700000000000;
  double v = 40;
  for (size_t i = 0; i < n; i++) {
    t += 1000 + (i % 97 == 0 ? (int64_t)osc_rng_below(&rng, 50) - 20 : 0);
    v += (osc_rng_double(&rng) - 0.5);
    /* a realistic mix: one full-precision gauge sample in 5, the rest integer counters */
    p[i] = (osc_monitor_point){t, i % 5 == 0 ? v : (double)(1000000 + i * 4096 + (i % 3))};
  }
  p[10].ts_ms = p[9].ts_ms - 5; /* out of order */
  p[11].value = -0.0;
  p[12].value = 1e300;
  osc_buf b = OSC_BUF_INIT;
  assert_int_equal(osc__chunk_encode(p, n, &b), OSC_OK);
  osc_monitor_point *q = NULL;
  size_t m = 0;
  assert_int_equal(osc__chunk_decode(b.data, b.len, &q, &m), OSC_OK);
  assert_int_equal(m, n);
  assert_memory_equal(p, q, n * sizeof *p);
  assert_true((double)b.len / (double)n < 8.0);
  /* corrupt input is an error, never a crash */
  for (size_t cut = 0; cut < 40; cut++) {
    osc_monitor_point *r = NULL;
    size_t rn = 0;
    int rc = osc__chunk_decode(b.data, cut, &r, &rn);
    assert_true(rc == OSC_ECORRUPT || (rc == OSC_OK && rn <= n));
    free(r);
  }
  free(q);
  free(p);
  osc_buf_release(&b);
}

/* One chunk round trip: exact bits back, and the size per point below @p max_bps. */
static void roundtrip(const osc_monitor_point *p, size_t n, double max_bps) {
  osc_buf b = OSC_BUF_INIT;
  assert_int_equal(osc__chunk_encode(p, n, &b), OSC_OK);
  osc_monitor_point *q = NULL;
  size_t m = 0;
  assert_int_equal(osc__chunk_decode(b.data, b.len, &q, &m), OSC_OK);
  assert_int_equal(m, n);
  assert_memory_equal(p, q, n * sizeof *p);
  if ((double)b.len / (double)n > max_bps) fail_msg("%.2f bytes per point, expected <= %.2f", (double)b.len / (double)n, max_bps);
  free(q);
  /* every truncation and every single-byte corruption is an error or a bounded result, never a crash */
  for (size_t cut = 0; cut < b.len; cut++) {
    osc_monitor_point *r = NULL;
    size_t rn = 0;
    int rc = osc__chunk_decode(b.data, cut, &r, &rn);
    assert_true(rc == OSC_ECORRUPT || rc == OSC_OK);
    free(r);
  }
  for (size_t i = 0; i < b.len && i < 64; i++) {
    unsigned char *d = (unsigned char *)b.data;
    unsigned char keep = d[i];
    d[i] ^= 0xA5;
    osc_monitor_point *r = NULL;
    size_t rn = 0;
    int rc = osc__chunk_decode(b.data, b.len, &r, &rn);
    assert_true(rc == OSC_ECORRUPT || rc == OSC_OK);
    free(r);
    d[i] = keep;
  }
  osc_buf_release(&b);
}

static void codec_modes(void **state) {
  (void)state;
  enum { N = 120 };
  osc_monitor_point p[N];
  osc_rng r;
  osc_rng_seed(&r, 42);
  int64_t t0 = 1700000000000;
  /* steady counter on an exact 1 s grid: delta-of-delta runs, almost free */
  for (int i = 0; i < N; i++) p[i] = (osc_monitor_point){t0 + i * 1000, 1e9 + i * 4096.0};
  roundtrip(p, N, 0.5);
  /* counter with a varying rate and jittered timestamps */
  double c = 0;
  for (int i = 0; i < N; i++) {
    c += floor(1000 * (0.5 + osc_rng_double(&r)));
    p[i] = (osc_monitor_point){t0 + i * 1000 + (int64_t)osc_rng_below(&r, 4), c};
  }
  roundtrip(p, N, 4.0);
  /* two-decimal gauge (load average), negative decimals, repeated values */
  for (int i = 0; i < N; i++) p[i] = (osc_monitor_point){t0 + i * 1000, round(100 * sin(i / 10.0)) / 100 - (i % 7 == 0 ? 3 : 0)};
  roundtrip(p, N, 3.0);
  for (int i = 0; i < N; i++) p[i] = (osc_monitor_point){t0 + i * 1000, i < 60 ? 5 : 6};
  roundtrip(p, N, 0.5);
  /* full-precision doubles fall back to XOR, still lossless */
  for (int i = 0; i < N; i++) p[i] = (osc_monitor_point){t0 + i * 1000, 50 + 10 * sin(i / 30.0) + osc_rng_double(&r)};
  roundtrip(p, N, 9.5);
  /* specials: -0.0, huge, tiny, NaN, infinities, mixed with decimals */
  for (int i = 0; i < N; i++) p[i] = (osc_monitor_point){t0 + i * 1000, i * 0.25};
  p[3].value = -0.0;
  p[4].value = 1e300;
  p[5].value = 5e-324;
  p[6].value = NAN;
  p[7].value = INFINITY;
  p[8].value = -INFINITY;
  p[9].value = 9007199254740993.0;
  roundtrip(p, N, 9.5);
  /* one point, and timestamps beyond 2^52 (the v1 layout) */
  roundtrip(p, 1, 40);
  for (int i = 0; i < N; i++) p[i] = (osc_monitor_point){INT64_MAX - (N - i) * 1000LL, i};
  roundtrip(p, N, 12);
}

static void history_survives_restart(void **state) {
  (void)state;
  char *dir = osc_test_tmpdir("store");
  char *db = osc_path_join(dir, "m.db");
  osc_monitor *m = open_mem("", db);
  int64_t t0 = osc_wall_ms() - 60000;
  for (int i = 0; i < 12; i++) assert_int_equal(osc_monitor_record(m, "app.queue", t0 + i * 1000, i * 1.5), OSC_OK);
  /* a second process-like reader sees packed chunks and pending points alike */
  osc_monitor_options ro = {0};
  ro.db_path = db;
  ro.read_only = true;
  ro.alert_rules = "";
  osc_monitor *r = NULL;
  assert_int_equal(osc_monitor_open(&ro, &r), OSC_OK);
  osc_monitor_point *p = NULL;
  size_t n = 0;
  assert_int_equal(osc_monitor_query(r, "app.queue", t0, t0 + 60000, OSC_MONITOR_TIER_RAW, &p, &n), OSC_OK);
  assert_int_equal(n, 12);
  assert_true(p[11].value == 16.5 && p[11].ts_ms == t0 + 11000);
  free(p);
  osc_monitor_close(r);
  osc_monitor_close(m);
  m = open_mem("", db);
  assert_int_equal(osc_monitor_query(m, "app.queue", t0, t0 + 60000, OSC_MONITOR_TIER_AUTO, &p, &n), OSC_OK);
  assert_int_equal(n, 12);
  for (int i = 0; i < 12; i++) assert_true(p[i].value == i * 1.5);
  free(p);
  char *names = NULL;
  osc_monitor_series_json(m, &names);
  assert_non_null(strstr(names, "\"app.queue\""));
  free(names);
  assert_int_equal(osc_monitor_query(m, "nope", t0, t0 + 1, OSC_MONITOR_TIER_AUTO, &p, &n), OSC_OK);
  assert_int_equal(n, 0);
  osc_monitor_close(m);
  free(db);
  osc_test_tmpdir_free(dir);
}

static void downsampling_and_retention(void **state) {
  (void)state;
  char *dir = osc_test_tmpdir("tiers");
  char *db = osc_path_join(dir, "m.db");
  osc_monitor *m = open_mem("", db);
  int64_t now = osc_wall_ms();
  int64_t old = (now - 10 * 3600000LL) / 3600000LL * 3600000LL; /* 10 h ago, on an hour */
  for (int i = 0; i < 1080; i++) osc_monitor_record(m, "tier.x", old + i * 10000LL, i); /* 3 h every 10 s */
  for (int i = 0; i < 16; i++) osc_monitor_record(m, "tier.x", now - 16000 + i * 1000, 7); /* recent, packs + purges */
  osc_monitor_point *p = NULL;
  size_t n = 0;
  assert_int_equal(osc_monitor_query(m, "tier.x", old, old + 3 * 3600000LL, OSC_MONITOR_TIER_RAW, &p, &n), OSC_OK);
  assert_int_equal(n, 0); /* raw tier (6 h) purged */
  assert_int_equal(osc_monitor_query(m, "tier.x", old, old + 3 * 3600000LL, OSC_MONITOR_TIER_MINUTE, &p, &n), OSC_OK);
  assert_int_equal(n, 180);
  for (size_t k = 0; k < n; k++) {
    assert_true(p[k].ts_ms == old + (int64_t)k * 60000);
    assert_true(fabs(p[k].value - (6.0 * (double)k + 2.5)) < 1e-9);
  }
  free(p);
  assert_int_equal(osc_monitor_query(m, "tier.x", old, old + 3 * 3600000LL, OSC_MONITOR_TIER_HOUR, &p, &n), OSC_OK);
  assert_int_equal(n, 3);
  assert_true(fabs(p[1].value - (360 + 719) / 2.0) < 1e-9);
  free(p);
  /* in this process the ring still holds the raw points */
  osc_monitor_stats st;
  assert_int_equal(osc_monitor_stats_range(m, "tier.x", old, old + 3600000LL - 1, &st), OSC_OK);
  assert_int_equal(st.count, 360);
  osc_monitor_close(m);
  /* another reader: AUTO stitches the minute tier (older than the raw retention) and raw points */
  osc_monitor_options ro = {0};
  ro.db_path = db;
  ro.read_only = true;
  ro.alert_rules = "";
  assert_int_equal(osc_monitor_open(&ro, &m), OSC_OK);
  assert_int_equal(osc_monitor_stats_range(m, "tier.x", old, old + 3600000LL - 1, &st), OSC_OK);
  assert_int_equal(st.count, 60);
  assert_int_equal(osc_monitor_query(m, "tier.x", old, now, OSC_MONITOR_TIER_AUTO, &p, &n), OSC_OK);
  assert_int_equal(n, 180 + 16);
  free(p);
  osc_monitor_close(m);
  free(db);
  osc_test_tmpdir_free(dir);
}

static void statistics(void **state) {
  (void)state;
  osc_monitor_point p[100];
  for (int i = 0; i < 100; i++) p[i] = (osc_monitor_point){1700000000000 + i * 1000, 10 + 2.0 * i};
  osc_monitor_stats st;
  assert_int_equal(osc_monitor_stats_compute(p, 100, &st), OSC_OK);
  assert_int_equal(st.count, 100);
  assert_true(st.min == 10 && st.max == 208 && st.mean == 109);
  assert_true(fabs(st.median - 109) < 1e-9);
  assert_true(fabs(st.p95 - (10 + 2 * 94.05)) < 1e-9);
  assert_true(fabs(st.slope_per_s - 2.0) < 1e-9);
  assert_true(fabs(st.std - sqrt((100.0 * 100 - 1) / 12.0) * 2) < 1e-6);
  assert_true(fabs(osc_monitor_forecast_s(&st, 308) - 50) < 1e-6);
  assert_true(osc_monitor_forecast_s(&st, 0) < 0);
  assert_int_equal(osc_monitor_stats_compute(p, 0, &st), OSC_EINVAL);
}

typedef struct rd {
  osc_buf *b;
  size_t off;
} rd;
static cairo_status_t read_png(void *c, unsigned char *data, unsigned int len) {
  rd *r = c;
  if (r->off + len > r->b->len) return CAIRO_STATUS_READ_ERROR;
  memcpy(data, r->b->data + r->off, len);
  r->off += len;
  return CAIRO_STATUS_SUCCESS;
}

static void charts(void **state) {
  (void)state;
  osc_monitor *m = open_mem("chart.cpu.usage warning=80 error=90", NULL);
  int64_t now = osc_wall_ms();
  for (int i = 0; i < 120; i++) {
    osc_monitor_record(m, "chart.cpu.usage", now - 120000 + i * 1000, 50 + 30 * sin(i / 10.0));
    osc_monitor_record(m, "chart.mem.rss", now - 120000 + i * 1000, 1e8 + i * 1e5);
  }
  const char *names[] = {"chart.cpu.usage"};
  osc_chart_options co = {640, 300, OSC_CHART_PNG, NULL, false};
  void *img = NULL;
  size_t len = 0;
  assert_int_equal(osc_monitor_chart(m, names, 1, now - 300000, now, &co, &img, &len), OSC_OK);
  osc_buf b = {img, len, len, false};
  rd r = {&b, 0};
  cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &r);
  assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  assert_int_equal(cairo_image_surface_get_width(s), 640);
  assert_int_equal(cairo_image_surface_get_height(s), 300);
  cairo_surface_destroy(s);
  free(img);
  const char *two[] = {"chart.mem.rss", "chart.cpu.usage"};
  co.format = OSC_CHART_SVG;
  assert_int_equal(osc_monitor_chart(m, two, 2, now - 300000, now, &co, &img, &len), OSC_OK);
  assert_non_null(strstr((char *)img, "<svg"));
  free(img);
  const char *none[] = {"no.such.series"};
  assert_int_equal(osc_monitor_chart(m, none, 1, now - 300000, now, &co, &img, &len), OSC_ENOENT);
  co.width = 10;
  assert_int_equal(osc_monitor_chart(m, names, 1, now - 300000, now, &co, &img, &len), OSC_EINVAL);
  char *rep = NULL;
  assert_int_equal(osc_monitor_report_json(m, 300000, &rep), OSC_OK);
  assert_non_null(strstr(rep, "\"chart.cpu.usage\":{\"count\":120"));
  assert_non_null(strstr(rep, "\"summary\":{\"total_metrics\":2"));
  free(rep);
  osc_monitor_close(m);
}

static void *scraper(void *arg) {
  osc_monitor *m = arg;
  for (int i = 0; i < 30; i++) {
    char *t = NULL;
    size_t len = 0;
    osc_monitor_render_prometheus(m, OSC_EXPO_TEXT, &t, &len);
    free(t);
    osc_monitor_http_request(m, "x", "GET", 200, 1000);
  }
  return NULL;
}

static void sampler_thread(void **state) {
  (void)state;
  osc_monitor_options o = {0};
  o.interval_ms = 20;
  o.alert_rules = "system.cpu.usage info=0";
  osc_monitor *m = NULL;
  assert_int_equal(osc_monitor_open(&o, &m), OSC_OK);
  pthread_t th[2];
  for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, scraper, m);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  osc_sleep_ms(200);
  osc_monitor_stats st;
  assert_int_equal(osc_monitor_stats_range(m, "system.memory.usage", 0, osc_wall_ms(), &st), OSC_OK);
  assert_true(st.count >= 3);
  osc_monitor_close(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(flapping_fires_once), cmocka_unit_test(for_duration),   cmocka_unit_test(rules_parse),
      cmocka_unit_test(alerts_persist_and_ack), cmocka_unit_test(codec_roundtrip), cmocka_unit_test(codec_modes),
      cmocka_unit_test(history_survives_restart), cmocka_unit_test(downsampling_and_retention),
      cmocka_unit_test(statistics), cmocka_unit_test(charts), cmocka_unit_test(sampler_thread),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cairo_debug_reset_static_data(); /* cairo and fontconfig caches, for LeakSanitizer */
  FcFini();
  return rc;
}
