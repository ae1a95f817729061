/*
 * monitor/store.c - the SQLite time-series store.
 *
 * Layout (WAL, synchronous=NORMAL, one transaction per tick):
 *   series(id, name)                       names -> small integer ids
 *   pending(seq, ts, data)                 one row per tick: (varint id, float64) pairs.
 *                                          This is the write-ahead part: a tick costs one
 *                                          small row insert, never a page per series.
 *   chunks(series_id, start_ms, end_ms, n, data) WITHOUT ROWID
 *                                          raw tier: every chunk_points ticks the pending
 *                                          points are packed per series (delta-of-delta
 *                                          timestamps, XOR'd float64 values: ~2-5 B/sample)
 *                                          and the pending rows are deleted, all in the
 *                                          tick's transaction.
 *   agg(series_id, tier, ts, vmin, vmax, vsum, cnt) WITHOUT ROWID
 *                                          tier 1 = 1 min, tier 2 = 1 h buckets, upserted
 *                                          (merged) from each packed chunk, so a bucket
 *                                          spanning two chunks or a restart stays right.
 *   alerts(...)                            fired/resolved/acknowledged alerts.
 * Retention deletes run at chunk time, per series by primary-key range, so
 * they touch only the rows that expire and never stall a tick.
 * On open, pending rows are decoded back into the open chunks: a restart
 * loses nothing that was committed.
 *
 * Thread safety: one mutex around the connection.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

typedef struct sser {
  char name[96];
  int64_t id;
  osc_monitor_point *pts; /* open chunk */
  size_t n, cap;
} sser;

struct osc__store {
  sqlite3 *db;
  pthread_mutex_t mu;
  bool ro;
  int chunk_points;
  sser *ser;
  size_t nser, capser;
  int64_t *hkeys; /* index+1 into ser, by name hash */
  size_t hcap;
  osc_buf tick; /* pending row being built */
  int64_t tick_ts;
  int pending_rows;
  int64_t last_purge_ms;
  bool in_txn;
  sqlite3_stmt *st_pending, *st_chunk, *st_agg, *st_series, *st_alert;
};

