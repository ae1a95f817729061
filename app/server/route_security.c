/*
 * server/route_security.c - the security service and middleware (issue 8):
 * API-key authentication with per-route scopes, token-bucket rate limits per
 * key or client address, CORS, security headers, response compression
 * (brotli or gzip, as the client accepts), the audit log, and the dashboard
 * served at `/` from assets embedded at build time.
 *
 * The service installs app->before_request / app->after_request; the server
 * calls them around every handler.  Scope per route comes from the route
 * table: OSC_ROUTE_PUBLIC needs none, OSC_ROUTE_SCOPE_ADMIN admin,
 * OSC_ROUTE_SCOPE_WRITE or any method other than GET/HEAD write, else read.
 */
#include <arpa/inet.h>
#include <brotli/encode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/security.h"
#include "server/app.h"
#include "server/http.h"
#include "server/server.h"
#include "server/web_assets.h"

typedef struct osc_security {
  osc_keys *keys;
  osc_ratelimit *rl;
  osc_audit *audit;
  bool auth;
  bool loopback;
  char *cors;               /* comma-separated origins, "" = same-origin only */
  int64_t compress_min;
} osc_security;

static bool host_is_loopback(const char *host) {
  if (!host || !*host) return false;
  if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0) return true;
  struct in_addr a;
  if (inet_pton(AF_INET, host, &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
  return false;
}

static bool is_read_method(const char *m) { return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0; }

static osc_scope required_scope(const osc_route *r, const char *method) {
  if (!r || (r->flags & OSC_ROUTE_PUBLIC)) return OSC_SCOPE_NONE;
  if (r->flags & OSC_ROUTE_SCOPE_ADMIN) return OSC_SCOPE_ADMIN;
  if ((r->flags & OSC_ROUTE_SCOPE_WRITE) || !is_read_method(method)) return OSC_SCOPE_WRITE;
  return OSC_SCOPE_READ;
}

static void audit(osc_security *s, osc_req *req, int status, const char *event, const char *detail) {
  if (!s->audit) return;
  const osc_route *r = osc_req_route(req);
  osc_audit_event ev = {.key_id = osc_req_key_id(req), .addr = osc_req_client_addr(req), .method = osc_req_method(req),
                        .route = r ? r->name : NULL, .path = osc_req_path(req), .status = status,
                        .request_id = osc_req_id(req), .event = event, .detail = detail};
  if (osc_audit_write(s->audit, &ev) != OSC_OK) OSC_WARN("security", "audit write failed: %s", osc_errmsg());
}

static const char *presented_key(osc_req *req, size_t *len) {
  const char *k = osc_req_header(req, "X-API-Key");
  if (!k) {
    const char *a = osc_req_header(req, "Authorization");
    if (a && strncasecmp(a, "Bearer ", 7) == 0) {
      k = a + 7;
      while (*k == ' ') k++;
    }
  }
  if (k) *len = strlen(k);
  return k;
}

static bool origin_allowed(const osc_security *s, const char *origin) {
  if (!origin || !s->cors[0]) return false;
  size_t ol = strlen(origin);
  for (const char *p = s->cors; *p;) {
    while (*p == ' ' || *p == ',') p++;
    const char *e = p;
    while (*e && *e != ',') e++;
    size_t n = (size_t)(e - p);
    while (n > 0 && p[n - 1] == ' ') n--;
    if ((n == 1 && *p == '*') || (n == ol && strncasecmp(p, origin, n) == 0)) return true;
    p = e;
  }
  return false;
}

static void cors_headers(const osc_security *s, osc_req *req, osc_resp *resp) {
  const char *origin = osc_req_header(req, "Origin");
  if (!origin_allowed(s, origin)) return;
  bool any = strcmp(s->cors, "*") == 0;
  /* '*' never goes with credentials: echo nothing credential-related then. */
  osc_resp_header(resp, "Access-Control-Allow-Origin", any ? "*" : origin);
  if (!any) osc_resp_header(resp, "Vary", "Origin");
  osc_resp_header(resp, "Access-Control-Expose-Headers",
                  "X-Request-ID, X-Process-Time, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After");
}

static int before(osc_req *req, osc_resp *resp, void *ud) {
  osc_security *s = ud;
  const osc_route *r = osc_req_route(req);
  const char *method = osc_req_method(req);

  if (strcmp(method, "OPTIONS") == 0 && osc_req_header(req, "Origin") &&
      osc_req_header(req, "Access-Control-Request-Method")) {
    if (!origin_allowed(s, osc_req_header(req, "Origin"))) {
      /* an error code, not OSC_OK: the server must not go on to the 204 "Allow" answer */
      osc_resp_error_status(resp, 403, OSC_EPERM, "origin not allowed by CORS");
      return OSC_EPERM;
    }
    cors_headers(s, req, resp);
    osc_resp_header(resp, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    osc_resp_header(resp, "Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type, X-Request-ID");
    osc_resp_header(resp, "Access-Control-Max-Age", "600");
    return osc_resp_bytes(resp, 204, "text/plain", "", 0) == OSC_OK ? OSC_ECANCELED : OSC_ENOMEM;
  }

  osc_scope need = required_scope(r, method);
  if (s->auth && need != OSC_SCOPE_NONE) {
    size_t len = 0;
    const char *k = presented_key(req, &len);
    osc_key_info info;
    if (!k) {
      osc_resp_header(resp, "WWW-Authenticate", "Bearer");
      osc_resp_error(resp, OSC_EAUTH, "API key required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
      audit(s, req, 401, "auth_failure", "no key");
      return OSC_EAUTH;
    }
    if (osc_keys_verify(s->keys, k, len, &info) != OSC_OK) {
      char why[128];
      snprintf(why, sizeof why, "%s", osc_errmsg());
      osc_resp_header(resp, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
      osc_resp_error(resp, OSC_EAUTH, "%s", why);
      audit(s, req, 401, "auth_failure", why);
      return OSC_EAUTH;
    }
    osc_req_set_key_id(req, info.id);
    if (info.scope < need) {
      osc_resp_error(resp, OSC_EPERM, "API key %s has scope %s; this route needs %s", info.id, osc_scope_name(info.scope),
                     osc_scope_name(need));
      audit(s, req, 403, "auth_failure", "insufficient scope");
      return OSC_EPERM;
    }
  }

  if (r && !(r->flags & OSC_ROUTE_PUBLIC)) {
    const char *cls = (r->flags & OSC_ROUTE_HEAVY) ? "heavy" : is_read_method(method) ? "read" : "write";
    const char *who = osc_req_key_id(req) ? osc_req_key_id(req) : osc_req_client_addr(req);
    osc_rate_result rr;
    osc_ratelimit_take(s->rl, cls, who ? who : "-", osc_now_ns(), &rr);
    if (rr.limit >= 0) {
      char v[32];
      snprintf(v, sizeof v, "%lld", (long long)rr.limit);
      osc_resp_header(resp, "X-RateLimit-Limit", v);
      snprintf(v, sizeof v, "%lld", (long long)rr.remaining);
      osc_resp_header(resp, "X-RateLimit-Remaining", v);
      snprintf(v, sizeof v, "%lld", (long long)(rr.reset_s + 0.999));
      osc_resp_header(resp, "X-RateLimit-Reset", v);
    }
    if (!rr.allowed) {
      char v[32];
      snprintf(v, sizeof v, "%lld", (long long)(rr.retry_after_s + 0.999 < 1 ? 1 : rr.retry_after_s + 0.999));
      osc_resp_header(resp, "Retry-After", v);
      osc_resp_error(resp, OSC_ERATE, "rate limit of the %s class exceeded; retry in %s s", cls, v);
      return OSC_ERATE;
    }
  }
  return OSC_OK;
}

static bool compressible(const char *ctype) {
  if (!ctype) return false;
  return strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "json") || strstr(ctype, "javascript") ||
         strstr(ctype, "svg") || strstr(ctype, "xml");
}

/* Picks "br" or "gzip" from Accept-Encoding (q=0 excluded). */
static const char *pick_encoding(const char *ae) {
  if (!ae) return NULL;
  bool br = false, gz = false;
  for (const char *p = ae; *p;) {
    while (*p == ' ' || *p == ',') p++;
    const char *e = p;
    while (*e && *e != ',') e++;
    const char *semi = memchr(p, ';', (size_t)(e - p));
    size_t n = (size_t)((semi ? semi : e) - p);
    while (n > 0 && p[n - 1] == ' ') n--;
    bool zero = semi && strstr(semi, "q=0") && !strstr(semi, "q=0.");
    if (!zero && n == 2 && strncasecmp(p, "br", 2) == 0) br = true;
    if (!zero && n == 4 && strncasecmp(p, "gzip", 4) == 0) gz = true;
    p = e;
  }
  return br ? "br" : gz ? "gzip" : NULL;
}

static void maybe_compress(osc_security *s, osc_req *req, osc_resp *resp) {
  size_t len = 0;
  const char *ctype = NULL;
  const void *body = osc_resp_body(resp, &len, &ctype);
  if (!body || s->compress_min <= 0 || len < (size_t)s->compress_min || !compressible(ctype)) return;
  if (osc_resp_get_header(resp, "Content-Encoding")) return;
  const char *enc = pick_encoding(osc_req_header(req, "Accept-Encoding"));
  if (!enc) return;
  size_t cap = len + len / 8 + 1024;
  uint8_t *out = malloc(cap);
  if (!out) return;
  size_t outlen = cap;
  bool ok = false;
  if (strcmp(enc, "br") == 0) {
    ok = BrotliEncoderCompress(4, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len, body, &outlen, out) == BROTLI_TRUE;
  } else {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
      z.next_in = (Bytef *)(uintptr_t)body;
      z.avail_in = (uInt)len;
      z.next_out = out;
      z.avail_out = (uInt)cap;
      ok = deflate(&z, Z_FINISH) == Z_STREAM_END;
      outlen = z.total_out;
      deflateEnd(&z);
    }
  }
  char *ct = osc_strdup(ctype);
  if (ok && outlen < len && ct && osc_resp_take(resp, osc_resp_status(resp), ct, out, outlen) == OSC_OK) {
    osc_resp_header(resp, "Content-Encoding", enc);
    osc_resp_header(resp, "Vary", "Accept-Encoding");
  } else {
    free(out);
  }
  free(ct);
}

static void after(osc_req *req, osc_resp *resp, void *ud) {
  osc_security *s = ud;
  const char *method = osc_req_method(req);
  int status = osc_resp_status(resp);
  cors_headers(s, req, resp);
  osc_resp_header(resp, "X-Content-Type-Options", "nosniff");
  osc_resp_header(resp, "X-Frame-Options", "DENY");
  osc_resp_header(resp, "Referrer-Policy", "no-referrer");
  const char *ctype = NULL;
  size_t len = 0;
  osc_resp_body(resp, &len, &ctype);
  if (ctype && strncmp(ctype, "text/html", 9) == 0)
    osc_resp_header(resp, "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
                    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  if (!is_read_method(method) && strcmp(method, "OPTIONS") != 0 && status != 401 && status != 403)
    audit(s, req, status, "request", NULL);
  maybe_compress(s, req, resp);
}

/* ---- dashboard ---- */

static int serve_asset(osc_resp *resp, const char *name) {
  const osc_web_asset *a = osc_web_asset_find(name);
  if (!a) return osc_seterr(OSC_ENOENT, "no dashboard asset '%s'", name);
  osc_resp_header(resp, "Cache-Control", "no-cache");
  return osc_resp_bytes(resp, 200, a->content_type, a->data, a->len);
}

static int route_index(osc_req *req, osc_resp *resp) {
  (void)req;
  return serve_asset(resp, "index.html");
}

static int route_static(osc_req *req, osc_resp *resp) {
  const char *f = osc_req_param(req, "file");
  if (!f || !osc_path_is_safe_relative(f)) return osc_seterr(OSC_ENOENT, "no dashboard asset");
  return serve_asset(resp, f);
}

/* ---- service ---- */

static void security_free(osc_security *s) {
  if (!s) return;
  osc_keys_close(s->keys);
  osc_audit_close(s->audit);
  osc_ratelimit_free(s->rl);
  free(s->cors);
  free(s);
}

static int security_open(osc_app *app) {
  osc_security *s = calloc(1, sizeof *s);
  if (!s) return osc_seterr(OSC_ENOMEM, "security: out of memory");
  const osc_config *cfg = app->cfg;
  char *path = NULL;
  int rc = osc_config_data_path(cfg, osc_config_str(cfg, "security.keys_file"), false, &path);
  if (rc == OSC_OK) rc = osc_keys_open(path, &s->keys);
  free(path);
  path = NULL;
  if (rc == OSC_OK) rc = osc_config_data_path(cfg, osc_config_str(cfg, "security.audit_file"), false, &path);
  if (rc == OSC_OK)
    rc = osc_audit_open(path, (uint64_t)osc_config_int(cfg, "security.audit_max_bytes"),
                        (int)osc_config_int(cfg, "security.audit_keep"), &s->audit);
  free(path);
  osc_rate_class classes[] = {
      {"read", osc_config_double(cfg, "security.rate_read"), osc_config_double(cfg, "security.rate_read_burst")},
      {"write", osc_config_double(cfg, "security.rate_write"), osc_config_double(cfg, "security.rate_write_burst")},
      {"heavy", osc_config_double(cfg, "security.rate_heavy"), osc_config_double(cfg, "security.rate_heavy_burst")}};
  if (rc == OSC_OK) rc = osc_ratelimit_new(classes, OSC_ARRAY_LEN(classes), &s->rl);
  s->cors = osc_strdup(osc_config_str(cfg, "security.cors_origins"));
  s->compress_min = osc_config_int(cfg, "security.compress_min_bytes");
  s->loopback = host_is_loopback(osc_config_str(cfg, "server.host"));
  const char *mode = osc_config_str(cfg, "security.auth");
  if (rc == OSC_OK && strcmp(mode, "off") == 0 && !s->loopback)
    rc = osc_seterr(OSC_EINVAL, "security.auth=off is allowed only when server.host is a loopback address (it is %s)",
                    osc_config_str(cfg, "server.host"));
  if (rc == OSC_OK && !s->cors) rc = osc_seterr(OSC_ENOMEM, "security: out of memory");
  if (rc) {
    security_free(s);
    return rc;
  }
  if (strcmp(mode, "on") == 0)
    s->auth = true;
  else if (strcmp(mode, "off") == 0)
    s->auth = false;
  else
    s->auth = !s->loopback || osc_keys_active(s->keys) > 0;
  if (s->auth)
    OSC_INFO("security", "authentication on: %zu active API key(s)", osc_keys_active(s->keys));
  else
    OSC_WARN("security", "authentication is OFF: listening on loopback only (create a key with 'oscontent keys create' "
                         "or set security.auth=on to require keys)");
  osc_middleware mw = {"security", before, after, s};
  rc = osc_server_add_middleware(&mw);
  if (rc) {
    security_free(s);
    return rc;
  }
  app->security = s;
  return OSC_OK;
}

static void security_close(osc_app *app) {
  security_free(app->security);
  app->security = NULL;
}

static int security_health(osc_app *app, json_t *out) {
  osc_security *s = app->security;
  if (!s) return OSC_EUNAVAIL;
  json_object_set_new(out, "auth", json_boolean(s->auth));
  json_object_set_new(out, "active_keys", json_integer((json_int_t)osc_keys_active(s->keys)));
  return OSC_OK;
}

const osc_service osc__service_security = {"security", security_open, security_close, security_health};

const osc_route osc__routes_security[] = {
    {"GET", "/", route_index, OSC_ROUTE_PUBLIC | OSC_ROUTE_HIDDEN, "dashboard", "The dashboard page"},
    {"GET", "/static/{file*}", route_static, OSC_ROUTE_PUBLIC | OSC_ROUTE_HIDDEN, "dashboard.asset",
     "Dashboard scripts and styles"},
    {NULL, NULL, NULL, 0, NULL, NULL}};
