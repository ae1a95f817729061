/*
 * monitor/collectors/system.c - identity and clocks: node_uname_info (the
 * Node Exporter Full dashboard's template variables need it),
 * node_time_seconds, node_entropy_*.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

int osc__col_system(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  if (!st->have_uname) {
    struct utsname u;
    if (uname(&u) != 0) return osc_seterr(OSC_EIO, "uname failed");
    snprintf(st->uname_labels[0], 65, "%s", u.sysname);
    snprintf(st->uname_labels[1], 65, "%s", u.release);
    snprintf(st->uname_labels[2], 65, "%s", u.version);
    snprintf(st->uname_labels[3], 65, "%s", u.machine);
    snprintf(st->uname_labels[4], 65, "%s", u.nodename);
    snprintf(st->uname_labels[5], 65, "%s", u.domainname);
    st->have_uname = true;
  }
  const char *lb[] = {"domainname", st->uname_labels[5], "machine", st->uname_labels[3], "nodename",
                      st->uname_labels[4], "release", st->uname_labels[1], "sysname", st->uname_labels[0],
                      "version", st->uname_labels[2], NULL};
  osc__mset_family(t->set, "node_uname_info", "Labeled system information as provided by the uname system call.",
                   OSC__MT_GAUGE);
  osc__mset_add(t->set, "", lb, 1);
  osc__mset_family(t->set, "node_time_seconds", "System time in seconds since epoch (1970).", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, (double)t->wall_ms / 1000.0);
  char p[600];
  snprintf(p, sizeof p, "%s/sys/kernel/random/entropy_avail", m->proc_root);
  if (osc__read_cached(st, p, &st->buf) == OSC_OK) {
    osc__mset_family(t->set, "node_entropy_available_bits", "Bits of available entropy.", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, strtod(st->buf.data, NULL));
  }
  snprintf(p, sizeof p, "%s/sys/kernel/random/poolsize", m->proc_root);
  if (osc__read_cached(st, p, &st->buf) == OSC_OK) {
    osc__mset_family(t->set, "node_entropy_pool_size_bits", "Bits of entropy pool.", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, strtod(st->buf.data, NULL));
  }
  return OSC_OK;
}
