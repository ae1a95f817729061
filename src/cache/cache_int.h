/*
 * cache/cache_int.h - internals shared by the cache tiers (not installed).
 */
#ifndef OSC_CACHE_INT_H
#define OSC_CACHE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/cache.h"

/* ---- values (also the L1 entries) ----
 * One allocation: header, then key bytes, then value bytes.  Immutable after
 * publication except the policy fields, which only the owning shard touches
 * under its lock.  refs counts the table's reference plus every reader's. */
enum { OSC__V_NEGATIVE = 1u << 0 };

/* 48-byte header so that a small entry (8-byte key and value) is one 64-byte cache line:
 * the hit path touches only this line.  Fields above `prev` are immutable once published
 * (flags included); the policy fields below are touched only under the shard lock. */
struct osc_cache_value {
  atomic_uint refs;
  uint32_t klen;
  uint32_t vlen;
  uint8_t ctype;
  uint8_t flags;
  uint8_t queue; /* policy queue id (shard lock) */
  uint8_t freq;  /* S3-FIFO frequency 0..3 (shard lock) */
  int64_t expire_ms; /* wall-clock deadline, 0 = never */
  union {
    struct { struct osc_cache_value *prev, *next; };      /* FIFO, LRU, S3-FIFO queues */
    struct { uint64_t lfu_freq, lfu_tick; };               /* LFU heap key */
  };
  uint32_t charge;   /* bytes (or 1 in unit-weight mode) */
  uint32_t heap_idx; /* LFU */
  char data[];       /* key, then value (not NUL-terminated) */
};

/* A value with uninitialised data of klen + vlen bytes (the key is copied when key != NULL). */
osc_cache_value *osc__value_alloc(const void *key, size_t klen, size_t vlen, osc_cache_ctype ctype, int64_t expire_ms);
osc_cache_value *osc__value_new(const void *key, size_t klen, const void *val, size_t vlen, osc_cache_ctype ctype,
                                int64_t expire_ms);
static inline void osc__value_ref(osc_cache_value *v) { atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed); }

/* Coarse wall clock in ms, rounded up by one tick (never late). */
int64_t osc__cache_now_ms(void);
uint64_t osc__cache_hash(const void *key, size_t klen);

/* ---- L1 ---- */
typedef struct osc__l1 osc__l1;
typedef struct osc__l1_opts {
  int64_t max_bytes;   /* total bound (0 = none, then max_entries must be set) */
  int64_t max_entries; /* 0 = none */
  osc_cache_policy policy;
  int shards;          /* power of two */
  bool unit_weight;    /* every entry weighs 1 (trace replay) */
  int s3_move_threshold; /* S3-FIFO: hits in the small queue needed to move to main; 0 = 1 */
} osc__l1_opts;

int osc__l1_new(const osc__l1_opts *o, osc__l1 **out);
void osc__l1_free(osc__l1 *l1);
/* OSC_OK with a new reference in *out, or OSC_ENOENT. */
int osc__l1_get(osc__l1 *l1, uint64_t hash, const void *key, size_t klen, int64_t now, osc_cache_value **out);
/* OSC_OK (copied), OSC_ENOENT, OSC_ETOOBIG (*len set). Negative entries count as ENOENT with *neg = true. */
int osc__l1_get_copy(osc__l1 *l1, uint64_t hash, const void *key, size_t klen, int64_t now, void *buf, size_t cap,
                     size_t *len, osc_cache_ctype *ctype);
/* Inserts v (the table takes one new reference), replacing any entry with the same key.
 * OSC_OK or OSC_ETOOBIG (heavier than a shard). */
int osc__l1_insert(osc__l1 *l1, osc_cache_value *v);
/* Same, with the key's osc__cache_hash already computed by the caller. */
int osc__l1_insert_hashed(osc__l1 *l1, osc_cache_value *v, uint64_t hash);
bool osc__l1_remove(osc__l1 *l1, uint64_t hash, const void *key, size_t klen);
bool osc__l1_contains(osc__l1 *l1, uint64_t hash, const void *key, size_t klen, int64_t now);
void osc__l1_clear(osc__l1 *l1);
/* Drops expired entries, scanning up to budget slots per shard. */
void osc__l1_sweep(osc__l1 *l1, int64_t now, size_t budget);
void osc__l1_stats(osc__l1 *l1, osc_cache_level_stats *st);
/* Trace replay: access integer key k with weight 1; returns true on a hit, inserts on a miss. */
bool osc__l1_access(osc__l1 *l1, uint64_t k);

/* ---- codec: the stored-value format shared by L2 and L3 ----
 * header (16 bytes, little-endian):
 *   0  u8  magic 0xC5
 *   1  u8  version (1) in the low nibble, content type in the high nibble
 *   2  u8  codec (osc_cache_codec, NONE..GZIP)
 *   3  u8  reserved (0)
 *   4  u32 dictionary id (0 = none)
 *   8  u32 original length
 *   12 u32 crc32 of bytes 0..11 and the payload
 * then the payload. */
