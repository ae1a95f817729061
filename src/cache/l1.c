/*
 * cache/l1.c - the in-memory tier: sharded, byte-bounded, four policies.
 *
 * Design: N shards (power of two), chosen by the high bits of the key hash.
 * Each shard is an open-addressing table of {hash, value*} slots (linear
 * probing, backward-shift deletion, load <= 0.6) guarded by a short
 * test-and-test-and-set spinlock; the hit path is: lock, probe comparing the
 * precomputed hash then the key, bump the policy state, copy or take a
 * reference, unlock.  No malloc and no global lock on a hit.
 *
 * Policies, per shard:
 *  - FIFO: one list, insert at head, evict the tail; hits change nothing.
 *  - LRU: one list, hits move to the head, evict the tail.
 *  - LFU: binary min-heap on (hit count, last access tick); evicts the least
 *    frequently used, the least recently used among equals.
 *  - S3-FIFO (default): small FIFO S (10% of the bound), main FIFO M, and a
 *    ghost set G of hashes recently evicted from S.  New keys enter S (or M
 *    when G remembers them); a hit only raises a 2-bit frequency.  Evicting
 *    S moves a tail entry that was hit to M, else drops it into G; evicting M
 *    reinserts a tail entry with freq > 0 (freq - 1), else drops it.  The
 *    small queue is clamped to at least 2 entries so caches of a few dozen
 *    entries still work.
 *
 * Invariants: an entry is in the table iff it holds OSC__V_IN_TABLE and is
 * linked in exactly one policy structure; shard->bytes is the sum of the
 * charges of the entries in the table.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache_int.h"
#include "core/util.h"
#include "oscontent/error.h"

#define L1_OVERHEAD ((uint32_t)(sizeof(osc_cache_value) + 2 * sizeof(void *) * 2))

typedef struct l1_slot {
  uint64_t hash; /* 0 = empty */
  osc_cache_value *v;
} l1_slot;

typedef struct l1_list {
  osc_cache_value *head, *tail;
  int64_t bytes;
  uint64_t count;
} l1_list;

typedef struct l1_shard {
  /* first cache line: everything the hit path touches */
  atomic_int lock;
  uint32_t mask;
  l1_slot *slots;
  uint64_t hits, misses;
  uint32_t count;
  int64_t bytes, max_bytes, max_entries;
  l1_list q[2]; /* S3-FIFO: 0 = small, 1 = main; LRU/FIFO: 0 */
  int64_t small_target;
  /* LFU heap */
  osc_cache_value **heap;
  uint32_t hn, hcap;
  uint64_t tick;
  /* S3-FIFO ghost: ring of hashes + counting set */
  uint64_t *gring;
  uint32_t gcap, ghead, gcount;
  struct { uint64_t h; uint32_t n; } *gset;
  uint32_t gmask, gsetn;
  uint32_t sweep_pos;
  uint64_t sets, deletes, evictions, expirations;
  char pad[64];
} l1_shard;

struct osc__l1 {
  osc__l1_opts o;
  uint32_t nshards;
  uint32_t shard_mask; /* shards use hash bits 40.., slots the low bits */
  l1_shard *shards;
};

/* ---------- values ---------- */

osc_cache_value *osc__value_alloc(const void *key, size_t klen, size_t vlen, osc_cache_ctype ctype, int64_t expire_ms) {
  size_t n = sizeof(osc_cache_value) + klen + vlen;
  /* small entries start on a cache line so that the hit path touches one line */
  osc_cache_value *v = malloc(n);
  if (!v) return NULL;
  memset(v, 0, sizeof *v);
  atomic_init(&v->refs, 1);
  v->klen = (uint32_t)klen;
  v->vlen = (uint32_t)vlen;
  v->ctype = (uint8_t)ctype;
  v->expire_ms = expire_ms;
  if (klen && key) memcpy(v->data, key, klen);
  return v;
}

osc_cache_value *osc__value_new(const void *key, size_t klen, const void *val, size_t vlen, osc_cache_ctype ctype,
                                int64_t expire_ms) {
  osc_cache_value *v = osc__value_alloc(key, klen, vlen, ctype, expire_ms);
  if (v && vlen) memcpy(v->data + klen, val, vlen);
  return v;
}

