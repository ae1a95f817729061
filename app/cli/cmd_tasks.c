/*
 * cli/cmd_tasks.c - `oscontent tasks ...` and `oscontent worker`.
 *
 * Where a job goes without a server:
 *   - with a broker (--broker URL, or tasks.broker=redis and redis_url):
 *     `tasks submit` XADDs to Redis Streams and prints the id (--wait polls
 *     its result); status/cancel/wait/stats talk to Redis; `oscontent
 *     worker` runs the jobs.
 *   - without one: `tasks submit` runs the job in this process on the local
 *     pools, journaled under data_dir (so a job interrupted by Ctrl-C or a
 *     kill resumes at the next start on the same data_dir), waits for it and
 *     prints the outcome.  `tasks status|list` read the journal (read-only,
 *     also while a server owns it).  When a server owns the data_dir, submit
 *     through its HTTP API (POST /tasks/submit).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/tasks.h"
#include "server/app.h"
#include "server/server.h"

static const char *g_broker_flag;

static json_t *bytes_json(const void *p, size_t n, bool is_json) {
  if (!p) return json_null();
  json_t *v = NULL;
  if (is_json && osc_json_parse(p, n, false, &v) == OSC_OK) return v;
  return json_stringn(p, n);
}

static json_t *iso_or_null(int64_t ms) {
  if (!ms) return json_null();
  char b[40];
  osc_iso8601(ms, b, sizeof b);
  return json_string(b);
}

static json_t *info_json(const osc_task_info *t) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(t->id));
  json_object_set_new(o, "kind", json_string(t->kind));
  json_object_set_new(o, "status", json_string(osc_task_status_name(t->status)));
  json_object_set_new(o, "priority", json_integer(t->priority));
  json_object_set_new(o, "created_at", iso_or_null(t->created_ms));
  json_object_set_new(o, "started_at", iso_or_null(t->started_ms));
  json_object_set_new(o, "completed_at", iso_or_null(t->completed_ms));
  json_object_set_new(o, "progress", json_real(t->progress));
  json_object_set_new(o, "attempts", json_integer(t->attempts));
  json_object_set_new(o, "error", t->error ? json_string(t->error) : json_null());
  json_object_set_new(o, "result", bytes_json(t->result, t->result_len, t->result_json));
  return o;
}

static void print_info(osc_cli *cli, const osc_task_info *t) {
  if (cli->json) {
    osc_cli_print_json(cli, info_json(t));
    return;
  }
  printf("%s  %-9s  %-10s  priority=%s  attempts=%d  progress=%.0f%%\n", t->id, osc_task_status_name(t->status),
         t->kind, osc_task_priority_name(t->priority), t->attempts, t->progress * 100);
  if (t->error) printf("  error: %s\n", t->error);
  if (t->result) printf("  result: %.*s\n", (int)t->result_len, (const char *)t->result);
}

static bool use_broker(osc_cli *cli) {
  if (g_broker_flag) return true;
  return strcmp(osc_config_str(cli->cfg, "tasks.broker"), "redis") == 0;
}

static int open_broker(osc_cli *cli, osc_tasks_broker **b) {
  if (g_broker_flag) {
    int rc = osc_config_set(cli->cfg, "redis_url", g_broker_flag, OSC_SOURCE_CLI, "--broker");
    if (rc) return osc_cli_fail(cli, rc, "--broker");
  }
  osc_tasks_broker_options bo;
  int rc = osc_tasks_broker_options_from_config(cli->cfg, &bo);
  if (rc == OSC_OK) rc = osc_tasks_broker_open(&bo, b);
  if (rc) return osc_cli_fail(cli, rc, "broker");
  return -1;
}

static int journal_path(osc_cli *cli, char **out) {
  char *dir = NULL;
  int rc = osc_config_data_path(cli->cfg, "tasks", false, &dir);
  if (rc) return rc;
  *out = osc_path_join(dir, "journal.db");
  free(dir);
  return *out ? OSC_OK : OSC_ENOMEM;
}

/* ---- submit ---- */
static int cmd_submit(osc_cli *cli, int argc, char **argv) {
  const char *data = NULL, *prio = NULL, *type = NULL, *key = NULL;
  int64_t timeout = 0, attempts = 0, wait_ms = -1;
  bool no_wait = false;
  const osc_cli_opt opts[] = {
      {"data", 'd', OSC_OPT_STRING, &data, "JSON", "payload: JSON text, @file or - for stdin", NULL},
      {"priority", 'p', OSC_OPT_STRING, &prio, "P", "critical|high|normal|low (default normal)", NULL},
      {"type", 't', OSC_OPT_STRING, &type, "T", "mixed|cpu|io|memory (default: the kind's)", NULL},
      {"key", 'k', OSC_OPT_STRING, &key, "KEY", "idempotency key", NULL},
      {"timeout", 0, OSC_OPT_DURATION, &timeout, "DUR", "per-attempt timeout (default: the kind's)", NULL},
      {"attempts", 0, OSC_OPT_INT, &attempts, "N", "max attempts (default: the kind's)", NULL},
      {"wait", 'w', OSC_OPT_DURATION, &wait_ms, "DUR", "broker: wait this long for the result", NULL},
      {"no-wait", 0, OSC_OPT_FLAG, &no_wait, NULL, "broker: print the id and return", NULL},
      {"broker", 0, OSC_OPT_STRING, &g_broker_flag, "URL", "submit to Redis Streams at URL", NULL},
      {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  int rc = osc_cli_parse(cli, "oscontent tasks submit KIND [--data JSON] [--priority P] [--broker URL]",
                         "Submit a job of a registered kind (echo, sleep, ...). Without a broker it runs here, "
                         "journaled under data_dir, and prints its outcome.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "tasks submit: expected one KIND (try: echo, sleep)");
  osc_task_submit s;
  osc_task_submit_init(&s, argv[1]);
  if (prio && osc_task_priority_parse(prio, &s.priority) != OSC_OK) return osc_cli_fail(cli, OSC_EINVAL, "--priority");
  if (type) {
    osc_task_type t;
    if (osc_task_type_parse(type, &t) != OSC_OK) return osc_cli_fail(cli, OSC_EINVAL, "--type");
    s.type = (int)t;
  }
  if (attempts < 0 || attempts > 100) return osc_cli_usage_error(cli, "--attempts: %lld is outside 1..100", (long long)attempts);
  s.max_attempts = (int)attempts;
  s.timeout_ms = timeout;
  s.idempotency_key = key;
  char *payload = NULL;
  size_t plen = 0;
  if (data) {
    if ((rc = osc_cli_read_text(data, 64u << 20, &payload, &plen)) != OSC_OK) return osc_cli_fail(cli, rc, "--data");
    json_t *v = NULL;
    if (osc_json_parse(payload, plen, false, &v) != OSC_OK) {
      rc = osc_cli_fail(cli, OSC_EINVAL, "--data: expected JSON");
      free(payload);
      return rc;
    }
    json_decref(v);
    s.payload = payload;
    s.payload_len = plen;
    s.payload_json = true;
  }
  int exit_code = OSC_EXIT_OK;
  if (use_broker(cli)) {
    osc_tasks_broker *b = NULL;
    if ((rc = open_broker(cli, &b)) >= 0) {
      free(payload);
      return rc;
    }
    char ids[1][OSC_TASK_ID_LEN];
    rc = osc_tasks_broker_submit(b, &s, 1, ids);
    free(payload);
    if (rc) {
      osc_tasks_broker_close(b);
      return osc_cli_fail(cli, rc, "tasks submit");
    }
    if (no_wait || wait_ms < 0) {
      if (cli->json) osc_cli_print_json(cli, json_pack("{s:s,s:s}", "task_id", ids[0], "status", "submitted"));
      else printf("%s\n", ids[0]);
    } else {
      uint64_t end = osc_now_ms() + (uint64_t)wait_ms;
      osc_task_info info;
      memset(&info, 0, sizeof info);
      for (;;) {
        osc_task_info_release(&info);
        rc = osc_tasks_broker_status(b, ids[0], &info);
        if (rc || osc_task_status_final(info.status) || osc_now_ms() >= end) break;
        osc_sleep_ms(50);
      }
      if (rc == OSC_OK) {
        print_info(cli, &info);
        exit_code = info.status == OSC_TASK_COMPLETED ? OSC_EXIT_OK : OSC_EXIT_FAIL;
        osc_task_info_release(&info);
      } else {
        exit_code = osc_cli_fail(cli, rc, "tasks submit");
      }
    }
    osc_tasks_broker_close(b);
    return exit_code;
  }
  /* local: run here, journaled */
  osc_tasks_options o;
  char *path = NULL;
  osc_tasks *tp = NULL;
  rc = osc_tasks_options_from_config(cli->cfg, &o, &path);
  if (rc == OSC_OK) rc = osc_tasks_open(&o, &tp);
  free(path);
  if (rc) {
    free(payload);
    return osc_cli_fail(cli, rc, "tasks");
  }
  char id[OSC_TASK_ID_LEN];
  rc = osc_tasks_submit(tp, &s, id, NULL);
  free(payload);
  if (rc) {
    osc_tasks_close(tp);
    return osc_cli_fail(cli, rc, "tasks submit");
  }
  if (!cli->json && !cli->quiet) fprintf(stderr, "oscontent: job %s running here (Ctrl-C leaves it in the journal)\n", id);
  osc_task_info info;
  rc = osc_tasks_wait(tp, id, -1, &info);
  if (rc == OSC_OK) {
    print_info(cli, &info);
    exit_code = info.status == OSC_TASK_COMPLETED ? OSC_EXIT_OK : OSC_EXIT_FAIL;
    osc_task_info_release(&info);
  } else {
    exit_code = osc_cli_fail(cli, rc, "tasks wait");
  }
  osc_tasks_close(tp);
  return exit_code;
}

/* ---- status / wait / cancel / list ---- */
static int one_id(osc_cli *cli, int argc, char **argv, const char *syn, const char *sum, int64_t *timeout,
                  bool with_timeout) {
  const osc_cli_opt opts[] = {{"broker", 0, OSC_OPT_STRING, &g_broker_flag, "URL", "read from Redis Streams at URL", NULL},
                              {"timeout", 0, OSC_OPT_DURATION, timeout, "DUR", "wait: give up after DUR", NULL},
                              {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  osc_cli_opt o1[2] = {opts[0], {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  int rc = osc_cli_parse(cli, syn, sum, with_timeout ? opts : o1, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "tasks %s: expected one task id", argv[0]);
  return -1;
}

static int cmd_status_or_wait(osc_cli *cli, int argc, char **argv, bool wait) {
  int64_t timeout = 60000;
  int rc = one_id(cli, argc, argv, wait ? "oscontent tasks wait ID [--timeout DUR] [--broker URL]" : "oscontent tasks status ID [--broker URL]",
                  wait ? "Wait for a job to finish and print it (broker or journal)." : "Print one job (broker or journal).",
                  &timeout, wait);
  if (rc >= 0) return rc;
  const char *id = argv[1];
  osc_task_info info;
  uint64_t end = osc_now_ms() + (uint64_t)(timeout > 0 ? timeout : 0);
  if (use_broker(cli)) {
    osc_tasks_broker *b = NULL;
    if ((rc = open_broker(cli, &b)) >= 0) return rc;
    for (;;) {
      rc = osc_tasks_broker_status(b, id, &info);
      if (rc || !wait || osc_task_status_final(info.status) || osc_now_ms() >= end) break;
      osc_task_info_release(&info);
      osc_sleep_ms(50);
    }
    osc_tasks_broker_close(b);
  } else {
    char *path = NULL;
    if ((rc = journal_path(cli, &path)) != OSC_OK) return osc_cli_fail(cli, rc, "tasks");
    for (;;) {
      osc_task_info *v = NULL;
      size_t n = 0;
      rc = osc_tasks_journal_read(path, NULL, id, &v, &n);
      if (rc == OSC_OK && n == 0)
        rc = osc_seterr(OSC_ENOENT, "task %s: not in the journal (only durable jobs are journaled; a server's "
                                    "in-memory jobs are at GET /tasks/{id})", id);
      if (rc == OSC_OK) {
        info = v[0];
        memset(&v[0], 0, sizeof v[0]);
      }
      osc_tasks_list_free(v, n);
      if (rc || !wait || osc_task_status_final(info.status) || osc_now_ms() >= end) break;
      osc_task_info_release(&info);
      osc_sleep_ms(100);
    }
    free(path);
  }
  if (rc) return osc_cli_fail(cli, rc, wait ? "tasks wait" : "tasks status");
  print_info(cli, &info);
  int code = OSC_EXIT_OK;
  if (wait && !osc_task_status_final(info.status)) {
    fprintf(stderr, "oscontent: tasks wait: %s is still %s\n", id, osc_task_status_name(info.status));
    code = OSC_EXIT_FAIL;
  } else if (wait && info.status != OSC_TASK_COMPLETED) {
    code = OSC_EXIT_FAIL;
  }
  osc_task_info_release(&info);
  return code;
}

static int cmd_status(osc_cli *cli, int argc, char **argv) { return cmd_status_or_wait(cli, argc, argv, false); }
static int cmd_wait(osc_cli *cli, int argc, char **argv) { return cmd_status_or_wait(cli, argc, argv, true); }

static int cmd_cancel(osc_cli *cli, int argc, char **argv) {
  int64_t t = 0;
  int rc = one_id(cli, argc, argv, "oscontent tasks cancel ID --broker URL",
                  "Cancel a brokered job (a server's jobs: POST /tasks/{id}/cancel).", &t, false);
  if (rc >= 0) return rc;
  if (!use_broker(cli))
    return osc_cli_usage_error(cli, "tasks cancel: needs --broker URL (or tasks.broker=redis); a server's jobs are "
                                    "cancelled with POST /tasks/{id}/cancel");
  osc_tasks_broker *b = NULL;
  if ((rc = open_broker(cli, &b)) >= 0) return rc;
  rc = osc_tasks_broker_cancel(b, argv[1]);
  osc_tasks_broker_close(b);
  if (rc) return osc_cli_fail(cli, rc, "tasks cancel");
  if (cli->json) osc_cli_print_json(cli, json_pack("{s:b,s:s}", "success", 1, "task_id", argv[1]));
  else printf("cancellation requested for %s\n", argv[1]);
  return OSC_EXIT_OK;
}

static int cmd_list(osc_cli *cli, int argc, char **argv) {
  const char *status = NULL, *kind = NULL;
  int64_t limit = 100;
  const osc_cli_opt opts[] = {{"status", 's', OSC_OPT_STRING, &status, "S", "pending|running|completed|failed|cancelled|timeout", NULL},
                              {"kind", 0, OSC_OPT_STRING, &kind, "KIND", "only this kind", NULL},
                              {"limit", 'n', OSC_OPT_INT, &limit, "N", "at most N (default 100)", NULL},
                              {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  int rc = osc_cli_parse(cli, "oscontent tasks list [--status S] [--kind K] [--limit N]",
                         "List durable jobs from the journal under data_dir, newest first.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "tasks list: unexpected argument '%s'", argv[1]);
  if (limit < 1 || limit > 1000000) return osc_cli_usage_error(cli, "--limit: %lld is outside 1..1000000", (long long)limit);
  osc_tasks_filter f = OSC_TASKS_FILTER_ALL;
  if (status) {
    osc_task_status st;
    if (osc_task_status_parse(status, &st) != OSC_OK) return osc_cli_fail(cli, OSC_EINVAL, "--status");
    f.status = (int)st;
  }
  f.kind = kind;
  f.limit = (size_t)limit;
  char *path = NULL;
  if ((rc = journal_path(cli, &path)) != OSC_OK) return osc_cli_fail(cli, rc, "tasks");
  osc_task_info *v = NULL;
  size_t n = 0;
  rc = osc_tasks_journal_read(path, &f, NULL, &v, &n);
  free(path);
  if (rc == OSC_ENOENT) rc = OSC_OK, n = 0;
  if (rc) return osc_cli_fail(cli, rc, "tasks list");
  if (cli->json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, info_json(&v[i]));
    osc_cli_print_json(cli, json_pack("{s:o}", "tasks", arr));
  } else {
    for (size_t i = 0; i < n; i++) print_info(cli, &v[i]);
    if (!n) fprintf(stderr, "no jobs\n");
  }
  osc_tasks_list_free(v, n);
  return OSC_EXIT_OK;
}

static int cmd_stats(osc_cli *cli, int argc, char **argv) {
  const osc_cli_opt opts[] = {{"broker", 0, OSC_OPT_STRING, &g_broker_flag, "URL", "Redis Streams at URL", NULL}, {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  int rc = osc_cli_parse(cli, "oscontent tasks stats [--broker URL]",
                         "Broker streams (length, pending, dead) or journal counts by status.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "tasks stats: unexpected argument '%s'", argv[1]);
  if (use_broker(cli)) {
    osc_tasks_broker *b = NULL;
    if ((rc = open_broker(cli, &b)) >= 0) return rc;
    char *text = NULL;
    rc = osc_tasks_broker_stats_json(b, &text);
    osc_tasks_broker_close(b);
    if (rc) return osc_cli_fail(cli, rc, "tasks stats");
    json_t *v = NULL;
    osc_json_parse(text, strlen(text), false, &v);
    free(text);
    osc_cli_print_json(cli, v);
    return OSC_EXIT_OK;
  }
  char *path = NULL;
  if ((rc = journal_path(cli, &path)) != OSC_OK) return osc_cli_fail(cli, rc, "tasks");
  osc_tasks_filter f = OSC_TASKS_FILTER_ALL;
  f.limit = 100000000;
  osc_task_info *v = NULL;
  size_t n = 0;
  rc = osc_tasks_journal_read(path, &f, NULL, &v, &n);
  free(path);
  if (rc == OSC_ENOENT) rc = OSC_OK, n = 0;
  if (rc) return osc_cli_fail(cli, rc, "tasks stats");
  int64_t by[6] = {0};
  for (size_t i = 0; i < n; i++)
    if ((unsigned)v[i].status < 6) by[v[i].status]++;
  osc_tasks_list_free(v, n);
  json_t *o = json_object();
  for (int s = 0; s < 6; s++) json_object_set_new(o, osc_task_status_name((osc_task_status)s), json_integer(by[s]));
  osc_cli_print_json(cli, json_pack("{s:o,s:I}", "journal", o, "total", (json_int_t)n));
  return OSC_EXIT_OK;
}

/* ---- bench: a quick in-process self-check (bench/tasks has the full one) ---- */
static _Atomic long g_bench_done;
static void bench_fn(void *arg) {
  (void)arg;
  g_bench_done++;
}

static int cmd_bench(osc_cli *cli, int argc, char **argv) {
  int64_t n = 2000000, workers = 2;
  const osc_cli_opt opts[] = {{"n", 'n', OSC_OPT_INT, &n, "N", "tasks per case (default 2000000)", NULL},
                              {"workers", 0, OSC_OPT_INT, &workers, "W", "workers (default 2)", NULL},
                              {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  int rc = osc_cli_parse(cli, "oscontent tasks bench [--n N] [--workers W]",
                         "Empty function-task throughput (single and batched submission).", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (n < 1000 || n > 100000000) return osc_cli_usage_error(cli, "--n: %lld is outside 1000..100000000", (long long)n);
  if (workers < 1 || workers > 256) return osc_cli_usage_error(cli, "--workers: %lld is outside 1..256", (long long)workers);
  osc_tasks_options o = {0};
  o.pools[OSC_TASK_TYPE_CPU].min_workers = o.pools[OSC_TASK_TYPE_CPU].max_workers = (int)workers;
  o.no_autoscale = true;
  o.no_builtin_kinds = true;
  osc_tasks *tp;
  if ((rc = osc_tasks_open(&o, &tp)) != OSC_OK) return osc_cli_fail(cli, rc, "tasks bench");
  double rates[2];
  static void *args[1024];
  for (int mode = 0; mode < 2; mode++) {
    g_bench_done = 0;
    uint64_t t0 = osc_now_ns();
    if (mode == 0) {
      for (int64_t i = 0; i < n; i++) osc_tasks_run(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_NORMAL, bench_fn, NULL);
    } else {
      for (int64_t i = 0; i < n; i += 1024)
        osc_tasks_run_batch(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_NORMAL, bench_fn, args,
                            (size_t)OSC_MIN(1024, n - i));
    }
    while (g_bench_done < n) osc_sleep_ms(0);
    rates[mode] = (double)n / ((double)(osc_now_ns() - t0) / 1e9);
  }
  osc_tasks_close(tp);
  json_t *j = json_pack("{s:I,s:I,s:f,s:f}", "n", (json_int_t)n, "workers", (json_int_t)workers, "single_ops_s",
                        rates[0], "batched_ops_s", rates[1]);
  if (cli->json) osc_cli_print_json(cli, j);
  else {
    printf("empty tasks, %lld workers: %.2f M/s single producer, %.2f M/s batched\n", (long long)workers,
           rates[0] / 1e6, rates[1] / 1e6);
    json_decref(j);
  }
  return OSC_EXIT_OK;
}

static const osc_cli_cmd tasks_subs[] = {
    {"bench", cmd_bench, "empty-task throughput self-check"},
    {"cancel", cmd_cancel, "cancel a brokered job"},
    {"list", cmd_list, "list durable jobs from the journal"},
    {"stats", cmd_stats, "broker or journal statistics"},
    {"status", cmd_status, "print one job"},
    {"submit", cmd_submit, "submit a job (runs here, or to the broker)"},
    {"wait", cmd_wait, "wait for a job to finish"},
    {NULL, NULL, NULL}};

static int cmd_tasks(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent tasks", tasks_subs, argc, argv);
}

/* ---- worker ---- */
static volatile int g_stop;
static void on_stop(int sig) {
  (void)sig;
  __atomic_store_n(&g_stop, 1, __ATOMIC_RELAXED);
}

static int cmd_worker(osc_cli *cli, int argc, char **argv) {
  int64_t threads = 2, batch = 16;
  const char *name = NULL;
  bool no_services = false;
  const osc_cli_opt opts[] = {{"broker", 'b', OSC_OPT_STRING, &g_broker_flag, "URL", "redis://host:port (default: redis_url)", NULL},
                              {"threads", 0, OSC_OPT_INT, &threads, "N", "consumer connections (default 2)", NULL},
                              {"batch", 0, OSC_OPT_INT, &batch, "N", "messages per read (default 16)", NULL},
                              {"name", 0, OSC_OPT_STRING, &name, "NAME", "consumer name prefix (default hostname)", NULL},
                              {"no-services", 0, OSC_OPT_FLAG, &no_services, NULL,
                               "only the built-in kinds (do not open the other modules' services)", NULL},
                              {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  int rc = osc_cli_parse(cli, "oscontent worker [--broker URL] [--threads N] [--batch N]",
                         "Run jobs from the Redis Streams broker until SIGTERM/SIGINT.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc > 1) return osc_cli_usage_error(cli, "worker: unexpected argument '%s'", argv[1]);
  if (threads < 1 || threads > 256) return osc_cli_usage_error(cli, "--threads: %lld is outside 1..256", (long long)threads);
  if (batch < 1 || batch > 1000) return osc_cli_usage_error(cli, "--batch: %lld is outside 1..1000", (long long)batch);
  if (g_broker_flag && (rc = osc_config_set(cli->cfg, "redis_url", g_broker_flag, OSC_SOURCE_CLI, "--broker")) != OSC_OK)
    return osc_cli_fail(cli, rc, "--broker");
  osc_tasks_broker_options bo;
  if ((rc = osc_tasks_broker_options_from_config(cli->cfg, &bo)) != OSC_OK) return osc_cli_fail(cli, rc, "worker");
  osc_tasks_options o;
  char *path = NULL;
  rc = osc_tasks_options_from_config(cli->cfg, &o, &path);
  o.journal_path = NULL; /* the broker keeps unacked messages: no local journal */
  osc_tasks *tp = NULL;
  if (rc == OSC_OK) rc = osc_tasks_open(&o, &tp);
  free(path);
  if (rc) return osc_cli_fail(cli, rc, "worker");
  /* The other modules register their kinds (video.create, nlp.batch, ...)
   * in their service's open: open them around this processor, as serve does. */
  osc_app app;
  memset(&app, 0, sizeof app);
  app.cfg = cli->cfg;
  app.tasks = tp;
  app.started_wall_ms = osc_wall_ms();
  app.started_mono_ns = osc_now_ns();
  atomic_init(&app.stopping, false);
  char *dd = NULL;
  if (osc_config_data_path(cli->cfg, "tasks", true, &dd) == OSC_OK) {
    char *slash = strrchr(dd, '/');
    if (slash) *slash = '\0';
    app.data_dir = realpath(dd, NULL);
  }
  free(dd);
  size_t nsv = osc__server_service_count();
  bool *opened = calloc(nsv + 1, sizeof *opened);
  for (size_t i = 0; !no_services && opened && i < nsv; i++) {
    const osc_service *sv = osc__server_service_at(i);
    if (!sv || !sv->open || (sv->name && strcmp(sv->name, "tasks") == 0)) continue;
    osc_clearerr();
    if (sv->open(&app) == OSC_OK) opened[i] = true;
    else fprintf(stderr, "oscontent: worker: %s not started (its kinds are unavailable): %s\n", sv->name, osc_errmsg());
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  osc_tasks_worker_options wo = {.threads = (int)threads, .batch = (int)batch, .name = name};
  rc = osc_tasks_worker_run(tp, &bo, &wo, &g_stop);
  for (size_t i = nsv; opened && i-- > 0;) {
    const osc_service *sv = osc__server_service_at(i);
    if (opened[i] && sv->close) sv->close(&app);
  }
  free(opened);
  free(app.data_dir);
  osc_tasks_close(tp);
  if (rc) return osc_cli_fail(cli, rc, "worker");
  return OSC_EXIT_OK;
}

const osc_cli_cmd osc__cli_tasks[] = {
    {"tasks", cmd_tasks, "task processor: submit, status, list, cancel, wait, stats, bench"},
    {"worker", cmd_worker, "run jobs from the Redis Streams broker"},
    {NULL, NULL, NULL}};
