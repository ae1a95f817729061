/*
 * cache/cache_json.h - the stats as JSON, shared by the CLI and the HTTP route (internal).
 */
#ifndef OSC_CACHE_JSON_H
#define OSC_CACHE_JSON_H

#include <jansson.h>

#include "oscontent/cache.h"

/* The original's flat fields (hits, misses, sets, deletes, evictions, compression_ratio,
 * memory_usage, disk_usage, l1_size, hit_rate) plus "levels" with every counter per level. */
OSC_API json_t *osc__cache_stats_json(const osc_cache_stats *s);

#endif
