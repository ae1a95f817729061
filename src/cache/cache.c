/*
 * cache/cache.c - the tiered facade: L1 -> L2 -> L3, TTL, batches,
 * single-flight, stats, background expiry.
 *
 * Deadlines: a set turns ttl_ms into one absolute wall-clock deadline
 * (with jitter) that every level stores; promotions carry it (L2's from
 * PTTL), so no level ever keeps an entry past it.
 *
 * Values are encoded once per set (codec.c) and the same bytes go to L2
 * and L3.  A stored value that fails to decode is counted as corrupt,
 * removed from the level that held it and treated as a miss.
 *
 * Single flight: a small list of in-flight computations under one mutex;
 * callers that miss on a key being computed wait on its condition variable
 * and share the result (or the error).  The mutex is only taken on misses.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

typedef struct flight {
  struct flight *next;
  uint64_t hash;
  void *key;
  size_t klen;
  pthread_cond_t cv;
  bool done;
  int rc;
  osc_cache_value *val;
  int refs;
} flight;

struct osc_cache {
  osc__l1 *l1;
  osc__l2 *l2;
  osc__l3 *l3;
  osc__codec *codec;
  int64_t default_ttl_ms, negative_ttl_ms;
  double jitter;
  char *ns, *l2_url, *l3_path, *dict_path;
  int64_t l3_sweep_ms;
  bool l3_sync;
  /* stats */
  atomic_uint_fast64_t misses, sets, deletes, negative_hits, computes, sf_waits, corrupt;
  atomic_uint_fast64_t l1_lat[OSC_CACHE_LAT_BUCKETS];
  /* single flight */
  pthread_mutex_t sf_mu;
  flight *flights;
  /* background */
  pthread_t bg;
  bool bg_started;
  pthread_mutex_t bg_mu;
  pthread_cond_t bg_cv;
  bool stopping;
};

/* ---------- names ---------- */

static const char *const policy_names[] = {"s3fifo", "s3fifo", "lru", "lfu", "fifo"};
static const char *const codec_names[] = {"zstd", "none", "zstd", "lz4", "brotli", "gzip"};

int osc_cache_policy_parse(const char *text, osc_cache_policy *out) {
  if (text && !strcmp(text, "default")) {
    *out = OSC_CACHE_POLICY_DEFAULT;
    return OSC_OK;
  }
  for (int i = 1; i < 5; i++)
    if (text && !strcmp(text, policy_names[i])) {
      *out = (osc_cache_policy)i;
      return OSC_OK;
    }
  return osc_seterr(OSC_EINVAL, "policy: '%s' is not one of s3fifo|lru|lfu|fifo", text ? text : "");
}
const char *osc_cache_policy_name(osc_cache_policy p) {
  return (unsigned)p < 5 ? policy_names[p] : "?";
}
int osc_cache_codec_parse(const char *text, osc_cache_codec *out) {
  for (int i = 1; i < 6; i++)
    if (text && !strcmp(text, codec_names[i])) {
      *out = (osc_cache_codec)i;
      return OSC_OK;
    }
  return osc_seterr(OSC_EINVAL, "codec: '%s' is not one of none|zstd|lz4|brotli|gzip", text ? text : "");
}
const char *osc_cache_codec_name(osc_cache_codec c) { return (unsigned)c < 6 ? codec_names[c] : "?"; }
const char *osc_cache_ctype_name(osc_cache_ctype t) {
  switch (t) {
    case OSC_CACHE_CTYPE_JSON: return "json";
    case OSC_CACHE_CTYPE_TEXT: return "text";
    default: return "binary";
  }
}

/* ---------- latency ---------- */

void osc__lat_add(atomic_uint_fast64_t *hist, uint64_t ns) {
  int b = ns ? 63 - __builtin_clzll(ns) : 0;
  if (b >= OSC_CACHE_LAT_BUCKETS) b = OSC_CACHE_LAT_BUCKETS - 1;
  atomic_fetch_add_explicit(&hist[b], 1, memory_order_relaxed);
}

void osc__lat_fill(osc_cache_level_stats *st, const atomic_uint_fast64_t *hist) {
  uint64_t total = 0;
  for (int i = 0; i < OSC_CACHE_LAT_BUCKETS; i++) {
    st->lat_hist[i] = atomic_load_explicit(&hist[i], memory_order_relaxed);
    total += st->lat_hist[i];
  }
  st->lat_count = total;
  uint64_t acc = 0;
  st->lat_p50_ns = st->lat_p99_ns = 0;
  for (int i = 0; i < OSC_CACHE_LAT_BUCKETS && total; i++) {
    acc += st->lat_hist[i];
    double ub = (double)(2ull << i);
    if (!st->lat_p50_ns && acc * 2 >= total) st->lat_p50_ns = ub;
    if (!st->lat_p99_ns && acc * 100 >= total * 99) st->lat_p99_ns = ub;
  }
}

/* ---------- options ---------- */

