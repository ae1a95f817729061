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

/* Route matching, exposed for tests and the fuzz target. */
typedef struct osc_route_match {
  const osc_route *route;
  size_t nparams;
  struct { char name[32]; char *value; } params[8]; /* values malloc'd, percent-decoded */
} osc_route_match;

/**
 * Finds the route for method and path.  @return OSC_OK (match filled),
 * OSC_ENOENT (no pattern matches the path), OSC_EMETHOD (the path matches
 * but not with this method; @p allow gets "GET, POST").
 */
int osc_router_match(const char *method, const char *path, osc_route_match *m, char *allow, size_t allow_len);
void osc_route_match_release(osc_route_match *m);
/** Iterates every registered route (for /openapi.json and docs). */
const osc_route *osc_router_at(size_t i);

#endif
