/*
 * server/server.c - `oscontent serve` on libmicrohttpd.
 *
 * Threads: server.threads workers (default the usable CPUs, at least 2),
 * each running its own MHD daemon in MHD's external epoll mode, all
 * accepting from one listening socket (see "workers" below for why not
 * MHD's own thread pool); every handler runs on one of those threads.  The
 * calling thread opens the services, starts the workers, then waits in
 * sigtimedwait() for SIGTERM/SIGINT (blocked in every thread, so the
 * signal is only ever taken here).
 *
 * A request's life: the first access-handler call routes it and can answer
 * at once (404, 405, 413 from Content-Length) without reading the body;
 * further calls append the body (413 once it passes server.max_body_bytes);
 * the last call runs the middleware chain and the handler, turns the
 * osc_resp into an MHD response with X-Request-ID and X-Process-Time, and
 * queues it.  The completion callback frees the request and decrements the
 * in-flight count that graceful shutdown waits on.
 *
 * Shutdown: quiesce (every worker stops accepting; the listening socket
 * closes with the last one, so new clients are refused at once instead of
 * waiting in the backlog), wait until nothing is in flight or
 * server.shutdown_timeout passes (a second signal cuts the wait short),
 * stop the workers and their daemons, close the services in reverse order.
 *
 * MHD's URL unescaping is turned off: the router needs the raw path so that
 * %2F stays inside a parameter, and query values are decoded here on demand.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "server/app.h"
#include "server/server.h"

#define OSC_MODULE(m) extern const osc_service osc__service_##m;
#include "osc_modules.h"
#undef OSC_MODULE

static const osc_service *const g_services[] = {
#define OSC_MODULE(m) &osc__service_##m,
#include "osc_modules.h"
#undef OSC_MODULE
};

/* ---- request and response objects ---- */

typedef struct hdr {
  char *name, *value;
} hdr;

struct osc_resp {
  int status;
  bool set;
  char *ctype;
  char *data; /* malloc'd */
  size_t len;
  int fd; /* file body when >= 0 */
  uint64_t offset, flen;
  hdr *hdrs;
  size_t nhdrs, caphdrs;
};

typedef struct qval {
  char *name, *value;
  struct qval *next;
} qval;

struct osc_req {
  struct MHD_Connection *conn;
  osc_app *app;
  const char *method;
  const char *url;
  uint64_t t0;
  osc_route_match match;
  int route_rc;
  int early_status;
  char *early_msg;
  char allow[128];
  osc_buf body;
  bool too_big;
  uint64_t too_big_len; /* Content-Length of a refused body, 0 when streamed */
  uint64_t discarded;
  bool queued;
  json_t *json;
  bool json_done;
  int json_rc;
  char *json_err;
  char id[129];
  char client[INET6_ADDRSTRLEN + 8];
  char *key_id;
  qval *qcache;
  osc_resp resp;
};

/* ---- server state ---- */

#define MAX_MIDDLEWARE 16
static osc_middleware g_mw[MAX_MIDDLEWARE];
static size_t g_nmw;
static atomic_bool g_running;

typedef struct worker worker;

typedef struct server {
  osc_app *app;
  worker *workers; /* server.threads of them */
  unsigned nworkers;
  atomic_int phase; /* PHASE_*: what the workers should be doing */
  int64_t max_body;
  atomic_int inflight;
  bool debug_routes;
} server;

int osc_server_add_middleware(const osc_middleware *mw) {
  if (atomic_load(&g_running)) return osc_seterr(OSC_ESTATE, "middleware must be added before the server starts");
  if (g_nmw >= MAX_MIDDLEWARE) return osc_seterr(OSC_ETOOBIG, "more than %d middleware", MAX_MIDDLEWARE);
  g_mw[g_nmw++] = *mw;
  return OSC_OK;
}

int osc_http_status_for(int err) { return osc_err_http_status(err); }

/* ---- request accessors ---- */

const char *osc_req_method(const osc_req *req) { return req->method; }
const char *osc_req_path(const osc_req *req) { return req->url; }
osc_app *osc_req_app(const osc_req *req) { return req->app; }
const char *osc_req_id(const osc_req *req) { return req->id; }
const osc_route *osc_req_route(const osc_req *req) { return req->match.route; }
const char *osc_req_key_id(const osc_req *req) { return req->key_id; }

void osc_req_set_key_id(osc_req *req, const char *key_id) {
  free(req->key_id);
  req->key_id = key_id ? osc_strdup(key_id) : NULL;
}

const char *osc_req_param(const osc_req *req, const char *name) {
  for (size_t i = 0; i < req->match.nparams; i++)
    if (strcmp(req->match.params[i].name, name) == 0) return req->match.params[i].value;
  return NULL;
}

const char *osc_req_query(const osc_req *req, const char *name) {
  osc_req *r = (osc_req *)req;
  for (qval *q = r->qcache; q; q = q->next)
    if (strcmp(q->name, name) == 0) return q->value;
  const char *raw = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
  if (!raw) return NULL;
  char *dec = NULL;
  if (osc_url_decode(raw, strlen(raw), true, &dec) != OSC_OK) return NULL;
  qval *q = calloc(1, sizeof *q);
  char *n = osc_strdup(name);
  if (!q || !n) {
    free(q);
    free(n);
    free(dec);
    return NULL;
  }
  q->name = n;
  q->value = dec;
  q->next = r->qcache;
  r->qcache = q;
  return dec;
}

