/*
 * tests/monitor/test_expo.c - the exposition writer against every rule of
 * monitor_anchors.md section 6, the registry's histograms, and the live
 * output of a real monitor checked by our semantic checker and promtool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "expo_check.h"
#include "monitor/internal.h"
#include "oscontent/error.h"

static char *render(osc__mset *s, osc_expo_format f) {
  osc_buf b = OSC_BUF_INIT;
  assert_int_equal(osc__mset_render(s, f, &b), OSC_OK);
  if (f == OSC_EXPO_OPENMETRICS) osc_buf_puts(&b, "# EOF\n");
  return osc_buf_detach(&b, NULL);
}

static void label_escaping(void **state) {
  (void)state;
  osc__mset *s = osc__mset_new();
  osc__mset_family(s, "demo_x", "Demo.", OSC__MT_GAUGE);
  const char *lb[] = {"path", "C:\\temp \"q\"\nnext", NULL};
  assert_int_equal(osc__mset_add(s, "", lb, 1), OSC_OK);
  const char *bad[] = {"a", "\xff\xfe ok \r", NULL};
  assert_int_equal(osc__mset_add(s, "", bad, 2), OSC_OK);
  char *t = render(s, OSC_EXPO_TEXT);
  assert_non_null(strstr(t, "demo_x{path=\"C:\\\\temp \\\"q\\\"\\nnext\"} 1\n"));
  assert_non_null(strstr(t, "demo_x{a=\"\xEF\xBF\xBD\xEF\xBF\xBD ok  \"} 2\n")); /* U+FFFD, CR -> space */
  assert_null(osc_expo_check(t, strlen(t), false));
  char badlint[2048];
  assert_int_not_equal(osc_expo_promtool(t, strlen(t), badlint, sizeof badlint), 1);
  free(t);
  osc__mset_free(s);
}

static void help_escaping_and_names(void **state) {
  (void)state;
  osc__mset *s = osc__mset_new();
  osc__mset_family(s, "1demo-x.y", "Path C:\\temp and \"quotes\"\nsecond line.", OSC__MT_GAUGE);
  osc__mset_add(s, "", NULL, 1);
  const char *lb[] = {"1bad", "x", "good_name", "y", NULL};
  osc__mset_add(s, "_z", lb, 2);
  char *t = render(s, OSC_EXPO_TEXT);
  assert_non_null(strstr(t, "# HELP _demo_x_y Path C:\\\\temp and \"quotes\"\\nsecond line.\n"));
  assert_non_null(strstr(t, "# TYPE _demo_x_y gauge\n_demo_x_y 1\n"));
  assert_non_null(strstr(t, "_demo_x_y_z{good_name=\"y\"} 2\n")); /* invalid label name dropped */
  assert_null(osc_expo_check(t, strlen(t), false));
  assert_int_not_equal(osc_expo_promtool(t, strlen(t), NULL, 0), 1);
  free(t);
  osc__mset_free(s);
}

static void families_contiguous_and_unique(void **state) {
  (void)state;
  osc__mset *s = osc__mset_new();
  const char *a1[] = {"a", "1", NULL}, *a2[] = {"a", "2", NULL};
  osc__mset_family(s, "demo_x", "X.", OSC__MT_GAUGE);
  osc__mset_add(s, "", a1, 1);
  osc__mset_family(s, "demo_y", "Y.", OSC__MT_GAUGE);
  osc__mset_add(s, "", NULL, 1);
  osc__mset_family(s, "demo_x", "X again.", OSC__MT_GAUGE); /* re-opened: appended to the first group */
  osc__mset_add(s, "", a2, 2);
  assert_int_equal(osc__mset_add(s, "", a2, 3), OSC_EEXIST); /* duplicate series dropped */
  char *t = render(s, OSC_EXPO_TEXT);
  assert_string_equal(t,
                      "# HELP demo_x X.\n# TYPE demo_x gauge\ndemo_x{a=\"1\"} 1\ndemo_x{a=\"2\"} 2\n"
                      "# HELP demo_y Y.\n# TYPE demo_y gauge\ndemo_y 1\n");
  assert_int_equal(osc__mset_nseries(s), 3);
  assert_null(osc_expo_check(t, strlen(t), false));
  free(t);
  osc__mset_free(s);
}

