/*
 * cache/l2_redis.c - the Redis tier through hiredis 0.14.
 *
 * A small pool of blocking connections (connect and command timeouts).  A
 * connection that fails is freed, never reused; the next acquire reconnects.
 * A circuit breaker stops callers from waiting on a dead server: after 3
 * consecutive failures (or one failed connect) it opens for a back-off that
 * doubles from 250 ms to 5 s; while open every call fails at once with
 * OSC_EUNAVAIL; after the back-off one call is let through to probe.
 *
 * Every key is "<ns>:<key>"; clear walks SCAN MATCH <ns>:* and UNLINKs in
 * batches, so nothing outside the namespace is touched.  Deadlines are
 * absolute wall-clock ms: SET ... PX (deadline - now), and reads use PTTL in
 * the same pipeline as the GET so a promotion carries the remaining TTL.
 *
 * Invalidation: PUBLISH "<ns>:__inval" with "<16-hex instance id><k|a><key>";
 * a subscriber thread on its own connection calls back for messages from
 * other instances only.
 */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/cache_int.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

#define KEYBUF (OSC_CACHE_MAX_KEY + 80)

struct osc__l2 {
  char host[256];
  int port;
  char password[256];
  int db;
  char ns[72];
  size_t nslen;
  char channel[96];
  char id[17];
  int pool_size;
  struct timeval cto, qto;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  redisContext **idle;
  int nidle, nopen;
  /* breaker */
  int failures;
  int64_t open_until_ms;
  int64_t backoff_ms;
  bool up;
  /* pub/sub */
  bool inval;
  osc__l2_inval_fn on_inval;
  void *ud;
  pthread_t sub_thread;
  bool sub_started;
  atomic_bool stopping;
  redisContext *sub_ctx;
  /* stats */
  atomic_uint_fast64_t hits, misses, sets, deletes, errors, reconnects, trips, inval_rx;
  atomic_uint_fast64_t lat[OSC_CACHE_LAT_BUCKETS];
};

static int parse_url(osc__l2 *l2, const char *url) {
  const char *p = url;
  if (osc_str_has_prefix(p, "redis://")) p += 8;
  else return osc_seterr(OSC_EINVAL, "redis_url: '%s' does not start with redis://", url);
  const char *at = strchr(p, '@');
  if (at) {
    const char *colon = memchr(p, ':', (size_t)(at - p));
    const char *pw = colon ? colon + 1 : p;
    size_t n = (size_t)(at - pw);
    if (n >= sizeof l2->password) return osc_seterr(OSC_EINVAL, "redis_url: password too long");
    memcpy(l2->password, pw, n);
    l2->password[n] = 0;
    p = at + 1;
  }
  const char *end = p + strcspn(p, ":/");
  size_t hn = (size_t)(end - p);
  if (hn >= sizeof l2->host) return osc_seterr(OSC_EINVAL, "redis_url: host too long");
  memcpy(l2->host, p, hn);
  l2->host[hn] = 0;
  if (!hn) snprintf(l2->host, sizeof l2->host, "127.0.0.1");
  l2->port = 6379;
  p = end;
  if (*p == ':') {
    char *e;
    long port = strtol(p + 1, &e, 10);
    if (e == p + 1 || port < 1 || port > 65535 || (*e && *e != '/'))
      return osc_seterr(OSC_EINVAL, "redis_url: bad port in '%s'", url);
    l2->port = (int)port;
    p = e;
  }
  if (*p == '/' && p[1]) {
    char *e;
    long db = strtol(p + 1, &e, 10);
    if (*e || db < 0 || db > 100000) return osc_seterr(OSC_EINVAL, "redis_url: bad database in '%s'", url);
    l2->db = (int)db;
  }
  return OSC_OK;
}

static redisContext *connect_one(osc__l2 *l2) {
  redisContext *c = redisConnectWithTimeout(l2->host, l2->port, l2->cto);
  if (!c || c->err) {
    if (c) {
      OSC_DEBUG("cache", "redis %s:%d: %s", l2->host, l2->port, c->errstr);
      redisFree(c);
    }
    return NULL;
  }
  redisSetTimeout(c, l2->qto);
  if (l2->password[0]) {
    redisReply *r = redisCommand(c, "AUTH %s", l2->password);
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    if (!ok) {
      OSC_WARN("cache", "redis %s:%d: AUTH failed", l2->host, l2->port);
      redisFree(c);
      return NULL;
    }
  }
  if (l2->db) {
    redisReply *r = redisCommand(c, "SELECT %d", l2->db);
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    if (!ok) {
      redisFree(c);
      return NULL;
    }
  }
  return c;
}