const char *osc_req_header(const osc_req *req, const char *name) {
  return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *osc_req_body(const osc_req *req, size_t *len) {
  if (len) *len = req->body.len;
  return req->body.data ? req->body.data : "";
}

int osc_req_json(osc_req *req, json_t **out) {
  if (req->match.route && (req->match.route->flags & OSC_ROUTE_RAW_BODY))
    return osc_seterr(OSC_EINVAL, "this route takes a raw body, not JSON");
  if (!req->json_done) {
    req->json_done = true;
    if (req->body.len == 0) {
      req->json_rc = osc_seterr(OSC_EINVAL, "request body is empty; expected JSON");
    } else {
      req->json_rc = osc_json_parse(req->body.data, req->body.len, false, &req->json);
    }
    if (req->json_rc) req->json_err = osc_strdup(osc_errmsg());
  }
  if (req->json_rc) return osc_seterr(req->json_rc, "%s", req->json_err ? req->json_err : "invalid JSON");
  *out = req->json;
  return OSC_OK;
}

const char *osc_req_client_addr(const osc_req *req) {
  osc_req *r = (osc_req *)req;
  if (r->client[0]) return r->client;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(r->client, sizeof r->client, "unknown");
  if (ci && ci->client_addr) {
    /* inet_ntop, not getnameinfo: this runs for every rate-limited request */
    const struct sockaddr *sa = ci->client_addr;
    const void *a = NULL;
    if (sa->sa_family == AF_INET) a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    if (sa->sa_family == AF_INET6) a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!a || !inet_ntop(sa->sa_family, a, r->client, sizeof r->client)) snprintf(r->client, sizeof r->client, "unknown");
  }
  return r->client;
}

/* ---- response ---- */

static void resp_clear_body(osc_resp *resp) {
  free(resp->data);
  free(resp->ctype);
  if (resp->fd >= 0) close(resp->fd);
  resp->data = NULL;
  resp->ctype = NULL;
  resp->fd = -1;
  resp->len = 0;
  resp->set = false;
}

int osc_resp_take(osc_resp *resp, int status, const char *content_type, void *data, size_t len) {
  char *ct = osc_strdup(content_type ? content_type : "application/octet-stream");
  if (!ct) {
    free(data);
    return osc_seterr(OSC_ENOMEM, "out of memory");
  }
  resp_clear_body(resp);
  resp->status = status;
  resp->ctype = ct;
  resp->data = data;
  resp->len = data ? len : 0;
  resp->set = true;
  return OSC_OK;
}

int osc_resp_bytes(osc_resp *resp, int status, const char *content_type, const void *data, size_t len) {
  char *copy = malloc(len ? len : 1);
  if (!copy) return osc_seterr(OSC_ENOMEM, "out of memory");
  if (len) memcpy(copy, data, len);
  return osc_resp_take(resp, status, content_type, copy, len);
}

/* ---- JSON bodies ----
 * jansson's json_dumps() checks every object and array for reference loops
 * by formatting its address with snprintf("%p") into a hash table, grows its
 * output by doubling and duplicates it at the end: for the small documents
 * an API answers with, that was most of a request's cost.  json_write()
 * walks containers itself (a depth limit stands in for the loop check),
 * writes keys, integers and literals directly and leaves strings and reals
 * to json_dumpb() so that their text is exactly jansson's; the output equals
 * json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY).  Anything unusual (a key
 * that needs escaping, a nesting deeper than JSON_MAX_DEPTH) falls back to
 * jansson for the whole document. */
#define JSON_MAX_DEPTH 512

typedef struct jw {
  char *p;
  size_t len, cap;
  bool fail;
} jw;

static void jw_put(jw *w, const char *s, size_t n) {
  if (w->fail) return;
  if (w->len + n + 1 > w->cap) {
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + n + 1) cap *= 2;
    char *np = realloc(w->p, cap);
    if (!np) {
      w->fail = true;
      return;
    }
    w->p = np;
    w->cap = cap;
  }
  memcpy(w->p + w->len, s, n);
  w->len += n;
}

static void jw_dumpb(jw *w, const json_t *v) {
  char tmp[256];
  size_t n = json_dumpb(v, tmp, sizeof tmp, JSON_COMPACT | JSON_ENCODE_ANY);
  if (n == 0) {
    w->fail = true;
  } else if (n <= sizeof tmp) {
    jw_put(w, tmp, n);
  } else {
    char *big = malloc(n);
    if (big && json_dumpb(v, big, n, JSON_COMPACT | JSON_ENCODE_ANY) == n)
      jw_put(w, big, n);
    else
      w->fail = true;
    free(big);
  }
}

static void json_write(jw *w, const json_t *v, int depth) {
  if (w->fail) return;
  if (depth > JSON_MAX_DEPTH) {
    w->fail = true;
    return;
  }
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    jw_put(w, "{", 1);
    const char *k;
    json_t *x;
    bool first = true;
    json_object_foreach((json_t *)v, k, x) {
      if (!first) jw_put(w, ",", 1);
      first = false;
      size_t kl = strlen(k);
      for (size_t i = 0; i < kl; i++) /* a key that needs escaping: let jansson do it all */
        if ((unsigned char)k[i] < 0x20 || k[i] == '"' || k[i] == '\\') w->fail = true;
      jw_put(w, "\"", 1);
      jw_put(w, k, kl);
      jw_put(w, "\":", 2);
      json_write(w, x, depth + 1);
    }
    jw_put(w, "}", 1);
    break;
  }
  case JSON_ARRAY: {
    jw_put(w, "[", 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i) jw_put(w, ",", 1);
      json_write(w, json_array_get(v, i), depth + 1);
    }
    jw_put(w, "]", 1);
    break;
  }
  case JSON_INTEGER: {
    char tmp[24];
    json_int_t x = json_integer_value(v);
    unsigned long long u = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
    int n = 0;
    do {
      tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
      u /= 10;
    } while (u);
    if (x < 0) tmp[sizeof tmp - 1 - n++] = '-';
    jw_put(w, tmp + sizeof tmp - n, (size_t)n);
    break;
  }
  case JSON_TRUE: jw_put(w, "true", 4); break;
  case JSON_FALSE: jw_put(w, "false", 5); break;
  case JSON_NULL: jw_put(w, "null", 4); break;
  default: jw_dumpb(w, v); break; /* strings and reals: jansson's exact text */
  }
}

