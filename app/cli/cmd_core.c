/*
 * cli/cmd_core.c - core commands: config, serve, version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "oscontent/error.h"
#include "server/server.h"

static int cmd_config_show(osc_cli *cli, int argc, char **argv) {
  static const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent config show [--json]", "Print every effective setting with its source.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "config show: unexpected argument '%s'", argv[1]);
  char *text = NULL;
  rc = osc_config_render(cli->cfg, cli->json, &text);
  if (rc) return osc_cli_fail(cli, rc, "config show");
  fputs(text, stdout);
  free(text);
  return OSC_EXIT_OK;
}

static int cmd_config_get(osc_cli *cli, int argc, char **argv) {
  static const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent config get NAME", "Print one effective setting.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "config get: expected one setting name");
  osc_setting_source src;
  const char *origin;
  const char *v = osc_config_text(cli->cfg, argv[1], &src, &origin);
  if (!v) return osc_cli_usage_error(cli, "config get: unknown setting '%s'", argv[1]);
  if (cli->json) {
    json_t *o = json_pack("{s:s,s:s,s:s}", "name", argv[1], "value", v, "source", osc_setting_source_name(src));
    osc_cli_print_json(cli, o);
  } else {
    printf("%s\n", v);
  }
  return OSC_EXIT_OK;
}

static const osc_cli_cmd config_subs[] = {
    {"get", cmd_config_get, "print one effective setting"},
    {"show", cmd_config_show, "print every effective setting with its source"},
    {NULL, NULL, NULL}};

static int cmd_config(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent config", config_subs, argc, argv);
}

static int cmd_serve(osc_cli *cli, int argc, char **argv) {
  const osc_cli_opt opts[] = {
      {"host", 0, OSC_OPT_SETTING, NULL, "ADDR", "listen address (server.host; default 127.0.0.1)", "server.host"},
      {"port", 'p', OSC_OPT_SETTING, NULL, "PORT", "TCP port, 0 = any free port (server.port; default 8000)",
       "server.port"},
      {"port-file", 0, OSC_OPT_SETTING, NULL, "FILE", "write the bound port to FILE (server.port_file)",
       "server.port_file"},
      {"threads", 0, OSC_OPT_SETTING, NULL, "N", "HTTP worker threads (server.threads)", "server.threads"},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent serve [--host ADDR] [--port PORT] [--port-file FILE]",
                         "Run the HTTP service until SIGTERM or SIGINT.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "serve: unexpected argument '%s'", argv[1]);
  rc = osc_server_run(cli->cfg);
  if (rc) return osc_cli_fail(cli, rc, "serve");
  return OSC_EXIT_OK;
}

static int cmd_version(osc_cli *cli, int argc, char **argv) {
  (void)argc;
  (void)argv;
  if (cli->json) {
    osc_cli_print_json(cli, json_pack("{s:s}", "version", osc_version()));
  } else {
    printf("oscontent %s\n", osc_version());
  }
  return OSC_EXIT_OK;
}

const osc_cli_cmd osc__cli_core[] = {
    {"config", cmd_config, "show and check settings"},
    {"serve", cmd_serve, "run the HTTP service"},
    {"version", cmd_version, "print the version"},
    {NULL, NULL, NULL}};
