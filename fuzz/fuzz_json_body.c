/*
 * fuzz_json_body: request bodies through the JSON parser and the typed field
 * validators every route uses (osc_json_get_*), with the strict settings the
 * server applies (duplicate keys rejected).  Must never crash, leak or read
 * out of bounds, whatever the bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "oscontent/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *v = NULL;
  if (osc_json_parse((const char *)data, size, true, &v) != OSC_OK) return 0;
  const char *s = NULL;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  static const char *const keys[] = {"key", "text", "prompt", "ttl", "duration", "fps", "value", "items", ""};
  for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
    osc_json_get_str(v, keys[k], false, 4096, &s);
    osc_json_get_int(v, keys[k], false, -1000, 1000, &i);
    osc_json_get_double(v, keys[k], false, -1e9, 1e9, &d);
    osc_json_get_bool(v, keys[k], true, &b);
  }
  char *out = osc_json_dump(v);
  if (out) {
    json_t *again = NULL;
    /* What we print we must be able to read back. */
    if (osc_json_parse(out, strlen(out), false, &again) != OSC_OK) abort();
    json_decref(again);
    free(out);
  }
  json_decref(v);
  return 0;
}