int osc_cache_options_from_config(const osc_config *cfg, osc_cache_options *o) {
  memset(o, 0, sizeof *o);
  int64_t l1 = osc_config_int(cfg, "cache.l1_max_bytes");
  o->l1_max_bytes = l1 > 0 ? l1 : -1;
  o->l1_max_entries = osc_config_int(cfg, "cache.l1_max_entries");
  int rc = osc_cache_policy_parse(osc_config_str(cfg, "cache.l1_policy"), &o->l1_policy);
  if (rc) return rc;
  o->l1_shards = (int)osc_config_int(cfg, "cache.l1_shards");
  int64_t ttl = osc_config_int(cfg, "cache.default_ttl");
  o->default_ttl_ms = ttl > 0 ? ttl : -1;
  double j = osc_config_double(cfg, "cache.ttl_jitter");
  o->ttl_jitter = j > 0 ? j : -1;
  int64_t neg = osc_config_int(cfg, "cache.negative_ttl");
  o->negative_ttl_ms = neg > 0 ? neg : -1;
  o->namespace_ = osc_config_str(cfg, "cache.namespace");
  const char *url = osc_config_str(cfg, "redis_url");
  if (osc_config_bool(cfg, "cache.l2_enabled") && url && *url) o->l2_url = url;
  o->l2_pool_size = (int)osc_config_int(cfg, "cache.l2_pool_size");
  o->l2_connect_timeout_ms = osc_config_int(cfg, "cache.l2_connect_timeout");
  o->l2_command_timeout_ms = osc_config_int(cfg, "cache.l2_command_timeout");
  o->l2_no_invalidation = !osc_config_bool(cfg, "cache.l2_invalidation");
  if (osc_config_bool(cfg, "cache.l3_enabled")) {
    const char *sub = osc_config_str(cfg, "cache.l3_path");
    char *path = NULL;
    rc = osc_config_data_path(cfg, sub && *sub ? sub : "cache", true, &path);
    if (rc) return osc_seterr(rc, "cache.l3_path: %s", osc_errmsg());
    o->l3_path = path;
  }
  o->l3_max_bytes = osc_config_int(cfg, "cache.l3_max_bytes");
  int64_t sw = osc_config_int(cfg, "cache.l3_sweep_interval");
  o->l3_sweep_interval_ms = sw > 0 ? sw : -1;
  o->l3_sync = osc_config_bool(cfg, "cache.l3_sync");
  rc = osc_cache_codec_parse(osc_config_str(cfg, "cache.codec"), &o->codec);
  if (rc) {
    osc_cache_options_release(o);
    return rc;
  }
  o->codec_level = (int)osc_config_int(cfg, "cache.codec_level");
  int64_t th = osc_config_int(cfg, "cache.compress_threshold");
  o->compress_threshold = th;
  if (!th) o->compress_threshold = 1; /* 0 in the settings means "compress everything" */
  const char *dict = osc_config_str(cfg, "cache.zstd_dict");
  o->zstd_dict_path = dict && *dict ? dict : NULL;
  return OSC_OK;
}

void osc_cache_options_release(osc_cache_options *o) {
  if (!o) return;
  free((char *)o->l3_path);
  o->l3_path = NULL;
}

static bool ns_ok(const char *ns) {
  size_t n = strlen(ns);
  if (!n || n > 64) return false;
  for (size_t i = 0; i < n; i++) {
    char c = ns[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == '-'))
      return false;
  }
  return true;
}

static void on_inval(void *ud, const void *key, size_t klen, bool all) {
  osc_cache *c = ud;
  if (!c->l1) return;
  if (all) osc__l1_clear(c->l1);
  else if (klen && klen <= OSC_CACHE_MAX_KEY) osc__l1_remove(c->l1, osc__cache_hash(key, klen), key, klen);
}

static void *bg_main(void *arg) {
  osc_cache *c = arg;
  uint64_t last_sweep = osc_now_ms(), last_sync = last_sweep;
  pthread_mutex_lock(&c->bg_mu);
  while (!c->stopping) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    pthread_cond_timedwait(&c->bg_cv, &c->bg_mu, &ts);
    if (c->stopping) break;
    pthread_mutex_unlock(&c->bg_mu);
    int64_t now = osc__cache_now_ms();
    if (c->l1) osc__l1_sweep(c->l1, now, 4096);
    uint64_t m = osc_now_ms();
    if (c->l3 && c->l3_sweep_ms > 0 && m - last_sweep >= (uint64_t)c->l3_sweep_ms) {
      osc__l3_sweep(c->l3, now, 20000);
      last_sweep = m;
    }
    if (c->l3 && !c->l3_sync && m - last_sync >= 5000) {
      osc__l3_sync(c->l3);
      last_sync = m;
    }
    pthread_mutex_lock(&c->bg_mu);
  }
  pthread_mutex_unlock(&c->bg_mu);
  return NULL;
}

