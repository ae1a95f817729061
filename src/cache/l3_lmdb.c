/*
 * cache/l3_lmdb.c - the persistent tier: LMDB under data_dir.
 *
 * Three sub-databases in one environment:
 *   "v": key -> [i64 deadline ms (0 = none)][u64 write seq][stored value]
 *   "o": u64 big-endian write seq -> key (write order, for eviction)
 *   "m": "bytes" / "count" / "seq" -> u64 (totals kept in the same
 *        transaction as the data, so they can never drift, even after kill -9)
 * A write that takes the total over max_bytes evicts the oldest writes in
 * the same transaction until the total is under 90% of the bound.
 * Expired entries are removed when read and by osc__l3_sweep (called by the
 * facade's background thread).  LMDB's copy-on-write B-tree makes every
 * commit atomic; without l3_sync commits are not fsynced (MDB_NOSYNC), which
 * survives a killed process (the page cache keeps the data) but not a power
 * cut; the background thread syncs periodically.
 */
#include <errno.h>
#include <lmdb.h>
#include <sys/statvfs.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_int.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

#define REC_HDR 16

struct osc__l3 {
  MDB_env *env;
  MDB_dbi v, o, m;
  int64_t max_bytes;
  atomic_uint_fast64_t hits, misses, sets, deletes, evictions, expirations, errors;
  atomic_uint_fast64_t lat[OSC_CACHE_LAT_BUCKETS]; /* reads */
  char sweep_key[OSC_CACHE_MAX_KEY + 1];
  size_t sweep_klen;
  pthread_mutex_t sweep_mu;
};

static int lmdb_err(int rc, const char *what) {
  if (rc == MDB_NOTFOUND) return OSC_ENOENT;
  if (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT)
    return osc_seterr(OSC_ENOSPC, "l3 %s: %s", what, mdb_strerror(rc));
  if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID)
    return osc_seterr(OSC_ECORRUPT, "l3 %s: %s", what, mdb_strerror(rc));
  return osc_seterr(OSC_EIO, "l3 %s: %s", what, mdb_strerror(rc));
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint64_t get64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static void put_be64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) p[7 - i] = (uint8_t)(v >> (i * 8));
}

static uint64_t meta_get(MDB_txn *t, MDB_dbi m, const char *name) {
  MDB_val k = {strlen(name), (void *)(uintptr_t)name}, d;
  if (mdb_get(t, m, &k, &d) != 0 || d.mv_size != 8) return 0;
  return get64(d.mv_data);
}
static int meta_put(MDB_txn *t, MDB_dbi m, const char *name, uint64_t v) {
  uint8_t b[8];
  put64(b, v);
  MDB_val k = {strlen(name), (void *)(uintptr_t)name}, d = {8, b};
  return mdb_put(t, m, &k, &d, 0);
}

static uint64_t charge_of(size_t klen, size_t dlen) { return 2 * (uint64_t)klen + dlen + 32; }

int osc__l3_open(const char *path, int64_t max_bytes, bool sync, osc__l3 **out) {
  *out = NULL;
  int rc = osc_mkdir_p(path, 0700);
  if (rc) return rc;
  osc__l3 *l3 = calloc(1, sizeof *l3);
  if (!l3) return OSC_ENOMEM;
  l3->max_bytes = max_bytes > 0 ? max_bytes : (int64_t)1 << 30;
  pthread_mutex_init(&l3->sweep_mu, NULL);
  int e = mdb_env_create(&l3->env);
  if (e) goto fail;
  mdb_env_set_maxdbs(l3->env, 4);
  /* Room for B-tree overhead and copy-on-write pages above the value bound. */
  size_t map = (size_t)l3->max_bytes * 2 + (64u << 20);
  mdb_env_set_mapsize(l3->env, map);
  e = mdb_env_open(l3->env, path, MDB_NOTLS | (sync ? 0 : MDB_NOSYNC), 0600);
  if (e) goto fail;
  MDB_txn *t;
  e = mdb_txn_begin(l3->env, NULL, 0, &t);
  if (e) goto fail;
  if ((e = mdb_dbi_open(t, "v", MDB_CREATE, &l3->v)) || (e = mdb_dbi_open(t, "o", MDB_CREATE, &l3->o)) ||
      (e = mdb_dbi_open(t, "m", MDB_CREATE, &l3->m))) {
    mdb_txn_abort(t);
    goto fail;
  }
  e = mdb_txn_commit(t);
  if (e) goto fail;
  *out = l3;
  return OSC_OK;
fail:
  rc = lmdb_err(e, path);
  if (l3->env) mdb_env_close(l3->env);
  pthread_mutex_destroy(&l3->sweep_mu);
  free(l3);
  return rc;
}

