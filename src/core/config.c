/*
 * core/config.c - the settings table and its layered sources.
 *
 * Tables are gathered from every compiled-in module (osc_modules.h, made by
 * CMake) and sorted by name once per config.  Each entry keeps the parsed
 * value, its canonical text, and where it came from.  Sources are applied in
 * the order the program calls them; a later call overrides an earlier one
 * only if its precedence is not lower, so the order of calls cannot invert
 * defaults < file < env < CLI.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/util.h"
#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

extern char **environ;

#define OSC_MODULE(m) extern const osc_setting_def osc__settings_##m[];
#include "osc_modules.h"
#undef OSC_MODULE

static const osc_setting_def *const g_tables[] = {
#define OSC_MODULE(m) osc__settings_##m,
#include "osc_modules.h"
#undef OSC_MODULE
};

typedef struct entry {
  const osc_setting_def *def;
  int64_t i;
  double d;
  char *text; /* canonical text; for STRING/ENUM the value itself */
  osc_setting_source source;
  char *origin;
} entry;

struct osc_config {
  entry *entries;
  size_t count;
};

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const entry *)a)->def->name, ((const entry *)b)->def->name);
}

static entry *find(const osc_config *cfg, const char *name) {
  size_t lo = 0, hi = cfg->count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(cfg->entries[mid].def->name, name);
    if (c == 0) return &cfg->entries[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* ---- unit parsers ---- */

int osc_parse_int(const char *text, int64_t *out) {
  if (!text || !*text) return osc_seterr(OSC_EINVAL, "expected an integer, got an empty value");
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || *end || end == text) return osc_seterr(OSC_EINVAL, "'%s' is not an integer", text);
  *out = v;
  return OSC_OK;
}

int osc_parse_double(const char *text, double *out) {
  if (!text || !*text) return osc_seterr(OSC_EINVAL, "expected a number, got an empty value");
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || *end || end == text || !isfinite(v)) return osc_seterr(OSC_EINVAL, "'%s' is not a number", text);
  *out = v;
  return OSC_OK;
}

int osc_parse_bool(const char *text, bool *out) {
  static const char *const yes[] = {"1", "true", "yes", "on"};
  static const char *const no[] = {"0", "false", "no", "off"};
  for (size_t i = 0; text && i < 4; i++) {
    if (strcasecmp(text, yes[i]) == 0) return *out = true, OSC_OK;
    if (strcasecmp(text, no[i]) == 0) return *out = false, OSC_OK;
  }
  return osc_seterr(OSC_EINVAL, "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", text ? text : "");
}

typedef struct unit { const char *name; double mul; } unit;

static int parse_with_units(const char *text, const unit *units, size_t nunits, const char *what, int64_t *out) {
  if (!text || !*text) return osc_seterr(OSC_EINVAL, "expected %s, got an empty value", what);
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || !isfinite(v)) return osc_seterr(OSC_EINVAL, "'%s' is not %s", text, what);
  while (*end == ' ') end++;
  double mul = 1;
  if (*end) {
    size_t i;
    for (i = 0; i < nunits; i++)
      if (strcasecmp(end, units[i].name) == 0) break;
    if (i == nunits) return osc_seterr(OSC_EINVAL, "'%s' is not %s (unknown unit '%s')", text, what, end);
    mul = units[i].mul;
  }
  double r = v * mul;
  if (r > 9.2e18 || r < -9.2e18) return osc_seterr(OSC_EINVAL, "'%s' is out of range", text);
  *out = (int64_t)llround(r);
  return OSC_OK;
}

int osc_parse_bytes(const char *text, int64_t *out) {
  static const unit units[] = {{"b", 1},          {"k", 1024},       {"kb", 1000},          {"kib", 1024},
                               {"m", 1048576},    {"mb", 1e6},       {"mib", 1048576},      {"g", 1073741824.0},
                               {"gb", 1e9},       {"gib", 1073741824.0}, {"t", 1099511627776.0}, {"tb", 1e12},
                               {"tib", 1099511627776.0}};
  return parse_with_units(text, units, OSC_ARRAY_LEN(units), "a size in bytes (e.g. 64MiB)", out);
}