static void values_and_le(void **state) {
  (void)state;
  char b[64];
  osc__expo_fmt_value(b, sizeof b, NAN);
  assert_string_equal(b, "NaN");
  osc__expo_fmt_value(b, sizeof b, INFINITY);
  assert_string_equal(b, "+Inf");
  osc__expo_fmt_value(b, sizeof b, -INFINITY);
  assert_string_equal(b, "-Inf");
  osc__expo_fmt_value(b, sizeof b, 1e15);
  assert_string_equal(b, "1000000000000000");
  osc__expo_fmt_value(b, sizeof b, 0.1);
  assert_string_equal(b, "0.1");
  osc__expo_fmt_value(b, sizeof b, 1234567.125);
  assert_string_equal(b, "1234567.125");
  osc__expo_fmt_value(b, sizeof b, 1.0 / 3);
  assert_true(strtod(b, NULL) == 1.0 / 3); /* round trip, not %g's 6 digits */
  osc__expo_fmt_le(b, sizeof b, 1);
  assert_string_equal(b, "1.0");
  osc__expo_fmt_le(b, sizeof b, 0.005);
  assert_string_equal(b, "0.005");
  osc__expo_fmt_le(b, sizeof b, 1e6);
  assert_string_equal(b, "1e+06");
  osc__expo_fmt_le(b, sizeof b, 1234567);
  assert_string_equal(b, "1234567.0"); /* %g would say 1.23457e+06 */
  osc__expo_fmt_le(b, sizeof b, INFINITY);
  assert_string_equal(b, "+Inf");
  assert_string_equal(osc_expo_content_type(OSC_EXPO_TEXT), "text/plain; version=0.0.4; charset=utf-8");
  assert_string_equal(osc_expo_content_type(OSC_EXPO_OPENMETRICS),
                      "application/openmetrics-text; version=1.0.0; charset=utf-8");
  assert_int_equal(osc_expo_negotiate(NULL), OSC_EXPO_TEXT);
  assert_int_equal(osc_expo_negotiate("text/plain"), OSC_EXPO_TEXT);
  assert_int_equal(osc_expo_negotiate("application/openmetrics-text; version=1.0.0,text/plain;q=0.5"),
                   OSC_EXPO_OPENMETRICS);
  assert_int_equal(osc_expo_negotiate("application/openmetrics-text;q=0,text/plain"), OSC_EXPO_TEXT);
}

static void histograms_and_openmetrics(void **state) {
  (void)state;
  osc__registry *r = osc__registry_new();
  osc_metric *h = NULL, *c = NULL, *g = NULL;
  double bk[] = {0.01, 0.1, 1};
  assert_int_equal(osc__registry_metric(r, "demo_latency_seconds", "Latency.", OSC_METRIC_HISTOGRAM, "route", bk, 3, &h), OSC_OK);
  assert_int_equal(osc__registry_metric(r, "demo_requests_total", "Requests.", OSC_METRIC_COUNTER, "route,code", NULL, 0, &c), OSC_OK);
  assert_int_equal(osc__registry_metric(r, "demo_temp", "Temp.", OSC_METRIC_GAUGE, NULL, NULL, 0, &g), OSC_OK);
  osc_metric *again = NULL;
  assert_int_equal(osc__registry_metric(r, "demo_temp", "x", OSC_METRIC_GAUGE, NULL, NULL, 0, &again), OSC_OK);
  assert_ptr_equal(again, g);
  assert_int_equal(osc__registry_metric(r, "demo_temp", "x", OSC_METRIC_COUNTER, NULL, NULL, 0, &again), OSC_EINVAL);
  assert_int_equal(osc__registry_metric(r, "demo_temp", "x", OSC_METRIC_GAUGE, "a", NULL, 0, &again), OSC_EEXIST);
  assert_int_equal(osc__registry_metric(r, "bad-name", "x", OSC_METRIC_GAUGE, NULL, NULL, 0, &again), OSC_EINVAL);
  double bad[] = {1, 0.5};
  assert_int_equal(osc__registry_metric(r, "demo_h2", "x", OSC_METRIC_HISTOGRAM, NULL, bad, 2, &again), OSC_EINVAL);
  const char *rt[] = {"/a\"b"};
  double obs[] = {0.005, 0.05, 0.05, 0.5, 5};
  for (int i = 0; i < 5; i++) osc_metric_observe(h, rt, obs[i]);
  const char *cl[] = {"/x", "200"};
  osc_metric_add(c, cl, 3);
  assert_int_equal(osc_metric_add(c, cl, -1), OSC_EINVAL);
  osc_metric_set(g, NULL, -0.5);
  assert_true(osc_metric_get(c, cl) == 3);
  assert_true(osc_metric_get(h, rt) == 5);
  osc__mset *s = osc__mset_new();
  osc__registry_emit(r, s);
  char *t = render(s, OSC_EXPO_TEXT);
  assert_non_null(strstr(t, "demo_latency_seconds_bucket{route=\"/a\\\"b\",le=\"0.01\"} 1\n"
                            "demo_latency_seconds_bucket{route=\"/a\\\"b\",le=\"0.1\"} 3\n"
                            "demo_latency_seconds_bucket{route=\"/a\\\"b\",le=\"1.0\"} 4\n"
                            "demo_latency_seconds_bucket{route=\"/a\\\"b\",le=\"+Inf\"} 5\n"
                            "demo_latency_seconds_sum{route=\"/a\\\"b\"} 5.605\n"
                            "demo_latency_seconds_count{route=\"/a\\\"b\"} 5\n"));
  assert_non_null(strstr(t, "# TYPE demo_requests_total counter\ndemo_requests_total{route=\"/x\",code=\"200\"} 3\n"));
  assert_null(osc_expo_check(t, strlen(t), false));
  char lint[2048];
  assert_int_equal(osc_expo_promtool(t, strlen(t), lint, sizeof lint), 0);
  free(t);
  t = render(s, OSC_EXPO_OPENMETRICS);
  assert_non_null(strstr(t, "# TYPE demo_requests counter\ndemo_requests_total{route=\"/x\",code=\"200\"} 3\n"));
  assert_true(osc_str_has_suffix(t, "# EOF\n"));
  assert_null(osc_expo_check(t, strlen(t), true));
  free(t);
  osc__mset_free(s);
  osc__registry_free(r);
}

