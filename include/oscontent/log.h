/*
 * oscontent/log.h - leveled logging through a pluggable handler.
 *
 * The library never prints: it calls the installed handler.  The default
 * handler writes text lines to stderr at level INFO.  OSC_LOG() checks the
 * level before any formatting happens.
 *
 * Thread safety: logging is safe from any thread.  Set the handler and level
 * at start-up, before other threads log.
 */
#ifndef OSCONTENT_LOG_H
#define OSCONTENT_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include "oscontent/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum osc_log_level {
  OSC_LOG_TRACE = 0,
  OSC_LOG_DEBUG = 1,
  OSC_LOG_INFO = 2,
  OSC_LOG_WARN = 3,
  OSC_LOG_ERROR = 4,
  OSC_LOG_OFF = 5
} osc_log_level;

typedef enum osc_log_format { OSC_LOG_FORMAT_TEXT = 0, OSC_LOG_FORMAT_JSON = 1 } osc_log_format;

/**
 * A log handler.  @p module is a short component name ("cache"), @p msg the
 * formatted message without a trailing newline.  Both are valid only during
 * the call.
 */
typedef void (*osc_log_handler)(void *ud, osc_log_level level, const char *module, const char *msg);

/** Installs @p handler (NULL restores the default stderr handler). */
OSC_API void osc_log_set_handler(osc_log_handler handler, void *ud);
OSC_API void osc_log_set_level(osc_log_level level);
OSC_API osc_log_level osc_log_get_level(void);
/** Chooses text or JSON-lines output for the built-in handler, writing to @p fp (NULL = stderr). */
OSC_API void osc_log_use_stream(FILE *fp, osc_log_format format);
OSC_API bool osc_log_enabled(osc_log_level level);
/** Parses "trace|debug|info|warn|error|off"; returns OSC_EINVAL for other text. */
OSC_API int osc_log_level_parse(const char *text, osc_log_level *out);
OSC_API const char *osc_log_level_name(osc_log_level level);

OSC_API void osc_log_write(osc_log_level level, const char *module, const char *fmt, ...) OSC_PRINTF(3, 4);
OSC_API void osc_log_vwrite(osc_log_level level, const char *module, const char *fmt, va_list ap) OSC_PRINTF(3, 0);

#define OSC_LOG(level, module, ...)                                                                \
  do {                                                                                             \
    if (osc_log_enabled(level)) osc_log_write((level), (module), __VA_ARGS__);                     \
  } while (0)
#define OSC_DEBUG(module, ...) OSC_LOG(OSC_LOG_DEBUG, module, __VA_ARGS__)
#define OSC_INFO(module, ...) OSC_LOG(OSC_LOG_INFO, module, __VA_ARGS__)
#define OSC_WARN(module, ...) OSC_LOG(OSC_LOG_WARN, module, __VA_ARGS__)
#define OSC_ERROR(module, ...) OSC_LOG(OSC_LOG_ERROR, module, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