int osc_parse_duration_ms(const char *text, int64_t *out) {
  static const unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
  return parse_with_units(text, units, OSC_ARRAY_LEN(units), "a duration (e.g. 250ms, 30s, 5m, 1h)", out);
}

/* ---- typed storage ---- */

static int parse_value(const osc_setting_def *def, const char *value, int64_t *iv, double *dv, char **canon) {
  char tmp[64];
  int rc = OSC_OK;
  switch (def->type) {
    case OSC_SETTING_BOOL: {
      bool b;
      if ((rc = osc_parse_bool(value, &b))) return rc;
      *iv = b;
      *dv = b;
      *canon = strdup(b ? "true" : "false");
      break;
    }
    case OSC_SETTING_INT:
      if ((rc = osc_parse_int(value, iv))) return rc;
      *dv = (double)*iv;
      snprintf(tmp, sizeof tmp, "%lld", (long long)*iv);
      *canon = strdup(tmp);
      break;
    case OSC_SETTING_BYTES:
    case OSC_SETTING_DURATION:
      rc = def->type == OSC_SETTING_BYTES ? osc_parse_bytes(value, iv) : osc_parse_duration_ms(value, iv);
      if (rc) return rc;
      *dv = (double)*iv;
      snprintf(tmp, sizeof tmp, "%lld%s", (long long)*iv, def->type == OSC_SETTING_DURATION ? "ms" : "");
      *canon = strdup(tmp);
      break;
    case OSC_SETTING_DOUBLE:
      if ((rc = osc_parse_double(value, dv))) return rc;
      *iv = (int64_t)*dv;
      snprintf(tmp, sizeof tmp, "%.17g", *dv);
      *canon = strdup(tmp);
      break;
    case OSC_SETTING_STRING:
      *iv = 0;
      *dv = 0;
      *canon = strdup(value ? value : "");
      break;
    case OSC_SETTING_ENUM: {
      const char *c = def->choices ? def->choices : "";
      size_t vl = strlen(value ? value : "");
      bool ok = false;
      for (const char *p = c; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vl && strncasecmp(p, value, n) == 0) {
          ok = true;
          *canon = strndup(p, n);
          break;
        }
        p += n + (bar ? 1 : 0);
      }
      if (!ok) return osc_seterr(OSC_EINVAL, "'%s' is not one of %s", value ? value : "", c);
      *iv = 0;
      *dv = 0;
      break;
    }
  }
  if (!*canon) return osc_seterr(OSC_ENOMEM, "out of memory");
  bool numeric = def->type == OSC_SETTING_INT || def->type == OSC_SETTING_DOUBLE ||
                 def->type == OSC_SETTING_BYTES || def->type == OSC_SETTING_DURATION;
  if (numeric && !(def->min == 0 && def->max == 0) && (*dv < def->min || *dv > def->max)) {
    free(*canon);
    *canon = NULL;
    return osc_seterr(OSC_EINVAL, "'%s' is out of range (allowed %.15g to %.15g%s)", value, def->min, def->max,
                      def->type == OSC_SETTING_DURATION ? " ms" : def->type == OSC_SETTING_BYTES ? " bytes" : "");
  }
  return OSC_OK;
}

osc_config *osc_config_new(void) {
  size_t n = 0;
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_tables); t++)
    for (const osc_setting_def *d = g_tables[t]; d->name; d++) n++;
  osc_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) return NULL;
  cfg->entries = calloc(n ? n : 1, sizeof(entry));
  if (!cfg->entries) {
    free(cfg);
    return NULL;
  }
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_tables); t++)
    for (const osc_setting_def *d = g_tables[t]; d->name; d++) cfg->entries[cfg->count++].def = d;
  qsort(cfg->entries, cfg->count, sizeof(entry), cmp_entry);
  for (size_t i = 0; i < cfg->count; i++) {
    entry *e = &cfg->entries[i];
    if (i > 0 && strcmp(cfg->entries[i - 1].def->name, e->def->name) == 0)
      OSC_ERROR("config", "setting %s is declared twice", e->def->name);
    if (parse_value(e->def, e->def->def ? e->def->def : "", &e->i, &e->d, &e->text) != OSC_OK) {
      OSC_ERROR("config", "default of %s is invalid: %s", e->def->name, osc_errmsg());
      e->text = strdup("");
    }
    e->source = OSC_SOURCE_DEFAULT;
  }
  return cfg;
}

