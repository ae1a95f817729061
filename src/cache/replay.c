/*
 * cache/replay.c - trace replay for eviction-quality measurements.
 *
 * A trace is text with one key per line (decimal keys are used as numbers,
 * anything else is hashed), optionally zstd-compressed (.zst, detected by
 * magic).  Replay runs the real L1 code with one shard and every object of
 * weight 1, so miss ratios are comparable with libCacheSim's object-count mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "cache/cache_int.h"
#include "core/buf.h"
#include "core/util.h"
#include "oscontent/error.h"

typedef struct kvec {
  uint64_t *k;
  size_t n, cap;
} kvec;

static int push_line(kvec *v, const char *s, size_t n, size_t lineno, const char *path) {
  while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (!n) return OSC_OK;
  uint64_t key = 0;
  bool digits = n <= 19;
  for (size_t i = 0; i < n && digits; i++) {
    if (s[i] < '0' || s[i] > '9') digits = false;
    else key = key * 10 + (uint64_t)(s[i] - '0');
  }
  if (!digits) key = osc_hash64(s, n, 7);
  if (v->n == v->cap) {
    size_t nc = v->cap ? v->cap * 2 : 1 << 16;
    uint64_t *nk = realloc(v->k, nc * sizeof *nk);
    if (!nk) return osc_seterr(OSC_ENOMEM, "%s:%zu: out of memory", path, lineno);
    v->k = nk;
    v->cap = nc;
  }
  v->k[v->n++] = key;
  return OSC_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int osc__cache_trace_load(const char *path, uint64_t **keys, size_t *n, size_t *unique) {
  *keys = NULL;
  *n = *unique = 0;
  char *raw = NULL;
  size_t rlen = 0;
  int rc = osc_read_file(path, (size_t)1 << 31, &raw, &rlen);
  if (rc) return osc_seterr(rc, "trace %s: %s", path, osc_errmsg());
  char *text = raw;
  size_t tlen = rlen;
  if (rlen >= 4 && (uint8_t)raw[0] == 0x28 && (uint8_t)raw[1] == 0xB5 && (uint8_t)raw[2] == 0x2F &&
      (uint8_t)raw[3] == 0xFD) {
    ZSTD_DStream *ds = ZSTD_createDStream();
    osc_buf out = OSC_BUF_INIT;
    ZSTD_inBuffer in = {raw, rlen, 0};
    char chunk[1 << 16];
    size_t r = 1;
    while (in.pos < in.size) {
      ZSTD_outBuffer ob = {chunk, sizeof chunk, 0};
      r = ZSTD_decompressStream(ds, &ob, &in);
      if (ZSTD_isError(r)) break;
      osc_buf_append(&out, chunk, ob.pos);
    }
    for (;;) { /* flush what is left */
      ZSTD_outBuffer ob = {chunk, sizeof chunk, 0};
      if (ZSTD_isError(r)) break;
      r = ZSTD_decompressStream(ds, &ob, &in);
      if (ZSTD_isError(r) || !ob.pos) break;
      osc_buf_append(&out, chunk, ob.pos);
    }
    ZSTD_freeDStream(ds);
    free(raw);
    if (ZSTD_isError(r) || out.oom) {
      osc_buf_release(&out);
      return osc_seterr(OSC_EPARSE, "trace %s: bad zstd data: %s", path,
                        ZSTD_isError(r) ? ZSTD_getErrorName(r) : "out of memory");
    }
    text = osc_buf_detach(&out, &tlen);
    raw = text;
  }
  kvec v = {0};
  size_t line = 1;
  const char *p = text, *end = text + tlen;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    if ((rc = push_line(&v, p, (size_t)(e - p), line, path))) break;
    p = e + 1;
    line++;
  }
  free(raw);
  if (rc) {
    free(v.k);
    return rc;
  }
  if (!v.n) {
    free(v.k);
    return osc_seterr(OSC_EPARSE, "trace %s: no keys", path);
  }
  uint64_t *sorted = malloc(v.n * sizeof *sorted);
  if (!sorted) {
    free(v.k);
    return OSC_ENOMEM;
  }
  memcpy(sorted, v.k, v.n * sizeof *sorted);
  qsort(sorted, v.n, sizeof *sorted, cmp_u64);
  size_t u = 0;
  for (size_t i = 0; i < v.n; i++)
    if (!i || sorted[i] != sorted[i - 1]) u++;
  free(sorted);
  *keys = v.k;
  *n = v.n;
  *unique = u;
  return OSC_OK;
}

int osc__cache_replay(const uint64_t *keys, size_t n, osc_cache_policy policy, size_t capacity, int s3_threshold,
                      uint64_t *misses) {
  osc__l1_opts o = {.max_entries = (int64_t)(capacity ? capacity : 1),
                    .policy = policy,
                    .shards = 1,
                    .unit_weight = true,
                    .s3_move_threshold = s3_threshold};
  osc__l1 *l1;
  int rc = osc__l1_new(&o, &l1);
  if (rc) return rc;
  uint64_t m = 0;
  for (size_t i = 0; i < n; i++) m += !osc__l1_access(l1, keys[i]);
  osc__l1_free(l1);
  *misses = m;
  return OSC_OK;
}