int osc_cache_open(const osc_cache_options *opts, osc_cache **out) {
  *out = NULL;
  osc_cache_options def;
  memset(&def, 0, sizeof def);
  const osc_cache_options *o = opts ? opts : &def;
  if (o->ttl_jitter > 0.5) return osc_seterr(OSC_EINVAL, "ttl_jitter: %g is above 0.5", o->ttl_jitter);
  if (o->l1_shards < 0 || o->l1_shards > 1024 || (o->l1_shards & (o->l1_shards - 1)))
    return osc_seterr(OSC_EINVAL, "l1_shards: %d is not a power of two from 1 to 1024", o->l1_shards);
  if (o->l1_max_entries < 0) return osc_seterr(OSC_EINVAL, "l1_max_entries: %lld is below 0", (long long)o->l1_max_entries);
  const char *ns = o->namespace_ && *o->namespace_ ? o->namespace_ : "osc";
  if (!ns_ok(ns)) return osc_seterr(OSC_EINVAL, "namespace: '%s' must be 1-64 of [A-Za-z0-9_.-]", ns);
  osc_cache *c = calloc(1, sizeof *c);
  if (!c) return OSC_ENOMEM;
  pthread_mutex_init(&c->sf_mu, NULL);
  pthread_mutex_init(&c->bg_mu, NULL);
  pthread_cond_init(&c->bg_cv, NULL);
  c->default_ttl_ms = o->default_ttl_ms ? o->default_ttl_ms : 3600 * 1000;
  c->negative_ttl_ms = o->negative_ttl_ms ? o->negative_ttl_ms : 30 * 1000;
  c->jitter = o->ttl_jitter ? (o->ttl_jitter < 0 ? 0 : o->ttl_jitter) : 0.10;
  c->ns = osc_strdup(ns);
  c->l3_sweep_ms = o->l3_sweep_interval_ms ? o->l3_sweep_interval_ms : 60000;
  c->l3_sync = o->l3_sync;
  int rc = OSC_OK;
  if (o->l1_max_bytes >= 0) {
    osc__l1_opts lo = {.max_bytes = o->l1_max_bytes ? o->l1_max_bytes : 64ll << 20,
                       .max_entries = o->l1_max_entries,
                       .policy = o->l1_policy,
                       .shards = o->l1_shards ? o->l1_shards : 16};
    if ((rc = osc__l1_new(&lo, &c->l1))) goto fail;
  }
  rc = osc__codec_new(o->codec, o->codec_level,
                      o->compress_threshold ? (o->compress_threshold < 0 ? -1 : o->compress_threshold) : 256,
                      o->zstd_dict_path, &c->codec);
  if (rc) goto fail;
  if (o->l3_path && *o->l3_path) {
    c->l3_path = osc_strdup(o->l3_path);
    if ((rc = osc__l3_open(o->l3_path, o->l3_max_bytes, o->l3_sync, &c->l3))) goto fail;
  }
  if (o->l2_url && *o->l2_url) {
    c->l2_url = osc_strdup(o->l2_url);
    osc__l2_opts l2o = {.url = o->l2_url,
                        .ns = ns,
                        .pool_size = o->l2_pool_size,
                        .connect_timeout_ms = o->l2_connect_timeout_ms,
                        .command_timeout_ms = o->l2_command_timeout_ms,
                        .invalidation = !o->l2_no_invalidation && c->l1,
                        .on_inval = on_inval,
                        .ud = c};
    if ((rc = osc__l2_open(&l2o, &c->l2))) goto fail;
  }
  if (pthread_create(&c->bg, NULL, bg_main, c) == 0) c->bg_started = true;
  *out = c;
  return OSC_OK;
fail:
  osc_cache_close(c);
  return rc;
}

void osc_cache_close(osc_cache *c) {
  if (!c) return;
  if (c->bg_started) {
    pthread_mutex_lock(&c->bg_mu);
    c->stopping = true;
    pthread_cond_signal(&c->bg_cv);
    pthread_mutex_unlock(&c->bg_mu);
    pthread_join(c->bg, NULL);
  }
  osc__l2_close(c->l2);
  osc__l3_close(c->l3);
  if (c->l1) osc__l1_free(c->l1);
  osc__codec_free(c->codec);
  pthread_mutex_destroy(&c->sf_mu);
  pthread_mutex_destroy(&c->bg_mu);
  pthread_cond_destroy(&c->bg_cv);
  free(c->ns);
  free(c->l2_url);
  free(c->l3_path);
  free(c->dict_path);
  free(c);
}

/* ---------- helpers ---------- */

static int check_key(const void *key, size_t klen) {
  if (!key || !klen) return osc_seterr(OSC_EINVAL, "key: empty");
  if (klen > OSC_CACHE_MAX_KEY)
    return osc_seterr(OSC_EINVAL, "key: %zu bytes is over the limit of %d", klen, OSC_CACHE_MAX_KEY);
  return OSC_OK;
}

/* Absolute deadline for a ttl argument (0 = never). */
static int deadline_for(osc_cache *c, int64_t ttl_ms, int64_t *out) {
  if (ttl_ms == OSC_CACHE_TTL_NONE) {
    *out = 0;
    return OSC_OK;
  }
  if (ttl_ms < 0) return osc_seterr(OSC_EINVAL, "ttl_ms: %lld is below 0", (long long)ttl_ms);
  if (ttl_ms == 0) ttl_ms = c->default_ttl_ms;
  if (ttl_ms < 0) {
    *out = 0;
    return OSC_OK;
  }
  if (c->jitter > 0) {
    double f = 1.0 + c->jitter * (2.0 * osc_rng_double(osc_rng_thread()) - 1.0);
    int64_t j = (int64_t)((double)ttl_ms * f);
    ttl_ms = j > 0 ? j : 1;
  }
  *out = osc__cache_now_ms() + ttl_ms;
  return OSC_OK;
}

static void l1_put(osc_cache *c, osc_cache_value *v) {
  if (c->l1 && osc__l1_insert(c->l1, v) == OSC_ETOOBIG) OSC_DEBUG("cache", "value too big for L1; kept below");
}

/* Decodes bytes from a lower level into a value; counts corruption. */
static int decode_lower(osc_cache *c, const void *data, size_t len, const void *key, size_t klen, int64_t expire,
                        osc_cache_value **out) {
  int rc = osc__codec_decode_value(c->codec, data, len, key, klen, expire, out);
  if (rc == OSC_ECORRUPT) {
    atomic_fetch_add(&c->corrupt, 1);
    OSC_WARN("cache", "corrupt stored value for a key of %zu bytes: %s", klen, osc_errmsg());
  }
  return rc;
}

/* Decodes an L3 record in place (inside the read transaction); keeps a raw copy only when L2
 * needs it for promotion. */
typedef struct l3_ctx {
  osc_cache *c;
  const void *key;
  size_t klen;
  osc_cache_value *v;
  void *raw;
  size_t rlen;
  int64_t exp;
} l3_ctx;

