/*
 * server/app.h - the application object the server and its routes share.
 *
 * Services open in module order (core first) and close in reverse.  Each
 * service stores its component handle in its own field; a route reads it
 * through osc_req_app(req)->cache etc. and answers 503 when it is NULL.
 */
#ifndef OSC_SERVER_APP_H
#define OSC_SERVER_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "oscontent/config.h"

struct osc_cache;
struct osc_tasks;
struct osc_monitor;
struct osc_nlp;
struct osc_video;
struct osc_security;

typedef struct osc_app {
  osc_config *cfg;          /* effective settings (owned by the caller of osc_server_run) */
  char *data_dir;           /* absolute, created */
  int64_t started_wall_ms;  /* for /health uptime */
  uint64_t started_mono_ns;
  atomic_bool stopping;     /* set on SIGTERM/SIGINT */
  struct osc_cache *cache;
  struct osc_tasks *tasks;
  struct osc_monitor *monitor;
  struct osc_nlp *nlp;
  struct osc_video *video;
  struct osc_security *security;
  void *ext[8];             /* room for later components */
  /* Hook called by the server after every response (set by the monitor
   * service to record HTTP metrics); may be NULL.  Runs on worker threads. */
  void (*on_request)(struct osc_app *app, const char *route_name, const char *method, int status,
                     uint64_t duration_ns);
} osc_app;

#endif