void osc_cache_value_release(osc_cache_value *v) {
  if (!v) return;
  if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1) free(v);
}

const void *osc_cache_value_data(const osc_cache_value *v, size_t *len) {
  if (len) *len = v ? v->vlen : 0;
  return v ? v->data + v->klen : NULL;
}

osc_cache_ctype osc_cache_value_ctype(const osc_cache_value *v) { return v ? (osc_cache_ctype)v->ctype : 0; }

int64_t osc_cache_value_ttl_ms(const osc_cache_value *v) {
  if (!v || !v->expire_ms) return OSC_CACHE_TTL_NONE;
  int64_t left = v->expire_ms - osc__cache_now_ms();
  return left > 0 ? left : 0;
}

/* ---------- clock ---------- */

static _Atomic int64_t g_coarse_res_ms = -1;

int64_t osc__cache_now_ms(void) {
  struct timespec ts;
  int64_t res = atomic_load_explicit(&g_coarse_res_ms, memory_order_relaxed);
  if (res < 0) {
    struct timespec r;
    res = 0;
    if (clock_getres(CLOCK_REALTIME_COARSE, &r) == 0) res = (int64_t)r.tv_sec * 1000 + (r.tv_nsec + 999999) / 1000000;
    atomic_store_explicit(&g_coarse_res_ms, res, memory_order_relaxed);
  }
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + res;
}

uint64_t osc__cache_hash(const void *key, size_t klen) {
  uint64_t h;
  if (klen == 8) { /* binary ids: one multiply-mix instead of the general byte hash */
    uint64_t k;
    memcpy(&k, key, 8);
    h = osc_mix64(k ^ 0x6f7363616368ull);
  } else {
    h = osc_hash64(key, klen, 0x6f7363616368ull);
  }
  return h ? h : 1;
}

/* ---------- spinlock ---------- */

