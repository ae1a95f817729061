/*
 * monitor/collectors/pressure.c - PSI from /proc/pressure/{cpu,io,memory,irq}.
 * "some" -> *_waiting_seconds_total, "full" -> *_stalled_seconds_total
 * (total= is in microseconds).  Series: system.pressure.<res>.avg10 (% of
 * time some task waited, 10 s average).  A kernel without PSI has no
 * /proc/pressure: the collector reports OSC_EUNSUPPORTED and is switched off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static const char *const res[4] = {"cpu", "io", "memory", "irq"};

int osc__col_pressure(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int found = 0;
  for (int r = 0; r < 4; r++) {
    int rc = osc__pfile_read(&st->psi[r], &st->buf);
    if (rc == OSC_ENOENT) continue;
    if (rc) return osc_seterr(rc, "%s: cannot read", st->psi[r].path);
    char *save = NULL;
    for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *f[6];
      int n = osc__split_ws(line, f, 6);
      if (n < 5) continue;
      bool some = !strcmp(f[0], "some");
      if (!some && strcmp(f[0], "full") != 0) continue;
      double total = -1, avg10 = -1;
      for (int i = 1; i < n; i++) {
        if (!strncmp(f[i], "total=", 6)) total = (double)osc__u64(f[i] + 6) / 1e6;
        else if (!strncmp(f[i], "avg10=", 6)) avg10 = strtod(f[i] + 6, NULL);
      }
      if (total < 0) continue;
      if (r == 3 && some) continue; /* irq has only "full" */
      char name[96], help[160];
      snprintf(name, sizeof name, "node_pressure_%s_%s_seconds_total", res[r], some ? "waiting" : "stalled");
      snprintf(help, sizeof help, "Total time in seconds that %s %s %s.", some ? "some tasks" : "all non-idle tasks",
               some ? "have waited for" : "were stalled on", res[r]);
      osc__mset_family(t->set, name, help, OSC__MT_COUNTER);
      osc__mset_add(t->set, "", NULL, total);
      if (some && avg10 >= 0) {
        char series[64];
        snprintf(series, sizeof series, "system.pressure.%s.avg10", res[r]);
        osc__vals_put(t->vals, series, avg10);
      }
      found++;
    }
  }
  if (!found) return osc_seterr(OSC_EUNSUPPORTED, "no pressure stall information (PSI) under %s", st->psi[0].path);
  return OSC_OK;
}