void osc__l3_close(osc__l3 *l3) {
  if (!l3) return;
  mdb_env_sync(l3->env, 1);
  mdb_env_close(l3->env);
  pthread_mutex_destroy(&l3->sweep_mu);
  free(l3);
}

int osc__l3_sync(osc__l3 *l3) {
  int e = mdb_env_sync(l3->env, 1);
  return e ? lmdb_err(e, "sync") : OSC_OK;
}

/* Deletes the record of key (found value d) and its order entry; adjusts totals. */
static int del_locked(osc__l3 *l3, MDB_txn *t, MDB_val *k, MDB_val *d) {
  uint8_t ob[8];
  put_be64(ob, get64((const uint8_t *)d->mv_data + 8));
  MDB_val ok = {8, ob};
  uint64_t ch = charge_of(k->mv_size, d->mv_size - REC_HDR);
  int e = mdb_del(t, l3->o, &ok, NULL);
  if (e && e != MDB_NOTFOUND) return e;
  e = mdb_del(t, l3->v, k, NULL);
  if (e) return e;
  uint64_t bytes = meta_get(t, l3->m, "bytes"), count = meta_get(t, l3->m, "count");
  if ((e = meta_put(t, l3->m, "bytes", bytes >= ch ? bytes - ch : 0))) return e;
  return meta_put(t, l3->m, "count", count ? count - 1 : 0);
}

static int evict_locked(osc__l3 *l3, MDB_txn *t, uint64_t target) {
  MDB_cursor *cur;
  int e = mdb_cursor_open(t, l3->o, &cur);
  if (e) return e;
  while (meta_get(t, l3->m, "bytes") > target) {
    MDB_val ok, key;
    e = mdb_cursor_get(cur, &ok, &key, MDB_FIRST);
    if (e == MDB_NOTFOUND) {
      e = 0;
      break;
    }
    if (e) break;
    char kb[OSC_CACHE_MAX_KEY + 1];
    size_t kl = OSC_MIN(key.mv_size, sizeof kb);
    memcpy(kb, key.mv_data, kl);
    MDB_val k = {kl, kb}, d;
    if (mdb_get(t, l3->v, &k, &d) == 0) {
      e = del_locked(l3, t, &k, &d);
    } else {
      e = mdb_cursor_del(cur, 0); /* dangling order entry */
    }
    if (e) break;
    atomic_fetch_add(&l3->evictions, 1);
  }
  mdb_cursor_close(cur);
  return e;
}

static int put_locked(osc__l3 *l3, MDB_txn *t, const void *key, size_t klen, const void *data, size_t len,
                      int64_t expire_ms) {
  MDB_val k = {klen, (void *)(uintptr_t)key}, d;
  int e = mdb_get(t, l3->v, &k, &d);
  if (e == 0) e = del_locked(l3, t, &k, &d);
  else if (e == MDB_NOTFOUND) e = 0;
  if (e) return e;
  uint64_t seq = meta_get(t, l3->m, "seq") + 1;
  if ((e = meta_put(t, l3->m, "seq", seq))) return e;
  MDB_val nd = {REC_HDR + len, NULL};
  if ((e = mdb_put(t, l3->v, &k, &nd, MDB_RESERVE))) return e;
  put64(nd.mv_data, (uint64_t)expire_ms);
  put64((uint8_t *)nd.mv_data + 8, seq);
  if (len) memcpy((uint8_t *)nd.mv_data + REC_HDR, data, len);
  uint8_t ob[8];
  put_be64(ob, seq);
  MDB_val ok = {8, ob};
  if ((e = mdb_put(t, l3->o, &ok, &k, MDB_APPEND))) return e;
  uint64_t bytes = meta_get(t, l3->m, "bytes") + charge_of(klen, len);
  if ((e = meta_put(t, l3->m, "bytes", bytes))) return e;
  if ((e = meta_put(t, l3->m, "count", meta_get(t, l3->m, "count") + 1))) return e;
  if (bytes > (uint64_t)l3->max_bytes) e = evict_locked(l3, t, (uint64_t)l3->max_bytes / 10 * 9);
  return e;
}

