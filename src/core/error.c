/*
 * core/error.c - error names, texts and the thread-local detail message.
 */
#include <stdio.h>
#include <string.h>

#include "oscontent/error.h"

static _Thread_local char tl_errmsg[512];

const char *osc_strerror(int err) {
  switch (err) {
#define OSC__ERR_TEXT(name, value, status, text) case value: return text;
    OSC_ERR_LIST(OSC__ERR_TEXT)
#undef OSC__ERR_TEXT
  }
  return "unknown error";
}

const char *osc_err_name(int err) {
  switch (err) {
#define OSC__ERR_NAME(name, value, status, text) case value: return "OSC_" #name;
    OSC_ERR_LIST(OSC__ERR_NAME)
#undef OSC__ERR_NAME
  }
  return "OSC_EUNKNOWN";
}

int osc_err_http_status(int err) {
  switch (err) {
#define OSC__ERR_STATUS(name, value, status, text) case value: return status;
    OSC_ERR_LIST(OSC__ERR_STATUS)
#undef OSC__ERR_STATUS
  }
  return 500;
}

const char *osc_errmsg(void) { return tl_errmsg; }

int osc_vseterr(int err, const char *fmt, va_list ap) {
  if (fmt) {
    vsnprintf(tl_errmsg, sizeof tl_errmsg, fmt, ap);
  } else {
    snprintf(tl_errmsg, sizeof tl_errmsg, "%s", osc_strerror(err));
  }
  return err;
}

int osc_seterr(int err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  osc_vseterr(err, fmt, ap);
  va_end(ap);
  return err;
}

void osc_clearerr(void) { tl_errmsg[0] = '\0'; }

const char *osc_version(void) { return OSC_VERSION_STRING; }
