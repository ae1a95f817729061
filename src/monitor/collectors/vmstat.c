/*
 * monitor/collectors/vmstat.c - /proc/vmstat, node_exporter's default field
 * set (^(oom_kill|pgpg|pswp|pg.*fault).*), untyped like node_exporter so the
 * names keep their form without a _total suffix.
 */
#include <stdio.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static bool wanted(const char *k) {
  if (!strncmp(k, "oom_kill", 8) || !strncmp(k, "pgpg", 4) || !strncmp(k, "pswp", 4)) return true;
  return !strncmp(k, "pg", 2) && strstr(k + 2, "fault") != NULL;
}

int osc__col_vmstat(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->vmstat, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->vmstat.path);
  char *save = NULL;
  int found = 0;
  for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[3];
    if (osc__split_ws(line, f, 3) != 2) continue;
    if (!wanted(f[0])) continue;
    char name[128], help[160];
    snprintf(name, sizeof name, "node_vmstat_%s", f[0]);
    snprintf(help, sizeof help, "/proc/vmstat information field %s.", f[0]);
    osc__mset_family(t->set, name, help, OSC__MT_UNTYPED);
    osc__mset_add(t->set, "", NULL, (double)osc__u64(f[1]));
    if (!strcmp(f[0], "pgmajfault")) osc__vals_put(t->vals, "system.memory.major_faults", (double)osc__u64(f[1]));
    found++;
  }
  return found ? OSC_OK : osc_seterr(OSC_EPARSE, "%s: no known fields", st->vmstat.path);
}
