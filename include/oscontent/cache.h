/*
 * oscontent/cache.h - multi-level cache: L1 memory, L2 Redis, L3 LMDB.
 *
 * Keys and values are bytes.  A key is 1..OSC_CACHE_MAX_KEY bytes; a value
 * is at most OSC_CACHE_MAX_VALUE bytes and carries a content type (JSON,
 * text, binary).  Lookups go L1 -> L2 -> L3; a hit in a lower level is
 * promoted upwards with its remaining TTL.  Writes go to every enabled level.
 *
 * TTL: one meaning everywhere.  `ttl_ms` > 0 is the lifetime, 0 means the
 * configured default (osc_cache_options.default_ttl_ms), OSC_CACHE_TTL_NONE
 * means "never expires".  Jitter (default +-10%) is applied once at set time
 * and the resulting absolute deadline is what every level stores, so an
 * entry never outlives its deadline at any level.  L1 checks deadlines with
 * a coarse clock rounded up, so an entry may expire up to one clock tick
 * (a few ms) early, never late.
 *
 * Values returned by osc_cache_get are reference-counted (osc_cache_value):
 * the bytes stay valid and immutable until osc_cache_value_release, even if
 * the entry is overwritten, evicted or the key deleted meanwhile.
 * osc_cache_get_buf copies into a caller buffer instead (no allocation).
 *
 * Thread safety: an osc_cache is shared: every function may be called from
 * any thread at once, except osc_cache_close (no call may be in flight).
 * An osc_cache_value may be read from any thread and released from any
 * thread, once.
 */
#ifndef OSCONTENT_CACHE_H
#define OSCONTENT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"
#include "oscontent/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest key in bytes (LMDB's key limit). */
#define OSC_CACHE_MAX_KEY 511
/** Largest value in bytes (64 MiB). */
#define OSC_CACHE_MAX_VALUE (64u * 1024u * 1024u)
/** ttl_ms value meaning "never expires". */
#define OSC_CACHE_TTL_NONE (-1)
/** Latency histogram buckets: bucket i counts operations of [2^i, 2^(i+1)) ns. */
#define OSC_CACHE_LAT_BUCKETS 40

typedef struct osc_cache osc_cache;
typedef struct osc_cache_value osc_cache_value;

typedef enum osc_cache_ctype {
  OSC_CACHE_CTYPE_BINARY = 0,
  OSC_CACHE_CTYPE_TEXT = 1,
  OSC_CACHE_CTYPE_JSON = 2
} osc_cache_ctype;

typedef enum osc_cache_policy {
  OSC_CACHE_POLICY_DEFAULT = 0, /* = S3-FIFO */
  OSC_CACHE_POLICY_S3FIFO,      /* small FIFO + main FIFO with reinsertion + ghost queue (clamped) */
  OSC_CACHE_POLICY_LRU,         /* least recently used */
  OSC_CACHE_POLICY_LFU,         /* least frequently used, ties by least recent */
  OSC_CACHE_POLICY_FIFO         /* insertion order, hits change nothing */
} osc_cache_policy;

typedef enum osc_cache_codec {
  OSC_CACHE_CODEC_DEFAULT = 0, /* = zstd */
  OSC_CACHE_CODEC_NONE,
  OSC_CACHE_CODEC_ZSTD,
  OSC_CACHE_CODEC_LZ4,
  OSC_CACHE_CODEC_BROTLI,
  OSC_CACHE_CODEC_GZIP
} osc_cache_codec;

/** Options; all-zero means the defaults named in each comment.  Append-only. */
typedef struct osc_cache_options {
  int64_t l1_max_bytes;      /* L1 bound: key + value + overhead, bytes; default 64 MiB; < 0 = L1 off */
  int64_t l1_max_entries;    /* optional entry bound; 0 = none */
  osc_cache_policy l1_policy;/* default S3-FIFO */
  int l1_shards;             /* power of two 1..1024; 0 = 16 */
  int64_t default_ttl_ms;    /* TTL used when a call passes 0; default 1 h; < 0 = never expire */
  double ttl_jitter;         /* relative jitter 0..0.5; default 0.10; < 0 = none */
  int64_t negative_ttl_ms;   /* lifetime of a cached "not found" from get_or_compute; default 30 s; < 0 = off */
  const char *namespace_;    /* L2 key prefix and pub/sub channel ("osc"); [A-Za-z0-9_.-]{1,64} */
  const char *l2_url;        /* redis://[:password@]host[:port][/db]; NULL or "" = no L2 */
  int l2_pool_size;          /* connections; default 4 */
  int64_t l2_connect_timeout_ms; /* default 200 */
  int64_t l2_command_timeout_ms; /* default 500 */
  bool l2_no_invalidation;   /* true = no pub/sub L1 invalidation across processes */
  const char *l3_path;       /* LMDB directory (created); NULL or "" = no L3 */
  int64_t l3_max_bytes;      /* disk bound for L3 values; default 1 GiB */
  int64_t l3_sweep_interval_ms; /* background expiry sweep; default 60 s; < 0 = off */
  bool l3_sync;              /* fsync every commit (power-loss safe); default off (kill -9 safe) */
  osc_cache_codec codec;     /* codec for L2/L3 values; default zstd */
  int codec_level;           /* codec level; 0 = codec default (zstd 3, lz4 1, brotli 5, gzip 6) */
  int64_t compress_threshold;/* values shorter than this are stored raw; default 256; < 0 = never compress */
  const char *zstd_dict_path;/* trained dictionary (osc_cache_train_dict); NULL = none */
} osc_cache_options;

