/*
 * tests/monitor/test_collectors.c - the collectors on committed /proc
 * captures (tests/monitor/fixtures/): a 2-CPU VM, and an odd host with 64
 * CPUs, long and strange interface names and no PSI; plus a missing /proc
 * (every collector switches itself off after repeated failures, logged once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "expo_check.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/monitor.h"
#include "testutil.h"

static char *fixture(const char *rel) {
  const char *src = getenv("OSC_SOURCE_DIR");
  return osc_asprintf("%s/tests/monitor/fixtures/%s", src ? src : ".", rel);
}

static char *expo_of(const char *root, int ticks, osc_monitor **keep) {
  osc_monitor_options o = {0};
  char *proc = fixture(root);
  char *sys = osc_asprintf("%s/../sys", proc);
  o.proc_root = proc;
  o.sys_root = sys;
  o.no_sampler = true;
  o.alert_rules = "";
  osc_monitor *m = NULL;
  assert_int_equal(osc_monitor_open(&o, &m), OSC_OK);
  for (int i = 0; i < ticks; i++) osc_monitor_sample_now(m);
  char *t = NULL;
  size_t len = 0;
  assert_int_equal(osc_monitor_render_prometheus(m, OSC_EXPO_TEXT, &t, &len), OSC_OK);
  const char *err = osc_expo_check(t, len, false);
  if (err) fail_msg("%s", err);
  char lint[4096];
  int code = osc_expo_promtool(t, len, lint, sizeof lint);
  if (code != 0 && code != 3) fail_msg("promtool exit %d", code);
  if (lint[0]) fail_msg("promtool: %s", lint);
  free(proc);
  free(sys);
  if (keep) *keep = m;
  else osc_monitor_close(m);
  return t;
}

static double value_of(const char *t, const char *series) {
  char *key = osc_asprintf("\n%s", series);
  const char *p = strstr(t, key);
  free(key);
  if (!p) fail_msg("series %s missing", series);
  return strtod(p + 1 + strlen(series), NULL);
}

static double fixture_field(const char *rel, const char *key, int idx) {
  char *path = fixture(rel);
  char *text = NULL;
  assert_int_equal(osc_read_file(path, 1 << 20, &text, NULL), OSC_OK);
  free(path);
  const char *p = key ? strstr(text, key) : text;
  assert_non_null(p);
  if (key) p += strlen(key);
  double v = 0;
  for (int i = 0; i <= idx; i++) v = strtod(p, (char **)&p);
  free(text);
  return v;
}

static void basic_vm(void **state) {
  (void)state;
  osc_monitor *m = NULL;
  char *t = expo_of("basic/proc", 2, &m);
  assert_true(fabs(value_of(t, "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} ") -
                   fixture_field("basic/proc/stat", "cpu0 ", 0) / 100.0) < 1e-9);
  assert_true(value_of(t, "node_memory_MemTotal_bytes ") == fixture_field("basic/proc/meminfo", "MemTotal:", 0) * 1024);
  assert_non_null(strstr(t, "node_memory_HugePages_Total ")); /* unitless: no _bytes */
  assert_true(value_of(t, "node_load1 ") == fixture_field("basic/proc/loadavg", NULL, 0));
  assert_true(value_of(t, "node_disk_read_bytes_total{device=\"vda\"} ") ==
              fixture_field("basic/proc/diskstats", " vda ", 2) * 512);
  assert_null(strstr(t, "device=\"loop0\""));
  assert_true(value_of(t, "node_network_receive_bytes_total{device=\"eth0\"} ") ==
              fixture_field("basic/proc/net/dev", "eth0:", 0));
  assert_non_null(strstr(t, "node_pressure_cpu_waiting_seconds_total "));
  assert_non_null(strstr(t, "node_netstat_Tcp_CurrEstab "));
  assert_non_null(strstr(t, "node_vmstat_pgmajfault "));
  assert_non_null(strstr(t, "node_filefd_maximum "));
  assert_non_null(strstr(t, "node_filesystem_avail_bytes{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/\"} "));
  assert_null(strstr(t, "mountpoint=\"/proc\""));
  /* same-named processes are one group; a hostile name is escaped, not fatal */
  assert_true(value_of(t, "namedprocess_namegroup_num_procs{groupname=\"worker\"} ") == 2);
  assert_true(value_of(t, "namedprocess_namegroup_num_threads{groupname=\"worker\"} ") == 6);
  assert_non_null(strstr(t, "namedprocess_namegroup_num_procs{groupname=\"evil\\\"na\\\\me\\nx\"} 1\n"));
  assert_true(value_of(t, "node_processes_pids ") == 3);
  assert_null(strstr(t, "pid=\""));
  assert_true(value_of(t, "process_cpu_seconds_total ") >= 0);
  char *j = NULL;
  assert_int_equal(osc_monitor_latest_json(m, &j), OSC_OK);
  assert_non_null(strstr(j, "\"system.cpu.count\":2"));
  assert_non_null(strstr(j, "\"system.memory.usage\":"));
  assert_non_null(strstr(j, "\"system.load.1min\":"));
  assert_non_null(strstr(j, "\"application.process.memory.rss\":"));
  assert_non_null(strstr(j, "\"system.processes.count\":3"));
  free(j);
  osc_monitor_close(m);
  free(t);
}