void osc_config_free(osc_config *cfg) {
  if (!cfg) return;
  for (size_t i = 0; i < cfg->count; i++) {
    free(cfg->entries[i].text);
    free(cfg->entries[i].origin);
  }
  free(cfg->entries);
  free(cfg);
}

bool osc_config_has(const osc_config *cfg, const char *name) { return find(cfg, name) != NULL; }

static void describe_allowed(const osc_setting_def *def, char *buf, size_t len) {
  switch (def->type) {
    case OSC_SETTING_ENUM: snprintf(buf, len, "one of %s", def->choices); break;
    case OSC_SETTING_BOOL: snprintf(buf, len, "true or false"); break;
    case OSC_SETTING_STRING: snprintf(buf, len, "a string"); break;
    default:
      if (def->min == 0 && def->max == 0)
        snprintf(buf, len, "%s", osc_setting_type_name(def->type));
      else
        snprintf(buf, len, "%s from %.15g to %.15g", osc_setting_type_name(def->type), def->min, def->max);
  }
}

int osc_config_set(osc_config *cfg, const char *name, const char *value, osc_setting_source source,
                   const char *origin) {
  entry *e = find(cfg, name);
  if (!e) return osc_seterr(OSC_ENOENT, "unknown setting '%s'%s%s", name, origin ? " from " : "", origin ? origin : "");
  if (source < e->source) return OSC_OK; /* a weaker source never overrides a stronger one */
  int64_t iv;
  double dv;
  char *canon = NULL;
  int rc = parse_value(e->def, value, &iv, &dv, &canon);
  if (rc) {
    char why[256], allowed[160];
    snprintf(why, sizeof why, "%s", osc_errmsg());
    describe_allowed(e->def, allowed, sizeof allowed);
    return osc_seterr(rc, "%s=%s (from %s): %s; expected %s", name, value ? value : "",
                      origin ? origin : osc_setting_source_name(source), why, allowed);
  }
  char *org = origin ? strdup(origin) : NULL;
  free(e->text);
  free(e->origin);
  e->text = canon;
  e->origin = org;
  e->i = iv;
  e->d = dv;
  e->source = source;
  return OSC_OK;
}

int osc_config_load_file(osc_config *cfg, const char *path) {
  char *text = NULL;
  size_t len = 0;
  int rc = osc_read_file(path, 1 << 20, &text, &len);
  if (rc) return rc;
  char section[128] = "";
  int lineno = 0;
  char *p = text;
  rc = OSC_OK;
  while (p && *p && rc == OSC_OK) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    lineno++;
    char *line = osc_str_trim(p);
    p = nl ? nl + 1 : NULL;
    if (!*line || *line == '#' || *line == ';') continue;
    char origin[512];
    snprintf(origin, sizeof origin, "%s:%d", path, lineno);
    if (*line == '[') {
      char *end = strchr(line, ']');
      if (!end || end[1] != '\0') {
        rc = osc_seterr(OSC_EPARSE, "%s: expected '[section]'", origin);
        break;
      }
      *end = '\0';
      snprintf(section, sizeof section, "%s", osc_str_trim(line + 1));
      continue;
    }
    char *eq = strchr(line, '=');
    if (!eq) {
      rc = osc_seterr(OSC_EPARSE, "%s: expected 'key = value', got '%s'", origin, line);
      break;
    }
    *eq = '\0';
    char *key = osc_str_trim(line);
    char *val = osc_str_trim(eq + 1);
    size_t vl = strlen(val);
    if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
      val[vl - 1] = '\0';
      val++;
    } else {
      char *hash = strstr(val, " #");
      if (hash) {
        *hash = '\0';
        val = osc_str_trim(val);
      }
    }
    char name[256];
    if (section[0])
      snprintf(name, sizeof name, "%s.%s", section, key);
    else
      snprintf(name, sizeof name, "%s", key);
    for (char *c = name; *c; c++) *c = (char)tolower((unsigned char)*c);
    rc = osc_config_set(cfg, name, val, OSC_SOURCE_FILE, origin);
    if (rc == OSC_ENOENT) rc = osc_seterr(OSC_EINVAL, "%s: unknown setting '%s'", origin, name);
  }
  free(text);
  return rc;
}