static int sqerr(osc__store *s, int rc, const char *what) {
  return osc_seterr(rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? OSC_ECORRUPT : rc == SQLITE_BUSY ? OSC_EBUSY : OSC_EIO,
                    "metrics store: %s: %s", what, s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static int exec(osc__store *s, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    int e = osc_seterr(rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? OSC_ECORRUPT : OSC_EIO, "metrics store: %s: %s",
                       sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return e;
  }
  return OSC_OK;
}

/* ---------------- varints and the chunk codec ---------------- */
static void put_varint(osc_buf *b, uint64_t v) {
  unsigned char tmp[10];
  int n = 0;
  while (v >= 0x80) {
    tmp[n++] = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  tmp[n++] = (unsigned char)v;
  osc_buf_append(b, tmp, (size_t)n);
}

static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return false;
    unsigned char c = *(*p)++;
    v |= (uint64_t)(c & 0x7F) << shift;
    if (!(c & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

static uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzz(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static double bitsd(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

/*
 * Chunk codec.  v1 (read only, written by earlier versions): varint n, zz(ts0),
 * 8 bytes of v0, then per point zz(delta-of-delta) and an XOR byte group.
 * v2: 0x00 0x02, varint n, varint zz(ts0), the timestamps' delta-of-deltas
 * as a token stream, then one value mode byte and the values:
 *   mode 0      XOR'd float64: 8 bytes of v0, then per point a header byte
 *               (leading zero bytes << 4 | length; 0 = same value) and the bytes;
 *   mode 1|k<<2 decimal: every value is exactly i / 10^k (k 0..9, |i| < 2^53),
 *   mode 2|k<<2 checked bit for bit, so lossless; zz(i0), then the deltas
 *               (1) or delta-of-deltas (2) of i as a token stream.
 * A token stream is varints: even = zz(x) << 1 (one non-zero x), odd =
 * run << 1 | 1 (run zeros), so repeated values and steady counters cost
 * almost nothing.  The encoder writes every applicable value mode and keeps
 * the smallest.
 */
typedef struct tokw {
  osc_buf *b;
  uint64_t run;
} tokw;

static void tok_put(tokw *w, int64_t x) {
  if (x == 0) {
    w->run++;
    return;
  }
  if (w->run) put_varint(w->b, (w->run << 1) | 1);
  w->run = 0;
  put_varint(w->b, zz(x) << 1);
}
static void tok_end(tokw *w) {
  if (w->run) put_varint(w->b, (w->run << 1) | 1);
  w->run = 0;
}

typedef struct tokr {
  const unsigned char *p, *end;
  uint64_t run;
} tokr;

static bool tok_get(tokr *r, int64_t *x) {
  if (r->run) {
    r->run--;
    *x = 0;
    return true;
  }
  uint64_t v;
  if (!get_varint(&r->p, r->end, &v)) return false;
  if (v & 1) {
    if ((v >> 1) == 0) return false;
    r->run = (v >> 1) - 1;
    *x = 0;
    return true;
  }
  *x = unzz(v >> 1);
  return true;
}

static const double p10[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Smallest k such that every value is exactly llround(v * 10^k) / 10^k; -1 if none. */
static int decimal_scale(const osc_monitor_point *p, size_t n) {
  for (int k = 0; k < 10; k++) {
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
      double v = p[i].value, sv = v * p10[k];
      if (!(fabs(sv) < 9.0e15) || (v == 0 && signbit(v))) return -1;
      long long q = llround(sv);
      ok = (double)q / p10[k] == v;
    }
    if (ok) return k;
  }
  return -1;
}

static void enc_xor(const osc_monitor_point *p, size_t n, osc_buf *b) {
  uint64_t prev = dbits(p[0].value);
  for (int i = 0; i < 8; i++) osc_buf_putc(b, (char)(prev >> (8 * i)));
  for (size_t i = 1; i < n; i++) {
    uint64_t bits = dbits(p[i].value), x = bits ^ prev;
    prev = bits;
    if (x == 0) {
      osc_buf_putc(b, 0);
      continue;
    }
    int lz = __builtin_clzll(x) / 8, tz = __builtin_ctzll(x) / 8;
    int len = 8 - lz - tz;
    osc_buf_putc(b, (char)((lz << 4) | len));
    for (int k = 0; k < len; k++) osc_buf_putc(b, (char)(x >> (8 * (7 - lz - k))));
  }
}

static void enc_decimal(const osc_monitor_point *p, size_t n, int k, int order, osc_buf *b) {
  int64_t prev = llround(p[0].value * p10[k]), pd = 0;
  put_varint(b, zz(prev));
  tokw w = {b, 0};
  for (size_t i = 1; i < n; i++) {
    int64_t q = llround(p[i].value * p10[k]), d = q - prev;
    tok_put(&w, order == 1 ? d : d - pd);
    pd = d;
    prev = q;
  }
  tok_end(&w);
}

int osc__chunk_encode(const osc_monitor_point *p, size_t n, osc_buf *b) {
  bool small_ts = true;
  for (size_t i = 0; i < n && small_ts; i++) small_ts = p[i].ts_ms > -(1LL << 52) && p[i].ts_ms < (1LL << 52);
  if (n == 0 || !small_ts) { /* v1 (also the empty chunk) */
    put_varint(b, n);
    if (n == 0) return b->oom ? OSC_ENOMEM : OSC_OK;
    put_varint(b, zz(p[0].ts_ms));
    uint64_t prev = dbits(p[0].value);
    for (int i = 0; i < 8; i++) osc_buf_putc(b, (char)(prev >> (8 * i)));
    int64_t pts = p[0].ts_ms, pdelta = 0;
    for (size_t i = 1; i < n; i++) {
      int64_t delta = p[i].ts_ms - pts;
      put_varint(b, zz(delta - pdelta));
      pdelta = delta;
      pts = p[i].ts_ms;
      uint64_t bits = dbits(p[i].value), x = bits ^ prev;
      prev = bits;
      if (x == 0) {
        osc_buf_putc(b, 0);
        continue;
      }
      int lz = __builtin_clzll(x) / 8, tz = __builtin_ctzll(x) / 8;
      int len = 8 - lz - tz;
      osc_buf_putc(b, (char)((lz << 4) | len));
      for (int k = 0; k < len; k++) osc_buf_putc(b, (char)(x >> (8 * (7 - lz - k))));
    }
    return b->oom ? OSC_ENOMEM : OSC_OK;
  }
  osc_buf_putc(b, 0);
  osc_buf_putc(b, 2);
  put_varint(b, n);
  put_varint(b, zz(p[0].ts_ms));
  tokw w = {b, 0};
  int64_t pts = p[0].ts_ms, pdelta = 0;
  for (size_t i = 1; i < n; i++) {
    int64_t delta = p[i].ts_ms - pts;
    tok_put(&w, delta - pdelta);
    pdelta = delta;
    pts = p[i].ts_ms;
  }
  tok_end(&w);
  osc_buf best = OSC_BUF_INIT, cand = OSC_BUF_INIT;
  osc_buf_putc(&best, 0);
  enc_xor(p, n, &best);
  int k = decimal_scale(p, n);
  for (int order = 1; k >= 0 && order <= 2; order++) {
    osc_buf_reset(&cand);
    osc_buf_putc(&cand, (char)(order | (k << 2)));
    enc_decimal(p, n, k, order, &cand);
    if (!cand.oom && cand.len < best.len) {
      osc_buf t = best;
      best = cand;
      cand = t;
    }
  }
  bool oom = best.oom;
  osc_buf_append(b, best.data, best.len);
  osc_buf_release(&best);
  osc_buf_release(&cand);
  return b->oom || oom ? OSC_ENOMEM : OSC_OK;
}

static int decode_v1(const unsigned char *p, const unsigned char *end, size_t len, osc_monitor_point **out,
                     size_t *nout) {
  uint64_t n;
  if (!get_varint(&p, end, &n) || n > len * 8 + 1) return osc_seterr(OSC_ECORRUPT, "chunk: bad count");
  if (n == 0) return OSC_OK;
  osc_monitor_point *pts = malloc(n * sizeof *pts);
  if (!pts) return OSC_ENOMEM;
  uint64_t z;
  if (!get_varint(&p, end, &z) || end - p < 8) goto bad;
  int64_t ts = unzz(z), delta = 0;
  uint64_t prev = 0;
  for (int i = 0; i < 8; i++) prev |= (uint64_t)p[i] << (8 * i);
  p += 8;
  pts[0] = (osc_monitor_point){ts, bitsd(prev)};
  for (uint64_t i = 1; i < n; i++) {
    if (!get_varint(&p, end, &z) || p >= end) goto bad;
    delta = (int64_t)((uint64_t)delta + (uint64_t)unzz(z)); /* wraps on corrupt data, never UB */
    ts = (int64_t)((uint64_t)ts + (uint64_t)delta);
    unsigned char h = *p++;
    if (h) {
      int lz = h >> 4, l = h & 15;
      if (l < 1 || lz + l > 8 || end - p < l) goto bad;
      uint64_t x = 0;
      for (int k = 0; k < l; k++) x |= (uint64_t)p[k] << (8 * (7 - lz - k));
      p += l;
      prev ^= x;
    }
    pts[i] = (osc_monitor_point){ts, bitsd(prev)};
  }
  *out = pts;
  *nout = (size_t)n;
  return OSC_OK;
bad:
  free(pts);
  return osc_seterr(OSC_ECORRUPT, "chunk: truncated or malformed data");
}

int osc__chunk_decode(const void *data, size_t len, osc_monitor_point **out, size_t *nout) {
  const unsigned char *p = data, *end = p + len;
  *out = NULL;
  *nout = 0;
  if (len < 2 || p[0] != 0) return decode_v1(p, end, len, out, nout);
  if (p[1] != 2) return osc_seterr(OSC_ECORRUPT, "chunk: unknown format %d", p[1]);
  p += 2;
  uint64_t n, z;
  if (!get_varint(&p, end, &n) || n == 0 || n > (1u << 20)) return osc_seterr(OSC_ECORRUPT, "chunk: bad count");
  osc_monitor_point *pts = malloc(n * sizeof *pts);
  if (!pts) return OSC_ENOMEM;
  if (!get_varint(&p, end, &z)) goto bad;
  tokr r = {p, end, 0};
  int64_t ts = unzz(z), delta = 0, x;
  pts[0].ts_ms = ts;
  for (uint64_t i = 1; i < n; i++) {
    if (!tok_get(&r, &x)) goto bad;
    delta = (int64_t)((uint64_t)delta + (uint64_t)x); /* wraps on corrupt data, never UB */
    ts = (int64_t)((uint64_t)ts + (uint64_t)delta);
    pts[i].ts_ms = ts;
  }
  if (r.run || r.p >= end) goto bad;
  p = r.p;
  unsigned char mode = *p++;
  if (mode == 0) {
    if (end - p < 8) goto bad;
    uint64_t prev = 0;
    for (int i = 0; i < 8; i++) prev |= (uint64_t)p[i] << (8 * i);
    p += 8;
    pts[0].value = bitsd(prev);
    for (uint64_t i = 1; i < n; i++) {
      if (p >= end) goto bad;
      unsigned char h = *p++;
      if (h) {
        int lz = h >> 4, l = h & 15;
        if (l < 1 || lz + l > 8 || end - p < l) goto bad;
        uint64_t xx = 0;
        for (int k = 0; k < l; k++) xx |= (uint64_t)p[k] << (8 * (7 - lz - k));
        p += l;
        prev ^= xx;
      }
      pts[i].value = bitsd(prev);
    }
  } else {
    int order = mode & 3, k = mode >> 2;
    if ((order != 1 && order != 2) || k > 9 || !get_varint(&p, end, &z)) goto bad;
    int64_t q = unzz(z), d = 0;
    pts[0].value = (double)q / p10[k];
    tokr vr = {p, end, 0};
    for (uint64_t i = 1; i < n; i++) {
      if (!tok_get(&vr, &x)) goto bad;
      d = order == 1 ? x : (int64_t)((uint64_t)d + (uint64_t)x);
      q = (int64_t)((uint64_t)q + (uint64_t)d);
      pts[i].value = (double)q / p10[k];
    }
    if (vr.run) goto bad;
  }
  *out = pts;
  *nout = (size_t)n;
  return OSC_OK;
bad:
  free(pts);
  return osc_seterr(OSC_ECORRUPT, "chunk: truncated or malformed data");
}

/* ---------------- series map ---------------- */
static sser *ser_find(osc__store *s, const char *name) {
  if (!s->hcap) return NULL;
  uint64_t h = osc_hash64(name, strlen(name), 7);
  for (size_t j = h & (s->hcap - 1);; j = (j + 1) & (s->hcap - 1)) {
    if (!s->hkeys[j]) return NULL;
    sser *x = &s->ser[s->hkeys[j] - 1];
    if (!strcmp(x->name, name)) return x;
  }
}

static int ser_index(osc__store *s) {
  size_t nc = 64;
  while (nc < s->nser * 2 + 2) nc *= 2;
  int64_t *k = calloc(nc, sizeof *k);
  if (!k) return OSC_ENOMEM;
  for (size_t i = 0; i < s->nser; i++) {
    uint64_t h = osc_hash64(s->ser[i].name, strlen(s->ser[i].name), 7);
    size_t j = h & (nc - 1);
    while (k[j]) j = (j + 1) & (nc - 1);
    k[j] = (int64_t)i + 1;
  }
  free(s->hkeys);
  s->hkeys = k;
  s->hcap = nc;
  return OSC_OK;
}

static sser *ser_add(osc__store *s, const char *name, int64_t id) {
  if (s->nser == s->capser) {
    size_t nc = s->capser ? s->capser * 2 : 64;
    sser *n = realloc(s->ser, nc * sizeof *n);
    if (!n) return NULL;
    s->ser = n;
    s->capser = nc;
  }
  sser *x = &s->ser[s->nser++];
  memset(x, 0, sizeof *x);
  snprintf(x->name, sizeof x->name, "%s", name);
  x->id = id;
  if (s->nser * 2 + 2 > s->hcap) {
    if (ser_index(s)) return NULL;
  } else {
    uint64_t h = osc_hash64(x->name, strlen(x->name), 7);
    size_t j = h & (s->hcap - 1);
    while (s->hkeys[j]) j = (j + 1) & (s->hcap - 1);
    s->hkeys[j] = (int64_t)s->nser;
  }
  return x;
}

static sser *ser_by_id(osc__store *s, int64_t id) {
  if (id >= 1 && (size_t)id <= s->nser && s->ser[id - 1].id == id) return &s->ser[id - 1];
  for (size_t i = 0; i < s->nser; i++)
    if (s->ser[i].id == id) return &s->ser[i];
  return NULL;
}

static int ser_push(sser *x, int64_t ts, double v) {
  if (x->n == x->cap) {
    size_t nc = x->cap ? x->cap * 2 : 32;
    osc_monitor_point *p = realloc(x->pts, nc * sizeof *p);
    if (!p) return OSC_ENOMEM;
    x->pts = p;
    x->cap = nc;
  }
  x->pts[x->n++] = (osc_monitor_point){ts, v};
  return OSC_OK;
}

/* ---------------- open / close ---------------- */
static const char *schema =
    "CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS pending(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, start_ms INTEGER NOT "
    "NULL, end_ms INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS chunks_key ON chunks(series_id, start_ms);"
    "CREATE TABLE IF NOT EXISTS agg(series_id INTEGER NOT NULL, tier INTEGER NOT NULL, ts INTEGER NOT NULL, "
    "vmin REAL, vmax REAL, vsum REAL, cnt INTEGER, PRIMARY KEY(series_id, tier, ts)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS alerts(id TEXT PRIMARY KEY, level INTEGER NOT NULL, metric TEXT NOT NULL, "
    "message TEXT NOT NULL, threshold REAL, value REAL, fired_ms INTEGER, resolved_ms INTEGER, acknowledged "
    "INTEGER NOT NULL DEFAULT 0);";

static int prep(osc__store *s, const char *sql, sqlite3_stmt **st) {
  int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
  return rc == SQLITE_OK ? OSC_OK : sqerr(s, rc, "prepare");
}

static int load_pending(osc__store *s) {
  sqlite3_stmt *st = NULL;
  int rc = prep(s, "SELECT ts, data FROM pending ORDER BY seq", &st);
  if (rc) return rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *p = sqlite3_column_blob(st, 1), *end = p + sqlite3_column_bytes(st, 1);
    int64_t ts = sqlite3_column_int64(st, 0);
    while (p && p < end) {
      uint64_t id;
      if (!get_varint(&p, end, &id) || end - p < 8) break;
      uint64_t u = 0;
      for (int i = 0; i < 8; i++) u |= (uint64_t)p[i] << (8 * i);
      p += 8;
      sser *x = ser_by_id(s, (int64_t)id);
      if (x) ser_push(x, ts, bitsd(u));
    }
    s->pending_rows++;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? OSC_OK : sqerr(s, rc, "reading pending points");
}

int osc__store_open(const char *path, bool ro, int chunk_points, osc__store **out) {
  *out = NULL;
  osc__store *s = calloc(1, sizeof *s);
  if (!s) return OSC_ENOMEM;
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE); /* alerts are saved from inside a tick */
  pthread_mutex_init(&s->mu, &ma);
  pthread_mutexattr_destroy(&ma);
  s->ro = ro;
  s->chunk_points = chunk_points > 0 ? chunk_points : 120;
  osc_buf_init(&s->tick);
  int flags = ro ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK) {
    rc = ro && rc == SQLITE_CANTOPEN ? osc_seterr(OSC_ENOENT, "metrics store %s: no history yet (run the monitor first)", path)
                                     : osc_seterr(OSC_EIO, "metrics store %s: %s", path, sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_busy_timeout(s->db, 5000);
  if ((rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"))) goto fail;
  /* auto_vacuum only takes effect on a new file (before the first table) */
  if (!ro && (rc = exec(s, "PRAGMA auto_vacuum=INCREMENTAL;"))) goto fail;
  if (!ro && (rc = exec(s, schema))) goto fail;
  sqlite3_stmt *st = NULL;
  if ((rc = prep(s, "SELECT id, name FROM series ORDER BY id", &st))) goto fail;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) ser_add(s, (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  if (step != SQLITE_DONE) {
    rc = sqerr(s, step, "reading series");
    goto fail;
  }
  if (!ro) {
    if ((rc = load_pending(s))) goto fail;
    if ((rc = prep(s, "INSERT INTO pending(ts, data) VALUES(?, ?)", &s->st_pending))) goto fail;
    if ((rc = prep(s, "INSERT INTO chunks(series_id, start_ms, end_ms, n, data) VALUES(?,?,?,?,?)", &s->st_chunk)))
      goto fail;
    if ((rc = prep(s,
                   "INSERT INTO agg(series_id, tier, ts, vmin, vmax, vsum, cnt) VALUES(?,?,?,?,?,?,?) "
                   "ON CONFLICT(series_id, tier, ts) DO UPDATE SET vmin = min(vmin, excluded.vmin), "
                   "vmax = max(vmax, excluded.vmax), vsum = vsum + excluded.vsum, cnt = cnt + excluded.cnt",
                   &s->st_agg)))
      goto fail;
    if ((rc = prep(s, "INSERT INTO series(name) VALUES(?)", &s->st_series))) goto fail;
    if ((rc = prep(s,
                   "INSERT INTO alerts(id, level, metric, message, threshold, value, fired_ms, resolved_ms, "
                   "acknowledged) VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET resolved_ms = "
                   "excluded.resolved_ms, acknowledged = excluded.acknowledged, value = excluded.value",
                   &s->st_alert)))
      goto fail;
  }
  *out = s;
  return OSC_OK;
fail:
  osc__store_close(s);
  return rc;
}

void osc__store_close(osc__store *s) {
  if (!s) return;
  sqlite3_finalize(s->st_pending);
  sqlite3_finalize(s->st_chunk);
  sqlite3_finalize(s->st_agg);
  sqlite3_finalize(s->st_series);
  sqlite3_finalize(s->st_alert);
  if (s->db) sqlite3_close(s->db);
  for (size_t i = 0; i < s->nser; i++) free(s->ser[i].pts);
  free(s->ser);
  free(s->hkeys);
  osc_buf_release(&s->tick);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* ---------------- writing ---------------- */
int osc__store_begin(osc__store *s) {
  if (s->ro) return osc_seterr(OSC_ESTATE, "metrics store: read-only");
  pthread_mutex_lock(&s->mu);
  int rc = exec(s, "BEGIN");
  if (rc) {
    pthread_mutex_unlock(&s->mu);
    return rc;
  }
  s->in_txn = true;
  osc_buf_reset(&s->tick);
  s->tick_ts = INT64_MIN;
  return OSC_OK; /* the lock is held until commit/rollback */
}

static int flush_pending_row(osc__store *s) {
  if (s->tick.len == 0) return OSC_OK;
  sqlite3_bind_int64(s->st_pending, 1, s->tick_ts);
  sqlite3_bind_blob(s->st_pending, 2, s->tick.data, (int)s->tick.len, SQLITE_STATIC);
  int rc = sqlite3_step(s->st_pending);
  sqlite3_reset(s->st_pending);
  osc_buf_reset(&s->tick);
  if (rc != SQLITE_DONE) return sqerr(s, rc, "saving a tick");
  s->pending_rows++;
  return OSC_OK;
}

int osc__store_append(osc__store *s, const char *name, int64_t ts_ms, double v) {
  sser *x = ser_find(s, name);
  if (!x) {
    sqlite3_bind_text(s->st_series, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->st_series);
    sqlite3_reset(s->st_series);
    if (rc != SQLITE_DONE) return sqerr(s, rc, "adding a series");
    x = ser_add(s, name, sqlite3_last_insert_rowid(s->db));
    if (!x) return OSC_ENOMEM;
  }
  if (s->tick_ts != ts_ms && s->tick.len) {
    int rc = flush_pending_row(s);
    if (rc) return rc;
  }
  s->tick_ts = ts_ms;
  if (osc_buf_reserve(&s->tick, 20)) return OSC_ENOMEM;
  unsigned char *w = (unsigned char *)s->tick.data + s->tick.len, *w0 = w;
  for (uint64_t id = (uint64_t)x->id;; id >>= 7) { /* varint id, then the value's 8 bytes */
    if (id < 0x80) {
      *w++ = (unsigned char)id;
      break;
    }
    *w++ = (unsigned char)(id | 0x80);
  }
  uint64_t u = dbits(v);
  for (int i = 0; i < 8; i++) *w++ = (unsigned char)(u >> (8 * i));
  s->tick.len += (size_t)(w - w0);
  s->tick.data[s->tick.len] = '\0';
  return ser_push(x, ts_ms, v);
}

int osc__store_alert_put(osc__store *s, const osc_alert *a) {
  if (!s || s->ro) return OSC_OK;
  pthread_mutex_lock(&s->mu); /* recursive: a tick saves its alerts inside its transaction */
  sqlite3_stmt *st = s->st_alert;
  sqlite3_bind_text(st, 1, a->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, (int)a->level);
  sqlite3_bind_text(st, 3, a->metric, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, a->message, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 5, a->threshold);
  sqlite3_bind_double(st, 6, a->current_value);
  sqlite3_bind_int64(st, 7, a->fired_ms);
  sqlite3_bind_int64(st, 8, a->resolved_ms);
  sqlite3_bind_int(st, 9, a->acknowledged ? 1 : 0);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  pthread_mutex_unlock(&s->mu);
  return rc == SQLITE_DONE ? OSC_OK : sqerr(s, rc, "saving an alert");
}

static int agg_put(osc__store *s, int64_t id, int tier, int64_t bucket, double mn, double mx, double sum, int64_t cnt) {
  sqlite3_stmt *st = s->st_agg;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, tier);
  sqlite3_bind_int64(st, 3, bucket);
  sqlite3_bind_double(st, 4, mn);
  sqlite3_bind_double(st, 5, mx);
  sqlite3_bind_double(st, 6, sum);
  sqlite3_bind_int64(st, 7, cnt);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? OSC_OK : sqerr(s, rc, "saving an aggregate");
}

static int cmp_pt(const void *a, const void *b) {
  const osc_monitor_point *x = a, *y = b;
  return (x->ts_ms > y->ts_ms) - (x->ts_ms < y->ts_ms);
}

static int write_chunk(osc__store *s, sser *x, osc_buf *enc) {
  osc_buf_reset(enc);
  int rc = osc__chunk_encode(x->pts, x->n, enc);
  if (rc) return rc;
  int64_t start = x->pts[0].ts_ms, end = x->pts[0].ts_ms;
  for (size_t i = 1; i < x->n; i++) {
    if (x->pts[i].ts_ms < start) start = x->pts[i].ts_ms;
    if (x->pts[i].ts_ms > end) end = x->pts[i].ts_ms;
  }
  sqlite3_stmt *st = s->st_chunk;
  sqlite3_bind_int64(st, 1, x->id);
  sqlite3_bind_int64(st, 2, start);
  sqlite3_bind_int64(st, 3, end);
  sqlite3_bind_int64(st, 4, (int64_t)x->n);
  sqlite3_bind_blob(st, 5, enc->data, (int)enc->len, SQLITE_STATIC);
  int step = sqlite3_step(st);
  sqlite3_reset(st);
  if (step == SQLITE_CONSTRAINT) {
    /* A chunk already starts at this ms (out-of-order records): shift the key by
     * the smallest amount that is free; queries filter by point timestamps anyway. */
    for (int k = 1; k < 1000 && step == SQLITE_CONSTRAINT; k++) {
      sqlite3_bind_int64(st, 2, start - k);
      step = sqlite3_step(st);
      sqlite3_reset(st);
    }
  }
  if (step != SQLITE_DONE) return sqerr(s, step, "saving a chunk");
  /* downsampled tiers */
  static const int64_t width[3] = {0, 60000, 3600000};
  for (int tier = 1; tier <= 2; tier++) {
    size_t i = 0;
    osc_monitor_point *p = x->pts;
    /* points are in arrival order; buckets are merged by the upsert, so runs suffice */
    while (i < x->n) {
      int64_t b = p[i].ts_ms - (((p[i].ts_ms % width[tier]) + width[tier]) % width[tier]);
      double mn = p[i].value, mx = p[i].value, sum = 0;
      int64_t cnt = 0;
      while (i < x->n && p[i].ts_ms >= b && p[i].ts_ms < b + width[tier]) {
        if (p[i].value < mn) mn = p[i].value;
        if (p[i].value > mx) mx = p[i].value;
        sum += p[i].value;
        cnt++;
        i++;
      }
      if (cnt == 0) {
        i++;
        continue;
      }
      rc = agg_put(s, x->id, tier, b, mn, mx, sum, cnt);
      if (rc) return rc;
    }
  }
  return OSC_OK;
}

static int purge(osc__store *s, int64_t now, int64_t raw_ret, int64_t min_ret, int64_t hour_ret) {
  sqlite3_stmt *dc = NULL, *da = NULL;
  int rc = prep(s, "DELETE FROM chunks WHERE series_id = ?1 AND start_ms < ?2 AND end_ms < ?2", &dc);
  if (!rc) rc = prep(s, "DELETE FROM agg WHERE series_id = ?1 AND tier = ?2 AND ts < ?3", &da);
  for (size_t i = 0; rc == OSC_OK && i < s->nser; i++) {
    sqlite3_bind_int64(dc, 1, s->ser[i].id);
    sqlite3_bind_int64(dc, 2, now - raw_ret);
    if (sqlite3_step(dc) != SQLITE_DONE) rc = sqerr(s, sqlite3_errcode(s->db), "retention");
    sqlite3_reset(dc);
    for (int tier = 1; rc == OSC_OK && tier <= 2; tier++) {
      sqlite3_bind_int64(da, 1, s->ser[i].id);
      sqlite3_bind_int(da, 2, tier);
      sqlite3_bind_int64(da, 3, now - (tier == 1 ? min_ret : hour_ret));
      if (sqlite3_step(da) != SQLITE_DONE) rc = sqerr(s, sqlite3_errcode(s->db), "retention");
      sqlite3_reset(da);
    }
  }
  sqlite3_finalize(dc);
  sqlite3_finalize(da);
  return rc;
}

/* Packs every open chunk; called inside a transaction with the lock held. */
static int pack(osc__store *s, int64_t now, int64_t raw_ret, int64_t min_ret, int64_t hour_ret) {
  osc_buf enc = OSC_BUF_INIT;
  int rc = OSC_OK;
  for (size_t i = 0; rc == OSC_OK && i < s->nser; i++) {
    sser *x = &s->ser[i];
    if (!x->n) continue;
    /* keep chunks time-ordered inside for the codec's small deltas */
    bool sorted = true;
    for (size_t k = 1; k < x->n && sorted; k++) sorted = x->pts[k].ts_ms >= x->pts[k - 1].ts_ms;
    if (!sorted) qsort(x->pts, x->n, sizeof *x->pts, cmp_pt);
    rc = write_chunk(s, x, &enc);
  }
  osc_buf_release(&enc);
  if (rc == OSC_OK) rc = exec(s, "DELETE FROM pending");
  /* Retention runs at most every 1/16 of the raw retention (22 min for 6 h): data
   * leaves at most that late, and a pack does not pay 3 deletes per series. */
  if (rc == OSC_OK && raw_ret > 0 &&
      (s->last_purge_ms == 0 || now < s->last_purge_ms || now - s->last_purge_ms >= raw_ret / 16)) {
    rc = purge(s, now, raw_ret, min_ret, hour_ret);
    if (rc == OSC_OK) s->last_purge_ms = now;
  }
  if (rc == OSC_OK) {
    for (size_t i = 0; i < s->nser; i++) s->ser[i].n = 0;
    s->pending_rows = 0;
  }
  return rc;
}

int osc__store_commit(osc__store *s, int64_t now, int64_t raw_ret, int64_t min_ret, int64_t hour_ret) {
  int rc = flush_pending_row(s);
  if (rc == OSC_OK && s->pending_rows >= s->chunk_points) rc = pack(s, now, raw_ret, min_ret, hour_ret);
  if (rc == OSC_OK) rc = exec(s, "COMMIT");
  if (rc) {
    exec(s, "ROLLBACK");
    /* the in-memory open chunks may now hold points that were not saved; they are kept
     * (a later successful pack saves them) */
  }
  s->in_txn = false;
  pthread_mutex_unlock(&s->mu);
  return rc;
}

void osc__store_rollback(osc__store *s) {
  exec(s, "ROLLBACK");
  s->in_txn = false;
  osc_buf_reset(&s->tick);
  pthread_mutex_unlock(&s->mu);
}

int osc__store_flush(osc__store *s, int64_t now_ms) {
  if (!s || s->ro) return OSC_OK;
  pthread_mutex_lock(&s->mu);
  int rc = exec(s, "BEGIN");
  if (rc == OSC_OK) {
    rc = pack(s, now_ms, 0, 0, 0);
    rc = rc == OSC_OK ? exec(s, "COMMIT") : (exec(s, "ROLLBACK"), rc);
  }
  /* give the pages the pending rows left free back to the file system */
  if (rc == OSC_OK) exec(s, "PRAGMA incremental_vacuum");
  pthread_mutex_unlock(&s->mu);
  return rc;
}

/* ---------------- reading ---------------- */
static int64_t series_id(osc__store *s, const char *name) {
  sser *x = ser_find(s, name);
  if (x) return x->id;
  /* another process may have added it since we opened */
  sqlite3_stmt *st = NULL;
  int64_t id = -1;
  if (prep(s, "SELECT id FROM series WHERE name = ?", &st) == OSC_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return id;
}

static int pts_add(osc_monitor_point **p, size_t *n, size_t *cap, int64_t ts, double v) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    osc_monitor_point *q = realloc(*p, nc * sizeof *q);
    if (!q) return OSC_ENOMEM;
    *p = q;
    *cap = nc;
  }
  (*p)[(*n)++] = (osc_monitor_point){ts, v};
  return OSC_OK;
}

int osc__store_query(osc__store *s, const char *name, int64_t start, int64_t end, osc_monitor_tier tier,
                     osc_monitor_point **out, size_t *nout) {
  *out = NULL;
  *nout = 0;
  pthread_mutex_lock(&s->mu);
  int64_t id = series_id(s, name);
  if (id < 0) {
    pthread_mutex_unlock(&s->mu);
    return OSC_OK;
  }
  osc_monitor_point *p = NULL;
  size_t n = 0, cap = 0;
  int rc = OSC_OK;
  sqlite3_stmt *st = NULL;
  if (tier == OSC_MONITOR_TIER_MINUTE || tier == OSC_MONITOR_TIER_HOUR) {
    rc = prep(s, "SELECT ts, vsum / cnt FROM agg WHERE series_id = ? AND tier = ? AND ts BETWEEN ? AND ? ORDER BY ts", &st);
    if (!rc) {
      sqlite3_bind_int64(st, 1, id);
      sqlite3_bind_int(st, 2, tier == OSC_MONITOR_TIER_MINUTE ? 1 : 2);
      sqlite3_bind_int64(st, 3, start);
      sqlite3_bind_int64(st, 4, end);
      int step;
      while (rc == OSC_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = pts_add(&p, &n, &cap, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1));
    }
    sqlite3_finalize(st);
  } else {
    rc = prep(s, "SELECT data FROM chunks WHERE series_id = ? AND start_ms <= ? AND end_ms >= ? ORDER BY start_ms", &st);
    if (!rc) {
      sqlite3_bind_int64(st, 1, id);
      sqlite3_bind_int64(st, 2, end);
      sqlite3_bind_int64(st, 3, start);
      while (rc == OSC_OK && sqlite3_step(st) == SQLITE_ROW) {
        osc_monitor_point *c = NULL;
        size_t cn = 0;
        rc = osc__chunk_decode(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &c, &cn);
        for (size_t i = 0; rc == OSC_OK && i < cn; i++)
          if (c[i].ts_ms >= start && c[i].ts_ms <= end) rc = pts_add(&p, &n, &cap, c[i].ts_ms, c[i].value);
        free(c);
      }
    }
    sqlite3_finalize(st);
    st = NULL;
    size_t nchunk = n;
    if (rc == OSC_OK) rc = prep(s, "SELECT ts, data FROM pending WHERE ts BETWEEN ? AND ? ORDER BY seq", &st);
    if (rc == OSC_OK) {
      sqlite3_bind_int64(st, 1, start);
      sqlite3_bind_int64(st, 2, end);
      while (rc == OSC_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *q = sqlite3_column_blob(st, 1), *qe = q + sqlite3_column_bytes(st, 1);
        int64_t ts = sqlite3_column_int64(st, 0);
        while (q && q < qe) {
          uint64_t sid;
          if (!get_varint(&q, qe, &sid) || qe - q < 8) break;
          if ((int64_t)sid == id) {
            uint64_t u = 0;
            for (int i = 0; i < 8; i++) u |= (uint64_t)q[i] << (8 * i);
            rc = pts_add(&p, &n, &cap, ts, bitsd(u));
          }
          q += 8;
        }
      }
    }
    sqlite3_finalize(st);
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++) sorted = p[i].ts_ms >= p[i - 1].ts_ms;
    if (!sorted) qsort(p, n, sizeof *p, cmp_pt);
    (void)nchunk;
  }
  pthread_mutex_unlock(&s->mu);
  if (rc) {
    free(p);
    return rc;
  }
  *out = p;
  *nout = n;
  return OSC_OK;
}

int osc__store_series_names(osc__store *s, char ***names, size_t *n) {
  *names = NULL;
  *n = 0;
  pthread_mutex_lock(&s->mu);
  sqlite3_stmt *st = NULL;
  int rc = prep(s, "SELECT name FROM series ORDER BY name", &st);
  size_t cap = 0;
  while (rc == OSC_OK && sqlite3_step(st) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      char **q = realloc(*names, cap * sizeof *q);
      if (!q) {
        rc = OSC_ENOMEM;
        break;
      }
      *names = q;
    }
    (*names)[(*n)++] = osc_strdup((const char *)sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

int osc__store_alerts_load(osc__store *s, osc__alert_load_fn fn, void *ud) {
  pthread_mutex_lock(&s->mu);
  sqlite3_stmt *st = NULL;
  int rc = prep(s,
                "SELECT id, level, metric, message, threshold, value, fired_ms, resolved_ms, acknowledged FROM "
                "alerts ORDER BY fired_ms DESC LIMIT 1000",
                &st);
  while (rc == OSC_OK && sqlite3_step(st) == SQLITE_ROW) {
    osc_alert a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "%s", (const char *)sqlite3_column_text(st, 0));
    a.level = (osc_alert_level)sqlite3_column_int(st, 1);
    snprintf(a.metric, sizeof a.metric, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(a.message, sizeof a.message, "%s", (const char *)sqlite3_column_text(st, 3));
    a.threshold = sqlite3_column_double(st, 4);
    a.current_value = sqlite3_column_double(st, 5);
    a.fired_ms = sqlite3_column_int64(st, 6);
    a.resolved_ms = sqlite3_column_int64(st, 7);
    a.acknowledged = sqlite3_column_int(st, 8) != 0;
    fn(ud, &a);
  }
  sqlite3_finalize(st);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

int64_t osc__store_oldest_ms(osc__store *s) {
  pthread_mutex_lock(&s->mu);
  sqlite3_stmt *st = NULL;
  int64_t v = 0;
  if (prep(s, "SELECT min(x) FROM (SELECT min(start_ms) AS x FROM chunks UNION ALL SELECT min(ts) FROM pending)", &st) ==
          OSC_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  pthread_mutex_unlock(&s->mu);
  return v;
}