static int l3_decode(void *ud, const void *data, size_t len, int64_t expire_ms) {
  l3_ctx *x = ud;
  int rc = decode_lower(x->c, data, len, x->key, x->klen, expire_ms, &x->v);
  if (rc) return rc;
  x->exp = expire_ms;
  if (x->c->l2) {
    x->raw = malloc(len ? len : 1);
    if (!x->raw) {
      osc_cache_value_release(x->v);
      x->v = NULL;
      return OSC_ENOMEM;
    }
    memcpy(x->raw, data, len);
    x->rlen = len;
  }
  return OSC_OK;
}

/* L2 then L3, promoting; OSC_OK with a reference or OSC_ENOENT. */
static int lower_get(osc_cache *c, uint64_t hash, const void *key, size_t klen, osc_cache_value **out) {
  void *data = NULL;
  size_t len = 0;
  int64_t exp = 0;
  if (c->l2 && osc__l2_get(c->l2, key, klen, &data, &len, &exp) == OSC_OK) {
    int rc = decode_lower(c, data, len, key, klen, exp, out);
    free(data);
    if (rc == OSC_OK) {
      l1_put(c, *out);
      return OSC_OK;
    }
    if (rc == OSC_ECORRUPT) osc__l2_del(c->l2, key, klen, NULL);
  }
  if (c->l3) {
    l3_ctx x = {.c = c, .key = key, .klen = klen};
    int rc = osc__l3_read(c->l3, key, klen, osc__cache_now_ms(), l3_decode, &x);
    if (rc == OSC_OK) {
      *out = x.v;
      l1_put(c, x.v);
      if (c->l2) osc__l2_set(c->l2, key, klen, x.raw, x.rlen, x.exp); /* carries the remaining TTL */
      free(x.raw);
      return OSC_OK;
    }
    if (rc == OSC_ECORRUPT) osc__l3_del(c->l3, key, klen, NULL);
  }
  atomic_fetch_add_explicit(&c->misses, 1, memory_order_relaxed);
  return OSC_ENOENT;
}

static _Thread_local unsigned tl_sample;

/* Full lookup; *neg says a negative entry answered. */
static int get_internal(osc_cache *c, uint64_t hash, const void *key, size_t klen, osc_cache_value **out, bool *neg) {
  *neg = false;
  if (c->l1) {
    bool sample = (++tl_sample & 63) == 0;
    uint64_t t0 = sample ? osc_now_ns() : 0;
    int rc = osc__l1_get(c->l1, hash, key, klen, 0, out);
    if (sample) osc__lat_add(c->l1_lat, osc_now_ns() - t0);
    if (rc == OSC_OK) {
      if ((*out)->flags & OSC__V_NEGATIVE) {
        osc_cache_value_release(*out);
        *out = NULL;
        *neg = true;
        return OSC_ENOENT;
      }
      return OSC_OK;
    }
  }
  return lower_get(c, hash, key, klen, out);
}

/* ---------- operations ---------- */

int osc_cache_get(osc_cache *c, const void *key, size_t klen, osc_cache_value **out) {
  *out = NULL;
  int rc = check_key(key, klen);
  if (rc) return rc;
  bool neg;
  rc = get_internal(c, osc__cache_hash(key, klen), key, klen, out, &neg);
  if (rc == OSC_ENOENT) osc_seterr(OSC_ENOENT, "key not found");
  return rc;
}

int osc_cache_get_buf(osc_cache *c, const void *key, size_t klen, void *buf, size_t cap, size_t *len,
                      osc_cache_ctype *ctype) {
  int rc = check_key(key, klen);
  if (rc) return rc;
  uint64_t hash = osc__cache_hash(key, klen);
  *len = 0;
  if (c->l1) {
    bool sample = (++tl_sample & 63) == 0;
    uint64_t t0 = sample ? osc_now_ns() : 0;
    rc = osc__l1_get_copy(c->l1, hash, key, klen, 0, buf, cap, len, ctype);
    if (sample) osc__lat_add(c->l1_lat, osc_now_ns() - t0);
    if (rc != OSC_ENOENT) return rc;
    if (*len == SIZE_MAX) { /* a cached negative result */
      *len = 0;
      return osc_seterr(OSC_ENOENT, "key not found");
    }
  }
  osc_cache_value *v;
  rc = lower_get(c, hash, key, klen, &v);
  if (rc) return osc_seterr(rc, "key not found");
  *len = v->vlen;
  if (ctype) *ctype = (osc_cache_ctype)v->ctype;
  if (v->vlen > cap) rc = OSC_ETOOBIG;
  else memcpy(buf, v->data + v->klen, v->vlen);
  osc_cache_value_release(v);
  return rc;
}

static int set_internal(osc_cache *c, uint64_t hash, const void *key, size_t klen, const void *val, size_t vlen,
                        osc_cache_ctype ctype, int64_t expire, bool publish) {
  osc_cache_value *v = osc__value_new(key, klen, val, vlen, ctype, expire);
  if (!v) return OSC_ENOMEM;
  int rc = c->l1 ? osc__l1_insert_hashed(c->l1, v, hash) : OSC_OK;
  osc_cache_value_release(v);
  if (rc == OSC_ETOOBIG && (c->l2 || c->l3)) rc = OSC_OK;
  if (rc == OSC_ETOOBIG) return osc_seterr(rc, "value: %zu bytes does not fit in L1", vlen);
  if (rc) return rc;
  if (c->l2 || c->l3) {
    void *enc;
    size_t elen;
    rc = osc__codec_encode(c->codec, val, vlen, ctype, &enc, &elen);
    if (rc) return rc;
    if (c->l2 && osc__l2_set(c->l2, key, klen, enc, elen, expire) != OSC_OK)
      OSC_DEBUG("cache", "L2 set skipped: %s", osc_errmsg());
    int r3 = c->l3 ? osc__l3_put(c->l3, key, klen, enc, elen, expire) : OSC_OK;
    free(enc);
    if (r3 == OSC_ENOSPC) {
      /* Disk full: the value cannot persist.  Say so (507) rather than keep
       * a memory-only copy the caller believes is stored. */
      char why[256];
      snprintf(why, sizeof why, "%s", osc_errmsg());
      if (c->l1) osc__l1_remove(c->l1, hash, key, klen);
      return osc_seterr(OSC_ENOSPC, "cache: no space left for the L3 copy (%s)", why);
    }
    if (r3) OSC_WARN("cache", "L3 set failed: %s", osc_errmsg());
    if (c->l2 && publish) osc__l2_publish(c->l2, key, klen);
  }
  atomic_fetch_add_explicit(&c->sets, 1, memory_order_relaxed);
  return OSC_OK;
}

