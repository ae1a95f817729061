/*
 * monitor/collectors/netstat.c - /proc/net/snmp and /proc/net/netstat
 * (header line + value line per protocol) with node_exporter's default field
 * filter, untyped as in node_exporter; and /proc/net/sockstat as
 * node_sockstat_* gauges.  Series: system.network.tcp.established,
 * system.network.tcp.retrans_segs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static bool prefix_in(const char *s, const char *const *list) {
  for (int i = 0; list[i]; i++)
    if (!strncmp(s, list[i], strlen(list[i]))) return true;
  return false;
}

/* ^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|
 *   TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|
 *   Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|
 *   Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$ */
static bool wanted(const char *proto, const char *field) {
  if (!strcmp(field, "InErrors") || !strcmp(field, "InErrs")) return true;
  if (!strcmp(proto, "Ip")) return !strcmp(field, "Forwarding");
  if (!strcmp(proto, "Ip6") || !strcmp(proto, "IpExt")) return !strcmp(field, "InOctets") || !strcmp(field, "OutOctets");
  if (!strcmp(proto, "Icmp") || !strcmp(proto, "Icmp6")) return !strcmp(field, "InMsgs") || !strcmp(field, "OutMsgs");
  if (!strcmp(proto, "TcpExt")) {
    static const char *const p[] = {"Listen", "Syncookies", NULL};
    return prefix_in(field, p) || !strcmp(field, "TCPSynRetrans") || !strcmp(field, "TCPTimeouts") ||
           !strcmp(field, "TCPOFOQueue") || !strcmp(field, "TCPRcvQDrop");
  }
  if (!strcmp(proto, "Tcp")) {
    static const char *const f[] = {"ActiveOpens", "InSegs", "OutSegs", "OutRsts", "PassiveOpens", "RetransSegs",
                                    "CurrEstab", NULL};
    for (int i = 0; f[i]; i++)
      if (!strcmp(field, f[i])) return true;
    return false;
  }
  if (!strcmp(proto, "Udp") || !strcmp(proto, "Udp6") || !strcmp(proto, "UdpLite")) {
    static const char *const f[] = {"InDatagrams", "OutDatagrams", "NoPorts", "RcvbufErrors", "SndbufErrors", NULL};
    for (int i = 0; f[i]; i++)
      if (!strcmp(field, f[i])) return true;
  }
  return false;
}

static int pairs(osc__tick *t, char *text, int *found) {
  char *save = NULL;
  char *hdr = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (!hdr) {
      hdr = line;
      continue;
    }
    char *hf[160], *vf[160];
    int hn = osc__split_ws(hdr, hf, 160), vn = osc__split_ws(line, vf, 160);
    hdr = NULL;
    if (hn != vn || hn < 2) continue;
    size_t pl = strlen(hf[0]);
    if (pl < 2 || hf[0][pl - 1] != ':' || strcmp(hf[0], vf[0]) != 0) continue;
    hf[0][pl - 1] = '\0';
    for (int i = 1; i < hn; i++) {
      if (!wanted(hf[0], hf[i])) continue;
      char name[160], help[200];
      snprintf(name, sizeof name, "node_netstat_%s_%s", hf[0], hf[i]);
      snprintf(help, sizeof help, "Statistic %s%s.", hf[0], hf[i]);
      osc__mset_family(t->set, name, help, OSC__MT_UNTYPED);
      double v = strtod(vf[i], NULL);
      osc__mset_add(t->set, "", NULL, v);
      if (!strcmp(hf[0], "Tcp") && !strcmp(hf[i], "CurrEstab")) osc__vals_put(t->vals, "system.network.tcp.established", v);
      if (!strcmp(hf[0], "Tcp") && !strcmp(hf[i], "RetransSegs")) osc__vals_put(t->vals, "system.network.tcp.retrans_segs", v);
      (*found)++;
    }
  }
  return OSC_OK;
}

int osc__col_netstat(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  int found = 0;
  int rc = osc__pfile_read(&st->snmp, &st->buf);
  if (rc == OSC_OK) pairs(t, st->buf.data, &found);
  rc = osc__pfile_read(&st->netstat, &st->buf);
  if (rc == OSC_OK) pairs(t, st->buf.data, &found);
  rc = osc__pfile_read(&st->sockstat, &st->buf);
  if (rc == OSC_OK) {
    char *save = NULL;
    for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *f[16];
      int n = osc__split_ws(line, f, 16);
      if (n < 3) continue;
      size_t pl = strlen(f[0]);
      if (f[0][pl - 1] != ':') continue;
      f[0][pl - 1] = '\0';
      for (int i = 1; i + 1 < n; i += 2) {
        char name[128], help[160];
        if (!strcmp(f[0], "sockets")) snprintf(name, sizeof name, "node_sockstat_sockets_%s", f[i]);
        else snprintf(name, sizeof name, "node_sockstat_%s_%s", f[0], f[i]);
        snprintf(help, sizeof help, "Number of %s sockets in state %s.", f[0], f[i]);
        osc__mset_family(t->set, name, help, OSC__MT_GAUGE);
        double v = strtod(f[i + 1], NULL);
        osc__mset_add(t->set, "", NULL, v);
        found++;
        if (!strcmp(f[i], "mem")) {
          char nb[140];
          snprintf(nb, sizeof nb, "%s_bytes", name);
          osc__mset_family(t->set, nb, "Number of socket memory bytes in use.", OSC__MT_GAUGE);
          osc__mset_add(t->set, "", NULL, v * (double)st->page_size);
        }
      }
    }
  }
  if (!found) return osc_seterr(OSC_EUNSUPPORTED, "%s: no network statistics", st->snmp.path);
  return OSC_OK;
}