/* JSON text of v as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) writes it
 * (malloc'd, NUL-terminated), or NULL. */
static char *json_text(const json_t *v, size_t *len) {
  jw w = {0};
  json_write(&w, v, 0);
  if (w.fail || !w.p) {
    free(w.p);
    char *s = osc_json_dump(v);
    if (s) *len = strlen(s);
    return s;
  }
  w.p[w.len] = '\0';
  *len = w.len;
  return w.p;
}

int osc_resp_json(osc_resp *resp, int status, json_t *take) {
  size_t n = 0;
  char *s = take ? json_text(take, &n) : NULL;
  json_decref(take);
  if (!s) return osc_seterr(OSC_ENOMEM, "cannot encode the JSON response");
  return osc_resp_take(resp, status, "application/json", s, n);
}

OSC_PRINTF(4, 0) static int resp_error_v(osc_resp *resp, int status, int err, const char *fmt, va_list ap) {
  char detail[1024];
  if (fmt)
    vsnprintf(detail, sizeof detail, fmt, ap);
  else
    snprintf(detail, sizeof detail, "%s", osc_strerror(err));
  json_t *o = json_pack("{s:s,s:s}", "detail", detail, "error", osc_err_name(err));
  if (!o) { /* invalid UTF-8 in the detail: say so rather than fail */
    o = json_pack("{s:s,s:s}", "detail", osc_strerror(err), "error", osc_err_name(err));
  }
  return osc_resp_json(resp, status, o);
}

int osc_resp_error(osc_resp *resp, int err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = resp_error_v(resp, osc_err_http_status(err), err, fmt, ap);
  va_end(ap);
  return rc;
}

int osc_resp_error_status(osc_resp *resp, int status, int err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = resp_error_v(resp, status, err, fmt, ap);
  va_end(ap);
  return rc;
}

int osc_resp_file(osc_resp *resp, int status, const char *content_type, int fd, uint64_t offset, uint64_t len) {
  char *ct = osc_strdup(content_type ? content_type : "application/octet-stream");
  if (!ct) {
    close(fd);
    return osc_seterr(OSC_ENOMEM, "out of memory");
  }
  resp_clear_body(resp);
  resp->status = status;
  resp->ctype = ct;
  resp->fd = fd;
  resp->offset = offset;
  resp->flen = len;
  resp->set = true;
  return OSC_OK;
}

int osc_resp_header(osc_resp *resp, const char *name, const char *value) {
  if (!name || !value || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
    return osc_seterr(OSC_EINVAL, "header name or value contains CR, LF or ':'");
  if (resp->nhdrs == resp->caphdrs) {
    size_t cap = resp->caphdrs ? resp->caphdrs * 2 : 8;
    hdr *h = realloc(resp->hdrs, cap * sizeof *h);
    if (!h) return osc_seterr(OSC_ENOMEM, "out of memory");
    resp->hdrs = h;
    resp->caphdrs = cap;
  }
  /* name and value share one allocation (freed through name) */
  size_t nl = strlen(name), vl = strlen(value);
  char *n = malloc(nl + vl + 2);
  if (!n) return osc_seterr(OSC_ENOMEM, "out of memory");
  memcpy(n, name, nl + 1);
  memcpy(n + nl + 1, value, vl + 1);
  resp->hdrs[resp->nhdrs].name = n;
  resp->hdrs[resp->nhdrs].value = n + nl + 1;
  resp->nhdrs++;
  return OSC_OK;
}

const char *osc_resp_get_header(const osc_resp *resp, const char *name) {
  for (size_t i = 0; i < resp->nhdrs; i++)
    if (strcasecmp(resp->hdrs[i].name, name) == 0) return resp->hdrs[i].value;
  return NULL;
}

int osc_resp_status(const osc_resp *resp) { return resp->status; }
bool osc_resp_is_set(const osc_resp *resp) { return resp->set; }

const void *osc_resp_body(const osc_resp *resp, size_t *len, const char **content_type) {
  if (content_type) *content_type = resp->ctype;
  if (!resp->set || resp->fd >= 0) {
    if (len) *len = 0;
    return NULL;
  }
  if (len) *len = resp->len;
  return resp->data ? resp->data : "";
}

int osc_resp_file_range(osc_resp *resp, const osc_req *req, int fd, uint64_t size, const char *content_type) {
  const char *range = osc_req_header(req, "Range");
  int rc = osc_resp_header(resp, "Accept-Ranges", "bytes");
  if (rc) {
    close(fd);
    return rc;
  }
  if (!range || strncasecmp(range, "bytes=", 6) != 0 || strchr(range, ','))
    return osc_resp_file(resp, 200, content_type, fd, 0, size);
  const char *spec = range + 6;
  while (*spec == ' ') spec++;
  uint64_t first = 0, last = 0;
  bool ok = false;
  char *end = NULL;
  errno = 0;
  if (*spec == '-') { /* suffix: the last n bytes */
    unsigned long long n = strtoull(spec + 1, &end, 10);
    if (!errno && end != spec + 1 && *end == '\0' && n > 0 && size > 0) {
      first = n >= size ? 0 : size - n;
      last = size - 1;
      ok = true;
    }
  } else if (*spec >= '0' && *spec <= '9') {
    unsigned long long a = strtoull(spec, &end, 10);
    if (!errno && *end == '-') {
      const char *b = end + 1;
      if (*b == '\0') {
        first = a;
        last = size ? size - 1 : 0;
        ok = a < size;
      } else {
        unsigned long long z = strtoull(b, &end, 10);
        if (!errno && *end == '\0' && z >= a && a < size) {
          first = a;
          last = z >= size ? size - 1 : z;
          ok = true;
        }
      }
    }
  } else {
    return osc_resp_file(resp, 200, content_type, fd, 0, size); /* not a byte range we know: whole file */
  }
  char cr[96];
  if (!ok) {
    close(fd);
    snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
    osc_resp_header(resp, "Content-Range", cr);
    return osc_resp_error_status(resp, 416, OSC_EINVAL, "Range '%s' is not satisfiable for a %" PRIu64 "-byte file",
                                 range, size);
  }
  snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, size);
  osc_resp_header(resp, "Content-Range", cr);
  return osc_resp_file(resp, 206, content_type, fd, first, last - first + 1);
}

