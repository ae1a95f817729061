/*
 * tests/monitor/test_http.c - the monitor's routes on the real `oscontent
 * serve`: /metrics (text and OpenMetrics, checked by promtool and our
 * checker), /performance/{stats,alerts,report,chart,prometheus}, alert
 * acknowledgement, /metrics/{name}, bad input -> 4xx JSON, and history that
 * survives a server restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "expo_check.h"
#include "testutil.h"

static const char *const env[] = {"OSC_MONITOR_INTERVAL_MS=200",
                                  "OSC_MONITOR_ALERT_RULES=system.memory.usage info=0.001; system.cpu.usage warning=80",
                                  "OSC_MONITOR_CHUNK_POINTS=8", NULL};

static bool server_missing(void) {
  int code = 0;
  char *cmd = osc_asprintf("%s serve --port 0 --port-file /dev/null 2>&1 & p=$!; sleep 1; kill $p 2>/dev/null; wait $p",
                           osc_test_bin());
  char *out = osc_test_sh(cmd, &code);
  bool missing = out && strstr(out, "not built yet");
  free(out);
  free(cmd);
  return missing;
}

static void get(osc_test_server *s, const char *path, const char *const *hdrs, osc_test_resp *r) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", s->base, path);
  assert_int_equal(osc_test_http("GET", url, NULL, 0, hdrs, r), 0);
}

static json_t *body_json(osc_test_resp *r) {
  json_t *j = NULL;
  if (osc_json_parse(r->body, r->len, false, &j)) fail_msg("not JSON: %.200s", r->body);
  return j;
}

static void routes(void **state) {
  (void)state;
  if (server_missing()) skip();
  osc_test_server s = {0};
  assert_int_equal(osc_test_server_start(&s, NULL, env), 0);
  osc_sleep_ms(1200);
  osc_test_resp r = {0};
  char ct[256];

  get(&s, "/performance/stats", NULL, &r);
  assert_int_equal(r.status, 200);
  json_t *j = body_json(&r);
  assert_non_null(json_object_get(json_object_get(json_object_get(j, "system_metrics"), "cpu_usage"), "count"));
  assert_non_null(json_object_get(json_object_get(j, "current"), "system.memory.usage"));
  json_decref(j);
  osc_test_resp_free(&r);

  get(&s, "/metrics", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(osc_test_resp_header(&r, "Content-Type", ct, sizeof ct));
  assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
  const char *err = osc_expo_check(r.body, r.len, false);
  if (err) fail_msg("%s", err);
  char lint[4096];
  int code = osc_expo_promtool(r.body, r.len, lint, sizeof lint);
  assert_true(code == 0 || code == 3);
  if (lint[0]) fail_msg("promtool: %s", lint);
  assert_non_null(strstr(r.body, "oscontent_http_requests_total{route=\"monitor.stats\",method=\"GET\",status=\"200\"} 1"));
  assert_non_null(strstr(r.body, "node_uname_info{"));
  osc_test_resp_free(&r);

  const char *om[] = {"Accept: application/openmetrics-text; version=1.0.0, text/plain;q=0.5", NULL};
  get(&s, "/performance/prometheus", om, &r);
  assert_int_equal(r.status, 200);
  assert_true(osc_test_resp_header(&r, "Content-Type", ct, sizeof ct));
  assert_string_equal(ct, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  err = osc_expo_check(r.body, r.len, true);
  if (err) fail_msg("openmetrics: %s", err);
  osc_test_resp_free(&r);

  get(&s, "/performance/alerts?level=info&acknowledged=false", NULL, &r);
  assert_int_equal(r.status, 200);
  j = body_json(&r);
  json_t *alerts = json_object_get(j, "alerts");
  assert_true(json_array_size(alerts) == 1);
  char id[256];
  snprintf(id, sizeof id, "%s", json_string_value(json_object_get(json_array_get(alerts, 0), "id")));
  assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 0), "metric_name")), "system.memory.usage");
  json_decref(j);
  osc_test_resp_free(&r);
  get(&s, "/performance/alerts?level=bogus", NULL, &r);
  assert_int_equal(r.status, 400);
  j = body_json(&r);
  assert_string_equal(json_string_value(json_object_get(j, "error")), "OSC_EINVAL");
  json_decref(j);
  osc_test_resp_free(&r);

  char url[512];
  snprintf(url, sizeof url, "%s/performance/alerts/%s/acknowledge", s.base, id);
  assert_int_equal(osc_test_http("POST", url, NULL, 0, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Alert acknowledged"));
  osc_test_resp_free(&r);
  snprintf(url, sizeof url, "%s/performance/alerts/nope/acknowledge", s.base);
  assert_int_equal(osc_test_http("POST", url, NULL, 0, NULL, &r), 0);
  assert_int_equal(r.status, 404);
  osc_test_resp_free(&r);
  get(&s, "/performance/alerts?acknowledged=true", NULL, &r);
  assert_non_null(strstr(r.body, id));
  osc_test_resp_free(&r);

  get(&s, "/metrics/system.memory.usage?start_time=0", NULL, &r);
  assert_int_equal(r.status, 200);
  j = body_json(&r);
  assert_true(json_array_size(json_object_get(j, "data")) >= 3);
  json_decref(j);
  osc_test_resp_free(&r);
  get(&s, "/metrics/no.such.metric", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"data\":[]"));
  osc_test_resp_free(&r);
  get(&s, "/metrics/system.cpu.usage?start_time=abc", NULL, &r);
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);

  get(&s, "/performance/report", NULL, &r);
  assert_int_equal(r.status, 200);
  j = body_json(&r);
  json_t *rep = json_object_get(j, "report");
  assert_true(json_integer_value(json_object_get(json_object_get(rep, "summary"), "total_metrics")) > 10);
  assert_true(json_number_value(json_object_get(json_object_get(rep, "summary"), "monitoring_duration")) > 0.5);
  json_decref(j);
  osc_test_resp_free(&r);

  get(&s, "/performance/chart?metrics=system.cpu.usage,system.memory.usage&since=5m&width=500&height=200", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_true(osc_test_resp_header(&r, "Content-Type", ct, sizeof ct));
  assert_string_equal(ct, "image/png");
  assert_memory_equal(r.body, "\x89PNG", 4);
  osc_test_resp_free(&r);
  get(&s, "/performance/chart?metrics=system.cpu.usage&format=svg", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "<svg"));
  osc_test_resp_free(&r);
  get(&s, "/performance/chart?metrics=system.cpu.usage&width=5", NULL, &r);
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);
  get(&s, "/performance/chart", NULL, &r);
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);

  /* restart on the same data dir: the history and the acknowledged alert are still there */
  int64_t before = osc_wall_ms();
  s.own_dir = false; /* keep the data dir for the second run */
  int st = osc_test_server_stop(&s);
#ifndef OSC_ASAN
  assert_int_equal(st, 0); /* under ASan, fontconfig's caches (cairo text) count as leaks at exit */
#else
  (void)st;
#endif
  assert_int_equal(osc_test_server_start(&s, NULL, env), 0);
  char path[128];
  snprintf(path, sizeof path, "/metrics/system.memory.usage?start_time=0&end_time=%.3f", (double)before / 1000.0);
  get(&s, path, NULL, &r);
  j = body_json(&r);
  if (json_array_size(json_object_get(j, "data")) < 3) fail_msg("%s -> %ld %.300s", path, r.status, r.body);
  json_decref(j);
  osc_test_resp_free(&r);
  get(&s, "/performance/alerts?acknowledged=true", NULL, &r);
  assert_non_null(strstr(r.body, id));
  osc_test_resp_free(&r);
  osc_test_server_stop(&s);
  osc_test_tmpdir_free(s.dir);
  s.dir = NULL;
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(routes)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
