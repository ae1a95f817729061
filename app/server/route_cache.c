/*
 * server/route_cache.c - the /cache routes (original API shapes) and the
 * cache service.
 *
 *   POST   /cache/set          {key, value (any JSON), ttl (s, null = default)} -> {success, message}
 *   GET    /cache/get/{key}    -> {key, value} or 404 {"detail": "Key not found"}
 *   DELETE /cache/delete/{key} -> {success, message} (success even if absent, as the original)
 *   GET    /cache/stats        -> the stats (original flat fields + "levels")
 *   POST   /cache/batch-get    {keys: [...]} -> {results: {key: value|null}, found, missing}
 *   POST   /cache/batch-set    {items: {key: value} | [{key, value}], ttl} -> {success, results: {key: true}, count}
 *   POST   /cache/clear        -> {success, message} (admin; this namespace only)
 *
 * Values set through HTTP are stored as JSON text (content type json) and
 * returned as JSON; text values come back as strings and binary ones as
 * base64 with "encoding": "base64".
 */
#include <stdlib.h>
#include <string.h>

#include "cache/cache_json.h"
#include "core/json.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"
#include "server/app.h"
#include "server/http.h"

#define BATCH_MAX 1000

static int need_cache(osc_req *req, osc_cache **out) {
  *out = osc_req_app(req)->cache;
  if (!*out) return osc_seterr(OSC_EUNAVAIL, "cache is not available");
  return OSC_OK;
}

static char *b64(const unsigned char *p, size_t n) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *o = malloc((n + 2) / 3 * 4 + 1);
  if (!o) return NULL;
  size_t j = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    o[j++] = t[v >> 18 & 63];
    o[j++] = t[v >> 12 & 63];
    o[j++] = i + 1 < n ? t[v >> 6 & 63] : '=';
    o[j++] = i + 2 < n ? t[v & 63] : '=';
  }
  o[j] = 0;
  return o;
}

/* The JSON form of a cached value; sets *base64 when it had to be encoded. */
static json_t *value_json(const osc_cache_value *v, bool *base64) {
  size_t n;
  const char *d = osc_cache_value_data(v, &n);
  *base64 = false;
  json_t *j = NULL;
  if (osc_cache_value_ctype(v) == OSC_CACHE_CTYPE_JSON && osc_json_parse(d, n, false, &j) == OSC_OK) return j;
  if (osc_cache_value_ctype(v) != OSC_CACHE_CTYPE_BINARY && (j = json_stringn(d, n))) return j;
  char *e = b64((const unsigned char *)d, n);
  *base64 = true;
  j = e ? json_string(e) : json_null();
  free(e);
  return j;
}

static int check_key(const char *key, const char *field) {
  size_t n = strlen(key);
  if (!n) return osc_seterr(OSC_EINVAL, "%s: must not be empty", field);
  if (n > OSC_CACHE_MAX_KEY)
    return osc_seterr(OSC_EINVAL, "%s: %zu bytes is over the limit of %d", field, n, OSC_CACHE_MAX_KEY);
  return OSC_OK;
}

/* ttl in seconds as the original: missing or null = the configured default, 0 = default too. */
static int ttl_arg(const json_t *body, int64_t *ttl_ms) {
  *ttl_ms = 0;
  json_t *t = json_object_get(body, "ttl");
  if (!t || json_is_null(t)) return OSC_OK;
  if (!json_is_integer(t) && !json_is_real(t)) return osc_seterr(OSC_EINVAL, "ttl: expected seconds as a number or null");
  double s = json_number_value(t);
  if (s < 0 || s > 31536000.0 * 10) return osc_seterr(OSC_EINVAL, "ttl: expected 0 to 315360000 seconds");
  *ttl_ms = (int64_t)(s * 1000.0);
  if (s > 0 && !*ttl_ms) *ttl_ms = 1;
  return OSC_OK;
}

static int route_set(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  json_t *body;
  const char *key = NULL;
  int64_t ttl;
  int rc;
  if ((rc = need_cache(req, &c)) || (rc = osc_req_json(req, &body))) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected a JSON object {key, value, ttl}");
  if ((rc = osc_json_get_str(body, "key", true, OSC_CACHE_MAX_KEY, &key)) || (rc = check_key(key, "key"))) return rc;
  json_t *value = json_object_get(body, "value");
  if (!value) return osc_seterr(OSC_EINVAL, "value: field required");
  if ((rc = ttl_arg(body, &ttl))) return rc;
  char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
  if (!text) return osc_seterr(OSC_ENOMEM, "value: cannot encode");
  rc = osc_cache_set(c, key, strlen(key), text, strlen(text), OSC_CACHE_CTYPE_JSON, ttl);
  free(text);
  if (rc) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:b,s:s}", "success", 1, "message", "Value set successfully"));
}

