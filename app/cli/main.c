/*
 * cli/main.c - the `oscontent` command: global options, configuration
 * loading and git-style dispatch over every module's command table.
 *
 * Global options are accepted anywhere before `--` (so both
 * `oscontent --json config show` and `oscontent config show --json` work)
 * and removed before the command sees argv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

int main(int argc, char **argv) {
  osc_cli cli = {.prog = "oscontent", .tty = isatty(STDERR_FILENO) == 1};
  const char *config_file = getenv("OSC_CONFIG");
  /* Global options: collect first, apply after file and env (CLI wins). */
  const char **sets = calloc((size_t)argc + 1, sizeof *sets);
  const char **set_names = calloc((size_t)argc + 1, sizeof *set_names);
  int nsets = 0, out = 1, rc = OSC_EXIT_OK;
  bool only_pos = false, want_version = false, want_help = false;
  if (!sets || !set_names) return OSC_EXIT_FAIL;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (only_pos) {
      argv[out++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_pos = true;
      argv[out++] = a;
      continue;
    }
    const char *setting = NULL, *val = NULL;
    static const struct { const char *flag, *setting; } mapped[] = {
        {"--data-dir", "data_dir"}, {"--log-level", "log.level"}, {"--log-format", "log.format"}};
    bool matched = false;
    for (size_t k = 0; k < OSC_ARRAY_LEN(mapped) && !matched; k++) {
      size_t n = strlen(mapped[k].flag);
      if (strncmp(a, mapped[k].flag, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
        matched = true;
        setting = mapped[k].setting;
        if (a[n] == '=') val = a + n + 1;
        else if (i + 1 < argc) val = argv[++i];
        else {
          rc = osc_cli_usage_error(&cli, "option %s needs a value", mapped[k].flag);
          goto out;
        }
        set_names[nsets] = setting;
        sets[nsets++] = val;
      }
    }
    if (matched) continue;
    if (strcmp(a, "--json") == 0) cli.json = true;
    else if (strcmp(a, "--quiet") == 0) cli.quiet = true;
    else if (strcmp(a, "--version") == 0 && out == 1) want_version = true;
    else if ((strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) && out == 1) want_help = true;
    else if (strcmp(a, "--config") == 0 || strncmp(a, "--config=", 9) == 0) {
      if (a[8] == '=') config_file = a + 9;
      else if (i + 1 < argc) config_file = argv[++i];
      else {
        rc = osc_cli_usage_error(&cli, "option --config needs a value");
        goto out;
      }
    } else if (strcmp(a, "--set") == 0 || strncmp(a, "--set=", 6) == 0) {
      const char *kv = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
      const char *eq = kv ? strchr(kv, '=') : NULL;
      if (!eq) {
        rc = osc_cli_usage_error(&cli, "option --set needs NAME=VALUE");
        goto out;
      }
      set_names[nsets] = kv; /* name is the part before '=' */
      sets[nsets++] = NULL;
    } else {
      argv[out++] = a;
    }
  }
  argv[out] = NULL;
  argc = out;

  if (want_version) {
    printf("oscontent %s\n", osc_version());
    goto out;
  }
  if (want_help || argc < 2) {
    FILE *fp = want_help ? stdout : stderr;
    osc_cli_print_usage(fp);
    size_t k = 0;
    osc_cli_cmd *all = osc_cli_all_commands(&k);
    if (all) {
      fprintf(fp, "\ncommands:\n");
      for (size_t i = 0; i < k; i++)
        if (all[i].summary) fprintf(fp, "  %-10s %s\n", all[i].name, all[i].summary);
      fprintf(fp, "\nRun 'oscontent <command> --help' for a command's options.\n");
      free(all);
    }
    rc = want_help ? OSC_EXIT_OK : OSC_EXIT_USAGE;
    goto out;
  }

  cli.cfg = osc_config_new();
  if (!cli.cfg) {
    rc = OSC_EXIT_FAIL;
    goto out;
  }
  if (config_file && *config_file) {
    int e = osc_config_load_file(cli.cfg, config_file);
    if (e) {
      rc = osc_cli_fail(&cli, e, "config");
      if (rc == OSC_EXIT_FAIL && e == OSC_ENOENT) rc = OSC_EXIT_USAGE;
      goto out;
    }
  }
  int e = osc_config_load_env(cli.cfg);
  if (e) {
    rc = osc_cli_fail(&cli, e, "environment");
    goto out;
  }
  for (int i = 0; i < nsets; i++) {
    char name[256];
    const char *val = sets[i];
    const char *origin;
    if (!val) {
      const char *eq = strchr(set_names[i], '=');
      snprintf(name, sizeof name, "%.*s", (int)(eq - set_names[i]), set_names[i]);
      val = eq + 1;
      origin = "--set";
    } else {
      snprintf(name, sizeof name, "%s", set_names[i]);
      origin = strcmp(name, "data_dir") == 0 ? "--data-dir" : strcmp(name, "log.level") == 0 ? "--log-level" : "--log-format";
    }
    e = osc_config_set(cli.cfg, name, val, OSC_SOURCE_CLI, origin);
    if (e) {
      rc = osc_cli_fail(&cli, OSC_EINVAL, origin);
      goto out;
    }
  }
  osc_log_level lvl;
  if (osc_log_level_parse(osc_config_str(cli.cfg, "log.level"), &lvl) == OSC_OK) osc_log_set_level(lvl);
  osc_log_use_stream(stderr, strcmp(osc_config_str(cli.cfg, "log.format"), "json") == 0 ? OSC_LOG_FORMAT_JSON
                                                                                        : OSC_LOG_FORMAT_TEXT);

  {
    size_t k = 0;
    osc_cli_cmd *all = osc_cli_all_commands(&k);
    const osc_cli_cmd *found = NULL;
    for (size_t i = 0; all && i < k && !found; i++)
      if (strcmp(all[i].name, argv[1]) == 0) found = &all[i];
    if (found) {
      osc_cli_cmd cmd = *found;
      free(all);
      rc = cmd.run(&cli, argc - 1, argv + 1);
      goto out;
    }
    free(all);
  }
  rc = osc_cli_usage_error(&cli, "'%s' is not an oscontent command (see 'oscontent --help')", argv[1]);
out:
  osc_config_free(cli.cfg);
  free(sets);
  free(set_names);
  return rc;
}