/* ---- plumbing ---- */

static bool valid_request_id(const char *s) {
  size_t n = 0;
  for (; s[n]; n++)
    if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || n >= 128) return false;
  return n > 0;
}

static void new_request_id(char out[37]) {
  /* per-thread generator seeded from the OS: no system call per request;
   * hex by table, not snprintf (this runs for every request) */
  static const char hex[] = "0123456789abcdef";
  unsigned char b[16];
  osc_rng *r = osc_rng_thread();
  uint64_t x = osc_rng_next(r), y = osc_rng_next(r);
  memcpy(b, &x, 8);
  memcpy(b + 8, &y, 8);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* UUID version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  char *o = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
    *o++ = hex[b[i] >> 4];
    *o++ = hex[b[i] & 15];
  }
  *o = '\0';
}

/* "S.uuuuuu" (seconds with 6 decimals, rounded to the microsecond), as
 * "%.6f" prints it, without the floating-point formatter. */
static void format_seconds6(char out[32], uint64_t ns) {
  uint64_t us = (ns + 500) / 1000;
  char tmp[24];
  int n = 0;
  uint64_t sec = us / 1000000, frac = us % 1000000;
  do {
    tmp[n++] = (char)('0' + sec % 10);
    sec /= 10;
  } while (sec);
  char *o = out;
  while (n) *o++ = tmp[--n];
  *o++ = '.';
  for (uint64_t d = 100000; d; d /= 10) *o++ = (char)('0' + (frac / d) % 10);
  *o = '\0';
}

static void req_free(osc_req *req) {
  if (!req) return;
  osc_route_match_release(&req->match);
  osc_buf_release(&req->body);
  json_decref(req->json);
  free(req->json_err);
  free(req->early_msg);
  free(req->key_id);
  for (qval *q = req->qcache, *nx; q; q = nx) {
    nx = q->next;
    free(q->name);
    free(q->value);
    free(q);
  }
  resp_clear_body(&req->resp);
  for (size_t i = 0; i < req->resp.nhdrs; i++) free(req->resp.hdrs[i].name); /* value lives in the same block */
  free(req->resp.hdrs);
  free(req);
}

/* Turns an error code into the JSON error body (when nothing was filled). */
static void fill_error(osc_req *req, int err) {
  const char *msg = osc_errmsg();
  osc_resp_error(&req->resp, err, "%s", msg && *msg ? msg : osc_strerror(err));
}

static enum MHD_Result send_response(server *s, osc_req *req) {
  osc_resp *resp = &req->resp;
  if (!resp->set) osc_resp_error(resp, OSC_EINTERNAL, "handler returned without a response");
  struct MHD_Response *r;
  if (resp->fd >= 0) {
    r = MHD_create_response_from_fd_at_offset64(resp->flen, resp->fd, resp->offset);
    if (r) resp->fd = -1; /* MHD closes it */
  } else {
    r = MHD_create_response_from_buffer(resp->len, resp->data, MHD_RESPMEM_MUST_FREE);
    if (r) resp->data = NULL;
  }
  if (!r) return MHD_NO;
  if (resp->ctype) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->ctype);
  for (size_t i = 0; i < resp->nhdrs; i++) MHD_add_response_header(r, resp->hdrs[i].name, resp->hdrs[i].value);
  MHD_add_response_header(r, "X-Request-ID", req->id);
  uint64_t dur = osc_now_ns() - req->t0;
  char pt[32];
  format_seconds6(pt, dur);
  MHD_add_response_header(r, "X-Process-Time", pt);
  if (atomic_load(&s->app->stopping)) MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result q = MHD_queue_response(req->conn, (unsigned)resp->status, r);
  MHD_destroy_response(r);
  if (q == MHD_YES) {
    req->queued = true;
    if (s->app->on_request)
      s->app->on_request(s->app, req->match.route ? req->match.route->name : "unmatched", req->method, resp->status,
                         dur);
  }
  return q;
}

static void run_after(osc_req *req) {
  for (size_t i = 0; i < g_nmw; i++)
    if (g_mw[i].after) g_mw[i].after(req, &req->resp, g_mw[i].ud);
}

/* Answers without running the handler (404, 405, 413, 400 from routing). */
static enum MHD_Result answer_early(server *s, osc_req *req, int err, int status) {
  const char *msg = osc_errmsg();
  osc_resp_error_status(&req->resp, status, err, "%s", msg && *msg ? msg : osc_strerror(err));
  if (err == OSC_EMETHOD && req->allow[0]) osc_resp_header(&req->resp, "Allow", req->allow);
  run_after(req);
  return send_response(s, req);
}

static enum MHD_Result answer_routing(server *s, osc_req *req) {
  osc_seterr(req->route_rc, "%s", req->early_msg ? req->early_msg : osc_strerror(req->route_rc));
  return answer_early(s, req, req->route_rc, req->early_status);
}