static void breaker_fail(osc__l2 *l2, bool hard) {
  pthread_mutex_lock(&l2->mu);
  l2->failures++;
  if (hard || l2->failures >= 3) {
    if (l2->up) OSC_WARN("cache", "redis %s:%d is down; L2 bypassed for %lld ms", l2->host, l2->port,
                         (long long)l2->backoff_ms);
    l2->up = false;
    l2->open_until_ms = (int64_t)osc_now_ms() + l2->backoff_ms;
    l2->backoff_ms = OSC_MIN(l2->backoff_ms * 2, 5000);
    atomic_fetch_add(&l2->trips, 1);
  }
  pthread_mutex_unlock(&l2->mu);
  atomic_fetch_add(&l2->errors, 1);
}

static void breaker_ok(osc__l2 *l2) {
  pthread_mutex_lock(&l2->mu);
  if (!l2->up) OSC_INFO("cache", "redis %s:%d is back", l2->host, l2->port);
  l2->failures = 0;
  l2->up = true;
  l2->backoff_ms = 250;
  pthread_mutex_unlock(&l2->mu);
}

/* A connection, or NULL with OSC_EUNAVAIL set. */
static redisContext *acquire(osc__l2 *l2) {
  pthread_mutex_lock(&l2->mu);
  if (!l2->up && (int64_t)osc_now_ms() < l2->open_until_ms) {
    pthread_mutex_unlock(&l2->mu);
    osc_seterr(OSC_EUNAVAIL, "redis %s:%d is down (circuit open)", l2->host, l2->port);
    return NULL;
  }
  for (;;) {
    if (l2->nidle) {
      redisContext *c = l2->idle[--l2->nidle];
      pthread_mutex_unlock(&l2->mu);
      return c;
    }
    if (l2->nopen < l2->pool_size) {
      l2->nopen++;
      pthread_mutex_unlock(&l2->mu);
      redisContext *c = connect_one(l2);
      if (!c) {
        pthread_mutex_lock(&l2->mu);
        l2->nopen--;
        pthread_cond_signal(&l2->cv);
        pthread_mutex_unlock(&l2->mu);
        breaker_fail(l2, true);
        osc_seterr(OSC_EUNAVAIL, "redis %s:%d: cannot connect", l2->host, l2->port);
        return NULL;
      }
      atomic_fetch_add(&l2->reconnects, 1);
      return c;
    }
    pthread_cond_wait(&l2->cv, &l2->mu);
  }
}

static void release(osc__l2 *l2, redisContext *c, bool broken) {
  pthread_mutex_lock(&l2->mu);
  if (broken || c->err) {
    redisFree(c);
    l2->nopen--;
  } else {
    l2->idle[l2->nidle++] = c;
  }
  pthread_cond_signal(&l2->cv);
  pthread_mutex_unlock(&l2->mu);
}

static size_t mkkey(osc__l2 *l2, char *buf, const void *key, size_t klen) {
  memcpy(buf, l2->ns, l2->nslen);
  buf[l2->nslen] = ':';
  memcpy(buf + l2->nslen + 1, key, klen);
  return l2->nslen + 1 + klen;
}

/* Reads one reply; on transport failure marks the breaker and returns NULL. */
static redisReply *get_reply(osc__l2 *l2, redisContext *c) {
  void *r = NULL;
  if (redisGetReply(c, &r) != REDIS_OK || !r) {
    OSC_DEBUG("cache", "redis: %s", c->errstr);
    return NULL;
  }
  return r;
}

static void *sub_main(void *arg);

