/*
 * security/ratelimit.c - token buckets per (class, who).
 *
 * 64 shards, each a mutex-protected open hash map from a 64-bit hash of
 * (class, who) to a bucket {tokens, last refill}.  Refill is computed lazily
 * at take time.  A shard that fills up evicts buckets that are full again
 * (idle clients), so memory stays bounded by the number of active clients.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/security.h"

#define SHARDS 64
#define MAX_CLASSES 8

typedef struct bucket {
  uint64_t key; /* 0 = empty */
  double tokens;
  uint64_t last_ns;
  int cls;
} bucket;

typedef struct shard {
  pthread_mutex_t mu;
  bucket *slots;
  size_t cap, used;
} shard;

struct osc_ratelimit {
  osc_rate_class classes[MAX_CLASSES];
  char names[MAX_CLASSES][32];
  size_t nclasses;
  shard shards[SHARDS];
};

int osc_ratelimit_new(const osc_rate_class *classes, size_t n, osc_ratelimit **out) {
  if (n > MAX_CLASSES) return osc_seterr(OSC_EINVAL, "rate limit: at most %d classes", MAX_CLASSES);
  osc_ratelimit *rl = calloc(1, sizeof *rl);
  if (!rl) return osc_seterr(OSC_ENOMEM, "rate limit: out of memory");
  for (size_t i = 0; i < n; i++) {
    rl->classes[i] = classes[i];
    snprintf(rl->names[i], sizeof rl->names[i], "%s", classes[i].name ? classes[i].name : "");
    rl->classes[i].name = rl->names[i];
    if (rl->classes[i].burst < 1) rl->classes[i].burst = 1;
  }
  rl->nclasses = n;
  for (int i = 0; i < SHARDS; i++) pthread_mutex_init(&rl->shards[i].mu, NULL);
  *out = rl;
  return OSC_OK;
}

void osc_ratelimit_free(osc_ratelimit *rl) {
  if (!rl) return;
  for (int i = 0; i < SHARDS; i++) {
    pthread_mutex_destroy(&rl->shards[i].mu);
    free(rl->shards[i].slots);
  }
  free(rl);
}

static double refill(const osc_rate_class *c, bucket *b, uint64_t now) {
  if (now > b->last_ns) {
    b->tokens = fmin(c->burst, b->tokens + (double)(now - b->last_ns) / 1e9 * c->rate_per_s);
    b->last_ns = now;
  }
  return b->tokens;
}

static bucket *find_slot(shard *s, uint64_t key) {
  size_t mask = s->cap - 1;
  for (size_t i = key & mask;; i = (i + 1) & mask)
    if (s->slots[i].key == key || s->slots[i].key == 0) return &s->slots[i];
}

static int grow(osc_ratelimit *rl, shard *s, uint64_t now) {
  size_t ncap = s->cap ? s->cap : 64;
  /* Drop buckets that have refilled completely: they carry no state. */
  size_t live = 0;
  for (size_t i = 0; i < s->cap; i++) {
    bucket *b = &s->slots[i];
    if (b->key && refill(&rl->classes[b->cls], b, now) < rl->classes[b->cls].burst) live++;
  }
  while (live * 2 >= ncap) ncap *= 2;
  bucket *slots = calloc(ncap, sizeof *slots);
  if (!slots) return OSC_ENOMEM;
  bucket *old = s->slots;
  size_t ocap = s->cap;
  s->slots = slots;
  s->cap = ncap;
  s->used = 0;
  for (size_t i = 0; i < ocap; i++) {
    bucket *b = &old[i];
    if (b->key && b->tokens < rl->classes[b->cls].burst) {
      *find_slot(s, b->key) = *b;
      s->used++;
    }
  }
  free(old);
  return OSC_OK;
}

void osc_ratelimit_take(osc_ratelimit *rl, const char *class_name, const char *who, uint64_t now_ns,
                        osc_rate_result *res) {
  memset(res, 0, sizeof *res);
  res->allowed = true;
  int cls = -1;
  for (size_t i = 0; i < rl->nclasses; i++)
    if (class_name && strcmp(rl->names[i], class_name) == 0) cls = (int)i;
  if (cls < 0 || rl->classes[cls].rate_per_s <= 0) {
    res->limit = -1;
    res->remaining = -1;
    return;
  }
  const osc_rate_class *c = &rl->classes[cls];
  uint64_t key = osc_hash64(who ? who : "", who ? strlen(who) : 0, 0x5a17u + (uint64_t)cls) | 1;
  shard *s = &rl->shards[osc_mix64(key) % SHARDS];
  pthread_mutex_lock(&s->mu);
  if ((s->used + 1) * 4 > s->cap * 3 && grow(rl, s, now_ns) != OSC_OK) {
    pthread_mutex_unlock(&s->mu);
    return; /* out of memory: fail open rather than refuse everyone */
  }
  bucket *b = find_slot(s, key);
  if (b->key == 0) {
    b->key = key;
    b->tokens = c->burst;
    b->last_ns = now_ns;
    b->cls = cls;
    s->used++;
  }
  double t = refill(c, b, now_ns);
  if (t >= 1.0) {
    b->tokens = t - 1.0;
    res->allowed = true;
  } else {
    res->allowed = false;
    res->retry_after_s = (1.0 - t) / c->rate_per_s;
  }
  res->limit = (int64_t)c->burst;
  res->remaining = (int64_t)floor(b->tokens);
  res->reset_s = (c->burst - b->tokens) / c->rate_per_s;
  pthread_mutex_unlock(&s->mu);
}
