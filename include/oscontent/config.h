/*
 * oscontent/config.h - one table of settings, layered sources.
 *
 * Every setting is declared once in a module's table (name, type, default,
 * range, help).  Effective values come from, in increasing precedence:
 * the defaults < a config file < the environment (OSC_<NAME>, with dots as
 * underscores, e.g. OSC_CACHE_L1_MAX_BYTES; REDIS_URL sets redis_url) <
 * command-line flags.  Each value remembers where it came from, so a bad one
 * is reported as "cache.l1_policy=xyz (from OSC_CACHE_L1_POLICY): expected
 * one of lru|lfu|fifo|s3fifo".
 *
 * Config file format: INI-like text.  `# comment`, `[section]` then
 * `key = value` lines, where the full name is `section.key`; lines before any
 * section name top-level settings.  Values may be quoted with "...".
 *
 * Value syntax by type: bool (true/false/yes/no/on/off/1/0), int, double,
 * string, enum (one of `choices`), bytes (integer with optional
 * B/KB/MB/GB/KiB/MiB/GiB suffix), duration (integer with ms/s/m/h/d suffix;
 * a bare number means milliseconds).
 *
 * Thread safety: loading is single-threaded (start-up); after that all
 * getters are safe from any thread as long as nobody sets values.
 */
#ifndef OSCONTENT_CONFIG_H
#define OSCONTENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "oscontent/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum osc_setting_type {
  OSC_SETTING_BOOL = 0,
  OSC_SETTING_INT,
  OSC_SETTING_DOUBLE,
  OSC_SETTING_STRING,
  OSC_SETTING_ENUM,
  OSC_SETTING_BYTES,    /* stored as int64 bytes */
  OSC_SETTING_DURATION  /* stored as int64 milliseconds */
} osc_setting_type;

/** One declared setting.  Tables end with an all-zero entry. */
typedef struct osc_setting_def {
  const char *name;     /* "cache.l1_max_bytes": lower case, dots separate sections */
  osc_setting_type type;
  const char *def;      /* default value as text, parsed like any other source */
  double min, max;      /* inclusive range for numeric types (after unit parsing); both 0 = unbounded */
  const char *choices;  /* ENUM only: "lru|lfu|fifo|s3fifo" */
  const char *help;     /* one sentence */
} osc_setting_def;

typedef enum osc_setting_source {
  OSC_SOURCE_DEFAULT = 0,
  OSC_SOURCE_FILE,
  OSC_SOURCE_ENV,
  OSC_SOURCE_CLI,
  OSC_SOURCE_API
} osc_setting_source;

typedef struct osc_config osc_config;

/** A config holding the defaults of every compiled-in setting.  NULL on ENOMEM. */
OSC_API osc_config *osc_config_new(void);
OSC_API void osc_config_free(osc_config *cfg);

/**
 * Loads a config file.
 * @return OSC_OK, OSC_ENOENT (cannot open), OSC_EPARSE (syntax, detail names
 *         file:line), OSC_EINVAL (unknown setting or bad value, detail names
 *         file:line, the setting and what is allowed).
 */
OSC_API int osc_config_load_file(osc_config *cfg, const char *path);

/** Applies OSC_* variables (and REDIS_URL) from the environment.  Unknown OSC_ variables are ignored
 *  except that a variable naming no setting is logged at WARN.  @return OSC_OK or OSC_EINVAL. */
OSC_API int osc_config_load_env(osc_config *cfg);

/**
 * Sets one value from text.  @p origin says where it came from for error
 * messages and `config show` ("--port", "conf.ini:12", "OSC_PORT").
 * @return OSC_OK, OSC_ENOENT (no such setting), OSC_EINVAL (bad value).
 */
OSC_API int osc_config_set(osc_config *cfg, const char *name, const char *value,
                           osc_setting_source source, const char *origin);

/** True if @p name is a declared setting. */
OSC_API bool osc_config_has(const osc_config *cfg, const char *name);

/* Typed getters.  Asking for an undeclared name or the wrong type is a
 * programming error: the getter logs it and returns 0 / false / "". */
OSC_API int64_t osc_config_int(const osc_config *cfg, const char *name);   /* INT, BYTES, DURATION(ms), BOOL */
OSC_API double osc_config_double(const osc_config *cfg, const char *name); /* any numeric type */
OSC_API bool osc_config_bool(const osc_config *cfg, const char *name);
OSC_API const char *osc_config_str(const osc_config *cfg, const char *name); /* STRING, ENUM; valid while cfg lives and the value is unchanged */

/** Effective value as canonical text and its source; @p origin may be NULL. */
OSC_API const char *osc_config_text(const osc_config *cfg, const char *name,
                                    osc_setting_source *source, const char **origin);

OSC_API const char *osc_setting_source_name(osc_setting_source source);
OSC_API const char *osc_setting_type_name(osc_setting_type type);

/** Number of declared settings and the i-th one, sorted by name. */
OSC_API size_t osc_config_count(const osc_config *cfg);
OSC_API const osc_setting_def *osc_config_def_at(const osc_config *cfg, size_t i);

/**
 * Renders every effective value with its source, as JSON
 * ({"name": {"value":..., "source":..., "origin":..., "type":..., "help":...}})
 * or as aligned text.  *out is malloc'd; the caller frees it.
 */
OSC_API int osc_config_render(const osc_config *cfg, bool json, char **out);

/**
 * Path of @p sub under the data_dir setting, creating the directories
 * (mode 0700) when @p create.  *out is malloc'd.  A @p sub containing ".."
 * components or starting with '/' is OSC_EINVAL.
 */
OSC_API int osc_config_data_path(const osc_config *cfg, const char *sub, bool create, char **out);

/* Unit parsers shared by every module (also used for CLI flags). */
OSC_API int osc_parse_bytes(const char *text, int64_t *out);
OSC_API int osc_parse_duration_ms(const char *text, int64_t *out);
OSC_API int osc_parse_bool(const char *text, bool *out);
OSC_API int osc_parse_int(const char *text, int64_t *out);
OSC_API int osc_parse_double(const char *text, double *out);

#ifdef __cplusplus
}
#endif
#endif
