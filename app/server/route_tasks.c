/*
 * server/route_tasks.c - the task processor over HTTP.
 *
 *   GET  /tasks?status=&kind=&limit=   {tasks: [{id, status, priority, created_at, started_at, completed_at,
 *                                       progress, kind, attempts, error}]}  (the original's shape, extended)
 *   GET  /tasks/stats                  counters, queue depths, workers, percentiles
 *   GET  /tasks/dead                   dead-letter list with last errors
 *   GET  /tasks/kinds                  registered kinds
 *   GET  /tasks/{id}                   one job, with its result
 *   POST /tasks/{id}/cancel            cancel (pending never runs; running is told to stop)
 *   POST /tasks/submit                 {kind, data, task_type, priority, idempotency_key, timeout_ms,
 *                                       max_attempts} -> 202 {task_id, status}
 *
 * The service opens the processor from app->cfg into app->tasks (kinds of
 * later modules register in their own open).  With tasks.broker=redis,
 * submit/status/cancel go to Redis Streams (run `oscontent worker`), the
 * local pools still serve in-process work.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/tasks.h"
#include "server/app.h"
#include "server/http.h"

/* The broker connection is one hiredis context: one request at a time. */
static osc_tasks_broker *g_broker;
static pthread_mutex_t g_broker_mu = PTHREAD_MUTEX_INITIALIZER;

static json_t *iso_or_null(int64_t ms) {
  if (!ms) return json_null();
  char b[40];
  osc_iso8601(ms, b, sizeof b);
  return json_string(b);
}

static json_t *bytes_json(const void *p, size_t n, bool is_json) {
  if (!p) return json_null();
  if (is_json) {
    json_t *v = NULL;
    if (osc_json_parse(p, n, false, &v) == OSC_OK) return v;
  }
  return json_stringn(p, n);
}

static json_t *info_json(const osc_task_info *t, bool full) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(t->id));
  json_object_set_new(o, "status", json_string(osc_task_status_name(t->status)));
  json_object_set_new(o, "priority", json_integer(t->priority));
  json_object_set_new(o, "created_at", iso_or_null(t->created_ms));
  json_object_set_new(o, "started_at", iso_or_null(t->started_ms));
  json_object_set_new(o, "completed_at", iso_or_null(t->completed_ms));
  json_object_set_new(o, "progress", json_real(t->progress));
  json_object_set_new(o, "kind", json_string(t->kind));
  json_object_set_new(o, "attempts", json_integer(t->attempts));
  json_object_set_new(o, "error", t->error ? json_string(t->error) : json_null());
  if (full) {
    json_object_set_new(o, "task_id", json_string(t->id));
    json_object_set_new(o, "priority_name", json_string(osc_task_priority_name(t->priority)));
    json_object_set_new(o, "task_type", json_string(osc_task_type_name(t->type)));
    json_object_set_new(o, "max_attempts", json_integer(t->max_attempts));
    json_object_set_new(o, "next_attempt_at", iso_or_null(t->next_attempt_ms));
    json_object_set_new(o, "durable", json_boolean(t->durable));
    json_object_set_new(o, "isolated", json_boolean(t->isolated));
    json_object_set_new(o, "cancel_requested", json_boolean(t->cancel_requested));
    json_object_set_new(o, "error_code", t->error_code ? json_string(osc_err_name(t->error_code)) : json_null());
    json_object_set_new(o, "result", bytes_json(t->result, t->result_len, t->result_json));
    if (t->idempotency_key) json_object_set_new(o, "idempotency_key", json_string(t->idempotency_key));
  }
  return o;
}

static int need_tasks(osc_req *req, osc_tasks **tp) {
  *tp = osc_req_app(req)->tasks;
  if (!*tp) return osc_seterr(OSC_EUNAVAIL, "the task processor is not running");
  return OSC_OK;
}

