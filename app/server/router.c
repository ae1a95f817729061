/*
 * server/router.c - the one route table and its matcher.
 *
 * Every enabled module's table (osc__routes_<m>, gathered through
 * osc_modules.h) is flattened once into g_routes, in module order.  Matching
 * walks the raw (still percent-encoded) path segment by segment so that an
 * encoded '/' (%2F) stays inside its parameter; parameters are decoded only
 * after a route has won.  Among the routes whose pattern matches, the most
 * specific wins: a literal segment beats {name}, which beats {name*};
 * ties go to the route declared first.  The table is read-only after the
 * first call, so matching is safe from any thread without locks.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "server/server.h"

#define OSC_MODULE(m) extern const osc_route osc__routes_##m[];
#include "osc_modules.h"
#undef OSC_MODULE

static const osc_route *const g_tables[] = {
#define OSC_MODULE(m) osc__routes_##m,
#include "osc_modules.h"
#undef OSC_MODULE
};

static const osc_route **g_routes;
static size_t g_nroutes;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
  size_t n = 0;
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_tables); t++)
    for (const osc_route *r = g_tables[t]; r->method; r++) n++;
  g_routes = calloc(n + 1, sizeof *g_routes);
  if (!g_routes) return;
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_tables); t++)
    for (const osc_route *r = g_tables[t]; r->method; r++) g_routes[g_nroutes++] = r;
}

const osc_route *osc_router_at(size_t i) {
  pthread_once(&g_once, build_table);
  return i < g_nroutes ? g_routes[i] : NULL;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int osc_url_decode(const char *s, size_t n, bool plus_is_space, char **out) {
  char *d = malloc(n + 1);
  if (!d) return osc_seterr(OSC_ENOMEM, "out of memory");
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
      int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        free(d);
        return osc_seterr(OSC_EINVAL, "invalid percent-encoding at byte %zu", i);
      }
      c = (char)(hi * 16 + lo);
      if (c == '\0') {
        free(d);
        return osc_seterr(OSC_EINVAL, "percent-encoded NUL (%%00) at byte %zu", i);
      }
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    } else if (c == '\0') {
      free(d);
      return osc_seterr(OSC_EINVAL, "NUL byte at %zu", i);
    }
    d[j++] = c;
  }
  d[j] = '\0';
  *out = d;
  return OSC_OK;
}

typedef struct raw_param {
  const char *name;
  size_t name_len;
  const char *val;
  size_t val_len;
} raw_param;

/* Matches pattern against path.  Returns -1 for no match, else a
 * specificity score (higher = more literal segments, earlier). */
static long match_one(const char *pat, const char *path, raw_param *params, size_t *nparams) {
  size_t np = 0;
  long score = 0;
  if (*pat != '/' || *path != '/') return -1;
  for (;;) {
    /* both at '/' */
    pat++;
    path++;
    const char *pe = strchr(pat, '/');
    size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
    const char *se = strchr(path, '/');
    size_t sl = se ? (size_t)(se - path) : strlen(path);
    score *= 3;
    if (pl >= 2 && pat[0] == '{' && pat[pl - 1] == '}') {
      bool rest = pl >= 3 && pat[pl - 2] == '*';
      if (np >= 8) return -1;
      params[np].name = pat + 1;
      params[np].name_len = pl - 2 - (rest ? 1 : 0);
      if (rest) {
        size_t all = strlen(path);
        if (all == 0) return -1;
        params[np].val = path;
        params[np].val_len = all;
        *nparams = ++np;
        return score; /* {name*} is always last */
      }
      if (sl == 0) return -1;
      params[np].val = path;
      params[np].val_len = sl;
      np++;
      score += 1;
    } else {
      if (pl != sl || memcmp(pat, path, pl) != 0) return -1;
      score += 2;
    }
    pat += pl;
    path += sl;
    if (!*pat && !*path) break;
    if (!*pat || !*path) return -1;
  }
  *nparams = np;
  return score;
}

static bool method_eq(const char *route_method, const char *method) {
  if (strcmp(route_method, method) == 0) return true;
  return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

int osc_router_match(const char *method, const char *path, osc_route_match *m, char *allow, size_t allow_len) {
  pthread_once(&g_once, build_table);
  memset(m, 0, sizeof *m);
  if (allow && allow_len) allow[0] = '\0';
  if (!method || !path) return osc_seterr(OSC_EINVAL, "no method or path");
  const osc_route *best = NULL;
  long best_score = -1;
  raw_param best_params[8], params[8];
  size_t best_n = 0;
  bool any_path = false;
  size_t alen = 0;
  for (size_t i = 0; i < g_nroutes; i++) {
    const osc_route *r = g_routes[i];
    size_t n = 0;
    long sc = match_one(r->pattern, path, params, &n);
    if (sc < 0) continue;
    any_path = true;
    if (method_eq(r->method, method)) {
      if (sc > best_score) {
        best = r;
        best_score = sc;
        best_n = n;
        memcpy(best_params, params, sizeof params);
      }
    } else if (allow && allow_len) {
      /* collect distinct methods, e.g. "GET, POST" */
      const char *mth = r->method;
      size_t ml = strlen(mth);
      bool dup = false;
      for (const char *p = allow; *p && !dup;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        dup = l == ml && memcmp(p, mth, ml) == 0;
        p = c ? c + 2 : p + l;
      }
      if (!dup && alen + ml + 3 < allow_len) {
        if (alen) {
          memcpy(allow + alen, ", ", 2);
          alen += 2;
        }
        memcpy(allow + alen, mth, ml);
        alen += ml;
        allow[alen] = '\0';
      }
    }
  }
  if (!best) {
    if (any_path) return osc_seterr(OSC_EMETHOD, "method %s is not allowed for %s", method, path);
    return osc_seterr(OSC_ENOENT, "no route for %s", path);
  }
  m->route = best;
  for (size_t i = 0; i < best_n; i++) {
    size_t nl = OSC_MIN(best_params[i].name_len, sizeof m->params[i].name - 1);
    memcpy(m->params[i].name, best_params[i].name, nl);
    m->params[i].name[nl] = '\0';
    int rc = osc_url_decode(best_params[i].val, best_params[i].val_len, false, &m->params[i].value);
    if (rc) {
      char why[200];
      snprintf(why, sizeof why, "%s", osc_errmsg());
      osc_route_match_release(m);
      return osc_seterr(OSC_EINVAL, "path parameter '%.*s': %s", (int)nl, best_params[i].name, why);
    }
    m->nparams = i + 1;
  }
  return OSC_OK;
}

void osc_route_match_release(osc_route_match *m) {
  if (!m) return;
  for (size_t i = 0; i < m->nparams; i++) free(m->params[i].value);
  m->nparams = 0;
  m->route = NULL;
}
