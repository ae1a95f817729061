/*
 * security/audit.c - append-only JSON-lines audit log with size rotation.
 *
 * Each event is formatted into one buffer and written with a single write()
 * on an O_APPEND descriptor, so lines from threads (and processes) never
 * interleave.  Rotation renames path -> path.1 -> ... -> path.keep under the
 * handle's mutex and reopens.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/security.h"

struct osc_audit {
  pthread_mutex_t mu;
  char *path;
  int fd;
  uint64_t size, max_bytes;
  int keep;
};

static int reopen(osc_audit *a) {
  if (a->fd >= 0) close(a->fd);
  a->fd = open(a->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (a->fd < 0) return osc_seterr(OSC_EIO, "audit log %s: %s", a->path, strerror(errno));
  struct stat st;
  a->size = fstat(a->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
  return OSC_OK;
}

int osc_audit_open(const char *path, uint64_t max_bytes, int keep, osc_audit **out) {
  osc_audit *a = calloc(1, sizeof *a);
  if (!a) return osc_seterr(OSC_ENOMEM, "audit: out of memory");
  pthread_mutex_init(&a->mu, NULL);
  a->fd = -1;
  a->path = osc_strdup(path);
  a->max_bytes = max_bytes;
  a->keep = keep < 1 ? 1 : keep;
  int rc = a->path ? reopen(a) : OSC_ENOMEM;
  if (rc) {
    osc_audit_close(a);
    return rc;
  }
  *out = a;
  return OSC_OK;
}

void osc_audit_close(osc_audit *a) {
  if (!a) return;
  if (a->fd >= 0) close(a->fd);
  pthread_mutex_destroy(&a->mu);
  free(a->path);
  free(a);
}

static void rotate(osc_audit *a) {
  for (int i = a->keep; i >= 1; i--) {
    char *from = i == 1 ? osc_strdup(a->path) : osc_asprintf("%s.%d", a->path, i - 1);
    char *to = osc_asprintf("%s.%d", a->path, i);
    if (from && to) rename(from, to);
    free(from);
    free(to);
  }
  reopen(a);
}

static void put_field(osc_buf *b, const char *name, const char *v) {
  osc_buf_printf(b, ",\"%s\":", name);
  if (v)
    osc_buf_put_json_str(b, v, strlen(v));
  else
    osc_buf_puts(b, "null");
}

int osc_audit_write(osc_audit *a, const osc_audit_event *ev) {
  char ts[40];
  osc_iso8601(osc_wall_ms(), ts, sizeof ts);
  osc_buf b = OSC_BUF_INIT;
  osc_buf_printf(&b, "{\"time\":\"%s\"", ts);
  put_field(&b, "event", ev->event ? ev->event : "request");
  put_field(&b, "key_id", ev->key_id);
  put_field(&b, "addr", ev->addr);
  put_field(&b, "method", ev->method);
  put_field(&b, "route", ev->route);
  put_field(&b, "path", ev->path);
  osc_buf_printf(&b, ",\"status\":%d", ev->status);
  put_field(&b, "request_id", ev->request_id);
  if (ev->detail) put_field(&b, "detail", ev->detail);
  osc_buf_puts(&b, "}\n");
  if (b.oom) {
    osc_buf_release(&b);
    return osc_seterr(OSC_ENOMEM, "audit: out of memory");
  }
  pthread_mutex_lock(&a->mu);
  int rc = OSC_OK;
  if (a->max_bytes && a->size + b.len > a->max_bytes && a->size > 0) rotate(a);
  if (a->fd < 0 && reopen(a) != OSC_OK) {
    rc = OSC_EIO;
  } else {
    ssize_t w = write(a->fd, b.data, b.len);
    if (w != (ssize_t)b.len) {
      int e = w < 0 ? errno : ENOSPC;
      rc = osc_seterr(e == ENOSPC ? OSC_ENOSPC : OSC_EIO, "audit log %s: %s", a->path, strerror(e));
    } else {
      a->size += b.len;
    }
  }
  pthread_mutex_unlock(&a->mu);
  osc_buf_release(&b);
  return rc;
}
