/*
 * cli/cmd_cache.c - `oscontent cache get|set|del|exists|stats|clear|train-dict|replay|bench`.
 *
 * Every subcommand that touches data opens the cache from the effective
 * settings (L1 + L3 under data_dir, L2 when redis_url is set), so values set
 * by one invocation are read by the next through L3 (or Redis).
 */
#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache/cache_int.h"
#include "cache/cache_json.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/cache.h"
#include "oscontent/error.h"

static int open_cache(osc_cli *cli, osc_cache **out) {
  osc_cache_options o;
  int rc = osc_cache_options_from_config(cli->cfg, &o);
  if (rc) return osc_cli_fail(cli, rc, "cache");
  o.l3_sweep_interval_ms = -1; /* short-lived process */
  rc = osc_cache_open(&o, out);
  osc_cache_options_release(&o);
  if (rc) return osc_cli_fail(cli, rc, "cache: open");
  return -1;
}

static int check_key_arg(osc_cli *cli, const char *cmd, const char *key) {
  size_t n = strlen(key);
  if (!n) return osc_cli_usage_error(cli, "cache %s: KEY is empty", cmd);
  if (n > OSC_CACHE_MAX_KEY)
    return osc_cli_usage_error(cli, "cache %s: KEY is %zu bytes; the limit is %d", cmd, n, OSC_CACHE_MAX_KEY);
  return -1;
}

static int cmd_get(osc_cli *cli, int argc, char **argv) {
  bool json = false;
  const osc_cli_opt opts[] = {{"json", 0, OSC_OPT_FLAG, &json, NULL, "print {key, value, type, ttl_ms}", NULL}, {0}};
  int rc = osc_cli_parse(cli, "oscontent cache get KEY [--json]", "Print a cached value (raw bytes on stdout).", opts,
                         &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "cache get: expected one KEY");
  if ((rc = check_key_arg(cli, "get", argv[1])) >= 0) return rc;
  osc_cache *c;
  if ((rc = open_cache(cli, &c)) >= 0) return rc;
  osc_cache_value *v = NULL;
  rc = osc_cache_get(c, argv[1], strlen(argv[1]), &v);
  int exit_code = OSC_EXIT_OK;
  if (rc == OSC_ENOENT) {
    fprintf(stderr, "oscontent: cache get: key '%s' not found\n", argv[1]);
    exit_code = OSC_EXIT_FAIL;
  } else if (rc) {
    exit_code = osc_cli_fail(cli, rc, "cache get");
  } else {
    size_t n;
    const char *d = osc_cache_value_data(v, &n);
    if (json || cli->json) {
      json_t *val = NULL;
      if (osc_cache_value_ctype(v) == OSC_CACHE_CTYPE_JSON) osc_json_parse(d, n, false, &val);
      if (!val) val = json_stringn(d, n);
      if (!val) val = json_null(); /* not UTF-8 */
      json_t *o = json_pack("{s:s,s:o,s:s,s:I}", "key", argv[1], "value", val, "type",
                            osc_cache_ctype_name(osc_cache_value_ctype(v)), "ttl_ms",
                            (json_int_t)osc_cache_value_ttl_ms(v));
      osc_cli_print_json(cli, o);
    } else {
      fwrite(d, 1, n, stdout);
      if (osc_cache_value_ctype(v) != OSC_CACHE_CTYPE_BINARY) fputc('\n', stdout);
    }
    osc_cache_value_release(v);
  }
  osc_cache_close(c);
  return exit_code;
}

static int parse_type(const char *t, osc_cache_ctype *out) {
  if (!t || !strcmp(t, "text")) *out = OSC_CACHE_CTYPE_TEXT;
  else if (!strcmp(t, "json")) *out = OSC_CACHE_CTYPE_JSON;
  else if (!strcmp(t, "binary")) *out = OSC_CACHE_CTYPE_BINARY;
  else return OSC_EINVAL;
  return OSC_OK;
}