static void live_exposition(void **state) {
  (void)state;
  osc_monitor_options o = {0};
  o.no_sampler = true;
  osc_monitor *m = NULL;
  assert_int_equal(osc_monitor_open(&o, &m), OSC_OK);
  assert_int_equal(osc_monitor_sample_now(m), OSC_OK);
  osc_monitor_http_request(m, "cache.get", "GET", 200, 1500000);
  osc_monitor_http_request(m, "cache.get", "GET", 404, 500000);
  char *t = NULL;
  size_t len = 0;
  assert_int_equal(osc_monitor_render_prometheus(m, OSC_EXPO_TEXT, &t, &len), OSC_OK);
  const char *err = osc_expo_check(t, len, false);
  if (err) fail_msg("%s", err);
  char lint[4096];
  int code = osc_expo_promtool(t, len, lint, sizeof lint);
  assert_true(code == 0 || code == 3);
  if (lint[0]) fail_msg("promtool lint lines not on the allow-list:\n%s", lint);
  static const char *const need[] = {"node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}", "node_memory_MemTotal_bytes ",
                                     "node_load1 ", "node_uname_info{", "node_filesystem_size_bytes{", "node_network_receive_bytes_total{device=\"lo\"}",
                                     "node_boot_time_seconds ", "node_time_seconds ", "process_resident_memory_bytes ",
                                     "oscontent_http_requests_total{route=\"cache.get\",method=\"GET\",status=\"404\"} 1",
                                     "oscontent_http_request_duration_seconds_count{route=\"cache.get\",method=\"GET\"} 2",
                                     "node_scrape_collector_success{collector=\"cpu\"} 1", "oscontent_alert_firing{"};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
    if (!strstr(t, need[i])) fail_msg("missing %s", need[i]);
  free(t);
  assert_int_equal(osc_monitor_render_prometheus(m, OSC_EXPO_OPENMETRICS, &t, &len), OSC_OK);
  err = osc_expo_check(t, len, true);
  if (err) fail_msg("openmetrics: %s", err);
  free(t);
  osc_monitor_close(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(label_escaping),          cmocka_unit_test(help_escaping_and_names),
      cmocka_unit_test(families_contiguous_and_unique), cmocka_unit_test(values_and_le),
      cmocka_unit_test(histograms_and_openmetrics), cmocka_unit_test(live_exposition),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