static enum MHD_Result dispatch(server *s, osc_req *req) {
  osc_resp *resp = &req->resp;
  int rc = OSC_OK;
  for (size_t i = 0; i < g_nmw && rc == OSC_OK; i++) {
    if (!g_mw[i].before) continue;
    osc_clearerr();
    rc = g_mw[i].before(req, resp, g_mw[i].ud);
  }
  if (rc == OSC_OK && strcmp(req->method, "OPTIONS") == 0 && !req->match.route) {
    /* OPTIONS on a known path: say what is allowed */
    osc_resp_take(resp, 204, "text/plain", NULL, 0);
    osc_resp_header(resp, "Allow", req->allow);
  } else if (rc == OSC_OK) {
    osc_clearerr();
    rc = req->match.route->handler(req, resp);
  }
  if (rc != OSC_OK && !resp->set) fill_error(req, rc);
  run_after(req);
  return send_response(s, req);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
  server *s = cls;
  osc_req *req = *con_cls;
  (void)version;
  if (!req) {
    req = calloc(1, sizeof *req);
    if (!req) return MHD_NO;
    req->resp.fd = -1;
    req->conn = conn;
    req->app = s->app;
    req->method = method;
    req->url = url;
    req->t0 = osc_now_ns();
    osc_buf_init(&req->body);
    *con_cls = req;
    atomic_fetch_add(&s->inflight, 1);
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-ID");
    if (rid && valid_request_id(rid))
      snprintf(req->id, sizeof req->id, "%s", rid);
    else
      new_request_id(req->id);
    /* An oversized body is refused whatever the path, before reading it. */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    bool has_body = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
    if (cl) {
      char *end;
      errno = 0;
      unsigned long long n = strtoull(cl, &end, 10);
      if (!errno && *end == '\0' && n > (unsigned long long)s->max_body) {
        /* A client that waits for "100 Continue", or one sending far more
         * than the limit, gets the 413 before the body.  Otherwise read and
         * drop the body first: closing a socket with unread data makes the
         * kernel send a reset that can destroy the 413 before the client
         * reads it. */
        const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        if ((expect && strcasecmp(expect, "100-continue") == 0) || n > 4 * (unsigned long long)s->max_body) {
          osc_seterr(OSC_ETOOBIG, "request body of %llu bytes is larger than the limit of %lld bytes", n,
                     (long long)s->max_body);
          return answer_early(s, req, OSC_ETOOBIG, 413);
        }
        req->too_big = true;
        req->too_big_len = n;
      }
      has_body = has_body || n > 0;
    }
    osc_clearerr();
    req->route_rc = osc_router_match(method, url, &req->match, req->allow, sizeof req->allow);
    if (req->route_rc == OSC_EMETHOD && strcmp(method, "OPTIONS") == 0) req->route_rc = OSC_OK;
    if (req->route_rc) {
      req->early_status = req->route_rc == OSC_ENOENT ? 404 : req->route_rc == OSC_EMETHOD ? 405 : 400;
      if (req->route_rc == OSC_ENOENT)
        osc_seterr(OSC_ENOENT, "Not Found: no route for %s %s", method, url);
      else if (req->route_rc == OSC_EMETHOD)
        osc_seterr(OSC_EMETHOD, "Method Not Allowed: %s %s (allowed: %s)", method, url, req->allow);
      req->early_msg = osc_strdup(osc_errmsg());
      /* With a body coming, answer now and let MHD drop it; without one,
       * answer on the last call so the connection stays alive. */
      if (has_body && !req->too_big) return answer_routing(s, req);
    }
    return MHD_YES;
  }
  if (*upload_size) {
    if (req->queued) {
      *upload_size = 0;
      return MHD_YES;
    }
    if (req->too_big) {
      req->discarded += *upload_size;
      *upload_size = 0;
      /* a client that keeps streaming far past the limit is cut off */
      return req->discarded > 4 * (uint64_t)s->max_body ? MHD_NO : MHD_YES;
    }
    if (req->body.len + *upload_size > (size_t)s->max_body) {
      req->too_big = true;
      req->discarded = req->body.len + *upload_size;
      osc_buf_release(&req->body);
      *upload_size = 0;
      return MHD_YES;
    }
    if (osc_buf_append(&req->body, upload_data, *upload_size) != OSC_OK) return MHD_NO;
    *upload_size = 0;
    return MHD_YES;
  }
  if (req->queued) return MHD_YES;
  if (req->too_big) {
    if (req->too_big_len)
      osc_seterr(OSC_ETOOBIG, "request body of %llu bytes is larger than the limit of %lld bytes",
                 (unsigned long long)req->too_big_len, (long long)s->max_body);
    else
      osc_seterr(OSC_ETOOBIG, "request body is larger than the limit of %lld bytes", (long long)s->max_body);
    return answer_early(s, req, OSC_ETOOBIG, 413);
  }
  if (req->route_rc) return answer_routing(s, req);
  return dispatch(s, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  server *s = cls;
  (void)conn;
  (void)toe;
  osc_req *req = *con_cls;
  if (!req) return;
  *con_cls = NULL;
  req_free(req);
  atomic_fetch_sub(&s->inflight, 1);
}

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s) {
  (void)cls;
  (void)c;
  return strlen(s);
}

OSC_PRINTF(2, 0) static void mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
  OSC_WARN("http", "%s", msg);
}

/* ---- services ---- */

static size_t g_opened;

static void close_services(osc_app *app) {
  while (g_opened > 0) {
    const osc_service *sv = g_services[--g_opened];
    if (sv->close) sv->close(app);
  }
}

static int open_services(osc_app *app) {
  g_opened = 0;
  for (size_t i = 0; i < OSC_ARRAY_LEN(g_services); i++) {
    const osc_service *sv = g_services[i];
    if (sv->open) {
      osc_clearerr();
      int rc = sv->open(app);
      if (rc) {
        char why[512];
        snprintf(why, sizeof why, "%s", *osc_errmsg() ? osc_errmsg() : osc_strerror(rc));
        close_services(app);
        return osc_seterr(rc, "starting %s: %s", sv->name ? sv->name : "service", why);
      }
    }
    g_opened = i + 1;
  }
  return OSC_OK;
}