int osc__l3_put_many(osc__l3 *l3, const void *const *keys, const size_t *klens, const void *const *data,
                     const size_t *lens, const int64_t *expire, size_t n) {
  if (!n) return OSC_OK;
  for (int attempt = 0; attempt < 2; attempt++) {
    MDB_txn *t;
    int e = mdb_txn_begin(l3->env, NULL, 0, &t);
    if (e) return lmdb_err(e, "begin");
    for (size_t i = 0; i < n && !e; i++) {
      if (charge_of(klens[i], lens[i]) > (uint64_t)l3->max_bytes) continue; /* can never fit */
      e = put_locked(l3, t, keys[i], klens[i], data[i], lens[i], expire[i]);
    }
    if (!e) e = mdb_txn_commit(t);
    else mdb_txn_abort(t);
    if (!e) {
      atomic_fetch_add(&l3->sets, n);
      return OSC_OK;
    }
    if (e != MDB_MAP_FULL || attempt) {
      atomic_fetch_add(&l3->errors, 1);
      /* LMDB reports a short write on a full file system as EIO: tell the
       * two apart by the space left where the environment lives. */
      const char *dir = NULL;
      struct statvfs vfs;
      if (e == EIO && mdb_env_get_path(l3->env, &dir) == 0 && dir && statvfs(dir, &vfs) == 0) {
        uint64_t need = 1u << 20;
        for (size_t i = 0; i < n; i++) need += lens[i] + klens[i];
        uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        if (avail < need)
          return osc_seterr(OSC_ENOSPC, "l3 put: file system of %s is full (%llu bytes free)", dir,
                            (unsigned long long)avail);
      }
      return lmdb_err(e, "put");
    }
    /* The map is full of B-tree overhead: free a quarter and retry once. */
    if (mdb_txn_begin(l3->env, NULL, 0, &t) == 0) {
      uint64_t b = meta_get(t, l3->m, "bytes");
      if (evict_locked(l3, t, b / 4 * 3) == 0) mdb_txn_commit(t);
      else mdb_txn_abort(t);
    }
  }
  return OSC_ENOSPC;
}

int osc__l3_put(osc__l3 *l3, const void *key, size_t klen, const void *data, size_t len, int64_t expire_ms) {
  return osc__l3_put_many(l3, &key, &klen, &data, &len, &expire_ms, 1);
}

static void remove_if_expired(osc__l3 *l3, const void *key, size_t klen, int64_t now) {
  MDB_txn *t;
  if (mdb_txn_begin(l3->env, NULL, 0, &t)) return;
  MDB_val k = {klen, (void *)(uintptr_t)key}, d;
  int e = mdb_get(t, l3->v, &k, &d);
  if (e == 0 && d.mv_size >= REC_HDR) {
    int64_t exp = (int64_t)get64(d.mv_data);
    if (exp && exp <= now && del_locked(l3, t, &k, &d) == 0 && mdb_txn_commit(t) == 0) {
      atomic_fetch_add(&l3->expirations, 1);
      return;
    }
  }
  mdb_txn_abort(t);
}

int osc__l3_get(osc__l3 *l3, const void *key, size_t klen, int64_t now, void **data, size_t *len,
                int64_t *expire_ms) {
  *data = NULL;
  MDB_txn *t;
  int e = mdb_txn_begin(l3->env, NULL, MDB_RDONLY, &t);
  if (e) return lmdb_err(e, "begin");
  MDB_val k = {klen, (void *)(uintptr_t)key}, d;
  e = mdb_get(t, l3->v, &k, &d);
  if (e) {
    mdb_txn_abort(t);
    atomic_fetch_add(&l3->misses, 1);
    return e == MDB_NOTFOUND ? OSC_ENOENT : lmdb_err(e, "get");
  }
  if (d.mv_size < REC_HDR) {
    mdb_txn_abort(t);
    atomic_fetch_add(&l3->errors, 1);
    return osc_seterr(OSC_ECORRUPT, "l3: record of %zu bytes is too short", d.mv_size);
  }
  int64_t exp = (int64_t)get64(d.mv_data);
  if (exp && exp <= now) {
    mdb_txn_abort(t);
    remove_if_expired(l3, key, klen, now);
    atomic_fetch_add(&l3->misses, 1);
    return OSC_ENOENT;
  }
  size_t n = d.mv_size - REC_HDR;
  void *buf = malloc(n ? n : 1);
  if (!buf) {
    mdb_txn_abort(t);
    return OSC_ENOMEM;
  }
  memcpy(buf, (const uint8_t *)d.mv_data + REC_HDR, n);
  mdb_txn_abort(t);
  *data = buf;
  *len = n;
  *expire_ms = exp;
  atomic_fetch_add(&l3->hits, 1);
  return OSC_OK;
}