static int list_tasks(osc_req *req, osc_resp *resp) {
  osc_tasks *tp;
  int rc = need_tasks(req, &tp);
  if (rc) return rc;
  osc_tasks_filter f = OSC_TASKS_FILTER_ALL;
  const char *s = osc_req_query(req, "status");
  if (s && *s) {
    osc_task_status st;
    if ((rc = osc_task_status_parse(s, &st)) != OSC_OK) return rc;
    f.status = (int)st;
  }
  const char *p = osc_req_query(req, "priority");
  if (p && *p) {
    osc_task_priority pr;
    if ((rc = osc_task_priority_parse(p, &pr)) != OSC_OK) return rc;
    f.priority = (int)pr;
  }
  f.kind = osc_req_query(req, "kind");
  if (f.kind && !*f.kind) f.kind = NULL;
  const char *l = osc_req_query(req, "limit");
  if (l) {
    int64_t v;
    if (osc_parse_int(l, &v) != OSC_OK || v < 1 || v > 100000)
      return osc_seterr(OSC_EINVAL, "limit: expected an integer from 1 to 100000");
    f.limit = (size_t)v;
  }
  osc_task_info *v;
  size_t n;
  if ((rc = osc_tasks_list(tp, &f, &v, &n)) != OSC_OK) return rc;
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(arr, info_json(&v[i], false));
  osc_tasks_list_free(v, n);
  return osc_resp_json(resp, 200, json_pack("{s:o,s:I}", "tasks", arr, "count", (json_int_t)n));
}

static int get_task(osc_req *req, osc_resp *resp) {
  const char *id = osc_req_param(req, "id");
  osc_task_info info;
  int rc;
  osc_tasks *tp = osc_req_app(req)->tasks;
  if (tp && osc_tasks_status(tp, id, &info) == OSC_OK) {
    rc = OSC_OK;
  } else if (g_broker) {
    pthread_mutex_lock(&g_broker_mu);
    rc = osc_tasks_broker_status(g_broker, id, &info);
    pthread_mutex_unlock(&g_broker_mu);
  } else {
    rc = tp ? osc_seterr(OSC_ENOENT, "task %s: not found (unknown id, or purged after retention)", id)
            : osc_seterr(OSC_EUNAVAIL, "the task processor is not running");
  }
  if (rc) return rc;
  json_t *o = info_json(&info, true);
  osc_task_info_release(&info);
  return osc_resp_json(resp, 200, o);
}

static int cancel_task(osc_req *req, osc_resp *resp) {
  const char *id = osc_req_param(req, "id");
  osc_tasks *tp = osc_req_app(req)->tasks;
  int rc;
  if (tp && osc_tasks_status(tp, id, NULL) == OSC_OK) {
    rc = osc_tasks_cancel(tp, id);
  } else if (g_broker) {
    pthread_mutex_lock(&g_broker_mu);
    rc = osc_tasks_broker_cancel(g_broker, id);
    pthread_mutex_unlock(&g_broker_mu);
  } else {
    rc = tp ? osc_seterr(OSC_ENOENT, "task %s: not found", id) : osc_seterr(OSC_EUNAVAIL, "the task processor is not running");
  }
  if (rc) return rc;
  osc_task_info info;
  const char *status = "cancelling";
  if (tp && osc_tasks_status(tp, id, &info) == OSC_OK) {
    status = osc_task_status_name(info.status);
    osc_task_info_release(&info);
  }
  return osc_resp_json(resp, 200,
                       json_pack("{s:b,s:s,s:s,s:s}", "success", 1, "task_id", id, "status", status, "message",
                                 strcmp(status, "cancelled") == 0 ? "Task cancelled" : "Cancellation requested"));
}

