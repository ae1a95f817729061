/*
 * monitor/collectors/filefd.c - /proc/sys/fs/file-nr: allocated and maximum
 * file handles.  Series: system.files.allocated.
 */
#include "monitor/internal.h"
#include "oscontent/error.h"

int osc__col_filefd(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->filenr, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->filenr.path);
  char *f[3];
  if (osc__split_ws(st->buf.data, f, 3) != 3) return osc_seterr(OSC_EPARSE, "%s: expected 3 numbers", st->filenr.path);
  osc__mset_family(t->set, "node_filefd_allocated", "File descriptor statistics: allocated.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, (double)osc__u64(f[0]));
  osc__mset_family(t->set, "node_filefd_maximum", "File descriptor statistics: maximum.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, (double)osc__u64(f[2]));
  osc__vals_put(t->vals, "system.files.allocated", (double)osc__u64(f[0]));
  return OSC_OK;
}
