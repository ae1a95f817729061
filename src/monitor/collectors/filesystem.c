/*
 * monitor/collectors/filesystem.c - statvfs() of the real mounts listed in
 * <proc>/self/mountinfo, as node_filesystem_*{device,fstype,mountpoint}.
 * Pseudo filesystems and node_exporter's excluded mount points are skipped;
 * a mount point seen twice is reported once.
 * Series: system.disk.{usage,available,total} for "/" (the original's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

static const char *const skip_fs[] = {"autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs",
                                      "devpts", "devtmpfs", "fusectl", "hugetlbfs", "iso9660", "mqueue", "nsfs",
                                      "overlay", "proc", "procfs", "pstore", "rpc_pipefs", "securityfs", "selinuxfs",
                                      "squashfs", "sysfs", "tracefs", "fuse.lxcfs", "fuse.portal", "ramfs", NULL};

static bool skip_mount(const char *mp, const char *fstype) {
  for (int i = 0; skip_fs[i]; i++)
    if (!strcmp(fstype, skip_fs[i])) return true;
  static const char *const pre[] = {"/dev", "/proc", "/run", "/sys", "/mnt", "/media", NULL};
  for (int i = 0; pre[i]; i++) {
    size_t l = strlen(pre[i]);
    if (!strncmp(mp, pre[i], l) && (mp[l] == '\0' || mp[l] == '/')) return true;
  }
  if (!strncmp(mp, "/var/lib/docker/", 16) || !strncmp(mp, "/var/lib/containers/storage/", 28)) return true;
  return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r;) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 4;
    } else {
      *w++ = *r++;
    }
  }
  *w = '\0';
}

int osc__col_filesystem(osc_monitor *m, osc__tick *t) {
  osc__col_state *st = &m->cs;
  char path[600];
  snprintf(path, sizeof path, "%s/self/mountinfo", m->proc_root);
  int rc = osc__read_small(path, &st->buf);
  if (rc) return osc_seterr(rc, "%s: cannot read", path);
  int seen = 0;
  char *save = NULL;
  /* Mount points already reported (bounded list, kept in buf2 as NUL-separated strings). */
  osc_buf_reset(&st->buf2);
  for (char *line = strtok_r(st->buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[16];
    int n = osc__split_ws(line, f, 16);
    int dash = -1;
    for (int i = 6; i < n; i++)
      if (!strcmp(f[i], "-")) {
        dash = i;
        break;
      }
    if (dash < 0 || dash + 2 >= n) continue;
    char *mp = f[4], *fstype = f[dash + 1], *dev = f[dash + 2];
    unescape(mp);
    unescape(dev);
    if (skip_mount(mp, fstype)) continue;
    bool dup = false;
    for (size_t off = 0; off < st->buf2.len; off += strlen(st->buf2.data + off) + 1)
      if (!strcmp(st->buf2.data + off, mp)) dup = true;
    if (dup) continue;
    osc_buf_puts(&st->buf2, mp);
    osc_buf_putc(&st->buf2, '\0');
    bool ro = strncmp(f[5], "ro", 2) == 0 && (f[5][2] == ',' || f[5][2] == '\0');
    struct statvfs sv;
    bool err = statvfs(mp, &sv) != 0;
    const char *lb[] = {"device", dev, "fstype", fstype, "mountpoint", mp, NULL};
    osc__mset_family(t->set, "node_filesystem_device_error",
                     "Whether an error occurred while getting statistics for the given device.", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", lb, err ? 1 : 0);
    osc__mset_family(t->set, "node_filesystem_readonly", "Filesystem read-only status.", OSC__MT_GAUGE);
    osc__mset_add(t->set, "", lb, ro || (!err && (sv.f_flag & ST_RDONLY)) ? 1 : 0);
    if (err) continue;
    double bs = (double)sv.f_frsize;
    struct {
      const char *name, *help;
      double v;
    } rows[] = {
        {"node_filesystem_size_bytes", "Filesystem size in bytes.", (double)sv.f_blocks * bs},
        {"node_filesystem_free_bytes", "Filesystem free space in bytes.", (double)sv.f_bfree * bs},
        {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
         (double)sv.f_bavail * bs},
        {"node_filesystem_files", "Filesystem total file nodes.", (double)sv.f_files},
        {"node_filesystem_files_free", "Filesystem total free file nodes.", (double)sv.f_ffree},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
      osc__mset_family(t->set, rows[i].name, rows[i].help, OSC__MT_GAUGE);
      osc__mset_add(t->set, "", lb, rows[i].v);
    }
    if (!strcmp(mp, "/")) {
      double total = (double)sv.f_blocks * bs, avail = (double)sv.f_bavail * bs;
      double used = total - (double)sv.f_bfree * bs;
      osc__vals_put(t->vals, "system.disk.total", total);
      osc__vals_put(t->vals, "system.disk.available", avail);
      osc__vals_put(t->vals, "system.disk.usage", used + avail > 0 ? 100.0 * used / (used + avail) : 0);
    }
    seen++;
  }
  if (!seen) return osc_seterr(OSC_ENOENT, "%s: no real filesystem mounted", path);
  return OSC_OK;
}