int osc__l2_open(const osc__l2_opts *o, osc__l2 **out) {
  *out = NULL;
  osc__l2 *l2 = calloc(1, sizeof *l2);
  if (!l2) return OSC_ENOMEM;
  int rc = parse_url(l2, o->url);
  if (rc) {
    free(l2);
    return rc;
  }
  snprintf(l2->ns, sizeof l2->ns, "%s", o->ns && *o->ns ? o->ns : "osc");
  l2->nslen = strlen(l2->ns);
  snprintf(l2->channel, sizeof l2->channel, "%s:__inval", l2->ns);
  osc_random_hex(l2->id, 16);
  l2->pool_size = o->pool_size > 0 ? o->pool_size : 4;
  int64_t cto = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 200;
  int64_t qto = o->command_timeout_ms > 0 ? o->command_timeout_ms : 500;
  l2->cto.tv_sec = cto / 1000;
  l2->cto.tv_usec = (cto % 1000) * 1000;
  l2->qto.tv_sec = qto / 1000;
  l2->qto.tv_usec = (qto % 1000) * 1000;
  l2->idle = calloc((size_t)l2->pool_size, sizeof *l2->idle);
  if (!l2->idle) {
    free(l2);
    return OSC_ENOMEM;
  }
  pthread_mutex_init(&l2->mu, NULL);
  pthread_cond_init(&l2->cv, NULL);
  l2->backoff_ms = 250;
  l2->up = true;
  atomic_init(&l2->stopping, false);
  /* Probe once so that health reports the truth from the start. */
  redisContext *c = acquire(l2);
  if (c) {
    redisReply *r = redisCommand(c, "PING");
    bool ok = r != NULL;
    if (r) freeReplyObject(r);
    release(l2, c, !ok);
    if (ok) breaker_ok(l2);
    else breaker_fail(l2, true);
  }
  if (!l2->up) OSC_WARN("cache", "redis %s:%d unreachable at start; L2 will be retried", l2->host, l2->port);
  l2->inval = o->invalidation && o->on_inval;
  l2->on_inval = o->on_inval;
  l2->ud = o->ud;
  if (l2->inval) {
    if (pthread_create(&l2->sub_thread, NULL, sub_main, l2) == 0) l2->sub_started = true;
  }
  *out = l2;
  return OSC_OK;
}

void osc__l2_close(osc__l2 *l2) {
  if (!l2) return;
  atomic_store(&l2->stopping, true);
  if (l2->sub_started) {
    pthread_mutex_lock(&l2->mu);
    if (l2->sub_ctx) shutdown(l2->sub_ctx->fd, SHUT_RDWR);
    pthread_mutex_unlock(&l2->mu);
    pthread_join(l2->sub_thread, NULL);
  }
  for (int i = 0; i < l2->nidle; i++) redisFree(l2->idle[i]);
  free(l2->idle);
  pthread_mutex_destroy(&l2->mu);
  pthread_cond_destroy(&l2->cv);
  free(l2);
}

bool osc__l2_up(osc__l2 *l2) {
  pthread_mutex_lock(&l2->mu);
  bool up = l2->up;
  pthread_mutex_unlock(&l2->mu);
  return up;
}

static int64_t pttl_to_deadline(redisReply *r, int64_t now) {
  if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0) return now + r->integer;
  return 0;
}

int osc__l2_get(osc__l2 *l2, const void *key, size_t klen, void **data, size_t *len, int64_t *expire_ms) {
  *data = NULL;
  uint64_t t0 = osc_now_ns();
  redisContext *c = acquire(l2);
  if (!c) return OSC_EUNAVAIL;
  char kb[KEYBUF];
  size_t kl = mkkey(l2, kb, key, klen);
  const char *a1[2] = {"GET", kb}, *a2[2] = {"PTTL", kb};
  size_t l1[2] = {3, kl}, l2v[2] = {4, kl};
  redisAppendCommandArgv(c, 2, a1, l1);
  redisAppendCommandArgv(c, 2, a2, l2v);
  redisReply *rg = get_reply(l2, c);
  redisReply *rp = rg ? get_reply(l2, c) : NULL;
  if (!rg || !rp) {
    if (rg) freeReplyObject(rg);
    release(l2, c, true);
    breaker_fail(l2, false);
    return osc_seterr(OSC_EUNAVAIL, "redis GET failed");
  }
  release(l2, c, false);
  breaker_ok(l2);
  int rc = OSC_ENOENT;
  if (rg->type == REDIS_REPLY_STRING) {
    *data = malloc(rg->len ? (size_t)rg->len : 1);
    if (!*data) rc = OSC_ENOMEM;
    else {
      memcpy(*data, rg->str, (size_t)rg->len);
      *len = (size_t)rg->len;
      *expire_ms = pttl_to_deadline(rp, osc__cache_now_ms());
      rc = OSC_OK;
    }
  }
  freeReplyObject(rg);
  freeReplyObject(rp);
  atomic_fetch_add(rc == OSC_OK ? &l2->hits : &l2->misses, 1);
  osc__lat_add(l2->lat, osc_now_ns() - t0);
  return rc;
}