static inline void sl_lock(atomic_int *l) {
  for (;;) {
    if (!atomic_exchange_explicit(l, 1, memory_order_acquire)) return;
    int spins = 0;
    while (atomic_load_explicit(l, memory_order_relaxed)) {
      if (++spins > 128) {
        sched_yield();
        spins = 0;
      }
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
}
static inline void sl_unlock(atomic_int *l) { atomic_store_explicit(l, 0, memory_order_release); }

/* ---------- lists ---------- */

static void list_push_head(l1_list *q, osc_cache_value *v) {
  v->prev = NULL;
  v->next = q->head;
  if (q->head) q->head->prev = v;
  else q->tail = v;
  q->head = v;
  q->bytes += v->charge;
  q->count++;
}

static void list_unlink(l1_list *q, osc_cache_value *v) {
  if (v->prev) v->prev->next = v->next;
  else q->head = v->next;
  if (v->next) v->next->prev = v->prev;
  else q->tail = v->prev;
  v->prev = v->next = NULL;
  q->bytes -= v->charge;
  q->count--;
}

/* ---------- LFU heap ---------- */

static inline bool lfu_less(const osc_cache_value *a, const osc_cache_value *b) {
  return a->lfu_freq < b->lfu_freq || (a->lfu_freq == b->lfu_freq && a->lfu_tick < b->lfu_tick);
}
static void heap_set(l1_shard *s, uint32_t i, osc_cache_value *v) {
  s->heap[i] = v;
  v->heap_idx = i;
}
static void heap_up(l1_shard *s, uint32_t i) {
  osc_cache_value *v = s->heap[i];
  while (i > 0) {
    uint32_t p = (i - 1) / 2;
    if (!lfu_less(v, s->heap[p])) break;
    heap_set(s, i, s->heap[p]);
    i = p;
  }
  heap_set(s, i, v);
}
static void heap_down(l1_shard *s, uint32_t i) {
  osc_cache_value *v = s->heap[i];
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    const osc_cache_value *mv = v;
    if (l < s->hn && lfu_less(s->heap[l], mv)) m = l, mv = s->heap[l];
    if (r < s->hn && lfu_less(s->heap[r], mv)) m = r;
    if (m == i) break;
    heap_set(s, i, s->heap[m]);
    i = m;
  }
  heap_set(s, i, v);
}
static int heap_push(l1_shard *s, osc_cache_value *v) {
  if (s->hn == s->hcap) {
    uint32_t nc = s->hcap ? s->hcap * 2 : 64;
    osc_cache_value **nh = realloc(s->heap, nc * sizeof *nh);
    if (!nh) return OSC_ENOMEM;
    s->heap = nh;
    s->hcap = nc;
  }
  heap_set(s, s->hn++, v);
  heap_up(s, s->hn - 1);
  return OSC_OK;
}
static void heap_remove(l1_shard *s, osc_cache_value *v) {
  uint32_t i = v->heap_idx;
  s->hn--;
  if (i == s->hn) return;
  heap_set(s, i, s->heap[s->hn]);
  heap_down(s, i);
  heap_up(s, s->heap[i]->heap_idx);
}

/* ---------- ghost set (S3-FIFO) ---------- */

static bool ghost_contains(const l1_shard *s, uint64_t h) {
  if (!s->gset) return false;
  for (uint32_t i = (uint32_t)h & s->gmask;; i = (i + 1) & s->gmask) {
    if (s->gset[i].h == h) return true;
    if (!s->gset[i].h) return false;
  }
}
static void gset_del_at(l1_shard *s, uint32_t i) {
  /* backward-shift deletion */
  uint32_t j = i;
  for (;;) {
    j = (j + 1) & s->gmask;
    if (!s->gset[j].h) break;
    uint32_t k = (uint32_t)s->gset[j].h & s->gmask;
    if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
      s->gset[i] = s->gset[j];
      i = j;
    }
  }
  s->gset[i].h = 0;
  s->gset[i].n = 0;
  s->gsetn--;
}
static void gset_dec(l1_shard *s, uint64_t h) {
  for (uint32_t i = (uint32_t)h & s->gmask;; i = (i + 1) & s->gmask) {
    if (!s->gset[i].h) return;
    if (s->gset[i].h == h) {
      if (--s->gset[i].n == 0) gset_del_at(s, i);
      return;
    }
  }
}
static void ghost_add(l1_shard *s, uint64_t h) {
  if (!s->gcap) return;
  if (!s->gring) {
    uint32_t tab = 16;
    while (tab < s->gcap * 2) tab <<= 1;
    s->gring = calloc(s->gcap, sizeof *s->gring);
    s->gset = calloc(tab, sizeof *s->gset);
    if (!s->gring || !s->gset) {
      free(s->gring);
      free(s->gset);
      s->gring = NULL;
      s->gset = NULL;
      return;
    }
    s->gmask = tab - 1;
  }
  if (s->gcount == s->gcap) { /* full: overwrite the oldest */
    gset_dec(s, s->gring[s->ghead]);
    s->gring[s->ghead] = h;
    s->ghead = (s->ghead + 1) % s->gcap;
  } else {
    s->gring[(s->ghead + s->gcount) % s->gcap] = h;
    s->gcount++;
  }
  for (uint32_t i = (uint32_t)h & s->gmask;; i = (i + 1) & s->gmask) {
    if (s->gset[i].h == h) {
      s->gset[i].n++;
      return;
    }
    if (!s->gset[i].h) {
      s->gset[i].h = h;
      s->gset[i].n = 1;
      s->gsetn++;
      return;
    }
  }
}

/* ---------- table ---------- */

static inline bool key_eq(const osc_cache_value *v, const void *key, size_t klen) {
  if (v->klen != klen) return false;
  if (klen == 8) { /* the common binary id: one compare, no call */
    uint64_t a, b;
    memcpy(&a, v->data, 8);
    memcpy(&b, key, 8);
    return a == b;
  }
  return memcmp(v->data, key, klen) == 0;
}

static inline uint32_t slot_find(const l1_shard *s, uint64_t hash, const void *key, size_t klen) {
  for (uint32_t i = (uint32_t)hash & s->mask;; i = (i + 1) & s->mask) {
    uint64_t h = s->slots[i].hash;
    if (h == hash && key_eq(s->slots[i].v, key, klen)) return i;
    if (!h) return UINT32_MAX;
  }
}