int osc__l3_read(osc__l3 *l3, const void *key, size_t klen, int64_t now, osc__l3_read_fn fn, void *ud) {
  uint64_t t0 = osc_now_ns();
  MDB_txn *t;
  int e = mdb_txn_begin(l3->env, NULL, MDB_RDONLY, &t);
  if (e) return lmdb_err(e, "begin");
  MDB_val k = {klen, (void *)(uintptr_t)key}, d;
  e = mdb_get(t, l3->v, &k, &d);
  if (e || d.mv_size < REC_HDR) {
    mdb_txn_abort(t);
    atomic_fetch_add(&l3->misses, 1);
    if (!e) return osc_seterr(OSC_ECORRUPT, "l3: record of %zu bytes is too short", d.mv_size);
    return e == MDB_NOTFOUND ? OSC_ENOENT : lmdb_err(e, "get");
  }
  int64_t exp = (int64_t)get64(d.mv_data);
  if (exp && exp <= now) {
    mdb_txn_abort(t);
    remove_if_expired(l3, key, klen, now);
    atomic_fetch_add(&l3->misses, 1);
    return OSC_ENOENT;
  }
  int rc = fn(ud, (const uint8_t *)d.mv_data + REC_HDR, d.mv_size - REC_HDR, exp);
  mdb_txn_abort(t);
  if (rc == OSC_OK) atomic_fetch_add(&l3->hits, 1);
  osc__lat_add(l3->lat, osc_now_ns() - t0);
  return rc;
}

bool osc__l3_exists(osc__l3 *l3, const void *key, size_t klen, int64_t now) {
  MDB_txn *t;
  if (mdb_txn_begin(l3->env, NULL, MDB_RDONLY, &t)) return false;
  MDB_val k = {klen, (void *)(uintptr_t)key}, d;
  bool ok = mdb_get(t, l3->v, &k, &d) == 0 && d.mv_size >= REC_HDR;
  if (ok) {
    int64_t exp = (int64_t)get64(d.mv_data);
    ok = !exp || exp > now;
  }
  mdb_txn_abort(t);
  return ok;
}

int osc__l3_del(osc__l3 *l3, const void *key, size_t klen, bool *existed) {
  MDB_txn *t;
  int e = mdb_txn_begin(l3->env, NULL, 0, &t);
  if (e) return lmdb_err(e, "begin");
  MDB_val k = {klen, (void *)(uintptr_t)key}, d;
  e = mdb_get(t, l3->v, &k, &d);
  bool found = e == 0;
  if (found) e = del_locked(l3, t, &k, &d);
  else if (e == MDB_NOTFOUND) e = 0;
  if (!e) e = mdb_txn_commit(t);
  else mdb_txn_abort(t);
  if (e) return lmdb_err(e, "delete");
  if (found) atomic_fetch_add(&l3->deletes, 1);
  if (existed) *existed = found;
  return OSC_OK;
}

int osc__l3_clear(osc__l3 *l3) {
  MDB_txn *t;
  int e = mdb_txn_begin(l3->env, NULL, 0, &t);
  if (e) return lmdb_err(e, "begin");
  if ((e = mdb_drop(t, l3->v, 0)) || (e = mdb_drop(t, l3->o, 0)) || (e = meta_put(t, l3->m, "bytes", 0)) ||
      (e = meta_put(t, l3->m, "count", 0))) {
    mdb_txn_abort(t);
    return lmdb_err(e, "clear");
  }
  e = mdb_txn_commit(t);
  return e ? lmdb_err(e, "clear") : OSC_OK;
}

