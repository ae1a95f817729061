/*
 * core/json.h - helpers over jansson (internal; jansson never appears in
 * include/).
 */
#ifndef OSC_CORE_JSON_H
#define OSC_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "oscontent/common.h"

/**
 * Parses JSON text.  On failure returns OSC_EPARSE with a detail
 * "invalid JSON at line L, column C: <reason>".  Accepts any JSON value at
 * top level (JSON_DECODE_ANY) and rejects duplicate object keys when
 * @p strict.  Nesting deeper than jansson's limit (2048) is rejected.
 */
OSC_API int osc_json_parse(const char *text, size_t len, bool strict, json_t **out);

/** Dumps compactly (no spaces); malloc'd; NULL only on ENOMEM. */
OSC_API char *osc_json_dump(const json_t *v);
OSC_API char *osc_json_dump_pretty(const json_t *v);

/* Typed member access for request validation.  Each returns OSC_OK,
 * OSC_EINVAL with a detail naming the field ("name: field required" when it
 * is missing and required, or
 * field and what was expected ("duration: expected an integer from 1 to 60").
 * When the field is missing and not required, *out is left unchanged. */
OSC_API int osc_json_get_str(const json_t *obj, const char *key, bool required, size_t max_len, const char **out);
OSC_API int osc_json_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t *out);
OSC_API int osc_json_get_double(const json_t *obj, const char *key, bool required, double min, double max, double *out);
OSC_API int osc_json_get_bool(const json_t *obj, const char *key, bool required, bool *out);

/** json_object_set_new that tolerates NULL values (sets null) and returns OSC_ENOMEM on failure. */
OSC_API int osc_json_set(json_t *obj, const char *key, json_t *take);

#endif