typedef struct osc_cache_level_stats {
  uint64_t hits, misses, sets, deletes, evictions, expirations, errors;
  uint64_t bytes;   /* current bytes charged (L1: key+value+overhead; L3: stored bytes) */
  uint64_t entries; /* current entries */
  uint64_t lat_count;                        /* sampled operations */
  uint64_t lat_hist[OSC_CACHE_LAT_BUCKETS];  /* log2(ns) buckets of sampled get latencies */
  double lat_p50_ns, lat_p99_ns;             /* from the histogram (bucket upper bounds) */
} osc_cache_level_stats;

typedef struct osc_cache_stats {
  osc_cache_level_stats l1, l2, l3;
  uint64_t hits, misses, sets, deletes;  /* facade totals (a hit at any level is one hit) */
  uint64_t negative_hits;                /* get_or_compute answered from a cached "not found" */
  uint64_t computes, singleflight_waits; /* get_or_compute: compute calls, callers that waited on one */
  uint64_t corrupt;                      /* stored values rejected by the decoder */
  uint64_t compress_in_bytes, compress_out_bytes; /* encoder totals */
  double compression_ratio;              /* in / out (1.0 when nothing was encoded) */
  bool l2_enabled, l2_up, l3_enabled;
  uint64_t l2_reconnects, l2_breaker_trips, l2_invalidations_received;
} osc_cache_stats;

/** Fills @p opts from the `cache.*` settings (and redis_url, data_dir) of @p cfg.
 *  String fields point into @p cfg (valid while it lives) or into static storage, except
 *  l3_path, which is malloc'd: free it with osc_cache_options_release.
 *  @return OSC_OK, OSC_EINVAL (bad combination; detail says which), OSC_ENOMEM. */
OSC_API int osc_cache_options_from_config(const osc_config *cfg, osc_cache_options *opts);
OSC_API void osc_cache_options_release(osc_cache_options *opts);

/** Parses "lru|lfu|fifo|s3fifo|default"; OSC_EINVAL otherwise. */
OSC_API int osc_cache_policy_parse(const char *text, osc_cache_policy *out);
OSC_API const char *osc_cache_policy_name(osc_cache_policy p);
/** Parses "none|zstd|lz4|brotli|gzip"; OSC_EINVAL otherwise. */
OSC_API int osc_cache_codec_parse(const char *text, osc_cache_codec *out);
OSC_API const char *osc_cache_codec_name(osc_cache_codec c);
OSC_API const char *osc_cache_ctype_name(osc_cache_ctype t);

/**
 * Opens a cache.  @p opts may be NULL (defaults: L1 only).  L2 that cannot
 * be reached at open is not an error: the circuit breaker reports it down and
 * it is retried in the background of later calls.
 * @return OSC_OK, OSC_EINVAL (bad option, detail names it), OSC_ENOMEM,
 *         OSC_EIO (L3 directory or LMDB failure), OSC_ECORRUPT (bad dictionary file).
 */
OSC_API int osc_cache_open(const osc_cache_options *opts, osc_cache **out);
/** Stops background threads, flushes L3 and frees everything.  NULL is fine. */
OSC_API void osc_cache_close(osc_cache *cache);

/**
 * Looks a key up (L1, then L2, then L3, promoting hits).
 * @param[out] out a new reference; release with osc_cache_value_release.
 * @return OSC_OK, OSC_ENOENT (miss, expired, or a corrupt stored value),
 *         OSC_EINVAL (empty or too long key).
 */
OSC_API int osc_cache_get(osc_cache *cache, const void *key, size_t klen, osc_cache_value **out);

/**
 * Like osc_cache_get but copies the value into @p buf (no allocation on an
 * L1 hit).  *len receives the value length even when it does not fit.
 * @return OSC_OK, OSC_ENOENT, OSC_EINVAL, OSC_ETOOBIG (cap < *len; nothing copied).
 */
OSC_API int osc_cache_get_buf(osc_cache *cache, const void *key, size_t klen, void *buf, size_t cap,
                              size_t *len, osc_cache_ctype *ctype);

/** Bytes of a value: valid until the value is released; *len may be NULL. */
OSC_API const void *osc_cache_value_data(const osc_cache_value *v, size_t *len);
OSC_API osc_cache_ctype osc_cache_value_ctype(const osc_cache_value *v);
/** Remaining lifetime in ms at the time of the call, OSC_CACHE_TTL_NONE when it never expires. */
OSC_API int64_t osc_cache_value_ttl_ms(const osc_cache_value *v);
/** Drops a reference.  NULL is fine. */
OSC_API void osc_cache_value_release(osc_cache_value *v);