#define OSC__HDR_LEN 16
typedef struct osc__codec osc__codec;
int osc__codec_new(osc_cache_codec codec, int level, int64_t threshold, const char *dict_path, osc__codec **out);
void osc__codec_free(osc__codec *c);
/* Encodes into a malloc'd buffer. */
int osc__codec_encode(osc__codec *c, const void *val, size_t vlen, osc_cache_ctype ctype, void **out, size_t *olen);
/* Decodes; OSC_ECORRUPT for anything malformed (detail says what).  *out malloc'd (+1 NUL byte). */
int osc__codec_decode(osc__codec *c, const void *in, size_t ilen, void **out, size_t *olen, osc_cache_ctype *ctype);
/* Decodes straight into a new value object. */
int osc__codec_decode_value(osc__codec *c, const void *in, size_t ilen, const void *key, size_t klen,
                            int64_t expire_ms, osc_cache_value **out);
void osc__codec_totals(osc__codec *c, uint64_t *in, uint64_t *out);

/* ---- L2 (Redis) ---- */
typedef struct osc__l2 osc__l2;
typedef void (*osc__l2_inval_fn)(void *ud, const void *key, size_t klen, bool all);
typedef struct osc__l2_opts {
  const char *url;
  const char *ns;
  int pool_size;
  int64_t connect_timeout_ms, command_timeout_ms;
  bool invalidation;
  osc__l2_inval_fn on_inval;
  void *ud;
} osc__l2_opts;
int osc__l2_open(const osc__l2_opts *o, osc__l2 **out);
void osc__l2_close(osc__l2 *l2);
bool osc__l2_up(osc__l2 *l2);
/* GET + PTTL: OSC_OK (*data malloc'd, *expire_ms absolute or 0), OSC_ENOENT, OSC_EUNAVAIL. */
int osc__l2_get(osc__l2 *l2, const void *key, size_t klen, void **data, size_t *len, int64_t *expire_ms);
int osc__l2_set(osc__l2 *l2, const void *key, size_t klen, const void *data, size_t len, int64_t expire_ms);
int osc__l2_del(osc__l2 *l2, const void *key, size_t klen, bool *existed);
int osc__l2_exists(osc__l2 *l2, const void *key, size_t klen, bool *exists);
/* Pipelined: for each i, data[i]/lens[i]/expire[i] (data NULL on miss). */
int osc__l2_mget(osc__l2 *l2, const void *const *keys, const size_t *klens, size_t n, void **data, size_t *lens,
                 int64_t *expire);
int osc__l2_mset(osc__l2 *l2, const void *const *keys, const size_t *klens, const void *const *data,
                 const size_t *lens, const int64_t *expire, size_t n);
int osc__l2_clear(osc__l2 *l2, uint64_t *deleted);
/* Tells the other processes (pub/sub) that key changed (klen 0 = everything). */
void osc__l2_publish(osc__l2 *l2, const void *key, size_t klen);
void osc__l2_stats(osc__l2 *l2, osc_cache_level_stats *st, uint64_t *reconnects, uint64_t *trips,
                   uint64_t *inval_rx);

/* ---- L3 (LMDB) ---- */
typedef struct osc__l3 osc__l3;
int osc__l3_open(const char *path, int64_t max_bytes, bool sync, osc__l3 **out);
void osc__l3_close(osc__l3 *l3);
/* OSC_OK (*data malloc'd stored bytes, *expire_ms), OSC_ENOENT (absent or expired: removed), OSC_EIO. */
int osc__l3_get(osc__l3 *l3, const void *key, size_t klen, int64_t now, void **data, size_t *len,
                int64_t *expire_ms);
/* Like osc__l3_get, but calls fn on the stored bytes inside the read transaction (no copy);
 * returns fn's result, OSC_ENOENT or an LMDB error. */
typedef int (*osc__l3_read_fn)(void *ud, const void *data, size_t len, int64_t expire_ms);
int osc__l3_read(osc__l3 *l3, const void *key, size_t klen, int64_t now, osc__l3_read_fn fn, void *ud);
int osc__l3_put(osc__l3 *l3, const void *key, size_t klen, const void *data, size_t len, int64_t expire_ms);
int osc__l3_put_many(osc__l3 *l3, const void *const *keys, const size_t *klens, const void *const *data,
                     const size_t *lens, const int64_t *expire, size_t n);
int osc__l3_del(osc__l3 *l3, const void *key, size_t klen, bool *existed);
bool osc__l3_exists(osc__l3 *l3, const void *key, size_t klen, int64_t now);
int osc__l3_clear(osc__l3 *l3);
/* Removes expired entries; returns how many. */
size_t osc__l3_sweep(osc__l3 *l3, int64_t now, size_t budget);
int osc__l3_sync(osc__l3 *l3);
void osc__l3_stats(osc__l3 *l3, osc_cache_level_stats *st);
/* Consistency check for tests: recomputes the byte total and entry count and compares with the stored ones. */
int osc__l3_check(osc__l3 *l3, uint64_t *entries, uint64_t *bytes);

/* latency histogram helpers */
void osc__lat_add(atomic_uint_fast64_t *hist, uint64_t ns);
void osc__lat_fill(osc_cache_level_stats *st, const atomic_uint_fast64_t *hist);

/* ---- trace replay (replay.c) ---- */
/* Loads a key trace (text or zstd text, one key per line).  *keys malloc'd. */
int osc__cache_trace_load(const char *path, uint64_t **keys, size_t *n, size_t *unique);
/* Replays with unit weights through a one-shard L1 of @p capacity entries. */
int osc__cache_replay(const uint64_t *keys, size_t n, osc_cache_policy policy, size_t capacity, int s3_threshold,
                      uint64_t *misses);

#endif