size_t osc__server_service_count(void) { return OSC_ARRAY_LEN(g_services); }
const osc_service *osc__server_service_at(size_t i) { return i < OSC_ARRAY_LEN(g_services) ? g_services[i] : NULL; }

/* ---- run ---- */

/* Per-connection memory pool of libmicrohttpd: it holds the request line
 * and headers, MHD's parsed header list and the response header block, and
 * MHD zeroes it again for every request on a keep-alive connection.  The
 * library's default (32 KiB) made that memset the largest single cost of a
 * small request; 16 KiB still takes about 14 KiB of request headers
 * (nginx's default is 8 KiB for one header line; tests/server checks that
 * 8 KiB passes), and a request with more is refused with 431. */
#define CONN_POOL_BYTES ((size_t)16 * 1024)

/* Descriptors kept for everything that is not a client connection: the
 * listen socket, epoll sets, logs, databases, files being served. */
#define FD_RESERVE 64

/* Raises the soft RLIMIT_NOFILE to the hard limit (a default soft limit of
 * 1024 would not hold 1000 idle keep-alive clients) and returns how many
 * connections fit in it. */
static unsigned raise_nofile(unsigned want) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return want;
  if (rl.rlim_cur != rl.rlim_max) {
    struct rlimit nr = {rl.rlim_max, rl.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &nr) == 0)
      rl.rlim_cur = rl.rlim_max;
    else
      OSC_WARN("server", "cannot raise the open-file limit from %llu to %llu: %s", (unsigned long long)rl.rlim_cur,
               (unsigned long long)rl.rlim_max, strerror(errno));
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)want + FD_RESERVE) return want;
  unsigned fit = rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : (unsigned)(rl.rlim_cur / 2);
  OSC_WARN("server", "server.max_connections=%u does not fit the open-file limit of %llu; accepting at most %u "
           "connections (raise the limit with 'ulimit -n' or LimitNOFILE=)", want, (unsigned long long)rl.rlim_cur, fit);
  return fit;
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *sl) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  char ps[16];
  snprintf(ps, sizeof ps, "%d", port);
  const char *h = host;
  char buf[256];
  size_t hl = strlen(host);
  if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [::1] */
    snprintf(buf, sizeof buf, "%.*s", (int)(hl - 2), host + 1);
    h = buf;
  }
  int e = getaddrinfo(*h ? h : NULL, ps, &hints, &res);
  if (e || !res)
    return osc_seterr(OSC_EINVAL, "server.host=%s: cannot resolve (%s); expected an IPv4/IPv6 address or host name",
                      host, gai_strerror(e));
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *sl = res->ai_addrlen;
  freeaddrinfo(res);
  return OSC_OK;
}

/* Reads the PEM certificate and key when TLS is configured (the settings
 * exist only when the security module is built).  Both or neither. */
static int load_tls(const osc_config *cfg, char **cert, char **key) {
  if (!osc_config_has(cfg, "security.tls_cert")) return OSC_OK;
  const char *c = osc_config_str(cfg, "security.tls_cert"), *k = osc_config_str(cfg, "security.tls_key");
  if (!*c && !*k) return OSC_OK;
  if (!*c || !*k)
    return osc_seterr(OSC_EINVAL, "security.tls_cert and security.tls_key must be set together (got %s only)",
                      *c ? "tls_cert" : "tls_key");
  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
    return osc_seterr(OSC_EUNSUPPORTED, "this libmicrohttpd was built without TLS support");
  int rc = osc_read_file(c, 1 << 20, cert, NULL);
  if (rc) return osc_seterr(rc, "security.tls_cert: %s", osc_errmsg());
  rc = osc_read_file(k, 1 << 20, key, NULL);
  if (rc) {
    free(*cert);
    *cert = NULL;
    return osc_seterr(rc, "security.tls_key: %s", osc_errmsg());
  }
  return OSC_OK;
}

/* ---- workers ----
 * One MHD daemon per worker thread, in MHD's external epoll mode, driven by
 * worker_main(); all accept from one listening socket, each daemon through
 * its own duplicate of the descriptor.
 *
 * Why not MHD's own thread pool (MHD_USE_EPOLL_INTERNAL_THREAD with
 * MHD_OPTION_THREAD_POOL_SIZE): its worker takes epoll events 128 at a time
 * and, after a full batch, calls epoll_wait() again with the idle timeout.
 * When exactly 128 * k events were ready, it sleeps there holding requests
 * it has already taken off epoll, until some other event arrives or the
 * nearest connection timeout (server.connection_timeout) passes; then its
 * timeout sweep, which runs before those events are handled, closes every
 * one of them that has been idle that long with the request unread, and the
 * client sees its request go unanswered and the connection reset.
 * (libmicrohttpd 0.9.75; the same loop is in 1.0.1.)  It shows under load,
 * when events pile up while a worker waits for a CPU: twice in 55 runs of
 * the 1000-connection test beside another test (ASan), 356 and 1 responses
 * were lost.
 * MHD_run() takes events with a zero timeout and handles them all; the
 * waiting is done here, in poll() on the daemon's epoll descriptor, which
 * says that events are ready without taking them. */

enum { PHASE_RUN, PHASE_QUIESCE, PHASE_STOP };

/* The longest a worker sleeps without an event.  Nothing needs the wake-up
 * (MHD_get_timeout() gives the next connection timeout); it bounds what any
 * other missed event could cost to a second instead of a connection timeout. */
#define WORKER_WAIT_MAX_MS 1000