/* OSC_CACHE_L1_MAX_BYTES -> cache.l1_max_bytes is ambiguous (underscores in
 * names), so go the other way: derive each setting's variable name and look
 * it up. */
static void env_name(const char *setting, char *out, size_t len) {
  size_t j = snprintf(out, len, "OSC_");
  for (const char *c = setting; *c && j + 1 < len; c++) out[j++] = *c == '.' ? '_' : (char)toupper((unsigned char)*c);
  out[j] = '\0';
}

int osc_config_load_env(osc_config *cfg) {
  entry *redis = find(cfg, "redis_url");
  const char *ru = getenv("REDIS_URL");
  if (redis && ru) {
    int rc = osc_config_set(cfg, "redis_url", ru, OSC_SOURCE_ENV, "REDIS_URL");
    if (rc) return rc;
  }
  for (size_t i = 0; i < cfg->count; i++) {
    char var[256];
    env_name(cfg->entries[i].def->name, var, sizeof var);
    const char *v = getenv(var);
    if (!v) continue;
    int rc = osc_config_set(cfg, cfg->entries[i].def->name, v, OSC_SOURCE_ENV, var);
    if (rc) return rc;
  }
  for (char **e = environ; e && *e; e++) {
    if (strncmp(*e, "OSC_", 4) != 0) continue;
    const char *eq = strchr(*e, '=');
    if (!eq) continue;
    size_t n = (size_t)(eq - *e);
    bool known = false;
    for (size_t i = 0; i < cfg->count && !known; i++) {
      char var[256];
      env_name(cfg->entries[i].def->name, var, sizeof var);
      known = strlen(var) == n && strncmp(var, *e, n) == 0;
    }
    /* Variables of the program and its tooling that are not settings. */
    static const char *const other[] = {"OSC_CONFIG", "OSC_RESOURCE_DIR", "OSC_TEST_BIN", "OSC_SOURCE_DIR",
                                        "OSC_SHARED_DIR", "OSC_BUILD_DIR", "OSC_NPM_TOOLS"};
    for (size_t k = 0; k < OSC_ARRAY_LEN(other) && !known; k++)
      known = strlen(other[k]) == n && strncmp(other[k], *e, n) == 0;
    if (!known)
      OSC_WARN("config", "environment variable %.*s names no setting; ignored", (int)n, *e);
  }
  return OSC_OK;
}

static const entry *get_typed(const osc_config *cfg, const char *name) {
  const entry *e = find(cfg, name);
  if (!e) OSC_ERROR("config", "program asked for undeclared setting '%s'", name);
  return e;
}

int64_t osc_config_int(const osc_config *cfg, const char *name) {
  const entry *e = get_typed(cfg, name);
  return e ? e->i : 0;
}

double osc_config_double(const osc_config *cfg, const char *name) {
  const entry *e = get_typed(cfg, name);
  return e ? e->d : 0;
}

bool osc_config_bool(const osc_config *cfg, const char *name) {
  const entry *e = get_typed(cfg, name);
  return e ? e->i != 0 : false;
}

const char *osc_config_str(const osc_config *cfg, const char *name) {
  const entry *e = get_typed(cfg, name);
  return e && e->text ? e->text : "";
}

const char *osc_config_text(const osc_config *cfg, const char *name, osc_setting_source *source,
                            const char **origin) {
  const entry *e = find(cfg, name);
  if (!e) return NULL;
  if (source) *source = e->source;
  if (origin) *origin = e->origin;
  return e->text;
}

