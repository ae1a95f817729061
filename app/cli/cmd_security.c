/*
 * cli/cmd_security.c - `oscontent keys` and `oscontent audit`.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/security.h"

static int open_keys(osc_cli *cli, osc_keys **ks) {
  char *path = NULL;
  int rc = osc_config_data_path(cli->cfg, osc_config_str(cli->cfg, "security.keys_file"), false, &path);
  if (rc == OSC_OK) {
    char *dir = NULL;
    rc = osc_config_data_path(cli->cfg, NULL, true, &dir);
    free(dir);
  }
  if (rc == OSC_OK) rc = osc_keys_open(path, ks);
  free(path);
  return rc;
}

static json_t *key_json(const osc_key_info *k) {
  char created[40], revoked[40];
  osc_iso8601(k->created_ms, created, sizeof created);
  if (k->revoked_ms) osc_iso8601(k->revoked_ms, revoked, sizeof revoked);
  return json_pack("{s:s,s:s,s:s,s:s,s:s?}", "id", k->id, "name", k->name, "scope", osc_scope_name(k->scope),
                   "created_at", created, "revoked_at", k->revoked_ms ? revoked : NULL);
}

static int keys_create(osc_cli *cli, int argc, char **argv) {
  const char *name = NULL, *scope_text = "read";
  const osc_cli_opt opts[] = {{"name", 'n', OSC_OPT_STRING, &name, "NAME", "who or what the key is for (required)", NULL},
                              {"scope", 's', OSC_OPT_STRING, &scope_text, "SCOPE", "read, write or admin (default read)", NULL},
                              {0}};
  int rc = osc_cli_parse(cli, "oscontent keys create --name NAME [--scope read|write|admin]",
                         "Create an API key; it is printed once and only its salted digest is stored.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "keys create: unexpected argument '%s'", argv[1]);
  if (!name) return osc_cli_usage_error(cli, "keys create: --name is required");
  osc_scope scope;
  if (osc_scope_parse(scope_text, &scope)) return osc_cli_fail(cli, OSC_EINVAL, "keys create: --scope");
  osc_keys *ks = NULL;
  if ((rc = open_keys(cli, &ks))) return osc_cli_fail(cli, rc, "keys");
  char key[128];
  osc_key_info info;
  rc = osc_keys_create(ks, name, scope, key, sizeof key, &info);
  osc_keys_close(ks);
  if (rc) return osc_cli_fail(cli, rc, "keys create");
  if (cli->json) {
    json_t *o = key_json(&info);
    json_object_set_new(o, "key", json_string(key));
    osc_cli_print_json(cli, o);
  } else {
    printf("%s\n", key);
    fprintf(stderr, "key %s (%s, scope %s) created; store it now: it is not shown again\n", info.id, info.name,
            osc_scope_name(info.scope));
  }
  return OSC_EXIT_OK;
}

static int keys_list(osc_cli *cli, int argc, char **argv) {
  static const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent keys list", "List API keys (ids, names, scopes; never secrets).", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "keys list: unexpected argument '%s'", argv[1]);
  osc_keys *ks = NULL;
  if ((rc = open_keys(cli, &ks))) return osc_cli_fail(cli, rc, "keys");
  size_t n = osc_keys_list(ks, NULL, 0);
  osc_key_info *all = calloc(n ? n : 1, sizeof *all);
  if (all) n = osc_keys_list(ks, all, n);
  osc_keys_close(ks);
  if (!all) return osc_cli_fail(cli, OSC_ENOMEM, "keys list");
  if (cli->json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, key_json(&all[i]));
    osc_cli_print_json(cli, json_pack("{s:o}", "keys", arr));
  } else {
    printf("%-12s  %-6s  %-8s  %-24s  %s\n", "ID", "SCOPE", "STATE", "CREATED", "NAME");
    for (size_t i = 0; i < n; i++) {
      char created[40];
      osc_iso8601(all[i].created_ms, created, sizeof created);
      printf("%-12s  %-6s  %-8s  %-24s  %s\n", all[i].id, osc_scope_name(all[i].scope),
             all[i].revoked_ms ? "revoked" : "active", created, all[i].name);
    }
  }
  free(all);
  return OSC_EXIT_OK;
}

static int keys_revoke(osc_cli *cli, int argc, char **argv) {
  static const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent keys revoke ID", "Revoke an API key by id.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "keys revoke: expected one key id");
  osc_keys *ks = NULL;
  if ((rc = open_keys(cli, &ks))) return osc_cli_fail(cli, rc, "keys");
  rc = osc_keys_revoke(ks, argv[1]);
  osc_keys_close(ks);
  if (rc == OSC_ENOENT) return osc_cli_usage_error(cli, "keys revoke: %s", osc_errmsg());
  if (rc) return osc_cli_fail(cli, rc, "keys revoke");
  if (cli->json)
    osc_cli_print_json(cli, json_pack("{s:s,s:b}", "id", argv[1], "revoked", 1));
  else
    printf("revoked %s\n", argv[1]);
  return OSC_EXIT_OK;
}

static const osc_cli_cmd keys_subs[] = {{"create", keys_create, "create a key (printed once)"},
                                        {"list", keys_list, "list keys"},
                                        {"revoke", keys_revoke, "revoke a key"},
                                        {NULL, NULL, NULL}};

static int cmd_keys(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent keys", keys_subs, argc, argv);
}

/* Prints the last n lines of the audit log, then follows it when asked. */
static int audit_tail(osc_cli *cli, int argc, char **argv) {
  int64_t n = 20;
  bool follow = false;
  const osc_cli_opt opts[] = {{"lines", 'n', OSC_OPT_INT, &n, "N", "how many lines (default 20)", NULL},
                              {"follow", 'f', OSC_OPT_FLAG, &follow, NULL, "keep printing new lines", NULL},
                              {0}};
  int rc = osc_cli_parse(cli, "oscontent audit tail [-n N] [--follow]", "Print the end of the audit log (JSON lines).",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "audit tail: unexpected argument '%s'", argv[1]);
  if (n < 0 || n > 1000000) return osc_cli_usage_error(cli, "audit tail: --lines must be 0 to 1000000");
  char *path = NULL;
  rc = osc_config_data_path(cli->cfg, osc_config_str(cli->cfg, "security.audit_file"), false, &path);
  if (rc) return osc_cli_fail(cli, rc, "audit");
  char *text = NULL;
  size_t len = 0;
  rc = osc_read_file(path, 1u << 30, &text, &len);
  if (rc == OSC_ENOENT) {
    text = osc_strdup("");
    len = 0;
    rc = OSC_OK;
  }
  if (rc) {
    free(path);
    return osc_cli_fail(cli, rc, "audit tail");
  }
  size_t start = len;
  int64_t seen = 0;
  while (start > 0) {
    if (text[start - 1] == '\n' && start != len) {
      if (++seen >= n) break;
    }
    start--;
  }
  if (n == 0) start = len;
  fwrite(text + start, 1, len - start, stdout);
  fflush(stdout);
  free(text);
  if (follow) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    off_t off = fd >= 0 ? lseek(fd, 0, SEEK_END) : 0;
    char buf[8192];
    while (fd >= 0) {
      ssize_t r = pread(fd, buf, sizeof buf, off);
      if (r > 0) {
        fwrite(buf, 1, (size_t)r, stdout);
        fflush(stdout);
        off += r;
      } else {
        osc_sleep_ms(200);
      }
    }
  }
  free(path);
  return OSC_EXIT_OK;
}

static const osc_cli_cmd audit_subs[] = {{"tail", audit_tail, "print the end of the audit log"}, {NULL, NULL, NULL}};

static int cmd_audit(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent audit", audit_subs, argc, argv);
}

const osc_cli_cmd osc__cli_security[] = {{"audit", cmd_audit, "read the audit log"},
                                         {"keys", cmd_keys, "create, list and revoke API keys"},
                                         {NULL, NULL, NULL}};
