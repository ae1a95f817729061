/*
 * monitor/collectors/diskstats.c - /proc/diskstats as node_disk_* for whole
 * devices (partitions, loop and ram devices are skipped with node_exporter's
 * default rule ^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$).
 * Series: system.disk.read_bytes_per_s, system.disk.write_bytes_per_s.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static bool all_digits(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s)) return false;
  return true;
}

static bool excluded(const char *d) {
  if (!strncmp(d, "ram", 3) && all_digits(d + 3)) return true;
  if (!strncmp(d, "loop", 4) && all_digits(d + 4)) return true;
  if (!strncmp(d, "fd", 2) && all_digits(d + 2)) return true;
  const char *p = d;
  if (!strncmp(p, "xvd", 3)) p += 3;
  else if ((p[0] == 'h' || p[0] == 's' || p[0] == 'v') && p[1] == 'd') p += 2;
  else p = NULL;
  if (p && isalpha((unsigned char)p[0]) && islower((unsigned char)p[0]) && all_digits(p + 1)) return true;
  if (!strncmp(d, "nvme", 4)) {
    p = d + 4;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) p++;
    if (*p++ != 'n' || !isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) p++;
    if (*p++ != 'p') return false;
    return all_digits(p);
  }
  return false;
}

typedef struct dfield {
  int idx; /* field index after the device name (0 = reads completed) */
  const char *name;
  const char *help;
  double scale;
  osc__mtype type;
} dfield;

static const dfield fields[] = {
    {0, "node_disk_reads_completed_total", "The total number of reads completed successfully.", 1, OSC__MT_COUNTER},
    {1, "node_disk_reads_merged_total", "The total number of reads merged.", 1, OSC__MT_COUNTER},
    {2, "node_disk_read_bytes_total", "The total number of bytes read successfully.", 512, OSC__MT_COUNTER},
    {3, "node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", 0.001,
     OSC__MT_COUNTER},
    {4, "node_disk_writes_completed_total", "The total number of writes completed successfully.", 1,
     OSC__MT_COUNTER},
    {5, "node_disk_writes_merged_total", "The number of writes merged.", 1, OSC__MT_COUNTER},
    {6, "node_disk_written_bytes_total", "The total number of bytes written successfully.", 512, OSC__MT_COUNTER},
    {7, "node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", 0.001,
     OSC__MT_COUNTER},
    {8, "node_disk_io_now", "The number of I/Os currently in progress.", 1, OSC__MT_GAUGE},
    {9, "node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", 0.001, OSC__MT_COUNTER},
    {10, "node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", 0.001,
     OSC__MT_COUNTER},
    {11, "node_disk_discards_completed_total", "The total number of discards completed successfully.", 1,
     OSC__MT_COUNTER},
    {12, "node_disk_discards_merged_total", "The total number of discards merged.", 1, OSC__MT_COUNTER},
    {13, "node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", 1,
     OSC__MT_COUNTER},
    {14, "node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.",
     0.001, OSC__MT_COUNTER},
    {15, "node_disk_flush_requests_total", "The total number of flush requests completed successfully", 1,
     OSC__MT_COUNTER},
    {16, "node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.",
     0.001, OSC__MT_COUNTER},
};

int osc__col_diskstats(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->diskstats, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->diskstats.path);
  uint64_t rd = 0, wr = 0;
  char *save = NULL;
  for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[24];
    int n = osc__split_ws(line, f, 24);
    if (n < 14) continue;
    const char *dev = f[2];
    if (excluded(dev)) continue;
    int nvals = n - 3;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
      if (fields[i].idx >= nvals) continue;
      osc__mset_family(t->set, fields[i].name, fields[i].help, fields[i].type);
      const char *lb[] = {"device", dev, NULL};
      osc__mset_add(t->set, "", lb, (double)osc__u64(f[3 + fields[i].idx]) * fields[i].scale);
    }
    osc__mset_family(t->set, "node_disk_info", "Info of /sys/block/<block_device>.", OSC__MT_GAUGE);
    const char *li[] = {"device", dev, "major", f[0], "minor", f[1], NULL};
    osc__mset_add(t->set, "", li, 1);
    rd += osc__u64(f[5]) * 512;
    wr += osc__u64(f[9]) * 512;
  }
  if (st->have_prev_disk && t->dt_s > 0) {
    osc__vals_put(t->vals, "system.disk.read_bytes_per_s",
                  rd >= st->prev_disk_bytes[0] ? (double)(rd - st->prev_disk_bytes[0]) / t->dt_s : 0);
    osc__vals_put(t->vals, "system.disk.write_bytes_per_s",
                  wr >= st->prev_disk_bytes[1] ? (double)(wr - st->prev_disk_bytes[1]) / t->dt_s : 0);
  }
  st->prev_disk_bytes[0] = rd;
  st->prev_disk_bytes[1] = wr;
  st->have_prev_disk = true;
  return OSC_OK;
}