static int cmd_set(osc_cli *cli, int argc, char **argv) {
  int64_t ttl = 0;
  const char *type = NULL;
  bool json = false;
  const osc_cli_opt opts[] = {
      {"ttl", 't', OSC_OPT_DURATION, &ttl, "DURATION", "lifetime (e.g. 30s, 5m); default cache.default_ttl", NULL},
      {"type", 0, OSC_OPT_STRING, &type, "TYPE", "text (default), json or binary", NULL},
      {"json", 0, OSC_OPT_FLAG, &json, NULL, "print the result as JSON", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent cache set KEY VALUE|-|@FILE [--ttl DURATION] [--type text|json|binary]",
                         "Store a value at every level (VALUE '-' reads stdin, '@FILE' a file).", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 3) return osc_cli_usage_error(cli, "cache set: expected KEY and VALUE");
  if ((rc = check_key_arg(cli, "set", argv[1])) >= 0) return rc;
  osc_cache_ctype ct;
  if (parse_type(type, &ct)) return osc_cli_usage_error(cli, "cache set: --type '%s' is not text, json or binary", type);
  if (ttl < 0) return osc_cli_usage_error(cli, "cache set: --ttl must not be negative");
  char *val = NULL;
  size_t vlen = 0;
  rc = osc_cli_read_text(argv[2], OSC_CACHE_MAX_VALUE, &val, &vlen);
  if (rc) return osc_cli_fail(cli, rc == OSC_ENOENT ? OSC_EINVAL : rc, "cache set: VALUE");
  if (ct == OSC_CACHE_CTYPE_JSON) {
    json_t *j;
    if (osc_json_parse(val, vlen, false, &j)) {
      free(val);
      return osc_cli_fail(cli, OSC_EINVAL, "cache set: --type json");
    }
    json_decref(j);
  }
  osc_cache *c;
  if ((rc = open_cache(cli, &c)) >= 0) {
    free(val);
    return rc;
  }
  rc = osc_cache_set(c, argv[1], strlen(argv[1]), val, vlen, ct, ttl);
  free(val);
  int code = OSC_EXIT_OK;
  if (rc) code = osc_cli_fail(cli, rc, "cache set");
  else if (json || cli->json)
    osc_cli_print_json(cli, json_pack("{s:b,s:s}", "success", 1, "message", "Value set successfully"));
  osc_cache_close(c);
  return code;
}

static int cmd_del(osc_cli *cli, int argc, char **argv) {
  bool json = false;
  const osc_cli_opt opts[] = {{"json", 0, OSC_OPT_FLAG, &json, NULL, "print the result as JSON", NULL}, {0}};
  int rc = osc_cli_parse(cli, "oscontent cache del KEY...", "Delete keys from every level.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc < 2) return osc_cli_usage_error(cli, "cache del: expected at least one KEY");
  for (int i = 1; i < argc; i++)
    if ((rc = check_key_arg(cli, "del", argv[i])) >= 0) return rc;
  osc_cache *c;
  if ((rc = open_cache(cli, &c)) >= 0) return rc;
  int deleted = 0;
  for (int i = 1; i < argc; i++) {
    bool e = false;
    osc_cache_delete(c, argv[i], strlen(argv[i]), &e);
    deleted += e;
  }
  if (json || cli->json) osc_cli_print_json(cli, json_pack("{s:b,s:i}", "success", 1, "deleted", deleted));
  else if (!cli->quiet) printf("%d deleted\n", deleted);
  osc_cache_close(c);
  return OSC_EXIT_OK;
}

static int cmd_exists(osc_cli *cli, int argc, char **argv) {
  bool json = false;
  const osc_cli_opt opts[] = {{"json", 0, OSC_OPT_FLAG, &json, NULL, "print {key, exists}", NULL}, {0}};
  int rc = osc_cli_parse(cli, "oscontent cache exists KEY",
                         "Exit 0 and print true if KEY holds a live value, else exit 1 and print false.", opts, &argc,
                         argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "cache exists: expected one KEY");
  if ((rc = check_key_arg(cli, "exists", argv[1])) >= 0) return rc;
  osc_cache *c;
  if ((rc = open_cache(cli, &c)) >= 0) return rc;
  bool e = osc_cache_exists(c, argv[1], strlen(argv[1]));
  if (json || cli->json) osc_cli_print_json(cli, json_pack("{s:s,s:b}", "key", argv[1], "exists", e));
  else printf("%s\n", e ? "true" : "false");
  osc_cache_close(c);
  return e ? OSC_EXIT_OK : OSC_EXIT_FAIL;
}

static int cmd_stats(osc_cli *cli, int argc, char **argv) {
  bool json = false;
  const osc_cli_opt opts[] = {{"json", 0, OSC_OPT_FLAG, &json, NULL, "compact JSON", NULL}, {0}};
  int rc = osc_cli_parse(cli, "oscontent cache stats [--json]",
                         "Counters of every level as seen by this process (L3 and L2 totals are shared).", opts,
                         &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 1) return osc_cli_usage_error(cli, "cache stats: unexpected argument '%s'", argv[1]);
  if (json) cli->json = true;
  osc_cache *c;
  if ((rc = open_cache(cli, &c)) >= 0) return rc;
  osc_cache_stats s;
  osc_cache_stats(c, &s);
  osc_cli_print_json(cli, osc__cache_stats_json(&s));
  osc_cache_close(c);
  return OSC_EXIT_OK;
}

static int cmd_clear(osc_cli *cli, int argc, char **argv) {
  bool yes = false;
  const osc_cli_opt opts[] = {{"yes", 'y', OSC_OPT_FLAG, &yes, NULL, "required: confirms the clear", NULL}, {0}};
  int rc = osc_cli_parse(cli, "oscontent cache clear --yes",
                         "Remove every entry of this namespace from every level (other Redis keys are untouched).",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 1) return osc_cli_usage_error(cli, "cache clear: unexpected argument '%s'", argv[1]);
  if (!yes) return osc_cli_usage_error(cli, "cache clear: add --yes to confirm");
  osc_cache *c;
  if ((rc = open_cache(cli, &c)) >= 0) return rc;
  rc = osc_cache_clear(c);
  osc_cache_close(c);
  if (rc) return osc_cli_fail(cli, rc, "cache clear");
  if (!cli->quiet) printf("cleared\n");
  return OSC_EXIT_OK;
}

/* ---- train-dict ---- */

typedef struct samples {
  void **data;
  size_t *lens;
  size_t n, cap;
} samples;

static int add_sample_file(samples *s, const char *path) {
  char *buf;
  size_t len;
  int rc = osc_read_file(path, 1 << 20, &buf, &len);
  if (rc) return rc;
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 256;
    void **nd = realloc(s->data, nc * sizeof *nd);
    size_t *nl = realloc(s->lens, nc * sizeof *nl);
    if (!nd || !nl) {
      free(nd ? nd : s->data);
      free(buf);
      return OSC_ENOMEM;
    }
    s->data = nd;
    s->lens = nl;
    s->cap = nc;
  }
  s->data[s->n] = buf;
  s->lens[s->n++] = len;
  return OSC_OK;
}

static int add_samples(samples *s, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return osc_seterr(OSC_EINVAL, "%s: %s", path, strerror(errno));
  if (!S_ISDIR(st.st_mode)) return add_sample_file(s, path);
  DIR *d = opendir(path);
  if (!d) return osc_seterr(OSC_EINVAL, "%s: %s", path, strerror(errno));
  struct dirent *e;
  int rc = OSC_OK;
  while ((e = readdir(d)) && rc == OSC_OK) {
    if (e->d_name[0] == '.') continue;
    char *p = osc_path_join(path, e->d_name);
    struct stat fs;
    if (p && stat(p, &fs) == 0 && S_ISREG(fs.st_mode)) rc = add_sample_file(s, p);
    free(p);
  }
  closedir(d);
  return rc;
}

static int cmd_train_dict(osc_cli *cli, int argc, char **argv) {
  const char *out = NULL;
  int64_t size = 64 * 1024;
  const osc_cli_opt opts[] = {
      {"out", 'o', OSC_OPT_STRING, &out, "FILE", "where to write the dictionary (required)", NULL},
      {"size", 0, OSC_OPT_BYTES, &size, "BYTES", "dictionary size (default 64KiB)", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent cache train-dict SAMPLE... --out FILE [--size BYTES]",
                         "Train a zstd dictionary from sample values (files, or directories of files); point "
                         "cache.zstd_dict at it.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (!out) return osc_cli_usage_error(cli, "cache train-dict: --out FILE is required");
  if (argc < 2) return osc_cli_usage_error(cli, "cache train-dict: expected sample files or directories");
  if (size < 1024 || size > (16 << 20)) return osc_cli_usage_error(cli, "cache train-dict: --size must be 1KiB..16MiB");
  samples s = {0};
  for (int i = 1; i < argc && rc < 0; i++) {
    int r = add_samples(&s, argv[i]);
    if (r) rc = osc_cli_fail(cli, r == OSC_EIO || r == OSC_ENOENT ? OSC_EINVAL : r, "cache train-dict");
  }
  if (rc < 0) {
    uint32_t id = 0;
    int r = osc_cache_train_dict((const void *const *)s.data, s.lens, s.n, (size_t)size, out, &id);
    if (r) rc = osc_cli_fail(cli, r, "cache train-dict");
    else {
      if (cli->json)
        osc_cli_print_json(cli, json_pack("{s:s,s:I,s:I}", "path", out, "dict_id", (json_int_t)id, "samples",
                                          (json_int_t)s.n));
      else printf("wrote %s (dictionary id %u, %zu samples)\n", out, id, s.n);
      rc = OSC_EXIT_OK;
    }
  }
  for (size_t i = 0; i < s.n; i++) free(s.data[i]);
  free(s.data);
  free(s.lens);
  return rc;
}

/* ---- replay ---- */

static int parse_size(const char *text, size_t unique, size_t *cap) {
  char *end;
  double v = strtod(text, &end);
  if (end == text || v <= 0) return OSC_EINVAL;
  if (*end == '%' && !end[1]) {
    if (v > 100) return OSC_EINVAL;
    *cap = (size_t)((double)unique * v / 100.0);
  } else if (!*end) {
    if (v != (double)(size_t)v) return OSC_EINVAL;
    *cap = (size_t)v;
  } else {
    return OSC_EINVAL;
  }
  if (!*cap) *cap = 1;
  return OSC_OK;
}

static int cmd_replay(osc_cli *cli, int argc, char **argv) {
  const char *policy = "s3fifo";
  const char *size = "10%";
  int64_t thr = 0;
  bool json = false;
  const osc_cli_opt opts[] = {
      {"policy", 'p', OSC_OPT_STRING, &policy, "POLICY", "s3fifo (default), lru, lfu, fifo, or all", NULL},
      {"size", 's', OSC_OPT_STRING, &size, "SIZE", "capacity: N% of the unique keys, or N objects (default 10%)",
       NULL},
      {"s3-threshold", 0, OSC_OPT_INT, &thr, "N", "S3-FIFO: hits needed to move to main (default 1; 2 = libCacheSim)",
       NULL},
      {"json", 0, OSC_OPT_FLAG, &json, NULL, "one JSON object per policy", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent cache replay TRACE [--policy P] [--size 10%] [--json]",
                         "Replay a key trace (text or .zst, one key per line) through L1 with unit-size objects "
                         "and print the miss ratio.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "cache replay: expected one TRACE file");
  if (thr < 0 || thr > 3) return osc_cli_usage_error(cli, "cache replay: --s3-threshold must be 0..3");
  osc_cache_policy pols[4];
  int np = 0;
  if (!strcmp(policy, "all")) {
    pols[0] = OSC_CACHE_POLICY_S3FIFO, pols[1] = OSC_CACHE_POLICY_LRU, pols[2] = OSC_CACHE_POLICY_LFU,
    pols[3] = OSC_CACHE_POLICY_FIFO;
    np = 4;
  } else if (osc_cache_policy_parse(policy, &pols[0]) == OSC_OK) {
    np = 1;
  } else {
    return osc_cli_usage_error(cli, "cache replay: --policy '%s' is not s3fifo, lru, lfu, fifo or all", policy);
  }
  size_t probe;
  if (parse_size(size, 100, &probe))
    return osc_cli_usage_error(cli, "cache replay: --size '%s' is not N%% (0-100] or a positive count", size);
  uint64_t *keys;
  size_t n, unique;
  rc = osc__cache_trace_load(argv[1], &keys, &n, &unique);
  if (rc) return osc_cli_fail(cli, rc == OSC_ENOENT || rc == OSC_EIO ? OSC_EINVAL : rc, "cache replay");
  size_t cap;
  parse_size(size, unique, &cap);
  for (int i = 0; i < np; i++) {
    uint64_t misses = 0;
    uint64_t t0 = osc_now_ns();
    rc = osc__cache_replay(keys, n, pols[i], cap, (int)thr, &misses);
    double secs = (double)(osc_now_ns() - t0) / 1e9;
    if (rc) {
      free(keys);
      return osc_cli_fail(cli, rc, "cache replay");
    }
    double mr = (double)misses / (double)n;
    if (json || cli->json) {
      json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:f,s:f}", "trace", argv[1], "policy",
                            osc_cache_policy_name(pols[i]), "size", size, "capacity", (json_int_t)cap, "requests",
                            (json_int_t)n, "unique", (json_int_t)unique, "misses", (json_int_t)misses, "miss_ratio",
                            mr, "seconds", secs);
      char *s = osc_json_dump(o);
      puts(s);
      free(s);
      json_decref(o);
    } else {
      printf("%-8s capacity %zu of %zu unique, %zu requests: miss ratio %.4f (%.2f Mreq/s)\n",
             osc_cache_policy_name(pols[i]), cap, unique, n, mr, secs > 0 ? (double)n / secs / 1e6 : 0.0);
    }
  }
  free(keys);
  return OSC_EXIT_OK;
}

/* ---- bench: a quick in-process L1 measurement (bench/cache has the full suite) ---- */

static int cmd_bench(osc_cli *cli, int argc, char **argv) {
  int64_t ops = 5000000, entries = 16384;
  bool json = false;
  const osc_cli_opt opts[] = {
      {"ops", 'n', OSC_OPT_INT, &ops, "N", "GET operations (default 5000000)", NULL},
      {"entries", 0, OSC_OPT_INT, &entries, "N", "resident entries (default 16384)", NULL},
      {"json", 0, OSC_OPT_FLAG, &json, NULL, "one JSON line", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent cache bench [--ops N] [--entries N]",
                         "Measure L1 GET-hit and SET throughput in this process (Zipf 0.99 keys).", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 1) return osc_cli_usage_error(cli, "cache bench: unexpected argument '%s'", argv[1]);
  if (ops < 1000 || ops > 1000000000 || entries < 16 || entries > 10000000)
    return osc_cli_usage_error(cli, "cache bench: --ops must be 1000..1e9 and --entries 16..1e7");
  osc_cache_options o = {0};
  o.l1_max_bytes = entries * 256;
  osc_cache *c;
  if ((rc = osc_cache_open(&o, &c))) return osc_cli_fail(cli, rc, "cache bench");
  for (int64_t i = 0; i < entries; i++) {
    uint64_t k = (uint64_t)i;
    osc_cache_set(c, &k, sizeof k, &k, sizeof k, OSC_CACHE_CTYPE_BINARY, OSC_CACHE_TTL_NONE);
  }
  /* Zipf(0.99) over the entries via inverse CDF on a table */
  size_t nk = 65536;
  uint64_t *keys = malloc(nk * sizeof *keys);
  double *cdf = malloc((size_t)entries * sizeof *cdf);
  if (!keys || !cdf) {
    free(keys);
    free(cdf);
    osc_cache_close(c);
    return osc_cli_fail(cli, OSC_ENOMEM, "cache bench");
  }
  double sum = 0;
  for (int64_t i = 0; i < entries; i++) sum += 1.0 / pow((double)(i + 1), 0.99), cdf[i] = sum;
  osc_rng r;
  osc_rng_seed(&r, 42);
  for (size_t i = 0; i < nk; i++) {
    double u = osc_rng_double(&r) * sum;
    size_t lo = 0, hi = (size_t)entries - 1;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    keys[i] = osc_mix64(lo) % (uint64_t)entries;
  }
  free(cdf);
  uint64_t t0 = osc_now_ns(), hits = 0;
  char buf[64];
  for (int64_t i = 0; i < ops; i++) {
    size_t len;
    hits += osc_cache_get_buf(c, &keys[i & (int64_t)(nk - 1)], 8, buf, sizeof buf, &len, NULL) == OSC_OK;
  }
  double gs = (double)(osc_now_ns() - t0) / 1e9;
  int64_t sets = ops / 4;
  t0 = osc_now_ns();
  for (int64_t i = 0; i < sets; i++) {
    uint64_t k = (uint64_t)(entries + i);
    osc_cache_set(c, &k, sizeof k, &k, sizeof k, OSC_CACHE_CTYPE_BINARY, 60000);
  }
  double ss = (double)(osc_now_ns() - t0) / 1e9;
  osc_cache_close(c);
  free(keys);
  double gops = (double)ops / gs, sops = (double)sets / ss;
  if (json || cli->json)
    printf("{\"bench\":\"cache.l1_get_hit\",\"threads\":1,\"ops_s\":%.0f,\"hit_ratio\":%.4f,"
           "\"set_evict_ops_s\":%.0f}\n",
           gops, (double)hits / (double)ops, sops);
  else
    printf("L1 GET hit: %.2f Mops/s (hit ratio %.4f); SET with eviction: %.2f Mops/s\n", gops / 1e6,
           (double)hits / (double)ops, sops / 1e6);
  return OSC_EXIT_OK;
}

static const osc_cli_cmd cache_subs[] = {
    {"bench", cmd_bench, "measure L1 GET/SET throughput in this process"},
    {"clear", cmd_clear, "remove every entry of this namespace (--yes)"},
    {"del", cmd_del, "delete keys from every level"},
    {"exists", cmd_exists, "tell whether a key holds a live value"},
    {"get", cmd_get, "print a cached value"},
    {"replay", cmd_replay, "replay a key trace through L1 and print the miss ratio"},
    {"set", cmd_set, "store a value (--ttl, --type)"},
    {"stats", cmd_stats, "counters of every level"},
    {"train-dict", cmd_train_dict, "train a zstd dictionary from sample values"},
    {NULL, NULL, NULL}};

static int cmd_cache(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent cache", cache_subs, argc, argv);
}

const osc_cli_cmd osc__cli_cache[] = {{"cache", cmd_cache, "multi-level cache: get, set, stats, replay, ..."},
                                      {NULL, NULL, NULL}};
