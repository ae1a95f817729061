/*
 * cli/cli.c - option parsing, dispatch and output helpers shared by every
 * command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"

#define OSC_MODULE(m) extern const osc_cli_cmd osc__cli_##m[];
#include "osc_modules.h"
#undef OSC_MODULE

static const osc_cli_cmd *const g_tables[] = {
#define OSC_MODULE(m) osc__cli_##m,
#include "osc_modules.h"
#undef OSC_MODULE
};

_Thread_local const osc_cli_cmd *osc__cli_help_subs;

static int cmp_cmd(const void *a, const void *b) {
  return strcmp(((const osc_cli_cmd *)a)->name, ((const osc_cli_cmd *)b)->name);
}

osc_cli_cmd *osc_cli_all_commands(size_t *n) {
  size_t total = 0;
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_tables); t++)
    for (const osc_cli_cmd *c = g_tables[t]; c->name; c++) total++;
  osc_cli_cmd *all = calloc(total + 1, sizeof *all);
  if (!all) return NULL;
  size_t k = 0;
  for (size_t t = 0; t < OSC_ARRAY_LEN(g_tables); t++)
    for (const osc_cli_cmd *c = g_tables[t]; c->name; c++) all[k++] = *c;
  qsort(all, k, sizeof *all, cmp_cmd);
  if (n) *n = k;
  return all;
}

void osc_cli_print_usage(FILE *fp) {
  fprintf(fp,
          "usage: oscontent [--json] [--quiet] [--data-dir DIR] [--config FILE] [--log-level LEVEL]\n"
          "                 [--set NAME=VALUE]... <command> [<subcommand>] [options]\n"
          "       oscontent --version | --help\n\n"
          "Content system: video pipeline, NLP, multi-level cache, task processor, monitor, HTTP service.\n\n"
          "global options (accepted anywhere before '--'):\n"
          "  --json               machine-readable output\n"
          "  --quiet              no progress output\n"
          "  --data-dir DIR       where components keep their files (setting data_dir)\n"
          "  --config FILE        config file (also OSC_CONFIG)\n"
          "  --log-level LEVEL    trace|debug|info|warn|error|off\n"
          "  --log-format FMT     text|json\n"
          "  --set NAME=VALUE     set any setting (see 'oscontent config show')\n"
          "  --version            print the version\n"
          "  -h, --help           show this help\n");
}

static void print_help(const char *synopsis, const char *summary, const osc_cli_opt *opts) {
  printf("usage: %s\n", synopsis);
  if (summary) printf("\n%s\n", summary);
  printf("\noptions:\n");
  for (const osc_cli_opt *o = opts; o && o->name; o++) {
    char left[80];
    int n = 0;
    if (o->short_name)
      n = snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name);
    else
      n = snprintf(left, sizeof left, "    --%s", o->name);
    if (o->kind != OSC_OPT_FLAG && n > 0 && (size_t)n < sizeof left)
      snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar ? o->metavar : "VALUE");
    printf("  %-30s %s\n", left, o->help ? o->help : "");
  }
  printf("  %-30s %s\n", "-h, --help", "show this help");
}

int osc_cli_usage_error(osc_cli *cli, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", cli && cli->prog ? cli->prog : "oscontent");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return OSC_EXIT_USAGE;
}

static int set_opt(osc_cli *cli, const osc_cli_opt *o, const char *val, const char *flag) {
  int rc = OSC_OK;
  switch (o->kind) {
    case OSC_OPT_FLAG: *(bool *)o->out = true; return -1;
    case OSC_OPT_STRING: *(const char **)o->out = val; return -1;
    case OSC_OPT_INT: rc = osc_parse_int(val, (int64_t *)o->out); break;
    case OSC_OPT_DOUBLE: rc = osc_parse_double(val, (double *)o->out); break;
    case OSC_OPT_BYTES: rc = osc_parse_bytes(val, (int64_t *)o->out); break;
    case OSC_OPT_DURATION: rc = osc_parse_duration_ms(val, (int64_t *)o->out); break;
    case OSC_OPT_SETTING: rc = osc_config_set(cli->cfg, o->setting, val, OSC_SOURCE_CLI, flag); break;
  }
  if (rc) return osc_cli_usage_error(cli, "%s: %s", flag, osc_errmsg());
  return -1;
}

int osc_cli_parse(osc_cli *cli, const char *synopsis, const char *summary, const osc_cli_opt *opts, int *argc,
                  char **argv) {
  int out = 1;
  bool only_pos = false;
  for (int i = 1; i < *argc; i++) {
    char *a = argv[i];
    if (only_pos || a[0] != '-' || a[1] == '\0') {
      argv[out++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_pos = true;
      continue;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      print_help(synopsis, summary, opts);
      return OSC_EXIT_OK;
    }
    const osc_cli_opt *o = NULL;
    const char *inline_val = NULL;
    char flag[128];
    if (a[1] == '-') {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      size_t n = eq ? (size_t)(eq - name) : strlen(name);
      for (const osc_cli_opt *p = opts; p && p->name; p++)
        if (strlen(p->name) == n && strncmp(p->name, name, n) == 0) o = p;
      if (eq) inline_val = eq + 1;
      snprintf(flag, sizeof flag, "--%.*s", (int)n, name);
    } else {
      for (const osc_cli_opt *p = opts; p && p->name; p++)
        if (p->short_name == a[1]) o = p;
      if (a[2]) inline_val = a + 2;
      snprintf(flag, sizeof flag, "-%c", a[1]);
    }
    if (!o) return osc_cli_usage_error(cli, "unknown option '%s' (see '%s --help')", a, synopsis);
    const char *val = NULL;
    if (o->kind == OSC_OPT_FLAG) {
      if (inline_val) return osc_cli_usage_error(cli, "option %s takes no value", flag);
    } else if (inline_val) {
      val = inline_val;
    } else if (i + 1 < *argc) {
      val = argv[++i];
    } else {
      return osc_cli_usage_error(cli, "option %s needs a value (%s)", flag, o->metavar ? o->metavar : "VALUE");
    }
    int rc = set_opt(cli, o, val, flag);
    if (rc >= 0) return rc;
  }
  argv[out] = NULL;
  *argc = out;
  return -1;
}

int osc_cli_dispatch(osc_cli *cli, const char *path, const osc_cli_cmd *subs, int argc, char **argv) {
  bool help = argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0;
  if (help) {
    FILE *fp = argc < 2 ? stderr : stdout;
    fprintf(fp, "usage: %s <command> [options]\n\ncommands:\n", path);
    for (const osc_cli_cmd *c = subs; c->name; c++)
      if (c->summary) fprintf(fp, "  %-14s %s\n", c->name, c->summary);
    osc__cli_help_subs = subs;
    fprintf(fp, "\nRun '%s <command> --help' for a command's options.\n", path);
    return argc < 2 ? OSC_EXIT_USAGE : OSC_EXIT_OK;
  }
  for (const osc_cli_cmd *c = subs; c->name; c++)
    if (strcmp(c->name, argv[1]) == 0) return c->run(cli, argc - 1, argv + 1);
  return osc_cli_usage_error(cli, "'%s' is not a command of '%s' (see '%s --help')", argv[1], path, path);
}

int osc_cli_fail(osc_cli *cli, int err, const char *what) {
  const char *msg = osc_errmsg();
  fprintf(stderr, "%s: %s%s%s\n", cli && cli->prog ? cli->prog : "oscontent", what ? what : "", what ? ": " : "",
          msg && *msg ? msg : osc_strerror(err));
  return (err == OSC_EINVAL || err == OSC_EPARSE) ? OSC_EXIT_USAGE : OSC_EXIT_FAIL;
}

void osc_cli_print_json(osc_cli *cli, json_t *take) {
  char *s = cli && cli->json ? osc_json_dump(take) : osc_json_dump_pretty(take);
  if (s) {
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
  }
  json_decref(take);
}

int osc_cli_read_text(const char *arg, size_t max_bytes, char **out, size_t *len) {
  if (strcmp(arg, "-") == 0) {
    return osc_read_file("/dev/stdin", max_bytes, out, len);
  }
  if (arg[0] == '@') return osc_read_file(arg + 1, max_bytes, out, len);
  size_t n = strlen(arg);
  if (n > max_bytes) return osc_seterr(OSC_ETOOBIG, "text is larger than %zu bytes", max_bytes);
  *out = osc_strdup(arg);
  if (!*out) return osc_seterr(OSC_ENOMEM, "out of memory");
  if (len) *len = n;
  return OSC_OK;
}

void osc_cli_progress(osc_cli *cli, const char *stage, uint64_t done, uint64_t total) {
  if (!cli || !cli->tty || cli->quiet) return;
  int width = 30;
  double f = total ? (double)done / (double)total : 0;
  if (f > 1) f = 1;
  int fill = (int)(f * width);
  fprintf(stderr, "\r%-8s [", stage ? stage : "");
  for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
  fprintf(stderr, "] %3d%% %llu/%llu", (int)(f * 100), (unsigned long long)done, (unsigned long long)total);
  if (total && done >= total) fputc('\n', stderr);
  fflush(stderr);
}