int osc_cache_set(osc_cache *c, const void *key, size_t klen, const void *val, size_t vlen, osc_cache_ctype ctype,
                  int64_t ttl_ms) {
  int rc = check_key(key, klen);
  if (rc) return rc;
  if (vlen && !val) return osc_seterr(OSC_EINVAL, "value: NULL with length %zu", vlen);
  if (vlen > OSC_CACHE_MAX_VALUE) return osc_seterr(OSC_ETOOBIG, "value: %zu bytes is over the 64 MiB limit", vlen);
  if ((unsigned)ctype > OSC_CACHE_CTYPE_JSON) return osc_seterr(OSC_EINVAL, "ctype: %d is unknown", (int)ctype);
  int64_t expire;
  if ((rc = deadline_for(c, ttl_ms, &expire))) return rc;
  return set_internal(c, osc__cache_hash(key, klen), key, klen, val, vlen, ctype, expire, true);
}

int osc_cache_delete(osc_cache *c, const void *key, size_t klen, bool *existed) {
  int rc = check_key(key, klen);
  if (rc) return rc;
  bool any = false, e = false;
  if (c->l1) any |= osc__l1_remove(c->l1, osc__cache_hash(key, klen), key, klen);
  if (c->l2 && osc__l2_del(c->l2, key, klen, &e) == OSC_OK) any |= e;
  if (c->l3 && osc__l3_del(c->l3, key, klen, &e) == OSC_OK) any |= e;
  if (c->l2) osc__l2_publish(c->l2, key, klen);
  atomic_fetch_add_explicit(&c->deletes, 1, memory_order_relaxed);
  if (existed) *existed = any;
  return OSC_OK;
}

bool osc_cache_exists(osc_cache *c, const void *key, size_t klen) {
  if (check_key(key, klen)) return false;
  int64_t now = osc__cache_now_ms();
  if (c->l1 && osc__l1_contains(c->l1, osc__cache_hash(key, klen), key, klen, now)) return true;
  bool e = false;
  if (c->l2 && osc__l2_exists(c->l2, key, klen, &e) == OSC_OK && e) return true;
  if (c->l3 && osc__l3_exists(c->l3, key, klen, now)) return true;
  return false;
}

int osc_cache_batch_get(osc_cache *c, osc_cache_kv *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    items[i].result = NULL;
    int rc = check_key(items[i].key, items[i].klen);
    if (rc) return osc_seterr(rc, "keys[%zu]: %s", i, osc_errmsg());
  }
  size_t *miss = malloc((n ? n : 1) * sizeof *miss);
  if (!miss) return OSC_ENOMEM;
  size_t nm = 0;
  int64_t now = osc__cache_now_ms();
  for (size_t i = 0; i < n; i++) {
    items[i].status = OSC_ENOENT;
    uint64_t h = osc__cache_hash(items[i].key, items[i].klen);
    if (c->l1 && osc__l1_get(c->l1, h, items[i].key, items[i].klen, now, &items[i].result) == OSC_OK) {
      if (items[i].result->flags & OSC__V_NEGATIVE) {
        osc_cache_value_release(items[i].result);
        items[i].result = NULL;
        continue;
      }
      items[i].status = OSC_OK;
      continue;
    }
    miss[nm++] = i;
  }
  if (nm && c->l2 && osc__l2_up(c->l2)) {
    const void **keys = malloc(nm * sizeof *keys);
    size_t *kl = malloc(nm * sizeof *kl), *lens = malloc(nm * sizeof *lens);
    void **data = malloc(nm * sizeof *data);
    int64_t *exp = malloc(nm * sizeof *exp);
    if (keys && kl && lens && data && exp) {
      for (size_t j = 0; j < nm; j++) {
        keys[j] = items[miss[j]].key;
        kl[j] = items[miss[j]].klen;
      }
      if (osc__l2_mget(c->l2, keys, kl, nm, data, lens, exp) == OSC_OK) {
        for (size_t j = 0; j < nm; j++) {
          if (!data[j]) continue;
          osc_cache_kv *it = &items[miss[j]];
          if (decode_lower(c, data[j], lens[j], it->key, it->klen, exp[j], &it->result) == OSC_OK) {
            l1_put(c, it->result);
            it->status = OSC_OK;
          }
          free(data[j]);
        }
      }
    }
    free(keys);
    free(kl);
    free(lens);
    free(data);
    free(exp);
  }
  for (size_t j = 0; j < nm; j++) {
    osc_cache_kv *it = &items[miss[j]];
    if (it->status == OSC_OK) continue;
    if (c->l3) {
      void *data;
      size_t len;
      int64_t exp;
      if (osc__l3_get(c->l3, it->key, it->klen, now, &data, &len, &exp) == OSC_OK) {
        if (decode_lower(c, data, len, it->key, it->klen, exp, &it->result) ==
            OSC_OK) {
          l1_put(c, it->result);
          if (c->l2) osc__l2_set(c->l2, it->key, it->klen, data, len, exp);
          it->status = OSC_OK;
        }
        free(data);
        if (it->status == OSC_OK) continue;
      }
    }
    atomic_fetch_add_explicit(&c->misses, 1, memory_order_relaxed);
  }
  free(miss);
  return OSC_OK;
}