static int submit_task(osc_req *req, osc_resp *resp) {
  osc_tasks *tp;
  int rc = need_tasks(req, &tp);
  if (rc) return rc;
  json_t *body;
  if ((rc = osc_req_json(req, &body)) != OSC_OK) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected a JSON object");
  const char *kind = "echo", *tt = NULL, *key = NULL;
  if ((rc = osc_json_get_str(body, "kind", false, 63, &kind)) != OSC_OK) return rc;
  if ((rc = osc_json_get_str(body, "task_type", false, 32, &tt)) != OSC_OK) return rc;
  if ((rc = osc_json_get_str(body, "idempotency_key", false, 255, &key)) != OSC_OK) return rc;
  osc_task_submit s;
  osc_task_submit_init(&s, kind);
  s.idempotency_key = key;
  if (tt) {
    osc_task_type t;
    if ((rc = osc_task_type_parse(tt, &t)) != OSC_OK) return rc;
    s.type = (int)t;
  }
  json_t *pv = json_object_get(body, "priority");
  if (json_is_string(pv)) {
    if ((rc = osc_task_priority_parse(json_string_value(pv), &s.priority)) != OSC_OK) return rc;
  } else if (json_is_integer(pv)) {
    json_int_t v = json_integer_value(pv);
    if (v < 0 || v > 3) return osc_seterr(OSC_EINVAL, "priority: expected 0-3 or critical|high|normal|low");
    s.priority = (osc_task_priority)v;
  } else if (pv && !json_is_null(pv)) {
    return osc_seterr(OSC_EINVAL, "priority: expected 0-3 or critical|high|normal|low");
  }
  int64_t to = 0, att = 0;
  if ((rc = osc_json_get_int(body, "timeout_ms", false, 1, 604800000, &to)) != OSC_OK) return rc;
  if ((rc = osc_json_get_int(body, "max_attempts", false, 1, 100, &att)) != OSC_OK) return rc;
  s.timeout_ms = to;
  s.max_attempts = (int)att;
  json_t *data = json_object_get(body, "data");
  char *payload = NULL;
  if (data && !json_is_null(data)) {
    payload = osc_json_dump(data);
    if (!payload) return OSC_ENOMEM;
    s.payload = payload;
    s.payload_len = strlen(payload);
    s.payload_json = true;
  }
  char id[OSC_TASK_ID_LEN];
  bool dup = false;
  if (g_broker) {
    if (!osc_tasks_has_kind(tp, kind)) {
      char *names = osc_tasks_kind_names(tp);
      rc = osc_seterr(OSC_EINVAL, "kind: '%s' is not a registered task kind (known: %s)", kind, names ? names : "");
      free(names);
    } else {
      char ids[1][OSC_TASK_ID_LEN];
      pthread_mutex_lock(&g_broker_mu);
      rc = osc_tasks_broker_submit(g_broker, &s, 1, ids);
      pthread_mutex_unlock(&g_broker_mu);
      memcpy(id, ids[0], sizeof id);
    }
  } else {
    rc = osc_tasks_submit(tp, &s, id, &dup);
  }
  free(payload);
  if (rc) return rc;
  return osc_resp_json(resp, 202,
                       json_pack("{s:s,s:s,s:s,s:b,s:s}", "task_id", id, "status", dup ? "duplicate" : "submitted", "kind",
                                 kind, "duplicate", dup, "broker", g_broker ? "redis" : "local"));
}

static json_t *stats_json(osc_tasks *tp) {
  osc_tasks_stats st;
  osc_tasks_stats_get(tp, &st);
  json_t *pools = json_object();
  for (int t = 0; t < OSC_TASK_TYPE_COUNT; t++) {
    const osc_tasks_pool_stats *p = &st.pools[t];
    json_t *q = json_object();
    for (int l = 0; l < OSC_TASK_PRIORITY_COUNT; l++)
      json_object_set_new(q, osc_task_priority_name((osc_task_priority)l), json_integer(p->queued[l]));
    json_object_set_new(pools, osc_task_type_name((osc_task_type)t),
                        json_pack("{s:i,s:i,s:i,s:i,s:i,s:o,s:I,s:I,s:I,s:I}", "workers", p->workers, "active",
                                  p->active, "idle", p->idle, "min_workers", p->min_workers, "max_workers",
                                  p->max_workers, "queued", q, "scale_ups", (json_int_t)p->scale_ups, "scale_downs",
                                  (json_int_t)p->scale_downs, "replaced", (json_int_t)p->replaced, "fn_done",
                                  (json_int_t)p->fn_done));
  }
  return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:f,s:{s:f,s:f},s:{s:f,s:f}}",
                   "submitted", (json_int_t)st.submitted, "completed", (json_int_t)st.completed, "failed",
                   (json_int_t)st.failed, "retried", (json_int_t)st.retried, "timed_out", (json_int_t)st.timed_out,
                   "cancelled", (json_int_t)st.cancelled, "dead_lettered", (json_int_t)st.dead_lettered,
                   "deduplicated", (json_int_t)st.deduplicated, "pending", (json_int_t)st.pending, "running",
                   (json_int_t)st.running, "delayed", (json_int_t)st.delayed, "parked", (json_int_t)st.parked,
                   "retained", (json_int_t)st.retained, "pools", pools, "throughput_per_s", st.throughput_per_s,
                   "wait_ms", "p50", st.wait_p50_ms, "p99", st.wait_p99_ms, "run_ms", "p50", st.run_p50_ms, "p99",
                   st.run_p99_ms);
}

static int get_stats(osc_req *req, osc_resp *resp) {
  osc_tasks *tp;
  int rc = need_tasks(req, &tp);
  if (rc) return rc;
  json_t *o = stats_json(tp);
  if (g_broker) {
    char *text = NULL;
    pthread_mutex_lock(&g_broker_mu);
    rc = osc_tasks_broker_stats_json(g_broker, &text);
    pthread_mutex_unlock(&g_broker_mu);
    json_t *b = NULL;
    if (rc == OSC_OK && osc_json_parse(text, strlen(text), false, &b) == OSC_OK) json_object_set_new(o, "broker", b);
    else json_object_set_new(o, "broker", json_pack("{s:s}", "error", osc_errmsg()));
    free(text);
  }
  return osc_resp_json(resp, 200, o);
}