static void odd_host(void **state) {
  (void)state;
  char *t = expo_of("odd/proc", 3, NULL);
  assert_true(value_of(t, "node_cpu_seconds_total{cpu=\"63\",mode=\"idle\"} ") == 10);
  assert_true(value_of(t, "node_cpu_guest_seconds_total{cpu=\"63\",mode=\"user\"} ") == 0.03);
  assert_true(value_of(t, "node_network_receive_bytes_total{device=\"averylongiface0\"} ") == 1234567890);
  assert_true(value_of(t, "node_network_transmit_bytes_total{device=\"averylongiface0\"} ") == 987654321);
  assert_true(value_of(t, "node_network_transmit_carrier_total{device=\"averylongiface0\"} ") == 11);
  assert_true(value_of(t, "node_network_receive_bytes_total{device=\"wlp3s0-\\\"x\\\\y\"} ") == 500);
  assert_null(strstr(t, "node_pressure_"));
  assert_non_null(strstr(t, "node_scrape_collector_success{collector=\"pressure\"} 0\n"));
  assert_non_null(strstr(t, "node_scrape_collector_success{collector=\"cpu\"} 1\n"));
  assert_true(value_of(t, "node_context_switches_total ") == 999);
  assert_true(value_of(t, "node_boot_time_seconds ") == 1700000000);
  free(t);
}

static int switched_off;
static void count_log(void *ud, osc_log_level level, const char *module, const char *msg) {
  (void)ud;
  (void)module;
  if (level >= OSC_LOG_WARN && strstr(msg, "collector cpu switched off")) switched_off++;
}

static void missing_proc(void **state) {
  (void)state;
  char *dir = osc_test_tmpdir("noproc");
  osc_log_set_handler(count_log, NULL);
  osc_monitor_options o = {0};
  o.proc_root = dir;
  o.sys_root = dir;
  o.no_sampler = true;
  o.alert_rules = "";
  osc_monitor *m = NULL;
  assert_int_equal(osc_monitor_open(&o, &m), OSC_OK);
  for (int i = 0; i < 6; i++) osc_monitor_sample_now(m);
  osc_log_set_handler(NULL, NULL);
  assert_int_equal(switched_off, 1);
  char *t = NULL;
  size_t len = 0;
  assert_int_equal(osc_monitor_render_prometheus(m, OSC_EXPO_TEXT, &t, &len), OSC_OK);
  assert_non_null(strstr(t, "node_scrape_collector_success{collector=\"cpu\"} 0\n"));
  assert_null(osc_expo_check(t, len, false));
  free(t);
  osc_monitor_close(m);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(basic_vm), cmocka_unit_test(odd_host),
                                     cmocka_unit_test(missing_proc)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