/* Pending connections the kernel keeps for the workers to accept. */
#define LISTEN_BACKLOG 1024

struct worker {
  server *s;
  struct MHD_Daemon *d;
  int epfd;   /* the daemon's epoll set */
  int wakefd; /* eventfd: s->phase changed */
  pthread_t th;
  bool running; /* th was started */
};

static void *worker_main(void *arg) {
  worker *w = arg;
  bool quiesced = false;
  pthread_setname_np(pthread_self(), "http-worker");
  for (;;) {
    int phase = atomic_load(&w->s->phase);
    if (phase == PHASE_STOP) break;
    if (phase == PHASE_QUIESCE && !quiesced) {
      /* The daemon hands its listening descriptor back; closing it here
       * means the socket closes as the last worker stops accepting. */
      MHD_socket lfd = MHD_quiesce_daemon(w->d);
      if (lfd != MHD_INVALID_SOCKET) close(lfd);
      quiesced = true;
    }
    MHD_UNSIGNED_LONG_LONG wait_ms = WORKER_WAIT_MAX_MS;
    if (MHD_get_timeout(w->d, &wait_ms) != MHD_YES || wait_ms > WORKER_WAIT_MAX_MS) wait_ms = WORKER_WAIT_MAX_MS;
    struct pollfd pf[2] = {{.fd = w->epfd, .events = POLLIN}, {.fd = w->wakefd, .events = POLLIN}};
    if (poll(pf, 2, (int)wait_ms) > 0 && (pf[1].revents & POLLIN)) {
      uint64_t v;
      ssize_t n = read(w->wakefd, &v, sizeof v);
      (void)n;
    }
    MHD_run(w->d);
  }
  return NULL;
}

static void workers_set_phase(server *s, int phase) {
  atomic_store(&s->phase, phase);
  uint64_t one = 1;
  for (unsigned i = 0; i < s->nworkers; i++) {
    if (s->workers[i].wakefd < 0) continue;
    /* adds to the counter; fails only if it would overflow, when the worker is awake anyway */
    ssize_t n = write(s->workers[i].wakefd, &one, sizeof one);
    (void)n;
  }
}

/* Stops the threads, then the daemons (closing their connections). */
static void workers_stop(server *s) {
  if (!s->workers) return;
  workers_set_phase(s, PHASE_STOP);
  for (unsigned i = 0; i < s->nworkers; i++)
    if (s->workers[i].running) pthread_join(s->workers[i].th, NULL);
  for (unsigned i = 0; i < s->nworkers; i++) {
    /* a daemon that was not quiesced closes its listening descriptor here */
    if (s->workers[i].d) MHD_stop_daemon(s->workers[i].d);
    if (s->workers[i].wakefd >= 0) close(s->workers[i].wakefd);
  }
  free(s->workers);
  s->workers = NULL;
  s->nworkers = 0;
}

/* Opens the socket the workers accept from. */
static int listen_open(const struct sockaddr_storage *ss, socklen_t sl, const char *host, int port, int *out) {
  int on = 1, e = 0;
  int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
      bind(fd, (const struct sockaddr *)ss, sl) != 0 || listen(fd, LISTEN_BACKLOG) != 0)
    e = errno;
  if (e) {
    if (fd >= 0) close(fd);
    return osc_seterr(OSC_EIO, "cannot listen on %s:%d: %s", host, port,
                      e == EADDRINUSE ? "address already in use" : strerror(e));
  }
  *out = fd;
  return OSC_OK;
}

/* Starts n daemons on duplicates of lfd (lfd stays the caller's), then a
 * thread for each.  The connection limit is shared out among them, as MHD
 * does for its own pool.  On failure nothing is left running. */
static int workers_start(server *s, unsigned n, int lfd, unsigned flags, unsigned max_conns, unsigned conn_timeout_s,
                         struct MHD_OptionItem *tls_opts) {
  s->workers = calloc(n, sizeof *s->workers);
  if (!s->workers) return osc_seterr(OSC_ENOMEM, "out of memory");
  s->nworkers = n;
  atomic_store(&s->phase, PHASE_RUN);
  for (unsigned i = 0; i < n; i++) s->workers[i].wakefd = -1;
  int rc = OSC_OK;
  for (unsigned i = 0; i < n && rc == OSC_OK; i++) {
    worker *w = &s->workers[i];
    w->s = s;
    w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int dfd = fcntl(lfd, F_DUPFD_CLOEXEC, 0);
    if (w->wakefd < 0 || dfd < 0) {
      rc = osc_seterr(OSC_EIO, "cannot start HTTP worker %u: %s", i, strerror(errno));
      if (dfd >= 0) close(dfd);
      break;
    }
    unsigned limit = max_conns / n + (i < max_conns % n ? 1 : 0);
    errno = 0;
    /* On failure MHD may or may not have closed dfd already, so it is left
     * alone: at worst one descriptor stays open until the process exits
     * with this error. */
    w->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)dfd, MHD_OPTION_CONNECTION_LIMIT, limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, conn_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                            CONN_POOL_BYTES, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL, MHD_OPTION_ARRAY, tls_opts,
                            MHD_OPTION_END);
    const union MHD_DaemonInfo *di = w->d ? MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!di) {
      int e = errno;
      rc = osc_seterr(OSC_EIO, "libmicrohttpd refused to start (worker %u)%s%s", i, e ? ": " : "",
                      e ? strerror(e) : "");
      break;
    }
    w->epfd = di->epoll_fd;
  }
  for (unsigned i = 0; i < n && rc == OSC_OK; i++) {
    int e = pthread_create(&s->workers[i].th, NULL, worker_main, &s->workers[i]);
    if (e) rc = osc_seterr(OSC_EIO, "cannot start HTTP worker thread %u: %s", i, strerror(e));
    else s->workers[i].running = true;
  }
  if (rc) workers_stop(s);
  return rc;
}