int osc_cache_batch_set(osc_cache *c, osc_cache_kv *items, size_t n, int64_t ttl_ms) {
  for (size_t i = 0; i < n; i++) {
    int rc = check_key(items[i].key, items[i].klen);
    if (rc) return osc_seterr(rc, "items[%zu]: %s", i, osc_errmsg());
    if (items[i].vlen > OSC_CACHE_MAX_VALUE) return osc_seterr(OSC_ETOOBIG, "items[%zu]: value too large", i);
    if ((unsigned)items[i].ctype > OSC_CACHE_CTYPE_JSON) return osc_seterr(OSC_EINVAL, "items[%zu]: bad ctype", i);
  }
  if (ttl_ms < 0 && ttl_ms != OSC_CACHE_TTL_NONE) return osc_seterr(OSC_EINVAL, "ttl_ms: %lld is below 0", (long long)ttl_ms);
  if (!n) return OSC_OK;
  const void **keys = calloc(n, sizeof *keys), **enc = calloc(n, sizeof *enc);
  size_t *kl = calloc(n, sizeof *kl), *el = calloc(n, sizeof *el);
  int64_t *exp = calloc(n, sizeof *exp);
  int rc = OSC_OK;
  if (!keys || !enc || !kl || !el || !exp) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    osc_cache_kv *it = &items[i];
    deadline_for(c, ttl_ms, &exp[i]);
    osc_cache_value *v = osc__value_new(it->key, it->klen, it->val, it->vlen, it->ctype, exp[i]);
    if (!v) {
      rc = OSC_ENOMEM;
      goto out;
    }
    it->status = c->l1 ? osc__l1_insert(c->l1, v) : OSC_OK;
    if (it->status == OSC_ETOOBIG && (c->l2 || c->l3)) it->status = OSC_OK;
    osc_cache_value_release(v);
    keys[i] = it->key;
    kl[i] = it->klen;
    if (c->l2 || c->l3) {
      void *e;
      int erc = osc__codec_encode(c->codec, it->val, it->vlen, it->ctype, &e, &el[i]);
      if (erc) {
        rc = erc;
        goto out;
      }
      enc[i] = e;
    }
    if (it->status && rc == OSC_OK) rc = it->status;
  }
  if (c->l2) osc__l2_mset(c->l2, keys, kl, enc, el, exp, n);
  int r3 = c->l3 ? osc__l3_put_many(c->l3, keys, kl, enc, el, exp, n) : OSC_OK;
  if (r3 == OSC_ENOSPC) {
    char why[256];
    snprintf(why, sizeof why, "%s", osc_errmsg());
    for (size_t i = 0; c->l1 && i < n; i++) osc__l1_remove(c->l1, osc__cache_hash(keys[i], kl[i]), keys[i], kl[i]);
    rc = osc_seterr(OSC_ENOSPC, "cache: no space left for the L3 copies (%s)", why);
    goto out;
  }
  if (r3) OSC_WARN("cache", "L3 batch set failed: %s", osc_errmsg());
  if (c->l2)
    for (size_t i = 0; i < n; i++) osc__l2_publish(c->l2, keys[i], kl[i]);
  atomic_fetch_add_explicit(&c->sets, n, memory_order_relaxed);
out:
  if (enc)
    for (size_t i = 0; i < n; i++) free((void *)enc[i]);
  free(keys);
  free(enc);
  free(kl);
  free(el);
  free(exp);
  return rc;
}

int osc_cache_batch_delete(osc_cache *c, osc_cache_kv *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int rc = check_key(items[i].key, items[i].klen);
    if (rc) return osc_seterr(rc, "keys[%zu]: %s", i, osc_errmsg());
  }
  for (size_t i = 0; i < n; i++) {
    bool e = false;
    osc_cache_delete(c, items[i].key, items[i].klen, &e);
    items[i].status = e ? OSC_OK : OSC_ENOENT;
  }
  return OSC_OK;
}

int osc_cache_clear(osc_cache *c) {
  int rc = OSC_OK;
  if (c->l1) osc__l1_clear(c->l1);
  if (c->l3 && (rc = osc__l3_clear(c->l3))) return rc;
  if (c->l2) {
    rc = osc__l2_clear(c->l2, NULL);
    osc__l2_publish(c->l2, NULL, 0);
  }
  return rc;
}

/* ---------- get-or-compute ---------- */

static void flight_unref(osc_cache *c, flight *f) {
  if (--f->refs) return;
  pthread_cond_destroy(&f->cv);
  osc_cache_value_release(f->val);
  free(f->key);
  free(f);
  (void)c;
}