static int route_get(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  int rc;
  if ((rc = need_cache(req, &c))) return rc;
  const char *key = osc_req_param(req, "key");
  if (!key || (rc = check_key(key, "key"))) return rc ? rc : osc_seterr(OSC_EINVAL, "key: missing");
  osc_cache_value *v;
  rc = osc_cache_get(c, key, strlen(key), &v);
  if (rc == OSC_ENOENT) return osc_resp_error_status(resp, 404, OSC_ENOENT, "Key not found");
  if (rc) return rc;
  bool enc;
  json_t *val = value_json(v, &enc);
  osc_cache_value_release(v);
  json_t *o = json_pack("{s:s,s:o}", "key", key, "value", val);
  if (enc) json_object_set_new(o, "encoding", json_string("base64"));
  return osc_resp_json(resp, 200, o);
}

static int route_delete(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  int rc;
  if ((rc = need_cache(req, &c))) return rc;
  const char *key = osc_req_param(req, "key");
  if (!key || (rc = check_key(key, "key"))) return rc ? rc : osc_seterr(OSC_EINVAL, "key: missing");
  bool existed = false;
  if ((rc = osc_cache_delete(c, key, strlen(key), &existed))) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:b,s:s,s:b}", "success", 1, "message", "Value deleted successfully",
                                            "existed", existed));
}

static int route_stats(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  int rc;
  if ((rc = need_cache(req, &c))) return rc;
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  json_t *o = osc__cache_stats_json(&s);
  if (!o) return OSC_ENOMEM;
  return osc_resp_json(resp, 200, o);
}

static int route_batch_get(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  json_t *body;
  int rc;
  if ((rc = need_cache(req, &c)) || (rc = osc_req_json(req, &body))) return rc;
  json_t *keys = json_is_object(body) ? json_object_get(body, "keys") : NULL;
  if (!json_is_array(keys)) return osc_seterr(OSC_EINVAL, "keys: expected an array of strings");
  size_t n = json_array_size(keys);
  if (n > BATCH_MAX) return osc_seterr(OSC_EINVAL, "keys: %zu keys; at most %d per request", n, BATCH_MAX);
  osc_cache_kv *items = calloc(n ? n : 1, sizeof *items);
  if (!items) return OSC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    json_t *k = json_array_get(keys, i);
    if (!json_is_string(k)) {
      free(items);
      return osc_seterr(OSC_EINVAL, "keys[%zu]: expected a string", i);
    }
    char field[32];
    snprintf(field, sizeof field, "keys[%zu]", i);
    if ((rc = check_key(json_string_value(k), field))) {
      free(items);
      return rc;
    }
    items[i].key = json_string_value(k);
    items[i].klen = json_string_length(k);
  }
  if ((rc = osc_cache_batch_get(c, items, n))) {
    free(items);
    return rc;
  }
  json_t *results = json_object();
  size_t found = 0;
  for (size_t i = 0; i < n; i++) {
    if (items[i].result) {
      bool enc;
      json_object_set_new(results, items[i].key, value_json(items[i].result, &enc));
      osc_cache_value_release(items[i].result);
      found++;
    } else if (!json_object_get(results, items[i].key)) {
      json_object_set_new(results, items[i].key, json_null());
    }
  }
  free(items);
  return osc_resp_json(resp, 200, json_pack("{s:o,s:I,s:I}", "results", results, "found", (json_int_t)found,
                                            "missing", (json_int_t)(n - found)));
}

