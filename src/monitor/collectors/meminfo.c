/*
 * monitor/collectors/meminfo.c - /proc/meminfo as node_memory_<Field>[_bytes].
 * Series: system.memory.{usage,available,total,used}, system.swap.usage.
 */
#include <stdio.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

int osc__col_meminfo(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->meminfo, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->meminfo.path);
  double total = -1, avail = -1, memfree = -1, buffers = 0, cached = 0, swtot = 0, swfree = 0;
  int nfields = 0;
  char *save = NULL;
  for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[4];
    int n = osc__split_ws(line, f, 4);
    if (n < 2) continue;
    size_t kl = strlen(f[0]);
    if (kl < 2 || f[0][kl - 1] != ':') continue;
    f[0][kl - 1] = '\0';
    double v = (double)osc__u64(f[1]);
    bool kb = n >= 3 && strcmp(f[2], "kB") == 0;
    if (kb) v *= 1024.0;
    char name[160];
    char field[96];
    size_t j = 0;
    for (const char *c = f[0]; *c && j + 1 < sizeof field; c++) {
      if (*c == '(') field[j++] = '_';
      else if (*c != ')') field[j++] = *c;
    }
    field[j] = '\0';
    snprintf(name, sizeof name, "node_memory_%s%s", field, kb ? "_bytes" : "");
    char help[160];
    snprintf(help, sizeof help, "Memory information field %s%s.", field, kb ? "_bytes" : "");
    osc__mset_family(t->set, name, help, OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, v);
    nfields++;
    if (!strcmp(f[0], "MemTotal")) total = v;
    else if (!strcmp(f[0], "MemAvailable")) avail = v;
    else if (!strcmp(f[0], "MemFree")) memfree = v;
    else if (!strcmp(f[0], "Buffers")) buffers = v;
    else if (!strcmp(f[0], "Cached")) cached = v;
    else if (!strcmp(f[0], "SwapTotal")) swtot = v;
    else if (!strcmp(f[0], "SwapFree")) swfree = v;
  }
  if (nfields == 0 || total <= 0) return osc_seterr(OSC_EPARSE, "%s: no MemTotal line", st->meminfo.path);
  if (avail < 0) avail = memfree + buffers + cached; /* kernels before 3.14 */
  st->mem_total_bytes = total;
  osc__vals_put(t->vals, "system.memory.total", total);
  osc__vals_put(t->vals, "system.memory.available", avail);
  osc__vals_put(t->vals, "system.memory.used", total - avail);
  osc__vals_put(t->vals, "system.memory.usage", 100.0 * (total - avail) / total);
  osc__vals_put(t->vals, "system.swap.usage", swtot > 0 ? 100.0 * (swtot - swfree) / swtot : 0.0);
  return OSC_OK;
}
