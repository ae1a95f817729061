/*
 * core/buf.c - growable byte buffer.  Capacity doubles; data is always
 * NUL-terminated once anything was appended.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "oscontent/error.h"

void osc_buf_init(osc_buf *b) { memset(b, 0, sizeof *b); }

void osc_buf_release(osc_buf *b) {
  if (!b) return;
  free(b->data);
  memset(b, 0, sizeof *b);
}

void osc_buf_reset(osc_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

int osc_buf_reserve(osc_buf *b, size_t extra) {
  if (b->oom) return OSC_ENOMEM;
  if (extra > SIZE_MAX / 2 - b->len) goto oom;
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return OSC_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) goto oom;
  b->data = p;
  b->cap = cap;
  return OSC_OK;
oom:
  b->oom = true;
  return osc_seterr(OSC_ENOMEM, "buffer: cannot grow by %zu bytes", extra);
}

int osc_buf_append(osc_buf *b, const void *p, size_t n) {
  int rc = osc_buf_reserve(b, n);
  if (rc) return rc;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return OSC_OK;
}

int osc_buf_puts(osc_buf *b, const char *s) { return osc_buf_append(b, s, strlen(s)); }
int osc_buf_putc(osc_buf *b, char c) { return osc_buf_append(b, &c, 1); }

int osc_buf_vprintf(osc_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap2);
  va_end(ap2);
  if (n < 0) return osc_seterr(OSC_EINVAL, "buffer: bad format");
  if ((size_t)n < sizeof small) return osc_buf_append(b, small, (size_t)n);
  int rc = osc_buf_reserve(b, (size_t)n);
  if (rc) return rc;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return OSC_OK;
}

int osc_buf_printf(osc_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = osc_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

int osc_buf_put_json_str(osc_buf *b, const char *s, size_t n) {
  /* the same escapes as jansson's json_dumps, so hand-written and jansson JSON compare byte for byte */
  static const char hex[] = "0123456789ABCDEF";
  int rc = osc_buf_reserve(b, n + 2);
  if (rc) return rc;
  osc_buf_putc(b, '"');
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    osc_buf_append(b, s + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': osc_buf_puts(b, "\\\""); break;
      case '\\': osc_buf_puts(b, "\\\\"); break;
      case '\b': osc_buf_puts(b, "\\b"); break;
      case '\f': osc_buf_puts(b, "\\f"); break;
      case '\n': osc_buf_puts(b, "\\n"); break;
      case '\r': osc_buf_puts(b, "\\r"); break;
      case '\t': osc_buf_puts(b, "\\t"); break;
      default: {
        char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        osc_buf_append(b, esc, 6);
      }
    }
  }
  osc_buf_append(b, s + start, n - start);
  return osc_buf_putc(b, '"');
}

char *osc_buf_detach(osc_buf *b, size_t *len) {
  if (b->oom) {
    osc_buf_release(b);
    return NULL;
  }
  if (!b->data && osc_buf_reserve(b, 0)) return NULL;
  if (b->len == 0) b->data[0] = '\0';
  char *p = b->data;
  if (len) *len = b->len;
  memset(b, 0, sizeof *b);
  return p;
}
