/*
 * monitor/collectors/netdev.c - /proc/net/dev as node_network_*_total{device},
 * plus node_network_{up,mtu_bytes,carrier} from <sys>/class/net/<dev>.
 * Interface names may be glued to the first number ("averylonginterf:1234").
 * Series (all interfaces but lo): system.network.{bytes_sent,bytes_recv,
 * packets_sent,packets_recv} (cumulative, as the original) and
 * system.network.{recv,sent}_bytes_per_s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static const char *const rx[8] = {"bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"};
static const char *const tx[8] = {"bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"};

int osc__col_netdev(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int rc = osc__pfile_read(&st->netdev, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", st->netdev.path);
  double sum[4] = {0, 0, 0, 0}; /* rx bytes, tx bytes, rx packets, tx packets */
  int devs = 0;
  char *save = NULL;
  for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = '\0';
    char *dev = line;
    while (*dev == ' ') dev++;
    if (!*dev) continue;
    char *f[16];
    if (osc__split_ws(colon + 1, f, 16) != 16) continue;
    devs++;
    const char *lb[] = {"device", dev, NULL};
    char name[96], help[160];
    for (int i = 0; i < 16; i++) {
      const char *dir = i < 8 ? "receive" : "transmit";
      const char *what = i < 8 ? rx[i] : tx[i - 8];
      snprintf(name, sizeof name, "node_network_%s_%s_total", dir, what);
      snprintf(help, sizeof help, "Network device statistic %s_%s.", dir, what);
      osc__mset_family(t->set, name, help, OSC__MT_COUNTER);
      osc__mset_add(t->set, "", lb, (double)osc__u64(f[i]));
    }
    if (strcmp(dev, "lo") != 0) {
      sum[0] += (double)osc__u64(f[0]);
      sum[2] += (double)osc__u64(f[1]);
      sum[1] += (double)osc__u64(f[8]);
      sum[3] += (double)osc__u64(f[9]);
    }
    /* /sys/class/net/<dev>: state, mtu and carrier (absent for fixtures is fine). */
    char p[700];
    snprintf(p, sizeof p, "%s/class/net/%s/operstate", m->sys_root, dev);
    if (osc__read_cached(st, p, &st->buf2) == OSC_OK) {
      bool up = !strncmp(st->buf2.data, "up", 2);
      osc__mset_family(t->set, "node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", OSC__MT_GAUGE);
      osc__mset_add(t->set, "", lb, up ? 1 : 0);
      snprintf(p, sizeof p, "%s/class/net/%s/mtu", m->sys_root, dev);
      if (osc__read_cached(st, p, &st->buf2) == OSC_OK) {
        osc__mset_family(t->set, "node_network_mtu_bytes", "Network device property: mtu_bytes", OSC__MT_GAUGE);
        osc__mset_add(t->set, "", lb, strtod(st->buf2.data, NULL));
      }
      snprintf(p, sizeof p, "%s/class/net/%s/carrier", m->sys_root, dev);
      if (osc__read_cached(st, p, &st->buf2) == OSC_OK && st->buf2.len > 0) {
        osc__mset_family(t->set, "node_network_carrier", "Network device property: carrier", OSC__MT_GAUGE);
        osc__mset_add(t->set, "", lb, strtod(st->buf2.data, NULL));
      }
    }
  }
  if (!devs) return osc_seterr(OSC_EPARSE, "%s: no interface lines", st->netdev.path);
  osc__vals_put(t->vals, "system.network.bytes_recv", sum[0]);
  osc__vals_put(t->vals, "system.network.bytes_sent", sum[1]);
  osc__vals_put(t->vals, "system.network.packets_recv", sum[2]);
  osc__vals_put(t->vals, "system.network.packets_sent", sum[3]);
  uint64_t r = (uint64_t)sum[0], s = (uint64_t)sum[1];
  if (st->have_prev_net && t->dt_s > 0) {
    osc__vals_put(t->vals, "system.network.recv_bytes_per_s",
                  r >= st->prev_net[0] ? (double)(r - st->prev_net[0]) / t->dt_s : 0);
    osc__vals_put(t->vals, "system.network.sent_bytes_per_s",
                  s >= st->prev_net[1] ? (double)(s - st->prev_net[1]) / t->dt_s : 0);
  }
  st->prev_net[0] = r;
  st->prev_net[1] = s;
  st->have_prev_net = true;
  return OSC_OK;
}
