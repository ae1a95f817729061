/*
 * server/route_core.c - the core's routes: GET /health, GET /openapi.json
 * and the hidden test route GET /debug/sleep (only with
 * server.debug_routes=true).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/json.h"
#include "oscontent/config.h"
#include "oscontent/error.h"
#include "server/app.h"
#include "server/http.h"
#include "server/server.h"

/* {status, version, timestamp, uptime, components: {name: {ready, ...}}}.
 * "healthy" when every service is ready, "degraded" otherwise (still 200,
 * as the original); 503 "stopping" once shutdown has begun so that load
 * balancers drain this instance.
 *
 * Speed: load balancers and monitors poll this route, and benchmarks hammer
 * it, so the per-component part (each service's health() and its JSON) is
 * built at most once per HEALTH_CACHE_NS and shared by every worker thread;
 * the rest (status, timestamp, uptime) is written fresh for every request
 * without jansson.  So component fields may be up to 100 ms old; "stopping"
 * is never cached. */
#define HEALTH_CACHE_NS (100ull * 1000 * 1000)

typedef struct health_cache {
  pthread_mutex_t mu;
  const osc_app *app; /* the server the cached text belongs to */
  uint64_t at_ns;     /* osc_now_ns() when built; 0 = empty */
  bool all_ready;
  char *text; /* "\"version\":...,\"components\":{...}" (malloc'd) */
  size_t len;
} health_cache;

static health_cache g_health = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Builds the cached part: the version and every component's readiness. */
static int health_build(osc_app *app, char **text, size_t *len, bool *all_ready) {
  json_t *comps = json_object();
  if (!comps) return osc_seterr(OSC_ENOMEM, "out of memory");
  bool all = true;
  for (size_t i = 0; i < osc__server_service_count(); i++) {
    const osc_service *sv = osc__server_service_at(i);
    if (!sv->name || strcmp(sv->name, "core") == 0) continue;
    json_t *c = json_object();
    if (!c) continue;
    bool ready = true;
    if (sv->health) {
      osc_clearerr();
      int rc = sv->health(app, c);
      ready = rc == OSC_OK;
      if (!ready && !json_object_get(c, "error"))
        json_object_set_new(c, "error", json_string(*osc_errmsg() ? osc_errmsg() : osc_strerror(rc)));
    }
    json_object_set_new(c, "ready", json_boolean(ready));
    json_object_set_new(comps, sv->name, c);
    all = all && ready;
  }
  json_t *o = json_pack("{s:s,s:o}", "version", osc_version(), "components", comps);
  char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!s) return osc_seterr(OSC_ENOMEM, "cannot encode the health document");
  /* drop the outer braces: the caller puts its own fields around it */
  size_t n = strlen(s);
  memmove(s, s + 1, n - 2);
  s[n - 2] = '\0';
  *text = s;
  *len = n - 2;
  *all_ready = all;
  return OSC_OK;
}

/* "S.uuuuuu" from nanoseconds, without the floating-point formatter. */
static size_t put_seconds(char *out, uint64_t ns) {
  uint64_t us = ns / 1000, sec = us / 1000000, frac = us % 1000000;
  char tmp[24];
  size_t n = 0, k = 0;
  do {
    tmp[n++] = (char)('0' + sec % 10);
    sec /= 10;
  } while (sec);
  while (n) out[k++] = tmp[--n];
  out[k++] = '.';
  for (uint64_t d = 100000; d; d /= 10) out[k++] = (char)('0' + (frac / d) % 10);
  return k;
}

static int health(osc_req *req, osc_resp *resp) {
  osc_app *app = osc_req_app(req);
  uint64_t now = osc_now_ns();
  char *body = NULL;
  size_t cap = 0, pos = 0;
  bool all = true;
  int rc = OSC_OK;
  const char *status = NULL;
  bool stopping = atomic_load(&app->stopping);

  pthread_mutex_lock(&g_health.mu);
  bool fresh = g_health.text && g_health.app == app && now < g_health.at_ns + HEALTH_CACHE_NS;
  if (!fresh) {
    pthread_mutex_unlock(&g_health.mu);
    char *text = NULL;
    size_t len = 0;
    rc = health_build(app, &text, &len, &all);
    if (rc) return rc;
    pthread_mutex_lock(&g_health.mu);
    free(g_health.text);
    g_health.text = text;
    g_health.len = len;
    g_health.app = app;
    g_health.at_ns = now;
    g_health.all_ready = all;
  }
  all = g_health.all_ready;
  status = stopping ? "stopping" : all ? "healthy" : "degraded";
  cap = g_health.len + 160;
  body = malloc(cap);
  if (body) {
    pos = (size_t)snprintf(body, cap, "{\"status\":\"%s\",", status);
    memcpy(body + pos, g_health.text, g_health.len);
    pos += g_health.len;
  }
  pthread_mutex_unlock(&g_health.mu);
  if (!body) return osc_seterr(OSC_ENOMEM, "out of memory");

  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  memcpy(body + pos, ",\"timestamp\":", 13);
  pos += 13;
  pos += put_seconds(body + pos, (uint64_t)wall.tv_sec * 1000000000ull + (uint64_t)wall.tv_nsec);
  memcpy(body + pos, ",\"uptime\":", 10);
  pos += 10;
  pos += put_seconds(body + pos, now - app->started_mono_ns);
  body[pos++] = '}';
  body[pos] = '\0';
  return osc_resp_take(resp, stopping ? 503 : 200, "application/json", body, pos);
}

