/*
 * core/json.c - jansson helpers: parse with line/column errors, typed and
 * range-checked member access for request validation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "oscontent/error.h"

int osc_json_parse(const char *text, size_t len, bool strict, json_t **out) {
  json_error_t err;
  size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
  if (strict) flags |= JSON_REJECT_DUPLICATES;
  json_t *v = json_loadb(text, len, flags, &err);
  if (!v) {
    return osc_seterr(OSC_EPARSE, "invalid JSON at line %d, column %d: %s", err.line, err.column, err.text);
  }
  *out = v;
  return OSC_OK;
}

char *osc_json_dump(const json_t *v) { return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY); }
char *osc_json_dump_pretty(const json_t *v) { return json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY); }

static int missing(const char *key, bool required) {
  if (required) return osc_seterr(OSC_EINVAL, "%s: field required", key);
  return OSC_ENOENT;
}

int osc_json_get_str(const json_t *obj, const char *key, bool required, size_t max_len, const char **out) {
  json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  if (!v || json_is_null(v)) return missing(key, required) == OSC_ENOENT ? OSC_OK : OSC_EINVAL;
  if (!json_is_string(v)) return osc_seterr(OSC_EINVAL, "%s: expected a string", key);
  size_t n = json_string_length(v);
  if (max_len && n > max_len) return osc_seterr(OSC_EINVAL, "%s: longer than %zu bytes (%zu)", key, max_len, n);
  if (memchr(json_string_value(v), '\0', n)) return osc_seterr(OSC_EINVAL, "%s: contains a NUL character", key);
  *out = json_string_value(v);
  return OSC_OK;
}

int osc_json_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t *out) {
  json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  if (!v || json_is_null(v)) return missing(key, required) == OSC_ENOENT ? OSC_OK : OSC_EINVAL;
  int64_t x;
  if (json_is_integer(v)) {
    x = (int64_t)json_integer_value(v);
  } else if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) && fabs(json_real_value(v)) < 9e15) {
    x = (int64_t)json_real_value(v);
  } else {
    return osc_seterr(OSC_EINVAL, "%s: expected an integer from %lld to %lld", key, (long long)min, (long long)max);
  }
  if (x < min || x > max)
    return osc_seterr(OSC_EINVAL, "%s: %lld is out of range (expected %lld to %lld)", key, (long long)x,
                      (long long)min, (long long)max);
  *out = x;
  return OSC_OK;
}

int osc_json_get_double(const json_t *obj, const char *key, bool required, double min, double max, double *out) {
  json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  if (!v || json_is_null(v)) return missing(key, required) == OSC_ENOENT ? OSC_OK : OSC_EINVAL;
  if (!json_is_number(v)) return osc_seterr(OSC_EINVAL, "%s: expected a number from %g to %g", key, min, max);
  double x = json_number_value(v);
  if (!(x >= min && x <= max)) return osc_seterr(OSC_EINVAL, "%s: %g is out of range (expected %g to %g)", key, x, min, max);
  *out = x;
  return OSC_OK;
}

int osc_json_get_bool(const json_t *obj, const char *key, bool required, bool *out) {
  json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  if (!v || json_is_null(v)) return missing(key, required) == OSC_ENOENT ? OSC_OK : OSC_EINVAL;
  if (!json_is_boolean(v)) return osc_seterr(OSC_EINVAL, "%s: expected true or false", key);
  *out = json_is_true(v);
  return OSC_OK;
}

int osc_json_set(json_t *obj, const char *key, json_t *take) {
  if (json_object_set_new(obj, key, take ? take : json_null()) != 0)
    return osc_seterr(OSC_ENOMEM, "json: cannot set %s", key);
  return OSC_OK;
}
