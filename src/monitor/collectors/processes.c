/*
 * monitor/collectors/processes.c - process groups by name (comm), top-K by
 * CPU used since the previous scan then by RSS, with process-exporter's
 * names (namedprocess_namegroup_*{groupname}) so its dashboards work, and
 * node_processes_{pids,threads,state}.  No pid labels: cardinality is at
 * most top_k groups.  Same-named processes are aggregated, so a label set is
 * never repeated.  Scans every process_interval_ms (one /proc/PID/stat read
 * per process, ~5 us each); between scans the last result is re-emitted.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

int osc__parse_pid_stat(char *text, char **comm, char **f, int max);

typedef struct osc__pgroup {
  char name[64];
  double procs, utime, stime, rss, vms, threads, majflt, oldest, cpu_delta;
  double states[5]; /* Running Sleeping Waiting Zombie Other */
} osc__pgroup;

typedef struct osc__pprev {
  int pid;
  uint64_t start, ticks;
} osc__pprev;

static int cmp_pid(const void *a, const void *b) {
  const osc__pprev *x = a, *y = b;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_group(const void *a, const void *b) {
  const osc__pgroup *x = a, *y = b;
  if (x->cpu_delta != y->cpu_delta) return x->cpu_delta < y->cpu_delta ? 1 : -1;
  if (x->rss != y->rss) return x->rss < y->rss ? 1 : -1;
  return strcmp(x->name, y->name);
}

static int scan(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  DIR *d = opendir(m->proc_root);
  if (!d) return osc_seterr(OSC_EIO, "%s: cannot list processes", m->proc_root);
  osc__pgroup *g = NULL;
  size_t ng = 0, capg = 0;
  osc__pprev *np = NULL;
  size_t nnp = 0, capnp = 0;
  double tot[8] = {0};
  double tck = (double)st->clk_tck;
  struct dirent *e;
  char p[600];
  while ((e = readdir(d))) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    int pid = atoi(e->d_name);
    snprintf(p, sizeof p, "%s/%s/stat", m->proc_root, e->d_name);
    if (osc__read_small(p, &st->buf) != OSC_OK) continue; /* exited meanwhile */
    char *comm = NULL, *f[48];
    int n = osc__parse_pid_stat(st->buf.data, &comm, f, 48);
    if (n < 22) continue;
    uint64_t ut = osc__u64(f[11]), stt = osc__u64(f[12]), start = osc__u64(f[19]);
    double threads = (double)osc__u64(f[17]);
    size_t gi = 0;
    for (; gi < ng; gi++)
      if (!strncmp(g[gi].name, comm, sizeof g[gi].name - 1)) break;
    if (gi == ng) {
      if (ng == capg) {
        capg = capg ? capg * 2 : 64;
        osc__pgroup *ngp = realloc(g, capg * sizeof(*g));
        if (!ngp) break;
        g = ngp;
      }
      memset(&g[ng], 0, sizeof g[ng]);
      snprintf(g[ng].name, sizeof g[ng].name, "%s", comm);
      g[ng].oldest = 1e300;
      ng++;
    }
    osc__pgroup *gr = &g[gi];
    gr->procs++;
    gr->utime += (double)ut / tck;
    gr->stime += (double)stt / tck;
    gr->threads += threads;
    gr->vms += (double)osc__u64(f[20]);
    gr->rss += (double)osc__u64(f[21]) * (double)st->page_size;
    gr->majflt += (double)osc__u64(f[9]);
    double started = st->boot_time + (double)start / tck;
    if (started < gr->oldest) gr->oldest = started;
    char s = f[0][0];
    int si = s == 'R' ? 0 : s == 'S' ? 1 : s == 'D' ? 2 : s == 'Z' ? 3 : 4;
    gr->states[si]++;
    tot[0]++;
    tot[1] += threads;
    tot[2 + (s == 'R' ? 0 : s == 'S' ? 1 : s == 'D' ? 2 : s == 'Z' ? 3 : s == 'T' ? 4 : 5)]++;
    /* CPU since the previous scan, for the ranking */
    osc__pprev key = {pid, 0, 0};
    osc__pprev *old = st->pprev ? bsearch(&key, st->pprev, st->npprev, sizeof key, cmp_pid) : NULL;
    uint64_t ticks = ut + stt;
    if (old && old->start == start) gr->cpu_delta += (double)(ticks - old->ticks);
    else if (st->have_scan) gr->cpu_delta += (double)ticks;
    if (nnp == capnp) {
      capnp = capnp ? capnp * 2 : 256;
      osc__pprev *q = realloc(np, capnp * sizeof(*np));
      if (!q) break;
      np = q;
    }
    np[nnp++] = (osc__pprev){pid, start, ticks};
  }
  closedir(d);
  if (nnp) qsort(np, nnp, sizeof *np, cmp_pid);
  free(st->pprev);
  st->pprev = np;
  st->npprev = nnp;
  if (ng) qsort(g, ng, sizeof *g, cmp_group);
  size_t k = (size_t)m->o.top_k;
  if (ng > k) ng = k;
  free(st->groups);
  st->groups = g;
  st->ngroups = ng;
  memcpy(st->ptotals, tot, sizeof tot);
  st->have_scan = true;
  st->last_scan_ms = t->wall_ms;
  osc__vals_put(t->vals, "system.processes.count", tot[0]);
  return OSC_OK;
}

