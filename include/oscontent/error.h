/*
 * oscontent/error.h - the one error enum of the library.
 *
 * Every action returns an int: OSC_OK (0) or a negative osc_err.  The values
 * are frozen once released; append new ones at the end of the X-macro list.
 * A thread-local detail message (osc_errmsg) says what exactly went wrong,
 * e.g. "cache.default_ttl_ms: -5 is below 0".
 *
 * Thread safety: all functions are safe from any thread; osc_errmsg() is
 * per-thread.
 */
#ifndef OSCONTENT_ERROR_H
#define OSCONTENT_ERROR_H

#include <stdarg.h>
#include "oscontent/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, http_status, text) */
#define OSC_ERR_LIST(X)                                                    \
  X(OK,          0, 200, "success")                                        \
  X(EINVAL,     -1, 400, "invalid argument")                               \
  X(ENOMEM,     -2, 500, "out of memory")                                  \
  X(ENOENT,     -3, 404, "not found")                                      \
  X(EEXIST,     -4, 409, "already exists")                                 \
  X(EIO,        -5, 500, "input/output error")                             \
  X(ETIMEDOUT,  -6, 504, "timed out")                                      \
  X(EBUSY,      -7, 503, "busy, try again later")                          \
  X(ECANCELED,  -8, 409, "canceled")                                       \
  X(ECLOSED,    -9, 503, "shut down")                                      \
  X(EUNAVAIL,  -10, 503, "backend unavailable")                            \
  X(ECORRUPT,  -11, 500, "corrupt data")                                   \
  X(ETOOBIG,   -12, 413, "too large")                                      \
  X(ENOSPC,    -13, 507, "no space left")                                  \
  X(EPERM,     -14, 403, "permission denied")                              \
  X(EAUTH,     -15, 401, "authentication required")                        \
  X(ERATE,     -16, 429, "rate limited")                                   \
  X(EUNSUPPORTED, -17, 501, "not supported")                               \
  X(EPROTO,    -18, 502, "protocol error")                                 \
  X(ESTATE,    -19, 409, "invalid state")                                  \
  X(EPARSE,    -20, 400, "parse error")                                    \
  X(EMETHOD,   -21, 405, "method not allowed")                             \
  X(EINTERNAL, -22, 500, "internal error")                                 \
  X(EAGAIN,    -23, 503, "resource temporarily unavailable")               \
  X(EMEDIA,    -24, 415, "unsupported media type")

typedef enum osc_err {
#define OSC__ERR_ENUM(name, value, status, text) OSC_##name = value,
  OSC_ERR_LIST(OSC__ERR_ENUM)
#undef OSC__ERR_ENUM
} osc_err;

/** Human text for an error code ("not found"); static storage, never NULL. */
OSC_API const char *osc_strerror(int err);

/** Symbolic name of an error code ("OSC_ENOENT"); static storage, never NULL. */
OSC_API const char *osc_err_name(int err);

/** The HTTP status an error maps to (the one map used by the server). */
OSC_API int osc_err_http_status(int err);

/**
 * Detail of the last error set on this thread ("" when none).  Valid until
 * the next library call on this thread that sets an error.
 */
OSC_API const char *osc_errmsg(void);

/**
 * Sets this thread's detail message and returns @p err, so that callers can
 * write `return osc_seterr(OSC_EINVAL, "ttl_ms: %d is below 0", ttl);`.
 */
OSC_API int osc_seterr(int err, const char *fmt, ...) OSC_PRINTF(2, 3);
OSC_API int osc_vseterr(int err, const char *fmt, va_list ap) OSC_PRINTF(2, 0);

/** Clears this thread's detail message. */
OSC_API void osc_clearerr(void);

#ifdef __cplusplus
}
#endif
#endif