static void append_set(osc__l2 *l2, redisContext *c, const void *key, size_t klen, const void *data, size_t len,
                       int64_t px) {
  char kb[KEYBUF], pxb[32];
  size_t kl = mkkey(l2, kb, key, klen);
  const char *argv[5] = {"SET", kb, data, "PX", pxb};
  size_t lens[5] = {3, kl, len, 2, 0};
  int argc = 3;
  if (px > 0) {
    lens[4] = (size_t)snprintf(pxb, sizeof pxb, "%lld", (long long)px);
    argc = 5;
  }
  redisAppendCommandArgv(c, argc, argv, lens);
}

int osc__l2_set(osc__l2 *l2, const void *key, size_t klen, const void *data, size_t len, int64_t expire_ms) {
  return osc__l2_mset(l2, &key, &klen, &data, &len, &expire_ms, 1);
}

int osc__l2_mset(osc__l2 *l2, const void *const *keys, const size_t *klens, const void *const *data,
                 const size_t *lens, const int64_t *expire, size_t n) {
  if (!n) return OSC_OK;
  redisContext *c = acquire(l2);
  if (!c) return OSC_EUNAVAIL;
  int64_t now = osc__cache_now_ms();
  size_t sent = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t px = expire[i] ? expire[i] - now : 0;
    if (expire[i] && px <= 0) continue; /* already expired: nothing to store */
    append_set(l2, c, keys[i], klens[i], data[i], lens[i], px);
    sent++;
  }
  int rc = OSC_OK;
  for (size_t i = 0; i < sent; i++) {
    redisReply *r = get_reply(l2, c);
    if (!r) {
      release(l2, c, true);
      breaker_fail(l2, false);
      return osc_seterr(OSC_EUNAVAIL, "redis SET failed");
    }
    if (r->type == REDIS_REPLY_ERROR) rc = osc_seterr(OSC_EPROTO, "redis SET: %s", r->str);
    freeReplyObject(r);
  }
  release(l2, c, false);
  breaker_ok(l2);
  atomic_fetch_add(&l2->sets, sent);
  return rc;
}

