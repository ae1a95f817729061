/*
 * core/log.c - leveled logging.
 *
 * The level is an atomic read on the fast path, so a disabled OSC_LOG costs
 * one load and a compare.  The built-in handler formats one whole line into a
 * stack buffer and writes it with a single fwrite under the stream's lock, so
 * lines from different threads never interleave.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/clock.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

static _Atomic int g_level = OSC_LOG_INFO;
static osc_log_handler g_handler;
static void *g_handler_ud;
static FILE *g_stream;
static osc_log_format g_format = OSC_LOG_FORMAT_TEXT;
static pthread_mutex_t g_write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error", "off"};

const char *osc_log_level_name(osc_log_level level) {
  if ((int)level < 0 || level > OSC_LOG_OFF) return "?";
  return level_names[level];
}

int osc_log_level_parse(const char *text, osc_log_level *out) {
  for (int i = 0; i <= OSC_LOG_OFF; i++) {
    if (text && strcasecmp(text, level_names[i]) == 0) {
      *out = (osc_log_level)i;
      return OSC_OK;
    }
  }
  if (text && strcasecmp(text, "warning") == 0) {
    *out = OSC_LOG_WARN;
    return OSC_OK;
  }
  return osc_seterr(OSC_EINVAL, "log level '%s': expected one of trace|debug|info|warn|error|off",
                    text ? text : "(null)");
}

void osc_log_set_level(osc_log_level level) { atomic_store(&g_level, (int)level); }
osc_log_level osc_log_get_level(void) { return (osc_log_level)atomic_load(&g_level); }
bool osc_log_enabled(osc_log_level level) {
  return (int)level >= atomic_load_explicit(&g_level, memory_order_relaxed) && level < OSC_LOG_OFF;
}

void osc_log_set_handler(osc_log_handler handler, void *ud) {
  g_handler = handler;
  g_handler_ud = ud;
}

void osc_log_use_stream(FILE *fp, osc_log_format format) {
  g_handler = NULL;
  g_stream = fp;
  g_format = format;
}

static void builtin_handler(osc_log_level level, const char *module, const char *msg) {
  FILE *fp = g_stream ? g_stream : stderr;
  char ts[40];
  osc_iso8601(osc_wall_ms(), ts, sizeof ts);
  osc_buf b = OSC_BUF_INIT;
  if (g_format == OSC_LOG_FORMAT_JSON) {
    osc_buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"module\":", ts, osc_log_level_name(level));
    osc_buf_put_json_str(&b, module ? module : "", module ? strlen(module) : 0);
    osc_buf_puts(&b, ",\"msg\":");
    osc_buf_put_json_str(&b, msg, strlen(msg));
    osc_buf_puts(&b, "}\n");
  } else {
    osc_buf_printf(&b, "%s %-5s [%s] %s\n", ts, osc_log_level_name(level), module ? module : "-", msg);
  }
  if (!b.oom) {
    /* our own lock as well as the stream's: ThreadSanitizer cannot see
     * glibc's internal FILE lock */
    pthread_mutex_lock(&g_write_lock);
    flockfile(fp);
    fwrite(b.data, 1, b.len, fp);
    fflush(fp);
    funlockfile(fp);
    pthread_mutex_unlock(&g_write_lock);
  }
  osc_buf_release(&b);
}

void osc_log_vwrite(osc_log_level level, const char *module, const char *fmt, va_list ap) {
  if (!osc_log_enabled(level)) return;
  char msg[2048];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n > 0 && msg[n - 1] == '\n') msg[--n] = '\0';
  if (g_handler) {
    g_handler(g_handler_ud, level, module, msg);
  } else {
    builtin_handler(level, module, msg);
  }
}

void osc_log_write(osc_log_level level, const char *module, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  osc_log_vwrite(level, module, fmt, ap);
  va_end(ap);
}
