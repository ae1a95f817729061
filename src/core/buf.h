/*
 * core/buf.h - growable byte buffer (internal).
 *
 * The buffer always keeps a NUL after its contents so it can be used as a C
 * string.  On allocation failure the buffer sets `oom` and ignores further
 * appends, so a caller can append many pieces and check once.
 */
#ifndef OSC_CORE_BUF_H
#define OSC_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "oscontent/common.h"

typedef struct osc_buf {
  char *data;
  size_t len;
  size_t cap;
  bool oom;
} osc_buf;

#define OSC_BUF_INIT {NULL, 0, 0, false}

OSC_API void osc_buf_init(osc_buf *b);
OSC_API void osc_buf_release(osc_buf *b);
OSC_API void osc_buf_reset(osc_buf *b);                 /* len = 0, keeps memory */
OSC_API int osc_buf_reserve(osc_buf *b, size_t extra);  /* OSC_OK or OSC_ENOMEM */
OSC_API int osc_buf_append(osc_buf *b, const void *p, size_t n);
OSC_API int osc_buf_puts(osc_buf *b, const char *s);
OSC_API int osc_buf_putc(osc_buf *b, char c);
OSC_API int osc_buf_printf(osc_buf *b, const char *fmt, ...) OSC_PRINTF(2, 3);
OSC_API int osc_buf_vprintf(osc_buf *b, const char *fmt, va_list ap) OSC_PRINTF(2, 0);
/** Appends @p s as a JSON string literal with quotes (escapes control chars, quote, backslash). */
OSC_API int osc_buf_put_json_str(osc_buf *b, const char *s, size_t n);
/** Hands the contents to the caller (malloc'd, NUL-terminated, never NULL unless OOM) and resets b. */
OSC_API char *osc_buf_detach(osc_buf *b, size_t *len);

#endif