const char *osc_setting_source_name(osc_setting_source source) {
  switch (source) {
    case OSC_SOURCE_DEFAULT: return "default";
    case OSC_SOURCE_FILE: return "file";
    case OSC_SOURCE_ENV: return "env";
    case OSC_SOURCE_CLI: return "cli";
    case OSC_SOURCE_API: return "api";
  }
  return "?";
}

const char *osc_setting_type_name(osc_setting_type type) {
  switch (type) {
    case OSC_SETTING_BOOL: return "bool";
    case OSC_SETTING_INT: return "int";
    case OSC_SETTING_DOUBLE: return "double";
    case OSC_SETTING_STRING: return "string";
    case OSC_SETTING_ENUM: return "enum";
    case OSC_SETTING_BYTES: return "bytes";
    case OSC_SETTING_DURATION: return "duration";
  }
  return "?";
}

size_t osc_config_count(const osc_config *cfg) { return cfg->count; }

const osc_setting_def *osc_config_def_at(const osc_config *cfg, size_t i) {
  return i < cfg->count ? cfg->entries[i].def : NULL;
}

int osc_config_render(const osc_config *cfg, bool json, char **out) {
  osc_buf b = OSC_BUF_INIT;
  if (json) osc_buf_putc(&b, '{');
  size_t w = 0;
  for (size_t i = 0; i < cfg->count; i++) w = OSC_MAX(w, strlen(cfg->entries[i].def->name));
  for (size_t i = 0; i < cfg->count; i++) {
    const entry *e = &cfg->entries[i];
    const char *origin = e->origin ? e->origin : osc_setting_source_name(e->source);
    if (json) {
      if (i) osc_buf_putc(&b, ',');
      osc_buf_put_json_str(&b, e->def->name, strlen(e->def->name));
      osc_buf_puts(&b, ":{\"value\":");
      switch (e->def->type) {
        case OSC_SETTING_BOOL: osc_buf_puts(&b, e->i ? "true" : "false"); break;
        case OSC_SETTING_INT:
        case OSC_SETTING_BYTES:
        case OSC_SETTING_DURATION: osc_buf_printf(&b, "%lld", (long long)e->i); break;
        case OSC_SETTING_DOUBLE: osc_buf_printf(&b, "%.17g", e->d); break;
        default: osc_buf_put_json_str(&b, e->text, strlen(e->text));
      }
      osc_buf_printf(&b, ",\"type\":\"%s\",\"source\":\"%s\",\"origin\":", osc_setting_type_name(e->def->type),
                     osc_setting_source_name(e->source));
      osc_buf_put_json_str(&b, origin, strlen(origin));
      osc_buf_puts(&b, ",\"default\":");
      osc_buf_put_json_str(&b, e->def->def ? e->def->def : "", e->def->def ? strlen(e->def->def) : 0);
      osc_buf_puts(&b, ",\"help\":");
      osc_buf_put_json_str(&b, e->def->help ? e->def->help : "", e->def->help ? strlen(e->def->help) : 0);
      osc_buf_putc(&b, '}');
    } else {
      osc_buf_printf(&b, "%-*s = %-24s (%s)\n", (int)w, e->def->name, e->text, origin);
    }
  }
  if (json) osc_buf_puts(&b, "}\n");
  *out = osc_buf_detach(&b, NULL);
  return *out ? OSC_OK : osc_seterr(OSC_ENOMEM, "config render: out of memory");
}

int osc_config_data_path(const osc_config *cfg, const char *sub, bool create, char **out) {
  const char *root = osc_config_str(cfg, "data_dir");
  if (!root[0]) return osc_seterr(OSC_EINVAL, "data_dir is empty");
  if (sub && *sub && !osc_path_is_safe_relative(sub))
    return osc_seterr(OSC_EINVAL, "data path '%s' must be relative without '..'", sub);
  char *path = sub && *sub ? osc_path_join(root, sub) : strdup(root);
  if (!path) return osc_seterr(OSC_ENOMEM, "out of memory");
  if (create) {
    int rc = osc_mkdir_p(path, 0700);
    if (rc) {
      free(path);
      return rc;
    }
  }
  *out = path;
  return OSC_OK;
}
