/*
 * cache/codec.c - the stored-value format of L2 and L3 and its five codecs.
 *
 * Every stored value is a 16-byte header (see cache_int.h) and a payload.
 * Values under the threshold, or that would not shrink, are stored raw
 * (codec NONE).  The CRC-32 (zlib) covers the header and the payload, so a
 * flipped bit anywhere is caught before any decompressor runs; the
 * decompressed length must then equal the recorded one.  zstd may use a
 * trained dictionary, whose id is recorded; a value whose dictionary is not
 * loaded is reported as corrupt (a miss), never guessed at.
 *
 * zstd contexts are per thread (pthread key), created on first use.
 */
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <lz4hc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include <zlib.h>
#include <zstd.h>

#include "cache/cache_int.h"
#include "core/util.h"
#include "oscontent/error.h"

#define HDR_MAGIC 0xC5u
#define HDR_VERSION 1u

struct osc__codec {
  osc_cache_codec codec;
  int level;
  int64_t threshold;
  ZSTD_CDict *cdict;
  ZSTD_DDict *ddict;
  uint32_t dict_id;
  atomic_uint_fast64_t in_bytes, out_bytes;
};

typedef struct zctx {
  ZSTD_CCtx *c;
  ZSTD_DCtx *d;
} zctx;

static pthread_key_t g_zkey;
static pthread_once_t g_zonce = PTHREAD_ONCE_INIT;