static int get_dead(osc_req *req, osc_resp *resp) {
  osc_tasks *tp;
  int rc = need_tasks(req, &tp);
  if (rc) return rc;
  osc_task_info *v;
  size_t n;
  if ((rc = osc_tasks_dead_letters(tp, 1000, &v, &n)) != OSC_OK) return rc;
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(arr, info_json(&v[i], true));
  osc_tasks_list_free(v, n);
  return osc_resp_json(resp, 200, json_pack("{s:o}", "dead_letters", arr));
}

static int get_kinds(osc_req *req, osc_resp *resp) {
  osc_tasks *tp;
  int rc = need_tasks(req, &tp);
  if (rc) return rc;
  char *names = osc_tasks_kind_names(tp);
  if (!names) return OSC_ENOMEM;
  json_t *arr = json_array();
  for (char *save = NULL, *t = strtok_r(names, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
    json_array_append_new(arr, json_string(t));
  free(names);
  return osc_resp_json(resp, 200, json_pack("{s:o}", "kinds", arr));
}

const osc_route osc__routes_tasks[] = {
    {"GET", "/tasks", list_tasks, 0, "tasks.list", "List jobs, newest first (?status=&kind=&priority=&limit=)."},
    {"GET", "/tasks/stats", get_stats, 0, "tasks.stats", "Task processor counters, queues, workers, percentiles."},
    {"GET", "/tasks/dead", get_dead, 0, "tasks.dead", "Dead-letter list: failed jobs with their last error."},
    {"GET", "/tasks/kinds", get_kinds, 0, "tasks.kinds", "Registered task kinds."},
    {"POST", "/tasks/submit", submit_task, OSC_ROUTE_SCOPE_WRITE, "tasks.submit",
     "Submit a job of a registered kind: {kind, data, task_type, priority, idempotency_key, timeout_ms, "
     "max_attempts}; 202 {task_id}."},
    {"GET", "/tasks/{id}", get_task, 0, "tasks.get", "One job with its status, progress, attempts, error and result."},
    {"POST", "/tasks/{id}/cancel", cancel_task, OSC_ROUTE_SCOPE_WRITE, "tasks.cancel",
     "Cancel a job: a pending one never runs, a running one is told to stop."},
    {NULL, NULL, NULL, 0, NULL, NULL}};

static int svc_open(osc_app *app) {
  osc_tasks_options o;
  char *path = NULL;
  int rc = osc_tasks_options_from_config(app->cfg, &o, &path);
  if (rc == OSC_OK) rc = osc_tasks_open(&o, &app->tasks);
  free(path);
  if (rc) return rc;
  if (strcmp(osc_config_str(app->cfg, "tasks.broker"), "redis") == 0) {
    osc_tasks_broker_options bo;
    rc = osc_tasks_broker_options_from_config(app->cfg, &bo);
    if (rc == OSC_OK) rc = osc_tasks_broker_open(&bo, &g_broker);
    if (rc) {
      osc_tasks_close(app->tasks);
      app->tasks = NULL;
      return rc;
    }
    OSC_INFO("tasks", "submitting jobs to the Redis Streams broker (run `oscontent worker` to execute them)");
  }
  return OSC_OK;
}

static void svc_close(osc_app *app) {
  osc_tasks_broker_close(g_broker);
  g_broker = NULL;
  osc_tasks_close(app->tasks);
  app->tasks = NULL;
}

static int svc_health(osc_app *app, json_t *out) {
  if (!app->tasks) return osc_seterr(OSC_EUNAVAIL, "the task processor is not running");
  osc_tasks_stats st;
  osc_tasks_stats_get(app->tasks, &st);
  int workers = 0;
  for (int t = 0; t < OSC_TASK_TYPE_COUNT; t++) workers += st.pools[t].workers;
  json_object_set_new(out, "workers", json_integer(workers));
  json_object_set_new(out, "pending", json_integer(st.pending));
  json_object_set_new(out, "running", json_integer(st.running));
  json_object_set_new(out, "broker", json_string(g_broker ? "redis" : "local"));
  return OSC_OK;
}

const osc_service osc__service_tasks = {"tasks", svc_open, svc_close, svc_health};
