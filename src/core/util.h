/*
 * core/util.h - small shared utilities (internal): hashing, random numbers,
 * strings, files and paths.
 */
#ifndef OSC_CORE_UTIL_H
#define OSC_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "oscontent/common.h"

#define OSC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OSC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define OSC_MAX(a, b) ((a) > (b) ? (a) : (b))
#define OSC_UNUSED(x) ((void)(x))

/** 64-bit hash of bytes (wyhash-style mixing; stable across runs and builds). */
OSC_API uint64_t osc_hash64(const void *p, size_t n, uint64_t seed);
/** Mixes one 64-bit value (splitmix64 finaliser). */
static inline uint64_t osc_mix64(uint64_t x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27; x *= 0x94d049bb133111ebULL;
  x ^= x >> 31; return x;
}

/** xoshiro256** generator; seed with osc_rng_seed. */
typedef struct osc_rng { uint64_t s[4]; } osc_rng;
OSC_API void osc_rng_seed(osc_rng *r, uint64_t seed);
OSC_API uint64_t osc_rng_next(osc_rng *r);
/** Uniform double in [0, 1). */
OSC_API double osc_rng_double(osc_rng *r);
/** Uniform integer in [0, n) (n > 0). */
OSC_API uint64_t osc_rng_below(osc_rng *r, uint64_t n);
/** A per-thread generator seeded from the OS on first use. */
OSC_API osc_rng *osc_rng_thread(void);
/** Fills @p buf with @p n random bytes from the OS (getrandom). */
OSC_API int osc_random_bytes(void *buf, size_t n);
/** Writes a random id of @p hex_len lowercase hex characters plus NUL into out. */
OSC_API void osc_random_hex(char *out, size_t hex_len);

OSC_API char *osc_strdup(const char *s);               /* NULL in, NULL out */
OSC_API char *osc_strndup(const char *s, size_t n);
OSC_API char *osc_asprintf(const char *fmt, ...) OSC_PRINTF(1, 2);
OSC_API bool osc_str_has_prefix(const char *s, const char *prefix);
OSC_API bool osc_str_has_suffix(const char *s, const char *suffix);
/** Trims ASCII white space in place; returns the start inside s. */
OSC_API char *osc_str_trim(char *s);

/** mkdir -p with @p mode.  OSC_OK or OSC_EIO (detail names the path). */
OSC_API int osc_mkdir_p(const char *path, unsigned mode);
/** rm -rf of a directory tree (for tests and cleanup).  OSC_OK or OSC_EIO. */
OSC_API int osc_rm_rf(const char *path);
/** Reads a whole file (NUL-terminated, malloc'd).  OSC_ENOENT, OSC_EIO, OSC_ETOOBIG (> max_bytes). */
OSC_API int osc_read_file(const char *path, size_t max_bytes, char **out, size_t *len);
/** Writes a file atomically: temp file in the same directory, fsync, rename. */
OSC_API int osc_write_file_atomic(const char *path, const void *data, size_t len);
/** Joins two path parts with one '/'.  malloc'd. */
OSC_API char *osc_path_join(const char *a, const char *b);
/** True if @p rel is a safe relative path: no leading '/', no "..", no empty or NUL parts. */
OSC_API bool osc_path_is_safe_relative(const char *rel);
/** Usable CPU count: cgroup v2 cpu.max quota and sched_getaffinity, at least 1. */
OSC_API int osc_cpu_count(void);

#endif
