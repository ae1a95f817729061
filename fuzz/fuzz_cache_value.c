/*
 * fuzz/fuzz_cache_value.c - the stored-value decoder (L2/L3 bytes) must
 * reject anything malformed with OSC_ECORRUPT and never crash, and every
 * value it accepts must re-encode to something that decodes the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cache/cache_int.h"
#include "oscontent/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static osc__codec *codecs[6];
  if (!codecs[1])
    for (int c = OSC_CACHE_CODEC_NONE; c <= OSC_CACHE_CODEC_GZIP; c++)
      if (osc__codec_new((osc_cache_codec)c, 0, 16, NULL, &codecs[c]) != OSC_OK) abort();
  void *out = NULL;
  size_t olen = 0;
  osc_cache_ctype ct;
  int rc = osc__codec_decode(codecs[2], data, size, &out, &olen, &ct);
  if (rc == OSC_OK) {
    /* round trip through every codec */
    for (int c = OSC_CACHE_CODEC_NONE; c <= OSC_CACHE_CODEC_GZIP; c++) {
      void *enc, *dec;
      size_t elen, dlen;
      if (osc__codec_encode(codecs[c], out, olen, ct, &enc, &elen) != OSC_OK) abort();
      if (osc__codec_decode(codecs[c], enc, elen, &dec, &dlen, NULL) != OSC_OK) abort();
      if (dlen != olen || (olen && memcmp(dec, out, olen))) abort();
      free(enc);
      free(dec);
    }
    free(out);
  } else if (rc != OSC_ECORRUPT && rc != OSC_ENOMEM) {
    abort();
  }
  /* the same bytes with a valid checksum: the decompressors themselves meet the malformed payload */
  if (size >= OSC__HDR_LEN && size <= 65536) {
    uint8_t *fixed = malloc(size);
    memcpy(fixed, data, size);
    uLong crc = crc32(crc32(0L, fixed, 12), fixed + OSC__HDR_LEN, (uInt)(size - OSC__HDR_LEN));
    fixed[12] = (uint8_t)crc, fixed[13] = (uint8_t)(crc >> 8), fixed[14] = (uint8_t)(crc >> 16),
    fixed[15] = (uint8_t)(crc >> 24);
    rc = osc__codec_decode(codecs[2], fixed, size, &out, &olen, &ct);
    if (rc == OSC_OK) free(out);
    else if (rc != OSC_ECORRUPT && rc != OSC_ENOMEM) abort();
    free(fixed);
  }
  /* the raw input as a value must always round-trip */
  if (size <= 4096) {
    void *enc, *dec;
    size_t elen, dlen;
    if (osc__codec_encode(codecs[1 + size % 5], data, size, OSC_CACHE_CTYPE_BINARY, &enc, &elen) != OSC_OK) abort();
    if (osc__codec_decode(codecs[1 + size % 5], enc, elen, &dec, &dlen, NULL) != OSC_OK) abort();
    if (dlen != size || (size && memcmp(dec, data, size))) abort();
    free(enc);
    free(dec);
  }
  return 0;
}