int osc__l2_mget(osc__l2 *l2, const void *const *keys, const size_t *klens, size_t n, void **data, size_t *lens,
                 int64_t *expire) {
  for (size_t i = 0; i < n; i++) data[i] = NULL;
  if (!n) return OSC_OK;
  uint64_t t0 = osc_now_ns();
  redisContext *c = acquire(l2);
  if (!c) return OSC_EUNAVAIL;
  const char **argv = malloc((n + 1) * sizeof *argv);
  size_t *alen = malloc((n + 1) * sizeof *alen);
  char *kbuf = malloc(n * KEYBUF);
  if (!argv || !alen || !kbuf) {
    free(argv);
    free(alen);
    free(kbuf);
    release(l2, c, false);
    return OSC_ENOMEM;
  }
  argv[0] = "MGET";
  alen[0] = 4;
  for (size_t i = 0; i < n; i++) {
    argv[i + 1] = kbuf + i * KEYBUF;
    alen[i + 1] = mkkey(l2, kbuf + i * KEYBUF, keys[i], klens[i]);
  }
  redisAppendCommandArgv(c, (int)n + 1, argv, alen);
  for (size_t i = 0; i < n; i++) {
    const char *pa[2] = {"PTTL", argv[i + 1]};
    size_t pl[2] = {4, alen[i + 1]};
    redisAppendCommandArgv(c, 2, pa, pl);
  }
  int rc = OSC_OK;
  redisReply *m = get_reply(l2, c);
  int64_t now = osc__cache_now_ms();
  if (!m) rc = OSC_EUNAVAIL;
  for (size_t i = 0; i < n && rc == OSC_OK; i++) {
    redisReply *p = get_reply(l2, c);
    if (!p) {
      rc = OSC_EUNAVAIL;
      break;
    }
    if (m->type == REDIS_REPLY_ARRAY && i < m->elements && m->element[i]->type == REDIS_REPLY_STRING) {
      redisReply *e = m->element[i];
      data[i] = malloc(e->len ? (size_t)e->len : 1);
      if (data[i]) {
        memcpy(data[i], e->str, (size_t)e->len);
        lens[i] = (size_t)e->len;
        expire[i] = pttl_to_deadline(p, now);
        atomic_fetch_add(&l2->hits, 1);
      }
    } else {
      atomic_fetch_add(&l2->misses, 1);
    }
    freeReplyObject(p);
  }
  if (m) freeReplyObject(m);
  free(argv);
  free(alen);
  free(kbuf);
  if (rc) {
    for (size_t i = 0; i < n; i++) {
      free(data[i]);
      data[i] = NULL;
    }
    release(l2, c, true);
    breaker_fail(l2, false);
    return osc_seterr(OSC_EUNAVAIL, "redis MGET failed");
  }
  release(l2, c, false);
  breaker_ok(l2);
  osc__lat_add(l2->lat, osc_now_ns() - t0);
  return OSC_OK;
}

static int simple_int(osc__l2 *l2, const char *cmd, const void *key, size_t klen, long long *out) {
  redisContext *c = acquire(l2);
  if (!c) return OSC_EUNAVAIL;
  char kb[KEYBUF];
  size_t kl = mkkey(l2, kb, key, klen);
  const char *argv[2] = {cmd, kb};
  size_t lens[2] = {strlen(cmd), kl};
  redisReply *r = redisCommandArgv(c, 2, argv, lens);
  if (!r) {
    release(l2, c, true);
    breaker_fail(l2, false);
    return osc_seterr(OSC_EUNAVAIL, "redis %s failed", cmd);
  }
  release(l2, c, false);
  breaker_ok(l2);
  int rc = r->type == REDIS_REPLY_INTEGER ? OSC_OK : osc_seterr(OSC_EPROTO, "redis %s: unexpected reply", cmd);
  *out = r->integer;
  freeReplyObject(r);
  return rc;
}

int osc__l2_del(osc__l2 *l2, const void *key, size_t klen, bool *existed) {
  long long n = 0;
  int rc = simple_int(l2, "UNLINK", key, klen, &n);
  if (rc == OSC_OK) {
    atomic_fetch_add(&l2->deletes, 1);
    if (existed) *existed = n > 0;
  }
  return rc;
}

int osc__l2_exists(osc__l2 *l2, const void *key, size_t klen, bool *exists) {
  long long n = 0;
  int rc = simple_int(l2, "EXISTS", key, klen, &n);
  *exists = rc == OSC_OK && n > 0;
  return rc;
}

int osc__l2_clear(osc__l2 *l2, uint64_t *deleted) {
  redisContext *c = acquire(l2);
  if (!c) return OSC_EUNAVAIL;
  char match[96];
  snprintf(match, sizeof match, "%s:*", l2->ns);
  char cursor[32] = "0";
  uint64_t total = 0;
  do {
    redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT 1000", cursor, match);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
      if (r) freeReplyObject(r);
      release(l2, c, true);
      breaker_fail(l2, false);
      return osc_seterr(OSC_EUNAVAIL, "redis SCAN failed");
    }
    snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
    redisReply *keys = r->element[1];
    if (keys->elements) {
      const char **argv = malloc((keys->elements + 1) * sizeof *argv);
      size_t *lens = malloc((keys->elements + 1) * sizeof *lens);
      if (!argv || !lens) {
        free(argv);
        free(lens);
        freeReplyObject(r);
        release(l2, c, false);
        return OSC_ENOMEM;
      }
      argv[0] = "UNLINK";
      lens[0] = 6;
      for (size_t i = 0; i < keys->elements; i++) {
        argv[i + 1] = keys->element[i]->str;
        lens[i + 1] = (size_t)keys->element[i]->len;
      }
      redisReply *u = redisCommandArgv(c, (int)keys->elements + 1, argv, lens);
      free(argv);
      free(lens);
      if (!u) {
        freeReplyObject(r);
        release(l2, c, true);
        breaker_fail(l2, false);
        return osc_seterr(OSC_EUNAVAIL, "redis UNLINK failed");
      }
      if (u->type == REDIS_REPLY_INTEGER) total += (uint64_t)u->integer;
      freeReplyObject(u);
    }
    freeReplyObject(r);
  } while (strcmp(cursor, "0") != 0);
  release(l2, c, false);
  breaker_ok(l2);
  if (deleted) *deleted = total;
  return OSC_OK;
}

