/*
 * monitor/collectors/cgroup.c - our own cgroup v2: memory.current/max,
 * cpu.max, cpu.stat, memory.pressure, next to the host totals
 * (node_exporter leaves this to cAdvisor).  The cgroup is found from
 * <proc>/self/cgroup's "0::/path" line under <sys>/fs/cgroup (or, on hybrid
 * hosts, <sys>/fs/cgroup/unified).
 * Series: application.cgroup.memory.usage (% of the limit, when limited).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static bool is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int find(osc_monitor *m) {
  osc__col_state *st = &m->cs;
  char p[600];
  snprintf(p, sizeof p, "%s/self/cgroup", m->proc_root);
  if (osc__read_small(p, &st->buf) != OSC_OK) return -1;
  char *line = strstr(st->buf.data, "0::");
  if (!line || (line != st->buf.data && line[-1] != '\n')) return -1;
  line += 3;
  char *nl = strchr(line, '\n');
  if (nl) *nl = '\0';
  const char *bases[] = {"fs/cgroup", "fs/cgroup/unified"};
  for (int i = 0; i < 2; i++) {
    snprintf(st->cgroup_dir, sizeof st->cgroup_dir, "%s/%s%s", m->sys_root, bases[i], line);
    size_t l = strlen(st->cgroup_dir);
    if (l > 1 && st->cgroup_dir[l - 1] == '/') st->cgroup_dir[l - 1] = '\0';
    char probe[700];
    snprintf(probe, sizeof probe, "%s/cgroup.controllers", st->cgroup_dir);
    struct stat sb;
    if (is_dir(st->cgroup_dir) && stat(probe, &sb) == 0) return 1;
  }
  return -1;
}

static int readf(osc_monitor *m, const char *file) {
  char p[700];
  snprintf(p, sizeof p, "%s/%s", m->cs.cgroup_dir, file);
  return osc__read_cached(&m->cs, p, &m->cs.buf);
}

int osc__col_cgroup(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  if (st->cgroup_state == 0) st->cgroup_state = find(m);
  if (st->cgroup_state < 0) return osc_seterr(OSC_EUNSUPPORTED, "no cgroup v2 hierarchy for this process");
  int found = 0;
  double cur = NAN, max = INFINITY;
  if (readf(m, "memory.current") == OSC_OK) {
    cur = strtod(st->buf.data, NULL);
    osc__mset_family(t->set, "oscontent_cgroup_memory_usage_bytes", "Memory used by our cgroup (memory.current).",
                     OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, cur);
    found++;
  }
  if (readf(m, "memory.max") == OSC_OK) {
    if (strncmp(st->buf.data, "max", 3) != 0) max = strtod(st->buf.data, NULL);
    osc__mset_family(t->set, "oscontent_cgroup_memory_limit_bytes",
                     "Memory limit of our cgroup (memory.max; +Inf when unlimited).", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, max);
    found++;
  }
  if (!isnan(cur) && isfinite(max) && max > 0) osc__vals_put(t->vals, "application.cgroup.memory.usage", 100.0 * cur / max);
  if (readf(m, "cpu.max") == OSC_OK) {
    char *f[2];
    double limit = INFINITY;
    if (osc__split_ws(st->buf.data, f, 2) == 2 && strcmp(f[0], "max") != 0) {
      double q = strtod(f[0], NULL), per = strtod(f[1], NULL);
      if (per > 0) limit = q / per;
    }
    osc__mset_family(t->set, "oscontent_cgroup_cpu_limit_cores",
                     "CPU limit of our cgroup in cores (cpu.max; +Inf when unlimited).", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, limit);
    found++;
  }
  if (readf(m, "cpu.stat") == OSC_OK) {
    char *save = NULL;
    for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *f[2];
      if (osc__split_ws(line, f, 2) != 2) continue;
      double v = (double)osc__u64(f[1]);
      if (!strcmp(f[0], "usage_usec")) {
        osc__mset_family(t->set, "oscontent_cgroup_cpu_usage_seconds_total", "CPU time used by our cgroup.",
                         OSC__MT_COUNTER);
        osc__mset_add(t->set, "", NULL, v / 1e6);
      } else if (!strcmp(f[0], "nr_throttled")) {
        osc__mset_family(t->set, "oscontent_cgroup_cpu_throttled_periods_total",
                         "Periods in which our cgroup was throttled.", OSC__MT_COUNTER);
        osc__mset_add(t->set, "", NULL, v);
      } else if (!strcmp(f[0], "throttled_usec")) {
        osc__mset_family(t->set, "oscontent_cgroup_cpu_throttled_seconds_total",
                         "Time our cgroup was throttled by its CPU limit.", OSC__MT_COUNTER);
        osc__mset_add(t->set, "", NULL, v / 1e6);
      }
    }
    found++;
  }
  static const char *const res[3] = {"cpu", "io", "memory"};
  for (int r = 0; r < 3; r++) {
    char file[32];
    snprintf(file, sizeof file, "%s.pressure", res[r]);
    if (readf(m, file) != OSC_OK) continue;
    char *save = NULL;
    for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *f[6];
      int n = osc__split_ws(line, f, 6);
      bool some = n > 0 && !strcmp(f[0], "some");
      for (int i = 1; i < n; i++) {
        if (strncmp(f[i], "total=", 6) != 0) continue;
        char name[96];
        snprintf(name, sizeof name, "oscontent_cgroup_pressure_%s_%s_seconds_total", res[r],
                 some ? "waiting" : "stalled");
        osc__mset_family(t->set, name, "Pressure stall time of our cgroup (PSI total).", OSC__MT_COUNTER);
        osc__mset_add(t->set, "", NULL, (double)osc__u64(f[i] + 6) / 1e6);
        found++;
      }
    }
  }
  if (!found) return osc_seterr(OSC_EUNSUPPORTED, "%s: no cgroup v2 controller files", st->cgroup_dir);
  return OSC_OK;
}