size_t osc__l3_sweep(osc__l3 *l3, int64_t now, size_t budget) {
  pthread_mutex_lock(&l3->sweep_mu);
  MDB_txn *t;
  size_t removed = 0;
  if (mdb_txn_begin(l3->env, NULL, 0, &t)) {
    pthread_mutex_unlock(&l3->sweep_mu);
    return 0;
  }
  MDB_cursor *cur;
  if (mdb_cursor_open(t, l3->v, &cur)) {
    mdb_txn_abort(t);
    pthread_mutex_unlock(&l3->sweep_mu);
    return 0;
  }
  MDB_val k = {l3->sweep_klen, l3->sweep_key}, d;
  int e = l3->sweep_klen ? mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE) : mdb_cursor_get(cur, &k, &d, MDB_FIRST);
  size_t seen = 0;
  int err = 0;
  while (e == 0 && seen < budget) {
    seen++;
    if (d.mv_size >= REC_HDR) {
      int64_t exp = (int64_t)get64(d.mv_data);
      if (exp && exp <= now) {
        uint8_t ob[8];
        put_be64(ob, get64((const uint8_t *)d.mv_data + 8));
        MDB_val ok = {8, ob};
        uint64_t ch = charge_of(k.mv_size, d.mv_size - REC_HDR);
        if ((err = mdb_del(t, l3->o, &ok, NULL)) && err != MDB_NOTFOUND) break;
        if ((err = mdb_cursor_del(cur, 0))) break;
        uint64_t bytes = meta_get(t, l3->m, "bytes"), count = meta_get(t, l3->m, "count");
        meta_put(t, l3->m, "bytes", bytes >= ch ? bytes - ch : 0);
        meta_put(t, l3->m, "count", count ? count - 1 : 0);
        removed++;
        e = mdb_cursor_get(cur, &k, &d, MDB_NEXT); /* after a delete, NEXT yields the following record */
        continue;
      }
    }
    e = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
  }
  if (e == 0 && k.mv_size <= OSC_CACHE_MAX_KEY) {
    memcpy(l3->sweep_key, k.mv_data, k.mv_size);
    l3->sweep_klen = k.mv_size;
  } else {
    l3->sweep_klen = 0; /* wrapped around */
  }
  mdb_cursor_close(cur);
  if (!err && mdb_txn_commit(t) == 0) atomic_fetch_add(&l3->expirations, removed);
  else {
    if (err) mdb_txn_abort(t);
    removed = 0;
  }
  pthread_mutex_unlock(&l3->sweep_mu);
  return removed;
}

void osc__l3_stats(osc__l3 *l3, osc_cache_level_stats *st) {
  st->hits = atomic_load(&l3->hits);
  st->misses = atomic_load(&l3->misses);
  st->sets = atomic_load(&l3->sets);
  st->deletes = atomic_load(&l3->deletes);
  st->evictions = atomic_load(&l3->evictions);
  st->expirations = atomic_load(&l3->expirations);
  st->errors = atomic_load(&l3->errors);
  osc__lat_fill(st, l3->lat);
  MDB_txn *t;
  if (mdb_txn_begin(l3->env, NULL, MDB_RDONLY, &t) == 0) {
    st->bytes = meta_get(t, l3->m, "bytes");
    st->entries = meta_get(t, l3->m, "count");
    mdb_txn_abort(t);
  }
}

int osc__l3_check(osc__l3 *l3, uint64_t *entries, uint64_t *bytes) {
  MDB_txn *t;
  int e = mdb_txn_begin(l3->env, NULL, MDB_RDONLY, &t);
  if (e) return lmdb_err(e, "begin");
  MDB_cursor *cur;
  mdb_cursor_open(t, l3->v, &cur);
  MDB_val k, d;
  uint64_t n = 0, b = 0;
  int rc = OSC_OK;
  for (e = mdb_cursor_get(cur, &k, &d, MDB_FIRST); e == 0; e = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
    if (d.mv_size < REC_HDR) {
      rc = osc_seterr(OSC_ECORRUPT, "l3 check: short record");
      break;
    }
    uint8_t ob[8];
    put_be64(ob, get64((const uint8_t *)d.mv_data + 8));
    MDB_val ok = {8, ob}, ov;
    if (mdb_get(t, l3->o, &ok, &ov) != 0 || ov.mv_size != k.mv_size || memcmp(ov.mv_data, k.mv_data, k.mv_size)) {
      rc = osc_seterr(OSC_ECORRUPT, "l3 check: order entry missing");
      break;
    }
    n++;
    b += charge_of(k.mv_size, d.mv_size - REC_HDR);
  }
  mdb_cursor_close(cur);
  MDB_stat os;
  mdb_stat(t, l3->o, &os);
  if (rc == OSC_OK && os.ms_entries != n)
    rc = osc_seterr(OSC_ECORRUPT, "l3 check: %zu order entries for %llu values", os.ms_entries,
                    (unsigned long long)n);
  if (rc == OSC_OK && (meta_get(t, l3->m, "count") != n || meta_get(t, l3->m, "bytes") != b))
    rc = osc_seterr(OSC_ECORRUPT, "l3 check: totals %llu/%llu differ from recount %llu/%llu",
                    (unsigned long long)meta_get(t, l3->m, "count"), (unsigned long long)meta_get(t, l3->m, "bytes"),
                    (unsigned long long)n, (unsigned long long)b);
  mdb_txn_abort(t);
  *entries = n;
  *bytes = b;
  return rc;
}