static void slot_del_at(l1_shard *s, uint32_t i) {
  uint32_t j = i;
  for (;;) {
    j = (j + 1) & s->mask;
    if (!s->slots[j].hash) break;
    uint32_t k = (uint32_t)s->slots[j].hash & s->mask;
    if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
      s->slots[i] = s->slots[j];
      i = j;
    }
  }
  s->slots[i].hash = 0;
  s->slots[i].v = NULL;
  s->count--;
}

static int table_grow(l1_shard *s) {
  uint32_t ncap = (s->mask + 1) * 2;
  l1_slot *ns = calloc(ncap, sizeof *ns);
  if (!ns) return OSC_ENOMEM;
  for (uint32_t i = 0; i <= s->mask; i++) {
    if (!s->slots[i].hash) continue;
    uint32_t j = (uint32_t)s->slots[i].hash & (ncap - 1);
    while (ns[j].hash) j = (j + 1) & (ncap - 1);
    ns[j] = s->slots[i];
  }
  free(s->slots);
  s->slots = ns;
  s->mask = ncap - 1;
  return OSC_OK;
}

/* Unlinks v from the policy structures and the table (slot index i) and drops the table's reference. */
static void shard_drop(osc__l1 *l1, l1_shard *s, uint32_t i) {
  osc_cache_value *v = s->slots[i].v;
  switch (l1->o.policy) {
    case OSC_CACHE_POLICY_LFU: heap_remove(s, v); break;
    default: list_unlink(&s->q[v->queue], v); break;
  }
  s->bytes -= v->charge;
  slot_del_at(s, i);
  osc_cache_value_release(v);
}

static uint64_t hash_of(const osc__l1 *l1, const osc_cache_value *v) {
  if (l1->o.unit_weight) {
    uint64_t k;
    memcpy(&k, v->data, 8);
    uint64_t h = osc_mix64(k + 0x9e3779b97f4a7c15ull);
    return h ? h : 1;
  }
  return osc__cache_hash(v->data, v->klen);
}

static void shard_drop_value(osc__l1 *l1, l1_shard *s, osc_cache_value *v, uint64_t hash) {
  uint32_t i = slot_find(s, hash, v->data, v->klen);
  if (i != UINT32_MAX) shard_drop(l1, s, i);
}

static inline void on_hit(osc__l1 *l1, l1_shard *s, osc_cache_value *v) {
  switch (l1->o.policy) {
    case OSC_CACHE_POLICY_LRU:
      if (s->q[0].head != v) {
        list_unlink(&s->q[0], v);
        list_push_head(&s->q[0], v);
      }
      break;
    case OSC_CACHE_POLICY_LFU:
      v->lfu_freq++;
      v->lfu_tick = ++s->tick;
      heap_down(s, v->heap_idx);
      break;
    case OSC_CACHE_POLICY_FIFO: break;
    default:
      if (v->freq < 3) v->freq++;
      break;
  }
}

static inline bool over(const l1_shard *s, int64_t extra_bytes, int extra_n) {
  return (s->max_bytes && s->bytes + extra_bytes > s->max_bytes) ||
         (s->max_entries && (int64_t)s->count + extra_n > s->max_entries);
}

/* Evicts one entry according to the policy; false when the shard is empty. */
static bool evict_one(osc__l1 *l1, l1_shard *s) {
  osc_cache_value *victim = NULL;
  uint64_t victim_hash = 0;
  switch (l1->o.policy) {
    case OSC_CACHE_POLICY_LFU:
      if (!s->hn) return false;
      victim = s->heap[0];
      break;
    case OSC_CACHE_POLICY_LRU:
    case OSC_CACHE_POLICY_FIFO:
      victim = s->q[0].tail;
      if (!victim) return false;
      break;
    default: {
      int thr = l1->o.s3_move_threshold > 0 ? l1->o.s3_move_threshold : 1;
      for (;;) {
        l1_list *S = &s->q[0], *M = &s->q[1];
        if (!S->count && !M->count) return false;
        if (S->count && (S->bytes >= s->small_target || !M->count)) {
          osc_cache_value *t = S->tail;
          list_unlink(S, t);
          if (t->freq >= thr) {
            t->freq = 0;
            t->queue = 1;
            list_push_head(M, t);
            continue;
          }
          list_push_head(S, t); /* put back so shard_drop can unlink it */
          victim = t;
          victim_hash = hash_of(l1, t);
          ghost_add(s, victim_hash);
          break;
        }
        osc_cache_value *t = M->tail;
        if (t->freq > 0) {
          t->freq--;
          list_unlink(M, t);
          list_push_head(M, t);
          continue;
        }
        victim = t;
        break;
      }
    }
  }
  shard_drop_value(l1, s, victim, victim_hash ? victim_hash : hash_of(l1, victim));
  s->evictions++;
  return true;
}

