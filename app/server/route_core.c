/*
 * server/route_core.c - the core's routes: GET /health, GET /openapi.json
 * and the hidden test route GET /debug/sleep (only with
 * server.debug_routes=true).
 */
#include <stdlib.h>
#include <string.h>

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
 * balancers drain this instance. */
static int health(osc_req *req, osc_resp *resp) {
  osc_app *app = osc_req_app(req);
  json_t *comps = json_object();
  bool all = true;
  for (size_t i = 0; i < osc__server_service_count(); i++) {
    const osc_service *sv = osc__server_service_at(i);
    if (!sv->name || strcmp(sv->name, "core") == 0) continue;
    json_t *c = json_object();
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
  bool stopping = atomic_load(&app->stopping);
  const char *status = stopping ? "stopping" : all ? "healthy" : "degraded";
  json_t *o = json_pack("{s:s,s:s,s:f,s:f,s:o}", "status", status, "version", osc_version(), "timestamp",
                        osc_wall_s(), "uptime", (double)(osc_now_ns() - app->started_mono_ns) / 1e9, "components",
                        comps);
  return osc_resp_json(resp, stopping ? 503 : 200, o);
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

const osc_service osc__service_core = {"core", NULL, NULL, NULL};
