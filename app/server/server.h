/*
 * server/server.h - `oscontent serve`: run the HTTP service until SIGTERM/SIGINT.
 */
#ifndef OSC_SERVER_SERVER_H
#define OSC_SERVER_SERVER_H

#include "oscontent/config.h"
#include "server/http.h"

/**
 * Opens every service, listens on server.host:server.port, serves until
 * SIGTERM/SIGINT, then stops accepting, finishes in-flight requests (within
 * server.shutdown_timeout) and closes the services in reverse order.
 * @return OSC_OK after a clean shutdown, or the error that prevented start.
 */
int osc_server_run(osc_config *cfg);

/* ---- middleware (hooks for authentication, rate limits, audit, CORS, compression) ----
 *
 * Registered by a service's open() before the server starts accepting;
 * run in registration order around every request that reached the router
 * (matched or not: req's route may be NULL for 404/405).
 *   before(): return OSC_OK to go on; any other value stops the chain and
 *             the handler is skipped: if resp was filled it is sent as is,
 *             else the error body is built from the code and osc_errmsg().
 *   after():  sees the final response (status, headers, body) and may add
 *             headers or replace the body (osc_resp_take); runs for every
 *             request, including refused ones.
 * Both run on worker threads, concurrently. */
typedef struct osc_middleware {
  const char *name;
  int (*before)(osc_req *req, osc_resp *resp, void *ud);
  void (*after)(osc_req *req, osc_resp *resp, void *ud);
  void *ud;
} osc_middleware;

/** Adds a middleware (copied).  @return OSC_OK, OSC_ETOOBIG (more than 16), OSC_ESTATE (server running). */
int osc_server_add_middleware(const osc_middleware *mw);

/** The compiled-in services in start-up order (for /health). */
size_t osc__server_service_count(void);
const osc_service *osc__server_service_at(size_t i);

/** The OpenAPI 3 document of every registered, non-hidden route (new reference). */
json_t *osc_server_openapi(void);

/** Percent-decodes s[0..n) (and '+' as space when @p plus_is_space) into malloc'd *out.
 *  @return OSC_OK, OSC_EINVAL (bad escape or a NUL byte), OSC_ENOMEM. */
int osc_url_decode(const char *s, size_t n, bool plus_is_space, char **out);

/* Route matching, exposed for tests and the fuzz target. */
typedef struct osc_route_match {
  const osc_route *route;
  size_t nparams;
  struct { char name[32]; char *value; } params[8]; /* values malloc'd, percent-decoded */
} osc_route_match;

/**
 * Finds the route for method and path (the raw, still percent-encoded path
 * without query).  HEAD matches GET routes.  @return OSC_OK (match filled),
 * OSC_ENOENT (no pattern matches the path), OSC_EMETHOD (the path matches
 * but not with this method; @p allow gets "GET, POST"), OSC_EINVAL (a path
 * parameter has a bad percent-escape or decodes to a NUL byte).
 */
int osc_router_match(const char *method, const char *path, osc_route_match *m, char *allow, size_t allow_len);
void osc_route_match_release(osc_route_match *m);
/** Iterates every registered route (for /openapi.json and docs). */
const osc_route *osc_router_at(size_t i);

#endif