/**
 * Stores a value (copied) at every level.
 * @param ttl_ms > 0 lifetime; 0 = default TTL; OSC_CACHE_TTL_NONE = never expires.
 * @return OSC_OK (written to L1; L2/L3 failures are counted, logged and not
 *         fatal while another level holds the value), OSC_EINVAL (key, ttl),
 *         OSC_ETOOBIG (value over OSC_CACHE_MAX_VALUE or over the L1 bound with no other level),
 *         OSC_ENOMEM.
 */
OSC_API int osc_cache_set(osc_cache *cache, const void *key, size_t klen, const void *val, size_t vlen,
                          osc_cache_ctype ctype, int64_t ttl_ms);

/** Removes a key from every level; OSC_OK whether it existed or not (*existed says). */
OSC_API int osc_cache_delete(osc_cache *cache, const void *key, size_t klen, bool *existed);
/** True if a live value exists at any level (does not promote or count a hit). */
OSC_API bool osc_cache_exists(osc_cache *cache, const void *key, size_t klen);

/** One key of a batch. */
typedef struct osc_cache_kv {
  const void *key;
  size_t klen;
  const void *val;          /* batch_set: input */
  size_t vlen;
  osc_cache_ctype ctype;
  osc_cache_value *result;  /* batch_get: output reference or NULL on miss */
  int status;               /* per-key result: OSC_OK, OSC_ENOENT, ... */
} osc_cache_kv;

/** Batch get: L1 first, the L1 misses in one pipelined MGET to L2, then L3.
 *  Fills items[i].result/status.  @return OSC_OK or OSC_EINVAL (a bad key; nothing done). */
OSC_API int osc_cache_batch_get(osc_cache *cache, osc_cache_kv *items, size_t n);
/** Batch set with one TTL; L2 writes are pipelined.  @return OSC_OK or the first per-item error. */
OSC_API int osc_cache_batch_set(osc_cache *cache, osc_cache_kv *items, size_t n, int64_t ttl_ms);
/** Batch delete.  @return OSC_OK or OSC_EINVAL. */
OSC_API int osc_cache_batch_delete(osc_cache *cache, osc_cache_kv *items, size_t n);

/** Removes every entry of this cache's namespace from every level (never FLUSHDB).
 *  @return OSC_OK, or OSC_EUNAVAIL when L2 is configured but down (L1/L3 are cleared anyway). */
OSC_API int osc_cache_clear(osc_cache *cache);

/**
 * A computation for osc_cache_get_or_compute.  On OSC_OK it sets *val to a
 * malloc'd buffer (the cache takes it), *vlen and *ctype; it may lower *ttl_ms.
 * Returning OSC_ENOENT caches a negative result for negative_ttl_ms; any
 * other error is passed to every waiting caller and nothing is cached.
 */
typedef int (*osc_cache_compute_fn)(void *ud, const void *key, size_t klen, void **val, size_t *vlen,
                                    osc_cache_ctype *ctype, int64_t *ttl_ms);

/**
 * Returns the cached value or computes it once: concurrent callers missing
 * on the same key wait for one computation (single flight).  The C form of
 * the original `@cached(ttl, key_prefix)` decorator (see osc_cache_key_build).
 * @return OSC_OK (*out set), OSC_ENOENT (compute said not found, now or within
 *         negative_ttl_ms), OSC_EINVAL, or the error the computation returned.
 */
OSC_API int osc_cache_get_or_compute(osc_cache *cache, const void *key, size_t klen, osc_cache_compute_fn fn,
                                     void *ud, int64_t ttl_ms, osc_cache_value **out);

/**
 * Builds a stable key "prefix:fn_name:<16 hex digits>" where the digits hash
 * the arguments (length-prefixed, so ("ab","c") != ("a","bc")); the same on
 * every run and machine.  Writes at most @p cap bytes including the NUL.
 * @return the key length (> 0), or OSC_EINVAL (NULL fn_name) / OSC_ETOOBIG (cap too small).
 */
OSC_API int osc_cache_key_build(char *out, size_t cap, const char *prefix, const char *fn_name,
                                const char *const *args, size_t nargs);

/** Snapshot of the counters of every level. */
OSC_API void osc_cache_stats_get(osc_cache *cache, osc_cache_stats *out);
/** Same, as the monitor expects: `osc_cache_stats(cache, &stats)`. */
#define osc_cache_stats(cache, out) osc_cache_stats_get((cache), (out))

/** True when L2 is configured and its circuit breaker is closed. */
OSC_API bool osc_cache_l2_up(osc_cache *cache);

/**
 * Trains a zstd dictionary from @p samples and writes it to @p path.
 * @return OSC_OK, OSC_EINVAL (fewer than 8 samples), OSC_EIO, OSC_EINTERNAL (ZDICT error, detail says which).
 */
OSC_API int osc_cache_train_dict(const void *const *samples, const size_t *lens, size_t n, size_t dict_bytes,
                                 const char *path, uint32_t *dict_id);

#ifdef __cplusplus
}
#endif
#endif
