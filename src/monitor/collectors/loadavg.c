/*
 * monitor/collectors/loadavg.c - /proc/loadavg as node_load1/5/15.
 * Series: system.load.{1min,5min,15min}.
 */
#include <stdlib.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

int osc__col_loadavg(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->loadavg, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->loadavg.path);
  char *f[5];
  if (osc__split_ws(st->buf.data, f, 5) < 3) return osc_seterr(OSC_EPARSE, "%s: expected 3 numbers", st->loadavg.path);
  static const char *const names[3] = {"node_load1", "node_load5", "node_load15"};
  static const char *const help[3] = {"1m load average.", "5m load average.", "15m load average."};
  static const char *const series[3] = {"system.load.1min", "system.load.5min", "system.load.15min"};
  for (int i = 0; i < 3; i++) {
    double v = strtod(f[i], NULL);
    osc__mset_family(t->set, names[i], help[i], OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, v);
    osc__vals_put(t->vals, series[i], v);
  }
  return OSC_OK;
}