static inline l1_shard *shard_of(osc__l1 *l1, uint64_t hash) { return &l1->shards[(hash >> 40) & l1->shard_mask]; }

int osc__l1_new(const osc__l1_opts *o, osc__l1 **out) {
  *out = NULL;
  uint32_t n = o->shards > 0 ? (uint32_t)o->shards : 16;
  if (n & (n - 1)) return osc_seterr(OSC_EINVAL, "l1_shards: %u is not a power of two", n);
  if (!o->max_bytes && !o->max_entries) return osc_seterr(OSC_EINVAL, "l1: needs max_bytes or max_entries");
  osc__l1 *l1 = calloc(1, sizeof *l1);
  if (!l1) return OSC_ENOMEM;
  l1->o = *o;
  if (l1->o.policy == OSC_CACHE_POLICY_DEFAULT) l1->o.policy = OSC_CACHE_POLICY_S3FIFO;
  l1->nshards = n;
  l1->shard_mask = n - 1;
  l1->shards = aligned_alloc(64, ((sizeof(l1_shard) * n + 63) / 64) * 64);
  if (!l1->shards) {
    free(l1);
    return OSC_ENOMEM;
  }
  memset(l1->shards, 0, sizeof(l1_shard) * n);
  for (uint32_t i = 0; i < n; i++) {
    l1_shard *s = &l1->shards[i];
    atomic_init(&s->lock, 0);
    s->max_bytes = o->max_bytes ? (o->max_bytes + n - 1) / n : 0;
    s->max_entries = o->max_entries ? (o->max_entries + n - 1) / n : 0;
    s->mask = 15;
    s->slots = calloc(16, sizeof *s->slots);
    if (!s->slots) {
      osc__l1_free(l1);
      return OSC_ENOMEM;
    }
    int64_t cap_units = o->unit_weight ? (s->max_entries ? s->max_entries : s->max_bytes) : 0;
    if (o->unit_weight) {
      s->small_target = cap_units / 10;
      if (s->small_target < 2) s->small_target = 2;
      int64_t g = cap_units - s->small_target;
      s->gcap = (uint32_t)(g > 2 ? g : 2);
    } else {
      int64_t mb = s->max_bytes ? s->max_bytes : s->max_entries * 256;
      s->small_target = mb / 10;
      int64_t g = s->max_entries ? s->max_entries : mb / 512;
      if (g < 64) g = 64;
      if (g > (1 << 20)) g = 1 << 20;
      s->gcap = (uint32_t)g;
    }
  }
  *out = l1;
  return OSC_OK;
}

void osc__l1_free(osc__l1 *l1) {
  if (!l1) return;
  osc__l1_clear(l1);
  for (uint32_t i = 0; i < l1->nshards; i++) {
    l1_shard *s = &l1->shards[i];
    free(s->slots);
    free(s->heap);
    free(s->gring);
    free(s->gset);
  }
  free(l1->shards);
  free(l1);
}

/* now == 0 means "read the clock only if the entry has a deadline" (keeps the hit path clock-free). */
static inline bool expired(const osc_cache_value *v, int64_t now) {
  if (!v->expire_ms) return false;
  if (!now) now = osc__cache_now_ms();
  return v->expire_ms <= now;
}

/* The live entry for key under the shard lock, or NULL (a miss; an
 * expired entry is dropped and counted). */
