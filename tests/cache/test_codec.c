/* tests/cache/test_codec.c - the stored-value format: every codec round-trips, corruption is caught. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cache/cache_int.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "testutil.h"

static char *json_corpus(size_t n, uint64_t seed) {
  osc_rng r;
  osc_rng_seed(&r, seed);
  char *s = malloc(n + 64);
  size_t off = 0;
  static const char *words[] = {"video", "status", "completed", "processing", "sentiment", "positive", "score",
                                "keywords", "entities", "language", "en", "summary"};
  while (off < n) {
    off += (size_t)snprintf(s + off, n + 64 - off, "{\"%s\":\"%s\",\"id\":%llu},", words[osc_rng_below(&r, 12)],
                            words[osc_rng_below(&r, 12)], (unsigned long long)osc_rng_below(&r, 100000));
  }
  s[n] = 0;
  return s;
}

static void roundtrip(osc__codec *c, const void *val, size_t n, bool expect_compressed) {
  void *enc;
  size_t elen;
  assert_int_equal(osc__codec_encode(c, val, n, OSC_CACHE_CTYPE_JSON, &enc, &elen), OSC_OK);
  if (expect_compressed) assert_true(elen < n);
  else assert_int_equal(elen, n + OSC__HDR_LEN);
  void *dec;
  size_t dlen;
  osc_cache_ctype ct;
  assert_int_equal(osc__codec_decode(c, enc, elen, &dec, &dlen, &ct), OSC_OK);
  assert_int_equal(dlen, n);
  assert_int_equal(ct, OSC_CACHE_CTYPE_JSON);
  if (n) assert_memory_equal(dec, val, n);
  free(dec);
  free(enc);
}

static void test_roundtrips(void **st) {
  (void)st;
  char *big = json_corpus(1 << 20, 1);
  char *mid = json_corpus(4000, 2);
  uint8_t *noise = malloc(100000);
  osc_random_bytes(noise, 100000);
  for (int codec = OSC_CACHE_CODEC_NONE; codec <= OSC_CACHE_CODEC_GZIP; codec++) {
    osc__codec *c;
    assert_int_equal(osc__codec_new((osc_cache_codec)codec, 0, 256, NULL, &c), OSC_OK);
    bool comp = codec != OSC_CACHE_CODEC_NONE;
    roundtrip(c, "", 0, false);       /* empty */
    roundtrip(c, "x", 1, false);      /* tiny: under the threshold, raw */
    roundtrip(c, mid, 200, false);    /* still under the threshold */
    roundtrip(c, mid, 4000, comp);    /* compressible */
    roundtrip(c, big, 1 << 20, comp); /* large */
    roundtrip(c, noise, 100000, false); /* incompressible: stored raw */
    osc__codec_free(c);
  }
  /* levels */
  osc__codec *c;
  assert_int_equal(osc__codec_new(OSC_CACHE_CODEC_ZSTD, 19, 0, NULL, &c), OSC_OK);
  roundtrip(c, mid, 4000, true);
  osc__codec_free(c);
  assert_int_equal(osc__codec_new(OSC_CACHE_CODEC_LZ4, 9, 0, NULL, &c), OSC_OK);
  roundtrip(c, mid, 4000, true);
  osc__codec_free(c);
  assert_int_equal(osc__codec_new(OSC_CACHE_CODEC_BROTLI, 12, 0, NULL, &c), OSC_EINVAL);
  free(big);
  free(mid);
  free(noise);
}