int osc__col_processes(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  if (m->o.top_k <= 0) return osc_seterr(OSC_EUNSUPPORTED, "process groups switched off (top_k < 0)");
  if (!st->have_scan || t->wall_ms - st->last_scan_ms >= m->o.process_interval_ms || t->wall_ms < st->last_scan_ms) {
    int rc = scan(m, t);
    if (rc) return rc;
  }
  osc__mset_family(t->set, "node_processes_pids", "Number of PIDs", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, st->ptotals[0]);
  osc__mset_family(t->set, "node_processes_threads", "Allocated threads in system", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, st->ptotals[1]);
  static const char *const sname[6] = {"R", "S", "D", "Z", "T", "other"};
  osc__mset_family(t->set, "node_processes_state", "Number of processes in each state.", OSC__MT_GAUGE);
  for (int i = 0; i < 6; i++) {
    const char *lb[] = {"state", sname[i], NULL};
    osc__mset_add(t->set, "", lb, st->ptotals[2 + i]);
  }
  static const char *const gst[5] = {"Running", "Sleeping", "Waiting", "Zombie", "Other"};
  for (size_t i = 0; i < st->ngroups; i++) {
    osc__pgroup *g = &st->groups[i];
    const char *lb[] = {"groupname", g->name, NULL};
    osc__mset_family(t->set, "namedprocess_namegroup_num_procs", "number of processes in this group",
                     OSC__MT_GAUGE);
    osc__mset_add(t->set, "", lb, g->procs);
    osc__mset_family(t->set, "namedprocess_namegroup_cpu_seconds_total", "Cpu user usage in seconds",
                     OSC__MT_COUNTER);
    const char *lu[] = {"groupname", g->name, "mode", "user", NULL};
    const char *ls[] = {"groupname", g->name, "mode", "system", NULL};
    osc__mset_add(t->set, "", lu, g->utime);
    osc__mset_add(t->set, "", ls, g->stime);
    osc__mset_family(t->set, "namedprocess_namegroup_memory_bytes", "number of bytes of memory in use",
                     OSC__MT_GAUGE);
    const char *lr[] = {"groupname", g->name, "memtype", "resident", NULL};
    const char *lv[] = {"groupname", g->name, "memtype", "virtual", NULL};
    osc__mset_add(t->set, "", lr, g->rss);
    osc__mset_add(t->set, "", lv, g->vms);
    osc__mset_family(t->set, "namedprocess_namegroup_num_threads", "Number of threads", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", lb, g->threads);
    osc__mset_family(t->set, "namedprocess_namegroup_major_page_faults_total", "Major page faults",
                     OSC__MT_COUNTER);
    osc__mset_add(t->set, "", lb, g->majflt);
    osc__mset_family(t->set, "namedprocess_namegroup_oldest_start_time_seconds",
                     "start time in seconds since 1970/01/01 of oldest process in group", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", lb, g->oldest);
    osc__mset_family(t->set, "namedprocess_namegroup_states", "Number of processes in states Running, Sleeping, Waiting, Zombie, or Other",
                     OSC__MT_GAUGE);
    for (int s = 0; s < 5; s++) {
      const char *lst[] = {"groupname", g->name, "state", gst[s], NULL};
      osc__mset_add(t->set, "", lst, g->states[s]);
    }
  }
  return OSC_OK;
}