static void zctx_free(void *p) {
  zctx *z = p;
  if (!z) return;
  ZSTD_freeCCtx(z->c);
  ZSTD_freeDCtx(z->d);
  free(z);
}
static void zkey_init(void) { pthread_key_create(&g_zkey, zctx_free); }
static zctx *zctx_get(void) {
  pthread_once(&g_zonce, zkey_init);
  zctx *z = pthread_getspecific(g_zkey);
  if (!z) {
    z = calloc(1, sizeof *z);
    if (!z) return NULL;
    z->c = ZSTD_createCCtx();
    z->d = ZSTD_createDCtx();
    if (!z->c || !z->d) {
      zctx_free(z);
      return NULL;
    }
    pthread_setspecific(g_zkey, z);
  }
  return z;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int default_level(osc_cache_codec c) {
  switch (c) {
    case OSC_CACHE_CODEC_ZSTD: return 3;
    case OSC_CACHE_CODEC_LZ4: return 1;
    case OSC_CACHE_CODEC_BROTLI: return 5;
    case OSC_CACHE_CODEC_GZIP: return 6;
    default: return 0;
  }
}

int osc__codec_new(osc_cache_codec codec, int level, int64_t threshold, const char *dict_path, osc__codec **out) {
  *out = NULL;
  if (codec == OSC_CACHE_CODEC_DEFAULT) codec = OSC_CACHE_CODEC_ZSTD;
  if (codec < OSC_CACHE_CODEC_NONE || codec > OSC_CACHE_CODEC_GZIP)
    return osc_seterr(OSC_EINVAL, "codec: %d is not a codec", (int)codec);
  if (!level) level = default_level(codec);
  switch (codec) {
    case OSC_CACHE_CODEC_ZSTD:
      if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        return osc_seterr(OSC_EINVAL, "codec_level: %d is outside zstd's %d..%d", level, ZSTD_minCLevel(),
                          ZSTD_maxCLevel());
      break;
    case OSC_CACHE_CODEC_LZ4:
      if (level < 1 || level > LZ4HC_CLEVEL_MAX)
        return osc_seterr(OSC_EINVAL, "codec_level: %d is outside lz4's 1..%d", level, LZ4HC_CLEVEL_MAX);
      break;
    case OSC_CACHE_CODEC_BROTLI:
      if (level < 0 || level > 11) return osc_seterr(OSC_EINVAL, "codec_level: %d is outside brotli's 0..11", level);
      break;
    case OSC_CACHE_CODEC_GZIP:
      if (level < 1 || level > 9) return osc_seterr(OSC_EINVAL, "codec_level: %d is outside gzip's 1..9", level);
      break;
    default: break;
  }
  osc__codec *c = calloc(1, sizeof *c);
  if (!c) return OSC_ENOMEM;
  c->codec = codec;
  c->level = level;
  c->threshold = threshold;
  atomic_init(&c->in_bytes, 0);
  atomic_init(&c->out_bytes, 0);
  if (dict_path && *dict_path) {
    char *buf = NULL;
    size_t len = 0;
    int rc = osc_read_file(dict_path, 16u << 20, &buf, &len);
    if (rc) {
      free(c);
      return osc_seterr(rc, "zstd_dict: cannot read %s: %s", dict_path, osc_errmsg());
    }
    c->dict_id = ZDICT_getDictID(buf, len);
    if (!c->dict_id) {
      free(buf);
      free(c);
      return osc_seterr(OSC_ECORRUPT, "zstd_dict: %s is not a zstd dictionary", dict_path);
    }
    c->cdict = ZSTD_createCDict(buf, len, codec == OSC_CACHE_CODEC_ZSTD ? level : 3);
    c->ddict = ZSTD_createDDict(buf, len);
    free(buf);
    if (!c->cdict || !c->ddict) {
      osc__codec_free(c);
      return osc_seterr(OSC_ECORRUPT, "zstd_dict: %s could not be loaded", dict_path);
    }
  }
  *out = c;
  return OSC_OK;
}

void osc__codec_free(osc__codec *c) {
  if (!c) return;
  ZSTD_freeCDict(c->cdict);
  ZSTD_freeDDict(c->ddict);
  free(c);
}

void osc__codec_totals(osc__codec *c, uint64_t *in, uint64_t *out) {
  *in = atomic_load(&c->in_bytes);
  *out = atomic_load(&c->out_bytes);
}

static size_t bound_for(osc_cache_codec codec, size_t n) {
  switch (codec) {
    case OSC_CACHE_CODEC_ZSTD: return ZSTD_compressBound(n);
    case OSC_CACHE_CODEC_LZ4: return (size_t)LZ4_compressBound((int)n);
    case OSC_CACHE_CODEC_BROTLI: return BrotliEncoderMaxCompressedSize(n) ? BrotliEncoderMaxCompressedSize(n) : n + 1024;
    case OSC_CACHE_CODEC_GZIP: return compressBound((uLong)n) + 32;
    default: return n;
  }
}

/* Compresses into dst (cap bytes); returns the size or 0 when it failed or did not fit. */
static size_t compress_with(osc__codec *c, const void *src, size_t n, void *dst, size_t cap, uint32_t *dict_id) {
  *dict_id = 0;
  switch (c->codec) {
    case OSC_CACHE_CODEC_ZSTD: {
      zctx *z = zctx_get();
      if (!z) return 0;
      size_t r;
      if (c->cdict) {
        r = ZSTD_compress_usingCDict(z->c, dst, cap, src, n, c->cdict);
        *dict_id = c->dict_id;
      } else {
        r = ZSTD_compressCCtx(z->c, dst, cap, src, n, c->level);
      }
      return ZSTD_isError(r) ? 0 : r;
    }
    case OSC_CACHE_CODEC_LZ4: {
      int r = c->level <= 2 ? LZ4_compress_default(src, dst, (int)n, (int)cap)
                            : LZ4_compress_HC(src, dst, (int)n, (int)cap, c->level);
      return r > 0 ? (size_t)r : 0;
    }
    case OSC_CACHE_CODEC_BROTLI: {
      size_t out = cap;
      if (!BrotliEncoderCompress(c->level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n, src, &out, dst)) return 0;
      return out;
    }
    case OSC_CACHE_CODEC_GZIP: {
      z_stream zs;
      memset(&zs, 0, sizeof zs);
      if (deflateInit2(&zs, c->level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
      zs.next_in = (Bytef *)(uintptr_t)src;
      zs.avail_in = (uInt)n;
      zs.next_out = dst;
      zs.avail_out = (uInt)cap;
      int r = deflate(&zs, Z_FINISH);
      size_t out = zs.total_out;
      deflateEnd(&zs);
      return r == Z_STREAM_END ? out : 0;
    }
    default: return 0;
  }
}

int osc__codec_encode(osc__codec *c, const void *val, size_t vlen, osc_cache_ctype ctype, void **out, size_t *olen) {
  *out = NULL;
  if (vlen > OSC_CACHE_MAX_VALUE) return osc_seterr(OSC_ETOOBIG, "value: %zu bytes is over the limit", vlen);
  bool try_compress = c->codec != OSC_CACHE_CODEC_NONE && c->threshold >= 0 && (int64_t)vlen >= c->threshold && vlen;
  size_t cap = OSC__HDR_LEN + (try_compress ? OSC_MAX(bound_for(c->codec, vlen), vlen) : vlen);
  uint8_t *buf = malloc(cap ? cap : 1);
  if (!buf) return OSC_ENOMEM;
  uint8_t codec = OSC_CACHE_CODEC_NONE;
  uint32_t dict_id = 0;
  size_t plen = 0;
  if (try_compress) {
    plen = compress_with(c, val, vlen, buf + OSC__HDR_LEN, cap - OSC__HDR_LEN, &dict_id);
    if (plen && plen < vlen) codec = (uint8_t)c->codec;
    else plen = 0, dict_id = 0;
  }
  if (codec == OSC_CACHE_CODEC_NONE) {
    if (vlen) memcpy(buf + OSC__HDR_LEN, val, vlen);
    plen = vlen;
  }
  buf[0] = HDR_MAGIC;
  buf[1] = (uint8_t)(HDR_VERSION | ((unsigned)ctype & 0xF) << 4);
  buf[2] = codec;
  buf[3] = 0;
  put32(buf + 4, dict_id);
  put32(buf + 8, (uint32_t)vlen);
  uLong crc = crc32(0L, buf, 12);
  crc = crc32(crc, buf + OSC__HDR_LEN, (uInt)plen);
  put32(buf + 12, (uint32_t)crc);
  atomic_fetch_add(&c->in_bytes, vlen);
  atomic_fetch_add(&c->out_bytes, plen + OSC__HDR_LEN);
  *out = buf;
  *olen = plen + OSC__HDR_LEN;
  return OSC_OK;
}

/* Validates the header and CRC; fills fields. */
static int check_header(const uint8_t *p, size_t n, uint8_t *codec, uint32_t *dict_id, uint32_t *orig,
                        osc_cache_ctype *ctype) {
  if (n < OSC__HDR_LEN) return osc_seterr(OSC_ECORRUPT, "stored value: %zu bytes is shorter than the header", n);
  if (p[0] != HDR_MAGIC) return osc_seterr(OSC_ECORRUPT, "stored value: bad magic 0x%02x", p[0]);
  if ((p[1] & 0xF) != HDR_VERSION) return osc_seterr(OSC_ECORRUPT, "stored value: unknown version %u", p[1] & 0xF);
  unsigned ct = p[1] >> 4;
  if (ct > OSC_CACHE_CTYPE_JSON) return osc_seterr(OSC_ECORRUPT, "stored value: unknown content type %u", ct);
  if (p[2] < OSC_CACHE_CODEC_NONE || p[2] > OSC_CACHE_CODEC_GZIP || p[3] != 0)
    return osc_seterr(OSC_ECORRUPT, "stored value: unknown codec %u", p[2]);
  *codec = p[2];
  *dict_id = get32(p + 4);
  *orig = get32(p + 8);
  *ctype = (osc_cache_ctype)ct;
  if (*orig > OSC_CACHE_MAX_VALUE) return osc_seterr(OSC_ECORRUPT, "stored value: length %u over the limit", *orig);
  uLong crc = crc32(0L, p, 12);
  crc = crc32(crc, p + OSC__HDR_LEN, (uInt)(n - OSC__HDR_LEN));
  if ((uint32_t)crc != get32(p + 12)) return osc_seterr(OSC_ECORRUPT, "stored value: checksum mismatch");
  if (*codec == OSC_CACHE_CODEC_NONE && *orig != n - OSC__HDR_LEN)
    return osc_seterr(OSC_ECORRUPT, "stored value: raw length %zu != recorded %u", n - OSC__HDR_LEN, *orig);
  return OSC_OK;
}

static int decompress_into(osc__codec *c, uint8_t codec, uint32_t dict_id, const uint8_t *src, size_t n, void *dst,
                           size_t orig) {
  size_t got = 0;
  switch (codec) {
    case OSC_CACHE_CODEC_NONE:
      if (orig) memcpy(dst, src, orig);
      return OSC_OK;
    case OSC_CACHE_CODEC_ZSTD: {
      zctx *z = zctx_get();
      if (!z) return OSC_ENOMEM;
      size_t r;
      if (dict_id) {
        if (!c || !c->ddict || dict_id != c->dict_id)
          return osc_seterr(OSC_ECORRUPT, "stored value: needs zstd dictionary %u, which is not loaded", dict_id);
        r = ZSTD_decompress_usingDDict(z->d, dst, orig, src, n, c->ddict);
      } else {
        r = ZSTD_decompressDCtx(z->d, dst, orig, src, n);
      }
      if (ZSTD_isError(r)) return osc_seterr(OSC_ECORRUPT, "stored value: zstd: %s", ZSTD_getErrorName(r));
      got = r;
      break;
    }
    case OSC_CACHE_CODEC_LZ4: {
      int r = LZ4_decompress_safe((const char *)src, dst, (int)n, (int)orig);
      if (r < 0) return osc_seterr(OSC_ECORRUPT, "stored value: lz4 payload is malformed");
      got = (size_t)r;
      break;
    }
    case OSC_CACHE_CODEC_BROTLI: {
      size_t out = orig;
      if (BrotliDecoderDecompress(n, src, &out, dst) != BROTLI_DECODER_RESULT_SUCCESS)
        return osc_seterr(OSC_ECORRUPT, "stored value: brotli payload is malformed");
      got = out;
      break;
    }
    case OSC_CACHE_CODEC_GZIP: {
      z_stream zs;
      memset(&zs, 0, sizeof zs);
      if (inflateInit2(&zs, 15 + 16) != Z_OK) return OSC_ENOMEM;
      zs.next_in = (Bytef *)(uintptr_t)src;
      zs.avail_in = (uInt)n;
      uint8_t dummy;
      zs.next_out = orig ? dst : &dummy;
      zs.avail_out = orig ? (uInt)orig : 0;
      int r = inflate(&zs, Z_FINISH);
      got = zs.total_out;
      inflateEnd(&zs);
      if (r != Z_STREAM_END) return osc_seterr(OSC_ECORRUPT, "stored value: gzip payload is malformed");
      break;
    }
    default: return osc_seterr(OSC_ECORRUPT, "stored value: unknown codec %u", codec);
  }
  if (got != orig) return osc_seterr(OSC_ECORRUPT, "stored value: decoded %zu bytes, header says %zu", got, orig);
  return OSC_OK;
}

int osc__codec_decode(osc__codec *c, const void *in, size_t ilen, void **out, size_t *olen, osc_cache_ctype *ctype) {
  *out = NULL;
  uint8_t codec;
  uint32_t dict_id, orig;
  osc_cache_ctype ct;
  int rc = check_header(in, ilen, &codec, &dict_id, &orig, &ct);
  if (rc) return rc;
  uint8_t *buf = malloc((size_t)orig + 1);
  if (!buf) return OSC_ENOMEM;
  rc = decompress_into(c, codec, dict_id, (const uint8_t *)in + OSC__HDR_LEN, ilen - OSC__HDR_LEN, buf, orig);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[orig] = 0;
  *out = buf;
  *olen = orig;
  if (ctype) *ctype = ct;
  return OSC_OK;
}

int osc__codec_decode_value(osc__codec *c, const void *in, size_t ilen, const void *key, size_t klen,
                            int64_t expire_ms, osc_cache_value **out) {
  *out = NULL;
  uint8_t codec;
  uint32_t dict_id, orig;
  osc_cache_ctype ct;
  int rc = check_header(in, ilen, &codec, &dict_id, &orig, &ct);
  if (rc) return rc;
  osc_cache_value *v = osc__value_alloc(key, klen, orig, ct, expire_ms);
  if (!v) return OSC_ENOMEM;
  rc = decompress_into(c, codec, dict_id, (const uint8_t *)in + OSC__HDR_LEN, ilen - OSC__HDR_LEN, v->data + klen,
                       orig);
  if (rc) {
    free(v);
    return rc;
  }
  *out = v;
  return OSC_OK;
}

int osc_cache_train_dict(const void *const *samples, const size_t *lens, size_t n, size_t dict_bytes,
                         const char *path, uint32_t *dict_id) {
  if (n < 8) return osc_seterr(OSC_EINVAL, "train-dict: %zu samples; at least 8 are needed", n);
  if (!dict_bytes) dict_bytes = 64 * 1024;
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += lens[i];
  char *all = malloc(total ? total : 1);
  size_t *sz = malloc(n * sizeof *sz);
  void *dict = malloc(dict_bytes);
  int rc = OSC_OK;
  if (!all || !sz || !dict) {
    rc = OSC_ENOMEM;
    goto out;
  }
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(all + off, samples[i], lens[i]);
    off += lens[i];
    sz[i] = lens[i];
  }
  size_t r = ZDICT_trainFromBuffer(dict, dict_bytes, all, sz, (unsigned)n);
  if (ZDICT_isError(r)) {
    rc = osc_seterr(OSC_EINTERNAL, "train-dict: zstd: %s (try more or larger samples)", ZDICT_getErrorName(r));
    goto out;
  }
  rc = osc_write_file_atomic(path, dict, r);
  if (rc == OSC_OK && dict_id) *dict_id = ZDICT_getDictID(dict, r);
out:
  free(all);
  free(sz);
  free(dict);
  return rc;
}
