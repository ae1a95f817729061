/*
 * monitor/collectors/cpu.c - /proc/stat: per-CPU times, context switches,
 * interrupts, forks, running/blocked tasks, boot time.
 * Series: system.cpu.usage (% busy over the last tick, all CPUs),
 * system.cpu.count, system.cpu.iowait.
 */
#include <stdio.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static const char *const modes[8] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

int osc__col_cpu(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->stat, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->stat.path);
  double tck = (double)st->clk_tck;
  osc__cpu_times total = {{0}};
  bool have_total = false;
  int ncpu = 0;
  uint64_t ctxt = 0, intr = 0, forks = 0, running = 0, blocked = 0, btime = 0;
  /* Two passes over lines: the seconds family first, then guest, then the rest,
   * so that families stay contiguous without buffering. */
  char *save = NULL;
  osc__mset_family(t->set, "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", OSC__MT_COUNTER);
  for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[16];
    int n = osc__split_ws(line, f, 16);
    if (n < 2) continue;
    if (strncmp(f[0], "cpu", 3) == 0) {
      osc__cpu_times ct = {{0}};
      for (int i = 0; i < 10 && i + 1 < n; i++) ct.v[i] = osc__u64(f[i + 1]);
      if (f[0][3] == '\0') {
        total = ct;
        have_total = true;
        continue;
      }
      const char *cpu = f[0] + 3;
      ncpu++;
      osc__mset_family(t->set, "node_cpu_seconds_total", NULL, OSC__MT_COUNTER);
      for (int i = 0; i < 8; i++) {
        const char *lb[] = {"cpu", cpu, "mode", modes[i], NULL};
        osc__mset_add(t->set, "", lb, (double)ct.v[i] / tck);
      }
      osc__mset_family(t->set, "node_cpu_guest_seconds_total",
                       "Seconds the CPUs spent in guests (VMs) for each mode.", OSC__MT_COUNTER);
      const char *lu[] = {"cpu", cpu, "mode", "user", NULL};
      const char *ln[] = {"cpu", cpu, "mode", "nice", NULL};
      osc__mset_add(t->set, "", lu, (double)ct.v[8] / tck);
      osc__mset_add(t->set, "", ln, (double)ct.v[9] / tck);
    } else if (strcmp(f[0], "ctxt") == 0) {
      ctxt = osc__u64(f[1]);
    } else if (strcmp(f[0], "intr") == 0) {
      intr = osc__u64(f[1]);
    } else if (strcmp(f[0], "processes") == 0) {
      forks = osc__u64(f[1]);
    } else if (strcmp(f[0], "procs_running") == 0) {
      running = osc__u64(f[1]);
    } else if (strcmp(f[0], "procs_blocked") == 0) {
      blocked = osc__u64(f[1]);
    } else if (strcmp(f[0], "btime") == 0) {
      btime = osc__u64(f[1]);
    }
  }
  if (!have_total) return osc_seterr(OSC_EPARSE, "%s: no aggregate cpu line", st->stat.path);
  osc__mset_family(t->set, "node_context_switches_total", "Total number of context switches.", OSC__MT_COUNTER);
  osc__mset_add(t->set, "", NULL, (double)ctxt);
  osc__mset_family(t->set, "node_intr_total", "Total number of interrupts serviced.", OSC__MT_COUNTER);
  osc__mset_add(t->set, "", NULL, (double)intr);
  osc__mset_family(t->set, "node_forks_total", "Total number of forks.", OSC__MT_COUNTER);
  osc__mset_add(t->set, "", NULL, (double)forks);
  osc__mset_family(t->set, "node_procs_running", "Number of processes in runnable state.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, (double)running);
  osc__mset_family(t->set, "node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
                   OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, (double)blocked);
  osc__mset_family(t->set, "node_boot_time_seconds", "Node boot time, in unixtime.", OSC__MT_GAUGE);
  osc__mset_add(t->set, "", NULL, (double)btime);
  st->boot_time = (double)btime;
  st->ncpu = ncpu > 0 ? ncpu : 1;

  /* Busy share: guest time is already counted in user, so it is left out of the sum. */
  osc__cpu_times d = total;
  if (st->have_prev_cpu) {
    for (int i = 0; i < 10; i++) d.v[i] = total.v[i] >= st->prev_cpu.v[i] ? total.v[i] - st->prev_cpu.v[i] : 0;
  }
  uint64_t sum = 0;
  for (int i = 0; i < 8; i++) sum += d.v[i];
  uint64_t idle = d.v[3] + d.v[4];
  if (sum > 0) {
    osc__vals_put(t->vals, "system.cpu.usage", 100.0 * (double)(sum - idle) / (double)sum);
    osc__vals_put(t->vals, "system.cpu.iowait", 100.0 * (double)d.v[4] / (double)sum);
  }
  osc__vals_put(t->vals, "system.cpu.count", (double)st->ncpu);
  st->prev_cpu = total;
  st->have_prev_cpu = true;
  return OSC_OK;
}