int osc_server_run(osc_config *cfg) {
  osc_app app;
  memset(&app, 0, sizeof app);
  server s = {.app = &app};
  atomic_init(&s.inflight, 0);
  atomic_init(&app.stopping, false);
  app.cfg = cfg;
  app.started_wall_ms = osc_wall_ms();
  app.started_mono_ns = osc_now_ns();
  s.max_body = osc_config_int(cfg, "server.max_body_bytes");
  const char *host = osc_config_str(cfg, "server.host");
  int port = (int)osc_config_int(cfg, "server.port");
  const char *port_file = osc_config_str(cfg, "server.port_file");
  int threads = (int)osc_config_int(cfg, "server.threads");
  if (threads <= 0) threads = osc_cpu_count() < 2 ? 2 : osc_cpu_count();
  int64_t shutdown_ms = osc_config_int(cfg, "server.shutdown_timeout");
  unsigned conn_timeout_s = (unsigned)((osc_config_int(cfg, "server.connection_timeout") + 999) / 1000);
  unsigned max_conns = raise_nofile((unsigned)osc_config_int(cfg, "server.max_connections"));
  if (max_conns < (unsigned)threads) threads = (int)max_conns; /* every worker may hold a connection */

  struct sockaddr_storage ss;
  socklen_t sl = 0;
  int rc = resolve(host, port, &ss, &sl);
  if (rc) return rc;

  char *dd = NULL;
  rc = osc_config_data_path(cfg, NULL, true, &dd);
  if (rc) return rc;
  char *abs = realpath(dd, NULL);
  free(dd);
  if (!abs) return osc_seterr(OSC_EIO, "data_dir: cannot resolve '%s': %s", osc_config_str(cfg, "data_dir"), strerror(errno));
  app.data_dir = abs;

  /* Optional TLS (libmicrohttpd with GnuTLS): certificate and key in PEM
   * files named by security.tls_cert / security.tls_key. */
  char *tls_cert = NULL, *tls_key = NULL;
  rc = load_tls(cfg, &tls_cert, &tls_key);
  if (rc) {
    free(app.data_dir);
    return rc;
  }
  struct MHD_OptionItem tls_opts[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert},
                                      {MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key},
                                      {MHD_OPTION_END, 0, NULL}};
  if (!tls_cert) tls_opts[0].option = MHD_OPTION_END;

  /* Signals: blocked everywhere, taken by this thread only. */
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  signal(SIGPIPE, SIG_IGN);

  g_nmw = 0;
  rc = open_services(&app);
  if (rc) goto out_sig;

  int lfd = -1;
  rc = listen_open(&ss, sl, host, port, &lfd);
  if (rc) goto out_services;
  int bound = port;
  {
    struct sockaddr_storage bs;
    socklen_t bl = sizeof bs;
    if (getsockname(lfd, (struct sockaddr *)&bs, &bl) == 0)
      bound = ntohs(bs.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bs)->sin6_port
                                             : ((struct sockaddr_in *)&bs)->sin_port);
  }
  unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
  if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  if (tls_cert) flags |= MHD_USE_TLS;
  atomic_store(&g_running, true);
  rc = workers_start(&s, (unsigned)threads, lfd, flags, max_conns, conn_timeout_s, tls_opts);
  close(lfd); /* each daemon holds its own duplicate */
  if (rc) goto out_services;
  if (port_file && *port_file) {
    char txt[16];
    int n = snprintf(txt, sizeof txt, "%d\n", bound);
    rc = osc_write_file_atomic(port_file, txt, (size_t)n);
    if (rc) {
      char why[300];
      snprintf(why, sizeof why, "%s", osc_errmsg());
      rc = osc_seterr(rc, "server.port_file=%s: %s", port_file, why);
      goto out_daemon;
    }
  }
  bool v6 = ss.ss_family == AF_INET6;
  char shown[300];
  snprintf(shown, sizeof shown, "%s", host);
  if (v6 && host[0] != '[') snprintf(shown, sizeof shown, "[%s]", host);
  printf("oscontent: serving on %s://%s:%d\n", tls_cert ? "https" : "http", shown, bound);
  fflush(stdout);
  OSC_INFO("server", "listening on %s:%d with %d threads (data_dir %s)", shown, bound, threads, app.data_dir);

  for (;;) {
    struct timespec ts = {1, 0};
    int sig = sigtimedwait(&set, NULL, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      OSC_INFO("server", "%s: stopping (finishing %d in-flight requests, up to %lld ms)",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", atomic_load(&s.inflight), (long long)shutdown_ms);
      break;
    }
  }
  atomic_store(&app.stopping, true);
  workers_set_phase(&s, PHASE_QUIESCE);
  uint64_t deadline = osc_now_ms() + (uint64_t)shutdown_ms;
  while (atomic_load(&s.inflight) > 0 && osc_now_ms() < deadline) {
    struct timespec ts = {0, 20 * 1000 * 1000};
    int sig = sigtimedwait(&set, NULL, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      OSC_WARN("server", "second signal: not waiting for %d in-flight requests", atomic_load(&s.inflight));
      break;
    }
  }
  if (atomic_load(&s.inflight) > 0)
    OSC_WARN("server", "%d requests still in flight at shutdown", atomic_load(&s.inflight));
  rc = OSC_OK;
out_daemon:
  workers_stop(&s);
  if (!rc) OSC_INFO("server", "stopped");
out_services:
  atomic_store(&g_running, false);
  {
    char keep[512];
    snprintf(keep, sizeof keep, "%s", osc_errmsg());
    close_services(&app);
    if (rc) osc_seterr(rc, "%s", keep);
  }
out_sig:
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  free(app.data_dir);
  free(tls_cert);
  free(tls_key);
  return rc;
}
