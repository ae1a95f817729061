/*
 * cli/cli.h - what a command file sees of the `oscontent` command.
 *
 * Each module defines its commands in app/cli/cmd_<module>.c:
 *
 *     const osc_cli_cmd osc__cli_<module>[] = { {"cache", cmd_cache, "..."}, {0} };
 *
 * main.c gathers every table through osc_modules.h, sorts the names and
 * dispatches git-style.  A command's run() gets argv with argv[0] = its own
 * name and returns the process exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef OSC_CLI_CLI_H
#define OSC_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oscontent/config.h"

enum { OSC_EXIT_OK = 0, OSC_EXIT_FAIL = 1, OSC_EXIT_USAGE = 2 };

typedef struct osc_cli {
  osc_config *cfg; /* defaults < file < env < global flags; commands may add their own flags */
  bool json;       /* global --json */
  bool quiet;      /* global -q */
  bool tty;        /* stderr is a terminal (progress bars) */
  const char *prog;
} osc_cli;

typedef struct osc_cli_cmd {
  const char *name;
  int (*run)(osc_cli *cli, int argc, char **argv);
  const char *summary;
} osc_cli_cmd;

/* Declarative options for osc_cli_parse. */
typedef enum osc_cli_opt_kind {
  OSC_OPT_FLAG,    /* bool *out = true */
  OSC_OPT_STRING,  /* const char **out */
  OSC_OPT_INT,     /* int64_t *out */
  OSC_OPT_DOUBLE,  /* double *out */
  OSC_OPT_BYTES,   /* int64_t *out, with units */
  OSC_OPT_DURATION,/* int64_t *out, milliseconds, with units */
  OSC_OPT_SETTING  /* sets the config setting named in `setting` at CLI precedence */
} osc_cli_opt_kind;

typedef struct osc_cli_opt {
  const char *name;    /* long name without dashes: "duration" */
  char short_name;     /* 'o', or 0 */
  osc_cli_opt_kind kind;
  void *out;
  const char *metavar; /* "SECONDS" */
  const char *help;
  const char *setting; /* OSC_OPT_SETTING only */
} osc_cli_opt;

/**
 * Parses options of one (sub)command in place: recognised options are
 * removed, positional arguments stay in argv[1..*argc-1] in order.  `--`
 * ends options.  Handles --help/-h by printing usage (synopsis, summary,
 * options) to stdout.
 * @return -1 to go on, or an exit code to return at once (0 after --help,
 *         2 after printing a one-line error for an unknown option or a bad
 *         value).
 */
int osc_cli_parse(osc_cli *cli, const char *synopsis, const char *summary, const osc_cli_opt *opts, int *argc,
                  char **argv);

/**
 * Dispatches argv[1] among @p subs (git style).  `cmd --help` or no
 * subcommand lists them; an unknown one is a one-line error and exit 2.
 * @p path is the command path for messages ("oscontent cache").
 */
int osc_cli_dispatch(osc_cli *cli, const char *path, const osc_cli_cmd *subs, int argc, char **argv);

/** Prints "oscontent: <what>: <osc_errmsg or strerror>" to stderr; returns 2 for OSC_EINVAL/EPARSE, else 1. */
int osc_cli_fail(osc_cli *cli, int err, const char *what);
/** Prints a usage error line and returns 2. */
int osc_cli_usage_error(osc_cli *cli, const char *fmt, ...) OSC_PRINTF(2, 3);
/** Prints JSON (compact + newline when --json, indented otherwise) to stdout; takes the reference. */
void osc_cli_print_json(osc_cli *cli, json_t *take);
/** Every command of every enabled module, sorted by name (malloc'd array, ends with {0}).
 *  Commands whose summary is NULL are hidden from help listings. */
osc_cli_cmd *osc_cli_all_commands(size_t *n);
/** Prints the global usage and options of `oscontent`. */
void osc_cli_print_usage(FILE *fp);
/* Internal (docs generation): the subcommand table osc_cli_dispatch last listed for --help. */
extern _Thread_local const osc_cli_cmd *osc__cli_help_subs;

/** Reads a text argument: "-" = stdin, "@path" = file, else the literal.  *out malloc'd. */
int osc_cli_read_text(const char *arg, size_t max_bytes, char **out, size_t *len);
/** Draws/updates a progress bar on stderr when it is a TTY (no-op otherwise); done/total. */
void osc_cli_progress(osc_cli *cli, const char *stage, uint64_t done, uint64_t total);

#endif