/* Frees the cached health text when the server stops. */
static void core_close(osc_app *app) {
  pthread_mutex_lock(&g_health.mu);
  if (g_health.app == app) {
    free(g_health.text);
    g_health.text = NULL;
    g_health.app = NULL;
    g_health.at_ns = 0;
  }
  pthread_mutex_unlock(&g_health.mu);
}

static int openapi(osc_req *req, osc_resp *resp) {
  (void)req;
  json_t *doc = osc_server_openapi();
  if (!doc) return osc_seterr(OSC_ENOMEM, "cannot build the OpenAPI document");
  return osc_resp_json(resp, 200, doc);
}

static int debug_sleep(osc_req *req, osc_resp *resp) {
  osc_app *app = osc_req_app(req);
  if (!osc_config_bool(app->cfg, "server.debug_routes"))
    return osc_seterr(OSC_ENOENT, "Not Found: no route for %s %s", osc_req_method(req), osc_req_path(req));
  const char *ms = osc_req_query(req, "ms");
  int64_t v = 0;
  if (!ms || osc_parse_int(ms, &v) != OSC_OK || v < 0 || v > 60000)
    return osc_seterr(OSC_EINVAL, "ms: expected an integer from 0 to 60000");
  osc_sleep_ms((uint64_t)v);
  return osc_resp_json(resp, 200, json_pack("{s:I}", "slept_ms", (json_int_t)v));
}

/* Echoes the JSON body (tests of body limits and JSON errors). */
static int debug_echo(osc_req *req, osc_resp *resp) {
  osc_app *app = osc_req_app(req);
  if (!osc_config_bool(app->cfg, "server.debug_routes"))
    return osc_seterr(OSC_ENOENT, "Not Found: no route for %s %s", osc_req_method(req), osc_req_path(req));
  json_t *body = NULL;
  int rc = osc_req_json(req, &body);
  if (rc) return rc;
  return osc_resp_json(resp, 200, json_incref(body));
}

/* Echoes its path parameters and query (tests of the router's decoding). */
static int debug_params(osc_req *req, osc_resp *resp) {
  osc_app *app = osc_req_app(req);
  if (!osc_config_bool(app->cfg, "server.debug_routes"))
    return osc_seterr(OSC_ENOENT, "Not Found: no route for %s %s", osc_req_method(req), osc_req_path(req));
  const char *q = osc_req_query(req, "q");
  return osc_resp_json(resp, 200,
                       json_pack("{s:s,s:s,s:s?}", "a", osc_req_param(req, "a"), "rest", osc_req_param(req, "rest"),
                                 "q", q));
}

const osc_route osc__routes_core[] = {
    {"GET", "/health", health, OSC_ROUTE_PUBLIC, "core.health",
     "Service status, version, uptime and per-component readiness."},
    {"GET", "/openapi.json", openapi, OSC_ROUTE_PUBLIC, "core.openapi", "OpenAPI 3 description of every route."},
    {"GET", "/debug/sleep", debug_sleep, OSC_ROUTE_HIDDEN, "core.debug_sleep",
     "Sleeps ms milliseconds (tests only; needs server.debug_routes)."},
    {"GET", "/debug/params/{a}/{rest*}", debug_params, OSC_ROUTE_HIDDEN, "core.debug_params",
     "Echoes path parameters a and rest and query q (tests only; needs server.debug_routes)."},
    {"POST", "/debug/echo", debug_echo, OSC_ROUTE_HIDDEN, "core.debug_echo",
     "Echoes the JSON body (tests only; needs server.debug_routes)."},
    {0}};

const osc_service osc__service_core = {"core", NULL, core_close, NULL};
