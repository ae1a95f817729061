/*
 * fuzz/fuzz_exposition.c - label escaping and exposition: arbitrary bytes as
 * family names, HELP, label names and values, and chunk data for the
 * decoder; the rendered text must always pass our structural checks (one
 * TYPE per family, valid escapes, LF endings) - abort() otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "monitor/internal.h"

static void check(const char *t, size_t n) {
  if (n && t[n - 1] != '\n') abort();
  for (size_t i = 0; i < n; i++) {
    if (t[i] == '\r') abort();
    if (t[i] == '"' ) {
      /* inside a label value every quote must be escaped: the char before an unescaped
       * quote is = (opening) or the value ends with }, , or " - checked loosely below */
    }
  }
  /* every line: comment or NAME[{...}] VALUE with balanced quotes */
  const char *p = t, *end = t + n;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) abort();
    if (*p != '#') {
      int inq = 0;
      for (const char *q = p; q < nl; q++) {
        if (inq && *q == '\\') {
          if (q + 1 >= nl || (q[1] != '\\' && q[1] != '"' && q[1] != 'n')) abort();
          q++;
        } else if (*q == '"') {
          inq = !inq;
        }
      }
      if (inq) abort();
    }
    p = nl + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  osc_monitor_point *pts = NULL;
  size_t np = 0;
  if (osc__chunk_decode(data, size, &pts, &np) == 0) free(pts);
  /* split input into up to 6 NUL-separated strings */
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  const char *parts[6] = {"", "", "", "", "", ""};
  size_t k = 0;
  char *p = buf;
  parts[k++] = p;
  for (size_t i = 0; i < size && k < 6; i++)
    if (buf[i] == '\0' || buf[i] == '|') {
      buf[i] = '\0';
      parts[k++] = buf + i + 1;
    }
  osc__mset *s = osc__mset_new();
  osc__mset_family(s, parts[0][0] ? parts[0] : "x", parts[1], OSC__MT_COUNTER);
  const char *lb[] = {parts[2][0] ? parts[2] : "l", parts[3], "other", parts[4], NULL};
  osc__mset_add(s, "", lb, (double)size);
  osc__mset_add(s, "", lb, 1);
  osc__mset_family(s, parts[4][0] ? parts[4] : "y", parts[5], OSC__MT_GAUGE);
  osc__mset_add(s, "_x", NULL, -1.5);
  for (int f = 0; f < 2; f++) {
    osc_buf b = OSC_BUF_INIT;
    osc__mset_render(s, (osc_expo_format)f, &b);
    check(b.data ? b.data : "", b.len);
    osc_buf_release(&b);
  }
  osc__mset_free(s);
  free(buf);
  return 0;
}
