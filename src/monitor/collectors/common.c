/*
 * monitor/collectors/common.c - helpers every collector uses: kept-open
 * /proc files read with pread (the cheapest way to re-read them, see
 * monitor_anchors.md section 3), field splitting, tick values.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/internal.h"
#include "oscontent/error.h"

void osc__pfile_init(osc__pfile *f, const char *root, const char *rel) {
  snprintf(f->path, sizeof f->path, "%s/%s", root, rel);
  f->fd = -1;
}

void osc__pfile_close(osc__pfile *f) {
  if (f->fd >= 0) close(f->fd);
  f->fd = -1;
}

static int read_fd(int fd, osc_buf *b, bool use_pread) {
  osc_buf_reset(b);
  off_t off = 0;
  for (;;) {
    if (osc_buf_reserve(b, 4096)) return OSC_ENOMEM;
    ssize_t r = use_pread ? pread(fd, b->data + b->len, b->cap - b->len - 1, off)
                          : read(fd, b->data + b->len, b->cap - b->len - 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return OSC_EIO;
    }
    if (r == 0) break;
    b->len += (size_t)r;
    off += r;
  }
  b->data[b->len] = '\0';
  return OSC_OK;
}

int osc__pfile_read(osc__pfile *f, osc_buf *b) {
  for (int attempt = 0; attempt < 2; attempt++) {
    if (f->fd < 0) {
      f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
      if (f->fd < 0) return errno == ENOENT || errno == ENOTDIR ? OSC_ENOENT : OSC_EIO;
    }
    if (read_fd(f->fd, b, true) == OSC_OK) return OSC_OK;
    osc__pfile_close(f); /* stale fd: reopen once */
  }
  return OSC_EIO;
}

int osc__read_small(const char *path, osc_buf *b) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    osc_buf_reset(b);
    return errno == ENOENT || errno == ENOTDIR ? OSC_ENOENT : OSC_EIO;
  }
  int rc = read_fd(fd, b, false);
  close(fd);
  return rc;
}

int osc__split_ws(char *line, char **fields, int max) {
  int n = 0;
  char *p = line;
  while (*p && n < max) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p || *p == '\n') break;
    fields[n++] = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n') p++;
    if (*p) *p++ = '\0';
  }
  return n;
}

uint64_t osc__u64(const char *s) {
  if (!s) return 0;
  return strtoull(s, NULL, 10);
}

void osc__vals_put(osc__vals *vs, const char *name, double v) {
  if (vs->n == vs->cap) {
    size_t nc = vs->cap ? vs->cap * 2 : 64;
    osc__val *nv = realloc(vs->v, nc * sizeof(*nv));
    if (!nv) return;
    vs->v = nv;
    vs->cap = nc;
  }
  snprintf(vs->v[vs->n].name, sizeof vs->v[vs->n].name, "%s", name);
  vs->v[vs->n].v = v;
  vs->n++;
}

void osc__vals_release(osc__vals *vs) {
  free(vs->v);
  vs->v = NULL;
  vs->n = vs->cap = 0;
}

void osc__col_state_release(osc__col_state *st) {
  osc__pfile *all[] = {&st->stat, &st->meminfo, &st->loadavg, &st->diskstats, &st->netdev, &st->snmp,
                       &st->netstat, &st->vmstat, &st->filenr, &st->sockstat, &st->psi[0], &st->psi[1],
                       &st->psi[2], &st->psi[3], &st->self_stat, &st->self_status};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) osc__pfile_close(all[i]);
  for (size_t i = 0; i < st->nfcache; i++) osc__pfile_close(&st->fcache[i]);
  free(st->fcache);
  st->fcache = NULL;
  st->nfcache = 0;
  free(st->groups);
  free(st->pprev);
  st->groups = NULL;
  st->pprev = NULL;
}

#define FCACHE_MAX 64

int osc__read_cached(osc__col_state *st, const char *path, osc_buf *b) {
  for (size_t i = 0; i < st->nfcache; i++)
    if (!strcmp(st->fcache[i].path, path)) return osc__pfile_read(&st->fcache[i], b);
  if (strlen(path) >= sizeof st->fcache[0].path) return osc__read_small(path, b);
  if (!st->fcache) {
    st->fcache = calloc(FCACHE_MAX, sizeof *st->fcache);
    if (!st->fcache) return osc__read_small(path, b);
  }
  if (st->nfcache == FCACHE_MAX) return osc__read_small(path, b);
  osc__pfile *f = &st->fcache[st->nfcache++];
  snprintf(f->path, sizeof f->path, "%s", path);
  f->fd = -1;
  return osc__pfile_read(f, b);
}
