/*
 * monitor/collectors/self.c - our own process from <proc>/self/{stat,limits,fd}
 * with the standard client-library names (process_cpu_seconds_total, ...).
 * Series: application.process.cpu (% of one core over the last tick: the
 * original always reported 0), application.process.memory.{rss,vms,percent},
 * application.threads.count, application.files.descriptors.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

/* Fields after the ") " that closes comm; index 0 is field 3 (state). */
int osc__parse_pid_stat(char *text, char **comm, char **f, int max);
int osc__parse_pid_stat(char *text, char **comm, char **f, int max) {
  char *open = strchr(text, '(');
  char *close = strrchr(text, ')');
  if (!open || !close || close < open) return 0;
  *close = '\0';
  if (comm) *comm = open + 1;
  return osc__split_ws(close + 1, f, max);
}

int osc__col_self(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->self_stat, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->self_stat.path);
  char *f[48];
  int n = osc__parse_pid_stat(st->buf.data, NULL, f, 48);
  if (n < 22) return osc_seterr(OSC_EPARSE, "%s: expected at least 24 fields", st->self_stat.path);
  double tck = (double)st->clk_tck;
  uint64_t ticks = osc__u64(f[11]) + osc__u64(f[12]);
  double threads = (double)osc__u64(f[17]);
  double start = st->boot_time + (double)osc__u64(f[19]) / tck;
  double vsize = (double)osc__u64(f[20]);
  double rss = (double)osc__u64(f[21]) * (double)st->page_size;

  /* open fds and the fd limit */
  char p[600];
  snprintf(p, sizeof p, "%s/self/fd", m->proc_root);
  double nfds = -1;
  DIR *d = opendir(p);
  if (d) {
    nfds = 0;
    struct dirent *e;
    while ((e = readdir(d)))
      if (e->d_name[0] != '.') nfds++;
    closedir(d);
    nfds -= 1; /* the directory stream's own fd */
    if (nfds < 0) nfds = 0;
  }
  double maxfds = -1;
  snprintf(p, sizeof p, "%s/self/limits", m->proc_root);
  if (osc__read_cached(st, p, &st->buf2) == OSC_OK) {
    char *l = strstr(st->buf2.data, "Max open files");
    if (l) {
      char *g[6];
      if (osc__split_ws(l + 14, g, 6) >= 1) maxfds = strncmp(g[0], "unlimited", 9) ? strtod(g[0], NULL) : -1;
    }
  }
  osc__mset_family(t->set, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                   OSC__MT_COUNTER);
  osc__mset_add(t->set, "", NULL, (double)ticks / tck);
  osc__mset_family(t->set, "process_resident_memory_bytes", "Resident memory size in bytes.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, rss);
  osc__mset_family(t->set, "process_virtual_memory_bytes", "Virtual memory size in bytes.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, vsize);
  osc__mset_family(t->set, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                   OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, start);
  osc__mset_family(t->set, "process_threads", "Number of OS threads in the process.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, threads);
  if (nfds >= 0) {
    osc__mset_family(t->set, "process_open_fds", "Number of open file descriptors.", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, nfds);
    osc__vals_put(t->vals, "application.files.descriptors", nfds);
  }
  if (maxfds >= 0) {
    osc__mset_family(t->set, "process_max_fds", "Maximum number of open file descriptors.", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", NULL, maxfds);
  }
  if (st->have_prev_self && t->dt_s > 0)
    osc__vals_put(t->vals, "application.process.cpu",
                  ticks >= st->prev_self_ticks ? 100.0 * (double)(ticks - st->prev_self_ticks) / tck / t->dt_s : 0);
  st->prev_self_ticks = ticks;
  st->have_prev_self = true;
  osc__vals_put(t->vals, "application.process.memory.rss", rss);
  osc__vals_put(t->vals, "application.process.memory.vms", vsize);
  if (st->mem_total_bytes > 0)
    osc__vals_put(t->vals, "application.process.memory.percent", 100.0 * rss / st->mem_total_bytes);
  osc__vals_put(t->vals, "application.threads.count", threads);
  return OSC_OK;
}