static void test_corruption(void **st) {
  (void)st;
  char *mid = json_corpus(4000, 3);
  for (int codec = OSC_CACHE_CODEC_NONE; codec <= OSC_CACHE_CODEC_GZIP; codec++) {
    osc__codec *c;
    assert_int_equal(osc__codec_new((osc_cache_codec)codec, 0, 256, NULL, &c), OSC_OK);
    void *enc;
    size_t elen;
    assert_int_equal(osc__codec_encode(c, mid, 4000, OSC_CACHE_CTYPE_TEXT, &enc, &elen), OSC_OK);
    uint8_t *b = enc;
    void *dec;
    size_t dlen;
    /* every single-byte flip in the header and a sample of the payload is caught */
    for (size_t i = 0; i < elen; i += (i < OSC__HDR_LEN ? 1 : 97)) {
      b[i] ^= 0x20;
      assert_int_equal(osc__codec_decode(c, enc, elen, &dec, &dlen, NULL), OSC_ECORRUPT);
      b[i] ^= 0x20;
    }
    /* truncation */
    assert_int_equal(osc__codec_decode(c, enc, elen - 1, &dec, &dlen, NULL), OSC_ECORRUPT);
    assert_int_equal(osc__codec_decode(c, enc, 5, &dec, &dlen, NULL), OSC_ECORRUPT);
    assert_non_null(strstr(osc_errmsg(), "header"));
    assert_int_equal(osc__codec_decode(c, enc, elen, &dec, &dlen, NULL), OSC_OK);
    free(dec);
    free(enc);
    osc__codec_free(c);
  }
  free(mid);
}

static void test_dictionary(void **st) {
  (void)st;
  char *dir = osc_test_tmpdir("cache-dict");
  char *path = osc_path_join(dir, "d.zdict");
  enum { N = 400 };
  char *samples[N];
  size_t lens[N];
  for (int i = 0; i < N; i++) {
    samples[i] = json_corpus(300 + (size_t)(i % 7) * 100, 100 + (uint64_t)i);
    lens[i] = strlen(samples[i]);
  }
  uint32_t id = 0;
  assert_int_equal(osc_cache_train_dict((const void *const *)samples, lens, N, 16 * 1024, path, &id), OSC_OK);
  assert_true(id != 0);
  osc__codec *with, *without;
  assert_int_equal(osc__codec_new(OSC_CACHE_CODEC_ZSTD, 1, 0, path, &with), OSC_OK);
  assert_int_equal(osc__codec_new(OSC_CACHE_CODEC_ZSTD, 1, 0, NULL, &without), OSC_OK);
  char *probe = json_corpus(500, 99999);
  void *e1, *e2;
  size_t l1, l2;
  assert_int_equal(osc__codec_encode(with, probe, 500, OSC_CACHE_CTYPE_JSON, &e1, &l1), OSC_OK);
  assert_int_equal(osc__codec_encode(without, probe, 500, OSC_CACHE_CTYPE_JSON, &e2, &l2), OSC_OK);
  assert_true(l1 < l2); /* the dictionary helps small values */
  void *dec;
  size_t dlen;
  assert_int_equal(osc__codec_decode(with, e1, l1, &dec, &dlen, NULL), OSC_OK);
  assert_memory_equal(dec, probe, 500);
  free(dec);
  /* a codec without the dictionary refuses the value (corrupt = miss), never guesses */
  assert_int_equal(osc__codec_decode(without, e1, l1, &dec, &dlen, NULL), OSC_ECORRUPT);
  assert_non_null(strstr(osc_errmsg(), "dictionary"));
  free(e1);
  free(e2);
  free(probe);
  osc__codec_free(with);
  osc__codec_free(without);
  /* too few samples, and a file that is not a dictionary */
  assert_int_equal(osc_cache_train_dict((const void *const *)samples, lens, 3, 0, path, NULL), OSC_EINVAL);
  char *bad = osc_path_join(dir, "bad");
  assert_int_equal(osc_write_file_atomic(bad, "nope", 4), OSC_OK);
  assert_int_equal(osc__codec_new(OSC_CACHE_CODEC_ZSTD, 1, 0, bad, &with), OSC_ECORRUPT);
  for (int i = 0; i < N; i++) free(samples[i]);
  free(bad);
  free(path);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_roundtrips), cmocka_unit_test(test_corruption),
                                     cmocka_unit_test(test_dictionary)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
