/*
 * server/http.h - what a route file sees of the HTTP server.
 *
 * Route files never include libmicrohttpd: they get an osc_req to read and
 * an osc_resp to fill.  Each area (cache, tasks, ...) defines its table
 *
 *     const osc_route osc__routes_<area>[] = { {...}, ..., {0} };
 *
 * and a service (lifecycle and health) `const osc_service osc__service_<area>`.
 * The server gathers them through osc_modules.h.
 *
 * A handler returns OSC_OK after filling the response, or an osc_err without
 * filling it: the server then answers with the mapped status and the body
 * {"detail": osc_errmsg(), "error": "OSC_E..."}.
 *
 * Thread safety: handlers run concurrently on the server's worker threads;
 * an osc_req/osc_resp belongs to one handler call.
 */
#ifndef OSC_SERVER_HTTP_H
#define OSC_SERVER_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"

typedef struct osc_app osc_app;
typedef struct osc_req osc_req;
typedef struct osc_resp osc_resp;

typedef int (*osc_route_fn)(osc_req *req, osc_resp *resp);

/* Route flags. */
enum {
  OSC_ROUTE_PUBLIC = 1u << 0,      /* no authentication (health, dashboard assets) */
  OSC_ROUTE_SCOPE_WRITE = 1u << 1, /* needs a write key (default: read) */
  OSC_ROUTE_SCOPE_ADMIN = 1u << 2, /* needs an admin key */
  OSC_ROUTE_RAW_BODY = 1u << 3,    /* body is not JSON; osc_req_json() refuses */
  OSC_ROUTE_HIDDEN = 1u << 4,      /* left out of /openapi.json */
  OSC_ROUTE_HEAVY = 1u << 5        /* expensive job (video generation): "heavy" rate-limit class */
};

typedef struct osc_route {
  const char *method;  /* "GET", "POST", "DELETE", ... */
  const char *pattern; /* "/cache/get/{key}": {name} matches one path segment; {name*} the rest */
  osc_route_fn handler;
  unsigned flags;
  const char *name;    /* "cache.get" */
  const char *summary; /* one line, for /openapi.json and docs/http.md */
} osc_route;

/* A component's life in the server. Every member may be NULL. */
typedef struct osc_service {
  const char *name;
  int (*open)(osc_app *app);                 /* create the component from app->cfg */
  void (*close)(osc_app *app);               /* stop it; called in reverse order */
  int (*health)(osc_app *app, json_t *out);  /* add fields to out; OSC_OK = ready */
} osc_service;

/* ---- request ---- */
const char *osc_req_method(const osc_req *req);
const char *osc_req_path(const osc_req *req);
/** Path parameter by name, percent-decoded; NULL if the pattern has none. */
const char *osc_req_param(const osc_req *req, const char *name);
/** Query parameter by name, decoded; NULL when absent. */
const char *osc_req_query(const osc_req *req, const char *name);
/** Request header (case-insensitive); NULL when absent. */
const char *osc_req_header(const osc_req *req, const char *name);
/** Raw body (NUL-terminated; len may be NULL). */
const char *osc_req_body(const osc_req *req, size_t *len);
/**
 * The body parsed as JSON (borrowed; lives as long as the request).
 * @return OSC_OK, OSC_EPARSE (detail names line and column), OSC_EINVAL
 *         (empty body, or the route has OSC_ROUTE_RAW_BODY).
 */
int osc_req_json(osc_req *req, json_t **out);
osc_app *osc_req_app(const osc_req *req);
const char *osc_req_id(const osc_req *req);
const char *osc_req_client_addr(const osc_req *req);
/** Id of the API key that authenticated the request, or NULL. */
const char *osc_req_key_id(const osc_req *req);
void osc_req_set_key_id(osc_req *req, const char *key_id);
const osc_route *osc_req_route(const osc_req *req);

/* ---- response ---- */
/** JSON body (takes the reference). */
int osc_resp_json(osc_resp *resp, int status, json_t *take);
/** Error body {"detail": <formatted>, "error": osc_err_name(err)} with the mapped status. */
int osc_resp_error(osc_resp *resp, int err, const char *fmt, ...) OSC_PRINTF(3, 4);
/** Like osc_resp_error with status given explicitly (e.g. 404 "Key not found"). */
int osc_resp_error_status(osc_resp *resp, int status, int err, const char *fmt, ...) OSC_PRINTF(4, 5);
/** Copies @p data. */
int osc_resp_bytes(osc_resp *resp, int status, const char *content_type, const void *data, size_t len);
/** Takes malloc'd @p data. */
int osc_resp_take(osc_resp *resp, int status, const char *content_type, void *data, size_t len);
/** Streams @p len bytes of the open file @p fd from @p offset; takes the fd (closed by the server). */
int osc_resp_file(osc_resp *resp, int status, const char *content_type, int fd, uint64_t offset, uint64_t len);
/**
 * Serves a regular file of @p size bytes honouring the request's Range
 * header (one range: "bytes=a-b", "bytes=a-", "bytes=-n"): 206 with
 * Content-Range, 200 for no/multiple ranges, 416 (JSON body, Content-Range
 * "bytes *\/size") when unsatisfiable.  Always adds Accept-Ranges: bytes.
 * Takes the fd in every case (closed by the server or here).
 */
int osc_resp_file_range(osc_resp *resp, const osc_req *req, int fd, uint64_t size, const char *content_type);
/** Adds a header (copied). */
int osc_resp_header(osc_resp *resp, const char *name, const char *value);
int osc_resp_status(const osc_resp *resp);
/** True once a body (or file) has been set. */
bool osc_resp_is_set(const osc_resp *resp);
/** The in-memory body and its content type (borrowed; NULL for file bodies or when unset). */
const void *osc_resp_body(const osc_resp *resp, size_t *len, const char **content_type);
/** Value of a header added with osc_resp_header (case-insensitive), or NULL. */
const char *osc_resp_get_header(const osc_resp *resp, const char *name);

/** Maps an osc_err to an HTTP status (the one map). */
int osc_http_status_for(int err);

#endif