static int route_batch_set(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  json_t *body;
  int64_t ttl;
  int rc;
  if ((rc = need_cache(req, &c)) || (rc = osc_req_json(req, &body))) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected a JSON object {items, ttl}");
  json_t *items = json_object_get(body, "items");
  if (!json_is_object(items) && !json_is_array(items))
    return osc_seterr(OSC_EINVAL, "items: expected an object {key: value} or an array of {key, value}");
  if ((rc = ttl_arg(body, &ttl))) return rc;
  size_t n = json_is_object(items) ? json_object_size(items) : json_array_size(items);
  if (n > BATCH_MAX) return osc_seterr(OSC_EINVAL, "items: %zu items; at most %d per request", n, BATCH_MAX);
  osc_cache_kv *kv = calloc(n ? n : 1, sizeof *kv);
  char **texts = calloc(n ? n : 1, sizeof *texts);
  size_t k = 0;
  rc = (kv && texts) ? OSC_OK : OSC_ENOMEM;
  if (json_is_object(items)) {
    const char *key;
    json_t *val;
    json_object_foreach(items, key, val) {
      if (rc) break;
      char field[48];
      snprintf(field, sizeof field, "items key #%zu", k);
      if ((rc = check_key(key, field))) break;
      kv[k].key = key;
      kv[k].klen = strlen(key);
      texts[k] = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
      k++;
    }
  } else {
    for (size_t i = 0; i < n && !rc; i++) {
      json_t *it = json_array_get(items, i);
      const char *key = NULL;
      char field[32];
      snprintf(field, sizeof field, "items[%zu].key", i);
      if (!json_is_object(it)) rc = osc_seterr(OSC_EINVAL, "items[%zu]: expected {key, value}", i);
      else if (osc_json_get_str(it, "key", true, OSC_CACHE_MAX_KEY, &key)) rc = osc_seterr(OSC_EINVAL, "items[%zu].key: field required (a string)", i);
      else if ((rc = check_key(key, field))) break;
      else if (!json_object_get(it, "value")) rc = osc_seterr(OSC_EINVAL, "items[%zu].value: field required", i);
      if (rc) break;
      kv[k].key = key;
      kv[k].klen = strlen(key);
      texts[k] = json_dumps(json_object_get(it, "value"), JSON_COMPACT | JSON_ENCODE_ANY);
      k++;
    }
  }
  for (size_t i = 0; i < k && !rc; i++) {
    if (!texts[i]) rc = OSC_ENOMEM;
    else {
      kv[i].val = texts[i];
      kv[i].vlen = strlen(texts[i]);
      kv[i].ctype = OSC_CACHE_CTYPE_JSON;
    }
  }
  if (!rc) rc = osc_cache_batch_set(c, kv, k, ttl);
  json_t *results = NULL;
  if (!rc) {
    results = json_object();
    for (size_t i = 0; i < k; i++) json_object_set_new(results, kv[i].key, json_boolean(kv[i].status == OSC_OK));
  }
  for (size_t i = 0; i < k; i++) free(texts[i]);
  free(texts);
  free(kv);
  if (rc) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:b,s:o,s:I}", "success", 1, "results", results, "count", (json_int_t)k));
}

static int route_clear(osc_req *req, osc_resp *resp) {
  osc_cache *c;
  int rc;
  if ((rc = need_cache(req, &c))) return rc;
  if ((rc = osc_cache_clear(c))) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:b,s:s}", "success", 1, "message", "Cache cleared"));
}

const osc_route osc__routes_cache[] = {
    {"POST", "/cache/set", route_set, OSC_ROUTE_SCOPE_WRITE, "cache.set", "Store a JSON value under a key (ttl in s)"},
    {"GET", "/cache/get/{key}", route_get, 0, "cache.get", "Read a cached value; 404 when absent"},
    {"DELETE", "/cache/delete/{key}", route_delete, OSC_ROUTE_SCOPE_WRITE, "cache.delete",
     "Delete a key from every level"},
    {"GET", "/cache/stats", route_stats, 0, "cache.stats", "Counters of every cache level"},
    {"POST", "/cache/batch-get", route_batch_get, 0, "cache.batch_get", "Read many keys at once (pipelined to Redis)"},
    {"POST", "/cache/batch-set", route_batch_set, OSC_ROUTE_SCOPE_WRITE, "cache.batch_set",
     "Store many values with one TTL"},
    {"POST", "/cache/clear", route_clear, OSC_ROUTE_SCOPE_ADMIN, "cache.clear",
     "Remove every entry of this namespace (never other Redis keys)"},
    {NULL, NULL, NULL, 0, NULL, NULL}};

static int svc_open(osc_app *app) {
  osc_cache_options o;
  int rc = osc_cache_options_from_config(app->cfg, &o);
  if (rc) return rc;
  rc = osc_cache_open(&o, &app->cache);
  osc_cache_options_release(&o);
  return rc;
}

static void svc_close(osc_app *app) {
  osc_cache_close(app->cache);
  app->cache = NULL;
}

static int svc_health(osc_app *app, json_t *out) {
  if (!app->cache) return osc_seterr(OSC_EUNAVAIL, "cache is not open");
  osc_cache_stats s;
  osc_cache_stats(app->cache, &s);
  json_object_set_new(out, "l1_entries", json_integer((json_int_t)s.l1.entries));
  json_object_set_new(out, "l2", json_string(!s.l2_enabled ? "disabled" : s.l2_up ? "up" : "down"));
  json_object_set_new(out, "l3", json_string(s.l3_enabled ? "up" : "disabled"));
  /* L2 down is degraded service, not an outage: L1 and L3 keep serving. */
  return OSC_OK;
}

const osc_service osc__service_cache = {"cache", svc_open, svc_close, svc_health};