static osc_cache_value *live_locked(osc__l1 *l1, l1_shard *s, uint64_t hash, const void *key, size_t klen,
                                    int64_t now) {
  uint32_t i = slot_find(s, hash, key, klen);
  if (i == UINT32_MAX) {
    s->misses++;
    return NULL;
  }
  osc_cache_value *v = s->slots[i].v;
  if (expired(v, now)) {
    shard_drop(l1, s, i);
    s->expirations++;
    s->misses++;
    return NULL;
  }
  return v;
}

int osc__l1_get(osc__l1 *l1, uint64_t hash, const void *key, size_t klen, int64_t now, osc_cache_value **out) {
  l1_shard *s = shard_of(l1, hash);
  sl_lock(&s->lock);
  osc_cache_value *v = live_locked(l1, s, hash, key, klen, now);
  if (!v) {
    sl_unlock(&s->lock);
    return OSC_ENOENT;
  }
  on_hit(l1, s, v);
  s->hits++;
  osc__value_ref(v);
  sl_unlock(&s->lock);
  *out = v;
  return OSC_OK;
}

int osc__l1_get_copy(osc__l1 *l1, uint64_t hash, const void *key, size_t klen, int64_t now, void *buf, size_t cap,
                     size_t *len, osc_cache_ctype *ctype) {
  l1_shard *s = shard_of(l1, hash);
  sl_lock(&s->lock);
  osc_cache_value *v = live_locked(l1, s, hash, key, klen, now);
  if (!v) {
    sl_unlock(&s->lock);
    return OSC_ENOENT;
  }
  if (v->flags & OSC__V_NEGATIVE) {
    s->misses++;
    sl_unlock(&s->lock);
    *len = SIZE_MAX; /* tells the caller a negative entry answered */
    return OSC_ENOENT;
  }
  on_hit(l1, s, v);
  s->hits++;
  *len = v->vlen;
  if (ctype) *ctype = (osc_cache_ctype)v->ctype;
  int rc = OSC_OK;
  const char *src = v->data + v->klen;
  if (v->vlen > cap) {
    rc = OSC_ETOOBIG;
  } else if (v->vlen >= 8 && v->vlen <= 16) { /* two overlapping words, no call */
    uint64_t a, b;
    memcpy(&a, src, 8);
    memcpy(&b, src + v->vlen - 8, 8);
    memcpy(buf, &a, 8);
    memcpy((char *)buf + v->vlen - 8, &b, 8);
  } else {
    memcpy(buf, src, v->vlen);
  }
  sl_unlock(&s->lock);
  return rc;
}

int osc__l1_insert(osc__l1 *l1, osc_cache_value *v) { return osc__l1_insert_hashed(l1, v, hash_of(l1, v)); }

int osc__l1_insert_hashed(osc__l1 *l1, osc_cache_value *v, uint64_t hash) {
  l1_shard *s = shard_of(l1, hash);
  uint32_t charge = l1->o.unit_weight ? 1 : (uint32_t)(L1_OVERHEAD + v->klen + v->vlen);
  if (s->max_bytes && (int64_t)charge > s->max_bytes) return OSC_ETOOBIG;
  v->charge = charge;
  v->freq = 0;
  v->prev = v->next = NULL;
  sl_lock(&s->lock);
  s->sets++;
  uint32_t i = slot_find(s, hash, v->data, v->klen);
  bool was_present = false;
  uint8_t old_freq = 0;
  uint8_t old_queue = 0;
  if (i != UINT32_MAX) {
    was_present = true;
    old_freq = s->slots[i].v->freq;
    old_queue = s->slots[i].v->queue;
    shard_drop(l1, s, i);
  }
  while (over(s, charge, 1)) {
    if (!evict_one(l1, s)) break;
  }
  if ((s->count + 1) * 10 > (s->mask + 1) * 6 && table_grow(s) != OSC_OK) { /* load <= 0.6 */
    sl_unlock(&s->lock);
    return OSC_ENOMEM;
  }
  switch (l1->o.policy) {
    case OSC_CACHE_POLICY_LFU:
      v->lfu_freq = 1;
      v->lfu_tick = ++s->tick;
      if (heap_push(s, v) != OSC_OK) {
        sl_unlock(&s->lock);
        return OSC_ENOMEM;
      }
      break;
    case OSC_CACHE_POLICY_LRU:
    case OSC_CACHE_POLICY_FIFO:
      v->queue = 0;
      list_push_head(&s->q[0], v);
      break;
    default:
      if (was_present) {
        v->queue = old_queue;
        v->freq = old_freq;
      } else {
        v->queue = ghost_contains(s, hash) ? 1 : 0;
      }
      list_push_head(&s->q[v->queue], v);
      break;
  }
  uint32_t j = (uint32_t)hash & s->mask;
  while (s->slots[j].hash) j = (j + 1) & s->mask;
  s->slots[j].hash = hash;
  s->slots[j].v = v;
  s->count++;
  s->bytes += charge;
  osc__value_ref(v);
  sl_unlock(&s->lock);
  return OSC_OK;
}