void osc__l2_publish(osc__l2 *l2, const void *key, size_t klen) {
  if (!l2->inval) return;
  redisContext *c = acquire(l2);
  if (!c) return;
  char msg[KEYBUF];
  memcpy(msg, l2->id, 16);
  msg[16] = klen ? 'k' : 'a';
  if (klen) memcpy(msg + 17, key, klen);
  const char *argv[3] = {"PUBLISH", l2->channel, msg};
  size_t lens[3] = {7, strlen(l2->channel), 17 + klen};
  redisReply *r = redisCommandArgv(c, 3, argv, lens);
  release(l2, c, r == NULL);
  if (r) freeReplyObject(r);
  else breaker_fail(l2, false);
}

static void *sub_main(void *arg) {
  osc__l2 *l2 = arg;
  while (!atomic_load(&l2->stopping)) {
    redisContext *c = redisConnectWithTimeout(l2->host, l2->port, l2->cto);
    if (!c || c->err) {
      if (c) redisFree(c);
      for (int i = 0; i < 10 && !atomic_load(&l2->stopping); i++) osc_sleep_ms(50);
      continue;
    }
    if (l2->password[0]) {
      redisReply *r = redisCommand(c, "AUTH %s", l2->password);
      if (r) freeReplyObject(r);
    }
    redisReply *r = redisCommand(c, "SUBSCRIBE %s", l2->channel);
    if (!r) {
      redisFree(c);
      osc_sleep_ms(100);
      continue;
    }
    freeReplyObject(r);
    pthread_mutex_lock(&l2->mu);
    l2->sub_ctx = c;
    bool stop = atomic_load(&l2->stopping);
    pthread_mutex_unlock(&l2->mu);
    while (!stop) {
      void *rv = NULL;
      if (redisGetReply(c, &rv) != REDIS_OK || !rv) break;
      redisReply *m = rv;
      if (m->type == REDIS_REPLY_ARRAY && m->elements == 3 && m->element[2]->type == REDIS_REPLY_STRING &&
          m->element[2]->len >= 17 && memcmp(m->element[2]->str, l2->id, 16) != 0) {
        const char *p = m->element[2]->str;
        atomic_fetch_add(&l2->inval_rx, 1);
        l2->on_inval(l2->ud, p + 17, (size_t)m->element[2]->len - 17, p[16] == 'a');
      }
      freeReplyObject(m);
      stop = atomic_load(&l2->stopping);
    }
    pthread_mutex_lock(&l2->mu);
    l2->sub_ctx = NULL;
    pthread_mutex_unlock(&l2->mu);
    redisFree(c);
    for (int i = 0; i < 4 && !atomic_load(&l2->stopping); i++) osc_sleep_ms(50);
  }
  return NULL;
}

void osc__l2_stats(osc__l2 *l2, osc_cache_level_stats *st, uint64_t *reconnects, uint64_t *trips,
                   uint64_t *inval_rx) {
  st->hits = atomic_load(&l2->hits);
  st->misses = atomic_load(&l2->misses);
  st->sets = atomic_load(&l2->sets);
  st->deletes = atomic_load(&l2->deletes);
  st->errors = atomic_load(&l2->errors);
  osc__lat_fill(st, l2->lat);
  *reconnects = atomic_load(&l2->reconnects);
  *trips = atomic_load(&l2->trips);
  *inval_rx = atomic_load(&l2->inval_rx);
}