int osc_cache_get_or_compute(osc_cache *c, const void *key, size_t klen, osc_cache_compute_fn fn, void *ud,
                             int64_t ttl_ms, osc_cache_value **out) {
  *out = NULL;
  int rc = check_key(key, klen);
  if (rc) return rc;
  if (!fn) return osc_seterr(OSC_EINVAL, "compute: NULL function");
  if (ttl_ms < 0 && ttl_ms != OSC_CACHE_TTL_NONE) return osc_seterr(OSC_EINVAL, "ttl_ms: %lld is below 0", (long long)ttl_ms);
  uint64_t hash = osc__cache_hash(key, klen);
  bool neg;
  rc = get_internal(c, hash, key, klen, out, &neg);
  if (rc == OSC_OK) return OSC_OK;
  if (neg) {
    atomic_fetch_add(&c->negative_hits, 1);
    return osc_seterr(OSC_ENOENT, "not found (cached negative result)");
  }
  pthread_mutex_lock(&c->sf_mu);
  flight *f = c->flights;
  while (f && !(f->hash == hash && f->klen == klen && !memcmp(f->key, key, klen))) f = f->next;
  if (f) {
    f->refs++;
    atomic_fetch_add(&c->sf_waits, 1);
    while (!f->done) pthread_cond_wait(&f->cv, &c->sf_mu);
    rc = f->rc;
    if (rc == OSC_OK) {
      osc__value_ref(f->val);
      *out = f->val;
    } else {
      osc_seterr(rc, "computation failed in another caller");
    }
    flight_unref(c, f);
    pthread_mutex_unlock(&c->sf_mu);
    return rc;
  }
  f = calloc(1, sizeof *f);
  void *kcopy = malloc(klen);
  if (!f || !kcopy) {
    free(f);
    free(kcopy);
    pthread_mutex_unlock(&c->sf_mu);
    return OSC_ENOMEM;
  }
  memcpy(kcopy, key, klen);
  f->key = kcopy;
  f->klen = klen;
  f->hash = hash;
  f->refs = 1;
  pthread_cond_init(&f->cv, NULL);
  f->next = c->flights;
  c->flights = f;
  pthread_mutex_unlock(&c->sf_mu);

  /* A flight may have finished between our miss and registering: look again. */
  rc = get_internal(c, hash, key, klen, out, &neg);
  osc_cache_value *result = NULL;
  if (rc == OSC_OK) {
    result = *out;
  } else if (neg) {
    rc = OSC_ENOENT;
  } else {
    void *val = NULL;
    size_t vlen = 0;
    osc_cache_ctype ct = OSC_CACHE_CTYPE_BINARY;
    int64_t ttl = ttl_ms;
    atomic_fetch_add(&c->computes, 1);
    rc = fn(ud, key, klen, &val, &vlen, &ct, &ttl);
    if (rc == OSC_OK) {
      int64_t expire = 0;
      if (deadline_for(c, ttl, &expire) != OSC_OK) deadline_for(c, 0, &expire);
      result = osc__value_new(key, klen, val, vlen, ct, expire);
      if (!result) rc = OSC_ENOMEM;
      else if (set_internal(c, hash, key, klen, val, vlen, ct, expire, true) != OSC_OK)
        OSC_DEBUG("cache", "computed value not cached: %s", osc_errmsg());
      free(val);
      *out = result;
    } else if (rc == OSC_ENOENT && c->negative_ttl_ms > 0 && c->l1) {
      osc_cache_value *nv = osc__value_new(key, klen, NULL, 0, OSC_CACHE_CTYPE_BINARY,
                                           osc__cache_now_ms() + c->negative_ttl_ms);
      if (nv) {
        nv->flags |= OSC__V_NEGATIVE;
        osc__l1_insert(c->l1, nv);
        osc_cache_value_release(nv);
      }
    }
  }
  pthread_mutex_lock(&c->sf_mu);
  for (flight **pp = &c->flights; *pp; pp = &(*pp)->next)
    if (*pp == f) {
      *pp = f->next;
      break;
    }
  f->done = true;
  f->rc = rc;
  if (result) {
    osc__value_ref(result);
    f->val = result;
  }
  pthread_cond_broadcast(&f->cv);
  flight_unref(c, f);
  pthread_mutex_unlock(&c->sf_mu);
  if (rc && rc != OSC_ENOENT) osc_seterr(rc, "computation failed");
  if (rc == OSC_ENOENT) osc_seterr(rc, "not found");
  return rc;
}

int osc_cache_key_build(char *out, size_t cap, const char *prefix, const char *fn_name, const char *const *args,
                        size_t nargs) {
  if (!fn_name || !*fn_name) return osc_seterr(OSC_EINVAL, "fn_name: empty");
  if (nargs && !args) return osc_seterr(OSC_EINVAL, "args: NULL with %zu arguments", nargs);
  uint64_t h = 0x9e3779b97f4a7c15ull ^ nargs;
  for (size_t i = 0; i < nargs; i++) {
    const char *a = args[i] ? args[i] : "";
    uint64_t n = strlen(a);
    h = osc_hash64(&n, sizeof n, h);
    h = osc_hash64(a, n, h);
  }
  int n = snprintf(out, cap, "%s%s%s:%016llx", prefix && *prefix ? prefix : "", prefix && *prefix ? ":" : "",
                   fn_name, (unsigned long long)h);
  if (n < 0 || (size_t)n >= cap) return osc_seterr(OSC_ETOOBIG, "key_build: buffer of %zu bytes is too small", cap);
  if (n > OSC_CACHE_MAX_KEY) return osc_seterr(OSC_ETOOBIG, "key_build: key of %d bytes is over the limit", n);
  return n;
}

/* ---------- stats ---------- */

bool osc_cache_l2_up(osc_cache *c) { return c->l2 && osc__l2_up(c->l2); }