bool osc__l1_remove(osc__l1 *l1, uint64_t hash, const void *key, size_t klen) {
  l1_shard *s = shard_of(l1, hash);
  sl_lock(&s->lock);
  uint32_t i = slot_find(s, hash, key, klen);
  bool found = i != UINT32_MAX;
  if (found) {
    shard_drop(l1, s, i);
    s->deletes++;
  }
  sl_unlock(&s->lock);
  return found;
}

bool osc__l1_contains(osc__l1 *l1, uint64_t hash, const void *key, size_t klen, int64_t now) {
  l1_shard *s = shard_of(l1, hash);
  sl_lock(&s->lock);
  uint32_t i = slot_find(s, hash, key, klen);
  bool ok = i != UINT32_MAX && !expired(s->slots[i].v, now) && !(s->slots[i].v->flags & OSC__V_NEGATIVE);
  sl_unlock(&s->lock);
  return ok;
}

void osc__l1_clear(osc__l1 *l1) {
  for (uint32_t k = 0; k < l1->nshards; k++) {
    l1_shard *s = &l1->shards[k];
    sl_lock(&s->lock);
    for (uint32_t i = 0; i <= s->mask;) {
      if (s->slots[i].hash) shard_drop(l1, s, i); /* backward shift may refill slot i */
      else i++;
    }
    sl_unlock(&s->lock);
  }
}

void osc__l1_sweep(osc__l1 *l1, int64_t now, size_t budget) {
  for (uint32_t k = 0; k < l1->nshards; k++) {
    l1_shard *s = &l1->shards[k];
    sl_lock(&s->lock);
    for (size_t n = 0; n < budget && n <= s->mask; n++) {
      uint32_t i = s->sweep_pos & s->mask;
      if (s->slots[i].hash && expired(s->slots[i].v, now)) {
        shard_drop(l1, s, i);
        s->expirations++;
      } else {
        s->sweep_pos++;
      }
    }
    sl_unlock(&s->lock);
  }
}

void osc__l1_stats(osc__l1 *l1, osc_cache_level_stats *st) {
  for (uint32_t k = 0; k < l1->nshards; k++) {
    l1_shard *s = &l1->shards[k];
    sl_lock(&s->lock);
    st->hits += s->hits;
    st->misses += s->misses;
    st->sets += s->sets;
    st->deletes += s->deletes;
    st->evictions += s->evictions;
    st->expirations += s->expirations;
    st->bytes += (uint64_t)s->bytes;
    st->entries += s->count;
    sl_unlock(&s->lock);
  }
}

bool osc__l1_access(osc__l1 *l1, uint64_t k) {
  uint64_t hash = osc_mix64(k + 0x9e3779b97f4a7c15ull);
  if (!hash) hash = 1;
  l1_shard *s = shard_of(l1, hash);
  uint32_t i = slot_find(s, hash, &k, sizeof k);
  if (i != UINT32_MAX) {
    on_hit(l1, s, s->slots[i].v);
    s->hits++;
    return true;
  }
  s->misses++;
  osc_cache_value *v = osc__value_new(&k, sizeof k, NULL, 0, OSC_CACHE_CTYPE_BINARY, 0);
  if (v) {
    osc__l1_insert(l1, v);
    osc_cache_value_release(v);
  }
  return false;
}