void osc_cache_stats_get(osc_cache *c, osc_cache_stats *st) {
  memset(st, 0, sizeof *st);
  if (c->l1) {
    osc__l1_stats(c->l1, &st->l1);
    osc__lat_fill(&st->l1, c->l1_lat);
  }
  if (c->l2) {
    osc__l2_stats(c->l2, &st->l2, &st->l2_reconnects, &st->l2_breaker_trips, &st->l2_invalidations_received);
    st->l2_enabled = true;
    st->l2_up = osc__l2_up(c->l2);
  }
  if (c->l3) {
    osc__l3_stats(c->l3, &st->l3);
    st->l3_enabled = true;
  }
  st->misses = atomic_load(&c->misses);
  /* A hit at any level is one facade hit: L1 hits plus the lower levels' hits (which only follow L1 misses). */
  st->hits = st->l1.hits + st->l2.hits + st->l3.hits;
  st->sets = atomic_load(&c->sets);
  st->deletes = atomic_load(&c->deletes);
  st->negative_hits = atomic_load(&c->negative_hits);
  st->computes = atomic_load(&c->computes);
  st->singleflight_waits = atomic_load(&c->sf_waits);
  st->corrupt = atomic_load(&c->corrupt);
  osc__codec_totals(c->codec, &st->compress_in_bytes, &st->compress_out_bytes);
  st->compression_ratio =
      st->compress_out_bytes ? (double)st->compress_in_bytes / (double)st->compress_out_bytes : 1.0;
}

/* ---------- stats as JSON ---------- */

#include "cache/cache_json.h"

static json_t *level_json(const osc_cache_level_stats *l, bool enabled) {
  json_t *o = json_object();
  json_object_set_new(o, "enabled", json_boolean(enabled));
  json_object_set_new(o, "hits", json_integer((json_int_t)l->hits));
  json_object_set_new(o, "misses", json_integer((json_int_t)l->misses));
  json_object_set_new(o, "sets", json_integer((json_int_t)l->sets));
  json_object_set_new(o, "deletes", json_integer((json_int_t)l->deletes));
  json_object_set_new(o, "evictions", json_integer((json_int_t)l->evictions));
  json_object_set_new(o, "expirations", json_integer((json_int_t)l->expirations));
  json_object_set_new(o, "errors", json_integer((json_int_t)l->errors));
  json_object_set_new(o, "bytes", json_integer((json_int_t)l->bytes));
  json_object_set_new(o, "entries", json_integer((json_int_t)l->entries));
  uint64_t tot = l->hits + l->misses;
  json_object_set_new(o, "hit_rate", json_real(tot ? (double)l->hits / (double)tot : 0.0));
  json_t *lat = json_object();
  json_object_set_new(lat, "samples", json_integer((json_int_t)l->lat_count));
  json_object_set_new(lat, "p50_ns", json_real(l->lat_p50_ns));
  json_object_set_new(lat, "p99_ns", json_real(l->lat_p99_ns));
  json_t *h = json_array();
  int last = -1;
  for (int i = 0; i < OSC_CACHE_LAT_BUCKETS; i++)
    if (l->lat_hist[i]) last = i;
  for (int i = 0; i <= last; i++) json_array_append_new(h, json_integer((json_int_t)l->lat_hist[i]));
  json_object_set_new(lat, "log2_ns_buckets", h);
  json_object_set_new(o, "latency", lat);
  return o;
}

json_t *osc__cache_stats_json(const osc_cache_stats *s) {
  json_t *o = json_object();
  if (!o) return NULL;
  uint64_t tot = s->hits + s->misses;
  json_object_set_new(o, "hits", json_integer((json_int_t)s->hits));
  json_object_set_new(o, "misses", json_integer((json_int_t)s->misses));
  json_object_set_new(o, "sets", json_integer((json_int_t)s->sets));
  json_object_set_new(o, "deletes", json_integer((json_int_t)s->deletes));
  json_object_set_new(o, "evictions",
                      json_integer((json_int_t)(s->l1.evictions + s->l2.evictions + s->l3.evictions)));
  json_object_set_new(o, "compression_ratio", json_real(s->compression_ratio));
  json_object_set_new(o, "memory_usage", json_integer((json_int_t)s->l1.bytes));
  json_object_set_new(o, "disk_usage", json_integer((json_int_t)s->l3.bytes));
  json_object_set_new(o, "l1_size", json_integer((json_int_t)s->l1.entries));
  json_object_set_new(o, "hit_rate", json_real(tot ? (double)s->hits / (double)tot : 0.0));
  json_object_set_new(o, "negative_hits", json_integer((json_int_t)s->negative_hits));
  json_object_set_new(o, "computes", json_integer((json_int_t)s->computes));
  json_object_set_new(o, "singleflight_waits", json_integer((json_int_t)s->singleflight_waits));
  json_object_set_new(o, "corrupt", json_integer((json_int_t)s->corrupt));
  json_object_set_new(o, "compress_in_bytes", json_integer((json_int_t)s->compress_in_bytes));
  json_object_set_new(o, "compress_out_bytes", json_integer((json_int_t)s->compress_out_bytes));
  json_t *lv = json_object();
  json_object_set_new(lv, "l1", level_json(&s->l1, true));
  json_t *l2 = level_json(&s->l2, s->l2_enabled);
  json_object_set_new(l2, "up", json_boolean(s->l2_up));
  json_object_set_new(l2, "reconnects", json_integer((json_int_t)s->l2_reconnects));
  json_object_set_new(l2, "breaker_trips", json_integer((json_int_t)s->l2_breaker_trips));
  json_object_set_new(l2, "invalidations_received", json_integer((json_int_t)s->l2_invalidations_received));
  json_object_set_new(lv, "l2", l2);
  json_object_set_new(lv, "l3", level_json(&s->l3, s->l3_enabled));
  json_object_set_new(o, "levels", lv);
  return o;
}
