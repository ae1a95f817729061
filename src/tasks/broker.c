/*
 * tasks/broker.c - distributed mode on Redis Streams (hiredis 0.14).
 *
 * Keys (prefix P, default "osc:tasks"):
 *   P:q:0 .. P:q:3   one stream per priority, consumer group "workers"
 *   P:dead           dead-letter stream (delivery cap reached, unknown kind)
 *   P:job:<id>       JSON string {status, kind, priority, attempts, times, worker,
 *                    error, result}; SET ... PX result_ttl (one command per write)
 *   P:cancel         set of ids asked to cancel (checked with one SMISMEMBER per batch)
 *
 * Submit pipelines XADD + SET per job (one round trip per
 * batch).  A worker thread reads all four streams in one XREADGROUP
 * (highest priority first), drops jobs in P:cancel, runs the rest
 * on the local processor (so timeouts, isolation and retries apply), writes
 * results with a TTL and XACKs, all pipelined per batch.  Messages of a
 * worker that died stay pending; any worker reclaims those idle longer than
 * the visibility timeout (at least 2x the task timeout) with XAUTOCLAIM, and
 * moves a message delivered more than max_deliveries times to P:dead.
 * Delivery is at least once.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/tasks.h"

#define GROUP "workers"

struct osc_tasks_broker {
  osc_tasks_broker_options o;
  char prefix[128];
  char host[256];
  int port, db;
  char password[256];
  redisContext *c;
};

static int parse_url(const char *url, char *host, size_t hl, int *port, int *db, char *pw, size_t pl) {
  *port = 6379;
  *db = 0;
  pw[0] = '\0';
  if (!url || strncmp(url, "redis://", 8) != 0)
    return osc_seterr(OSC_EINVAL, "broker url '%s': expected redis://[:password@]host[:port][/db]", url ? url : "");
  const char *p = url + 8;
  const char *at = strrchr(p, '@');
  if (at) {
    const char *colon = memchr(p, ':', (size_t)(at - p));
    const char *pws = colon ? colon + 1 : p;
    snprintf(pw, pl, "%.*s", (int)(at - pws), pws);
    p = at + 1;
  }
  const char *end = p + strcspn(p, ":/");
  if (end == p) return osc_seterr(OSC_EINVAL, "broker url '%s': missing host", url);
  snprintf(host, hl, "%.*s", (int)(end - p), p);
  if (*end == ':') {
    char *e;
    long v = strtol(end + 1, &e, 10);
    if (v <= 0 || v > 65535 || (*e && *e != '/'))
      return osc_seterr(OSC_EINVAL, "broker url '%s': bad port", url);
    *port = (int)v;
    end = e;
  }
  if (*end == '/' && end[1]) {
    char *e;
    long v = strtol(end + 1, &e, 10);
    if (v < 0 || v > 10000 || *e) return osc_seterr(OSC_EINVAL, "broker url '%s': bad database number", url);
    *db = (int)v;
  }
  return OSC_OK;
}

static int connect_ctx(const osc_tasks_broker *b, redisContext **out) {
  struct timeval tv = {5, 0};
  redisContext *c = redisConnectWithTimeout(b->host, b->port, tv);
  if (!c || c->err) {
    int e = osc_seterr(OSC_EUNAVAIL, "broker %s:%d: cannot connect: %s", b->host, b->port,
                       c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return e;
  }
  redisSetTimeout(c, (struct timeval){30, 0});
  if (b->password[0]) {
    redisReply *r = redisCommand(c, "AUTH %s", b->password);
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    if (!ok) {
      redisFree(c);
      return osc_seterr(OSC_EAUTH, "broker %s:%d: AUTH failed", b->host, b->port);
    }
  }
  if (b->db) {
    redisReply *r = redisCommand(c, "SELECT %d", b->db);
    if (r) freeReplyObject(r);
  }
  *out = c;
  return OSC_OK;
}

static int setup(osc_tasks_broker *b, const osc_tasks_broker_options *opts) {
  b->o = *opts;
  if (!b->o.task_timeout_ms) b->o.task_timeout_ms = 300000;
  if (b->o.visibility_ms < 2 * b->o.task_timeout_ms) b->o.visibility_ms = 2 * b->o.task_timeout_ms;
  if (!b->o.max_deliveries) b->o.max_deliveries = 5;
  if (!b->o.result_ttl_ms) b->o.result_ttl_ms = 86400000;
  if (!b->o.maxlen) b->o.maxlen = 1000000;
  snprintf(b->prefix, sizeof b->prefix, "%s", b->o.prefix && *b->o.prefix ? b->o.prefix : "osc:tasks");
  b->o.prefix = b->prefix;
  b->o.url = NULL;
  return parse_url(opts->url, b->host, sizeof b->host, &b->port, &b->db, b->password, sizeof b->password);
}

static void ensure_groups(osc_tasks_broker *b, redisContext *c) {
  for (int p = 0; p < OSC_TASK_PRIORITY_COUNT; p++) {
    redisReply *r = redisCommand(c, "XGROUP CREATE %s:q:%d " GROUP " 0 MKSTREAM", b->prefix, p);
    if (r) freeReplyObject(r); /* BUSYGROUP when it exists: fine */
  }
}

int osc_tasks_broker_open(const osc_tasks_broker_options *opts, osc_tasks_broker **out) {
  *out = NULL;
  if (!opts || !opts->url) return osc_seterr(OSC_EINVAL, "tasks broker: url is required");
  osc_tasks_broker *b = calloc(1, sizeof *b);
  if (!b) return OSC_ENOMEM;
  int rc = setup(b, opts);
  if (!rc) rc = connect_ctx(b, &b->c);
  if (rc) {
    free(b);
    return rc;
  }
  ensure_groups(b, b->c);
  *out = b;
  return OSC_OK;
}

void osc_tasks_broker_close(osc_tasks_broker *b) {
  if (!b) return;
  if (b->c) redisFree(b->c);
  free(b);
}

static bool reply_ok(redisReply *r) { return r && r->type != REDIS_REPLY_ERROR; }

/* One job's record as JSON text (malloc'd). */
typedef struct jobrec {
  const char *status, *kind, *worker, *error;
  int priority;
  long long attempts;
  int64_t created_ms, started_ms, completed_ms;
  const char *result;
  size_t result_len;
  bool result_json;
} jobrec;

static char *job_json(const jobrec *j) {
  osc_buf b = OSC_BUF_INIT;
  osc_buf_puts(&b, "{\"status\":");
  osc_buf_put_json_str(&b, j->status, strlen(j->status));
  osc_buf_puts(&b, ",\"kind\":");
  osc_buf_put_json_str(&b, j->kind ? j->kind : "", j->kind ? strlen(j->kind) : 0);
  osc_buf_printf(&b, ",\"priority\":%d,\"attempts\":%lld,\"created_ms\":%lld,\"started_ms\":%lld,\"completed_ms\":%lld",
                 j->priority, j->attempts, (long long)j->created_ms, (long long)j->started_ms,
                 (long long)j->completed_ms);
  if (j->worker) {
    osc_buf_puts(&b, ",\"worker\":");
    osc_buf_put_json_str(&b, j->worker, strlen(j->worker));
  }
  if (j->error) {
    osc_buf_puts(&b, ",\"error\":");
    osc_buf_put_json_str(&b, j->error, strlen(j->error));
  }
  if (j->result) {
    osc_buf_printf(&b, ",\"result_json\":%s,\"result\":", j->result_json ? "true" : "false");
    osc_buf_put_json_str(&b, j->result, j->result_len);
  }
  osc_buf_putc(&b, '}');
  if (b.oom) {
    osc_buf_release(&b);
    return NULL;
  }
  return osc_buf_detach(&b, NULL);
}

static void append_set(redisContext *c, const char *pfx, const char *id, const jobrec *j, int64_t ttl_ms) {
  char key[200], ttl[32];
  snprintf(key, sizeof key, "%s:job:%s", pfx, id);
  snprintf(ttl, sizeof ttl, "%lld", (long long)ttl_ms);
  char *v = job_json(j);
  const char *av[] = {"SET", key, v ? v : "{}", "PX", ttl};
  redisAppendCommandArgv(c, 5, av, NULL);
  free(v);
}

int osc_tasks_broker_submit(osc_tasks_broker *b, const osc_task_submit *s, size_t n, char (*ids)[OSC_TASK_ID_LEN]) {
  if (!b || (!s && n)) return osc_seterr(OSC_EINVAL, "broker submit: jobs are required");
  for (size_t i = 0; i < n; i++) {
    if (!s[i].kind || !*s[i].kind) return osc_seterr(OSC_EINVAL, "kind: required");
    if ((unsigned)s[i].priority >= OSC_TASK_PRIORITY_COUNT)
      return osc_seterr(OSC_EINVAL, "priority: %d is outside 0..3", (int)s[i].priority);
  }
  int64_t now = osc_wall_ms();
  for (size_t i = 0; i < n; i++) {
    uint8_t rb[16];
    uint64_t r1 = osc_rng_next(osc_rng_thread()), r2 = osc_rng_next(osc_rng_thread());
    memcpy(rb, &r1, 8);
    memcpy(rb + 8, &r2, 8);
    rb[6] = (uint8_t)((rb[6] & 0x0f) | 0x40);
    rb[8] = (uint8_t)((rb[8] & 0x3f) | 0x80);
    snprintf(ids[i], OSC_TASK_ID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", rb[0],
             rb[1], rb[2], rb[3], rb[4], rb[5], rb[6], rb[7], rb[8], rb[9], rb[10], rb[11], rb[12], rb[13], rb[14],
             rb[15]);
    char stream[160], maxlen[32], enq[32], timeout[32], att[16], pj[4], created[24];
    snprintf(created, sizeof created, "%lld", (long long)now);
    snprintf(stream, sizeof stream, "%s:q:%d", b->prefix, (int)s[i].priority);
    snprintf(maxlen, sizeof maxlen, "%lld", (long long)b->o.maxlen);
    snprintf(enq, sizeof enq, "%llu", (unsigned long long)osc_now_ns());
    snprintf(timeout, sizeof timeout, "%lld", (long long)s[i].timeout_ms);
    snprintf(att, sizeof att, "%d", s[i].max_attempts);
    snprintf(pj, sizeof pj, "%d", s[i].payload_json ? 1 : 0);
    const char *pl = s[i].payload ? (const char *)s[i].payload : "";
    const char *xa[] = {"XADD", stream, "MAXLEN", "~", maxlen, "*", "id", ids[i], "kind", s[i].kind, "payload", pl,
                        "pj", pj, "enq", enq, "timeout", timeout, "attempts", att, "created", created};
    size_t xl[OSC_ARRAY_LEN(xa)];
    for (size_t k = 0; k < OSC_ARRAY_LEN(xa); k++) xl[k] = strlen(xa[k]);
    xl[11] = s[i].payload_len;
    redisAppendCommandArgv(b->c, (int)OSC_ARRAY_LEN(xa), xa, xl);
    jobrec jr = {.status = "pending", .kind = s[i].kind, .priority = (int)s[i].priority, .created_ms = now};
    append_set(b->c, b->prefix, ids[i], &jr, b->o.result_ttl_ms);
  }
  int rc = OSC_OK;
  for (size_t i = 0; i < n * 2; i++) {
    redisReply *r = NULL;
    if (redisGetReply(b->c, (void **)&r) != REDIS_OK) {
      return osc_seterr(OSC_EUNAVAIL, "broker: connection lost: %s", b->c->errstr);
    }
    if (!reply_ok(r) && rc == OSC_OK) rc = osc_seterr(OSC_EPROTO, "broker: %s", r ? r->str : "no reply");
    freeReplyObject(r);
  }
  return rc;
}

int osc_tasks_broker_status(osc_tasks_broker *b, const char *id, osc_task_info *out) {
  redisAppendCommand(b->c, "GET %s:job:%s", b->prefix, id);
  redisAppendCommand(b->c, "SISMEMBER %s:cancel %s", b->prefix, id);
  redisReply *r = NULL, *cr = NULL;
  if (redisGetReply(b->c, (void **)&r) != REDIS_OK || redisGetReply(b->c, (void **)&cr) != REDIS_OK) {
    if (r) freeReplyObject(r);
    return osc_seterr(OSC_EUNAVAIL, "broker: connection lost: %s", b->c->errstr);
  }
  json_t *v = NULL;
  if (r->type != REDIS_REPLY_STRING || osc_json_parse(r->str, r->len, false, &v) != OSC_OK || !json_is_object(v)) {
    freeReplyObject(r);
    freeReplyObject(cr);
    json_decref(v);
    return osc_seterr(OSC_ENOENT, "task %s: not found in the broker (unknown id, or its result expired)", id);
  }
  memset(out, 0, sizeof *out);
  snprintf(out->id, sizeof out->id, "%s", id);
  const char *str = json_string_value(json_object_get(v, "kind"));
  if (str) snprintf(out->kind, sizeof out->kind, "%s", str);
  osc_task_status st = OSC_TASK_PENDING;
  if ((str = json_string_value(json_object_get(v, "status")))) osc_task_status_parse(str, &st);
  out->status = st;
  out->priority = (osc_task_priority)json_integer_value(json_object_get(v, "priority"));
  out->created_ms = json_integer_value(json_object_get(v, "created_ms"));
  out->started_ms = json_integer_value(json_object_get(v, "started_ms"));
  out->completed_ms = json_integer_value(json_object_get(v, "completed_ms"));
  out->attempts = (int)json_integer_value(json_object_get(v, "attempts"));
  out->progress = st == OSC_TASK_COMPLETED ? 1.0 : 0.0;
  if ((str = json_string_value(json_object_get(v, "error")))) out->error = osc_strdup(str);
  json_t *res = json_object_get(v, "result");
  if (json_is_string(res)) {
    size_t len = json_string_length(res);
    out->result = malloc(len + 1);
    if (out->result) {
      memcpy(out->result, json_string_value(res), len);
      ((char *)out->result)[len] = '\0';
      out->result_len = len;
    }
  }
  out->result_json = json_is_true(json_object_get(v, "result_json"));
  out->cancel_requested = cr->type == REDIS_REPLY_INTEGER && cr->integer == 1;
  json_decref(v);
  freeReplyObject(r);
  freeReplyObject(cr);
  return OSC_OK;
}

int osc_tasks_broker_cancel(osc_tasks_broker *b, const char *id) {
  osc_task_info info;
  int rc = osc_tasks_broker_status(b, id, &info);
  if (rc) return rc;
  osc_task_status st = info.status;
  osc_task_info_release(&info);
  if (osc_task_status_final(st))
    return osc_seterr(OSC_ESTATE, "task %s: already %s", id, osc_task_status_name(st));
  redisAppendCommand(b->c, "SADD %s:cancel %s", b->prefix, id);
  redisAppendCommand(b->c, "PEXPIRE %s:cancel %lld", b->prefix, (long long)b->o.result_ttl_ms);
  for (int i = 0; i < 2; i++) {
    redisReply *r = NULL;
    if (redisGetReply(b->c, (void **)&r) != REDIS_OK) return osc_seterr(OSC_EUNAVAIL, "broker: connection lost");
    freeReplyObject(r);
  }
  return OSC_OK;
}

int osc_tasks_broker_stats_json(osc_tasks_broker *b, char **out) {
  osc_buf o = OSC_BUF_INIT;
  osc_buf_puts(&o, "{\"streams\":{");
  for (int p = 0; p < OSC_TASK_PRIORITY_COUNT; p++) {
    redisReply *l = redisCommand(b->c, "XLEN %s:q:%d", b->prefix, p);
    redisReply *pe = redisCommand(b->c, "XPENDING %s:q:%d " GROUP, b->prefix, p);
    if (!l || !pe) {
      if (l) freeReplyObject(l);
      if (pe) freeReplyObject(pe);
      osc_buf_release(&o);
      return osc_seterr(OSC_EUNAVAIL, "broker: connection lost");
    }
    long long pending = pe->type == REDIS_REPLY_ARRAY && pe->elements > 0 ? pe->element[0]->integer : 0;
    osc_buf_printf(&o, "%s\"%s\":{\"length\":%lld,\"pending\":%lld}", p ? "," : "",
                   osc_task_priority_name((osc_task_priority)p), l->type == REDIS_REPLY_INTEGER ? l->integer : 0,
                   pending);
    freeReplyObject(l);
    freeReplyObject(pe);
  }
  redisReply *d = redisCommand(b->c, "XLEN %s:dead", b->prefix);
  osc_buf_printf(&o, "},\"dead\":%lld,\"prefix\":", d && d->type == REDIS_REPLY_INTEGER ? d->integer : 0);
  if (d) freeReplyObject(d);
  osc_buf_put_json_str(&o, b->prefix, strlen(b->prefix));
  osc_buf_printf(&o, ",\"visibility_ms\":%lld,\"max_deliveries\":%d}", (long long)b->o.visibility_ms,
                 b->o.max_deliveries);
  if (o.oom) {
    osc_buf_release(&o);
    return OSC_ENOMEM;
  }
  *out = osc_buf_detach(&o, NULL);
  return OSC_OK;
}

/* ---------------------------------------------------------------- workers */

typedef struct msg {
  int prio;
  char sid[48];  /* stream entry id */
  char id[OSC_TASK_ID_LEN];
  char kind[64];
  const char *payload;
  size_t payload_len;
  bool pj;
  int64_t timeout_ms;
  int max_attempts;
  long long deliveries; /* 1 for a first read; from XPENDING for a reclaimed one */
  int64_t created_ms;
  bool skip;     /* cancelled or bad: ack without running */
  char local[OSC_TASK_ID_LEN];
  bool submitted;
  char *err;
} msg;

typedef struct wctx {
  osc_tasks *tp;
  osc_tasks_broker b; /* a copy with its own connection */
  const osc_tasks_worker_options *wo;
  const volatile int *stop;
  char name[96];
  int rc;
} wctx;

static const char *fval(redisReply *fields, const char *name, size_t *len) {
  for (size_t i = 0; fields && i + 1 < fields->elements; i += 2)
    if (fields->element[i]->str && strcmp(fields->element[i]->str, name) == 0) {
      if (len) *len = fields->element[i + 1]->len;
      return fields->element[i + 1]->str;
    }
  return NULL;
}

static void parse_entry(redisReply *e, int prio, msg *m) {
  memset(m, 0, sizeof *m);
  m->prio = prio;
  if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || !e->element[0]->str) {
    m->skip = true;
    return;
  }
  snprintf(m->sid, sizeof m->sid, "%s", e->element[0]->str);
  redisReply *f = e->element[1];
  if (!f || f->type != REDIS_REPLY_ARRAY) { /* deleted entry (trimmed) */
    m->skip = true;
    return;
  }
  const char *v;
  if ((v = fval(f, "id", NULL))) snprintf(m->id, sizeof m->id, "%s", v);
  if ((v = fval(f, "kind", NULL))) snprintf(m->kind, sizeof m->kind, "%s", v);
  m->payload = fval(f, "payload", &m->payload_len);
  if ((v = fval(f, "pj", NULL))) m->pj = *v == '1';
  if ((v = fval(f, "timeout", NULL))) m->timeout_ms = atoll(v);
  if ((v = fval(f, "attempts", NULL))) m->max_attempts = atoi(v);
  if ((v = fval(f, "created", NULL))) m->created_ms = atoll(v);
  if (!m->id[0] || !m->kind[0]) m->skip = true;
}

static bool stopped(const volatile int *stop) { return __atomic_load_n((const int *)stop, __ATOMIC_RELAXED) != 0; }

/* Runs a batch of messages of one stream set and acks them. */
static int run_batch(wctx *w, msg *ms, size_t n, bool any_cancel) {
  redisContext *c = w->b.c;
  const char *pfx = w->b.prefix;
  /* 1. one SMISMEMBER tells which were cancelled; the rest are marked running */
  size_t live = 0;
  for (size_t i = 0; i < n; i++) live += !ms[i].skip;
  if (live && any_cancel) {
    const char **av = calloc(live + 2, sizeof *av);
    if (!av) return OSC_ENOMEM;
    char ckey[160];
    snprintf(ckey, sizeof ckey, "%s:cancel", pfx);
    av[0] = "SMISMEMBER";
    av[1] = ckey;
    size_t k = 2;
    for (size_t i = 0; i < n; i++)
      if (!ms[i].skip) av[k++] = ms[i].id;
    redisReply *r = redisCommandArgv(c, (int)k, av, NULL);
    free(av);
    if (!r) return OSC_EUNAVAIL;
    k = 0;
    for (size_t i = 0; i < n; i++) {
      if (ms[i].skip) continue;
      if (r->type == REDIS_REPLY_ARRAY && k < r->elements && r->element[k]->integer == 1) {
        ms[i].skip = true;
        ms[i].err = osc_strdup("cancelled before it started");
      }
      k++;
    }
    freeReplyObject(r);
  }
  int64_t now = osc_wall_ms();
  int64_t ttl = w->b.o.result_ttl_ms;
  for (size_t i = 0; i < n; i++) {
    if (ms[i].skip) continue;
    osc_task_submit s;
    osc_task_submit_init(&s, ms[i].kind);
    s.payload = ms[i].payload;
    s.payload_len = ms[i].payload_len;
    s.payload_json = ms[i].pj;
    s.priority = (osc_task_priority)ms[i].prio;
    s.timeout_ms = ms[i].timeout_ms > 0 ? ms[i].timeout_ms : 0;
    s.max_attempts = ms[i].max_attempts > 0 ? ms[i].max_attempts : 0;
    s.durable = OSC_TASK_DURABLE_NO; /* Redis keeps the message until XACK */
    if (osc_tasks_submit(w->tp, &s, ms[i].local, NULL) == OSC_OK) ms[i].submitted = true;
    else ms[i].err = osc_asprintf("%s", osc_errmsg());
  }
  /* 2. jobs still running after 20 ms are marked running (short ones go straight to their outcome) */
  uint64_t mark_at = osc_now_ms() + 20;
  bool marked = false;
  uint64_t last_poll = osc_now_ms();
  for (size_t i = 0; i < n; i++) {
    if (!ms[i].submitted) continue;
    for (;;) {
      int64_t left = marked ? 200 : (int64_t)(mark_at > osc_now_ms() ? mark_at - osc_now_ms() : 0);
      if (osc_tasks_wait(w->tp, ms[i].local, left, NULL) != OSC_ETIMEDOUT) break;
      if (!marked) {
        marked = true;
        size_t cmds = 0;
        for (size_t k = i; k < n; k++) {
          osc_task_info info;
          if (!ms[k].submitted || osc_tasks_status(w->tp, ms[k].local, &info) != OSC_OK) continue;
          if (!osc_task_status_final(info.status)) {
            jobrec jr = {.status = "running", .kind = ms[k].kind, .priority = ms[k].prio, .worker = w->name,
                         .attempts = ms[k].deliveries > 0 ? ms[k].deliveries : 1, .started_ms = now,
                         .created_ms = ms[k].created_ms};
            append_set(c, pfx, ms[k].id, &jr, ttl);
            cmds++;
          }
          osc_task_info_release(&info);
        }
        for (size_t k = 0; k < cmds; k++) {
          redisReply *r = NULL;
          if (redisGetReply(c, (void **)&r) != REDIS_OK) return OSC_EUNAVAIL;
          freeReplyObject(r);
        }
        continue;
      }
      /* forward cancel requests every 500 ms */
      if (osc_now_ms() - last_poll < 500) continue;
      last_poll = osc_now_ms();
      for (size_t k = i; k < n; k++) {
        if (!ms[k].submitted) continue;
        redisReply *r = redisCommand(c, "SISMEMBER %s:cancel %s", pfx, ms[k].id);
        if (!r) return OSC_EUNAVAIL;
        if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) osc_tasks_cancel(w->tp, ms[k].local);
        freeReplyObject(r);
      }
    }
  }
  /* 3. outcomes + ack, pipelined */
  int64_t done = osc_wall_ms();
  size_t cmds = 0;
  for (size_t i = 0; i < n; i++) {
    long long deliv = ms[i].deliveries > 0 ? ms[i].deliveries : 1;
    if (ms[i].submitted) {
      osc_task_info info;
      if (osc_tasks_status(w->tp, ms[i].local, &info) == OSC_OK) {
        jobrec jr = {.status = osc_task_status_name(info.status), .kind = ms[i].kind, .priority = ms[i].prio,
                     .worker = w->name, .error = info.error, .attempts = deliv + info.attempts - 1,
                     .created_ms = ms[i].created_ms, .started_ms = info.started_ms, .completed_ms = done,
                     .result = info.result,
                     .result_len = info.result_len, .result_json = info.result_json};
        append_set(c, pfx, ms[i].id, &jr, ttl);
        cmds++;
        if (info.status == OSC_TASK_CANCELLED) {
          redisAppendCommand(c, "SREM %s:cancel %s", pfx, ms[i].id);
          cmds++;
        }
        osc_task_info_release(&info);
      }
    } else if (ms[i].id[0]) {
      const bool cancelled = ms[i].err && strncmp(ms[i].err, "cancelled", 9) == 0;
      jobrec jr = {.status = cancelled ? "cancelled" : "failed", .kind = ms[i].kind, .priority = ms[i].prio,
                   .worker = w->name, .error = ms[i].err ? ms[i].err : "malformed message",
                   .attempts = cancelled ? 0 : deliv, .created_ms = ms[i].created_ms, .completed_ms = done};
      append_set(c, pfx, ms[i].id, &jr, ttl);
      cmds++;
      if (cancelled) {
        redisAppendCommand(c, "SREM %s:cancel %s", pfx, ms[i].id);
        cmds++;
      } else {
        redisAppendCommand(c, "XADD %s:dead * id %s kind %s reason %s", pfx, ms[i].id, ms[i].kind,
                           ms[i].err ? ms[i].err : "malformed message");
        cmds++;
      }
    }
  }
  /* one XACK per stream */
  for (int p = 0; p < OSC_TASK_PRIORITY_COUNT; p++) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ms[i].sid[0] && ms[i].prio == p;
    if (!k) continue;
    const char **av = calloc(k + 3, sizeof *av);
    if (!av) return OSC_ENOMEM;
    char sk[160];
    snprintf(sk, sizeof sk, "%s:q:%d", pfx, p);
    av[0] = "XACK";
    av[1] = sk;
    av[2] = GROUP;
    k = 3;
    for (size_t i = 0; i < n; i++)
      if (ms[i].sid[0] && ms[i].prio == p) av[k++] = ms[i].sid;
    redisAppendCommandArgv(c, (int)k, av, NULL);
    free(av);
    cmds++;
  }
  for (size_t i = 0; i < cmds; i++) {
    redisReply *r = NULL;
    if (redisGetReply(c, (void **)&r) != REDIS_OK) return OSC_EUNAVAIL;
    freeReplyObject(r);
  }
  return OSC_OK;
}

/* XAUTOCLAIM of stuck messages; over-delivered ones go to the dead stream. */
static int reclaim(wctx *w) {
  redisContext *c = w->b.c;
  const char *pfx = w->b.prefix;
  for (int p = 0; p < OSC_TASK_PRIORITY_COUNT; p++) {
    redisReply *r = redisCommand(c, "XAUTOCLAIM %s:q:%d " GROUP " %s %lld 0-0 COUNT 32", pfx, p, w->name,
                                 (long long)w->b.o.visibility_ms);
    if (!r) return OSC_EUNAVAIL;
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 || r->element[1]->type != REDIS_REPLY_ARRAY ||
        r->element[1]->elements == 0) {
      freeReplyObject(r);
      continue;
    }
    redisReply *ents = r->element[1];
    msg *ms = calloc(ents->elements, sizeof *ms);
    size_t n = 0;
    for (size_t i = 0; ms && i < ents->elements; i++) {
      msg *m = &ms[n];
      parse_entry(ents->element[i], p, m);
      if (!m->sid[0]) continue;
      redisReply *pe = redisCommand(c, "XPENDING %s:q:%d " GROUP " IDLE 0 %s %s 1", pfx, p, m->sid, m->sid);
      long long deliveries = 1;
      if (pe && pe->type == REDIS_REPLY_ARRAY && pe->elements == 1 && pe->element[0]->elements >= 4)
        deliveries = pe->element[0]->element[3]->integer;
      if (pe) freeReplyObject(pe);
      m->deliveries = deliveries;
      if (deliveries > w->b.o.max_deliveries) {
        m->skip = true;
        m->err = osc_asprintf("dead-lettered: delivered %lld times (max_deliveries %d) without an ack", deliveries,
                              w->b.o.max_deliveries);
      } else {
        OSC_INFO("tasks", "worker %s reclaimed job %s (delivery %lld)", w->name, m->id, deliveries);
      }
      n++;
    }
    int rc = ms ? run_batch(w, ms, n, true) : OSC_ENOMEM;
    for (size_t i = 0; ms && i < n; i++) free(ms[i].err);
    free(ms);
    freeReplyObject(r);
    if (rc) return rc;
  }
  return OSC_OK;
}

static void *worker_thread(void *arg) {
  wctx *w = arg;
  int batch = w->wo && w->wo->batch > 0 ? w->wo->batch : 16;
  uint64_t claim_every = (uint64_t)OSC_MAX(100, OSC_MIN(w->b.o.visibility_ms / 4, 5000));
  uint64_t last_claim = 0;
  char streams[4][160];
  for (int p = 0; p < OSC_TASK_PRIORITY_COUNT; p++) snprintf(streams[p], sizeof streams[p], "%s:q:%d", w->b.prefix, p);
  char count[16];
  snprintf(count, sizeof count, "%d", batch);
  while (!stopped(w->stop)) {
    if (!w->b.c && connect_ctx(&w->b, &w->b.c) != OSC_OK) {
      OSC_WARN("tasks", "worker %s: %s; retrying in 1 s", w->name, osc_errmsg());
      osc_sleep_ms(1000);
      continue;
    }
    uint64_t now = osc_now_ms();
    int rc = OSC_OK;
    if (now - last_claim >= claim_every) {
      last_claim = now;
      rc = reclaim(w);
    }
    redisReply *r = NULL;
    bool any_cancel = true;
    if (rc == OSC_OK) {
      const char *argv[] = {"XREADGROUP", "GROUP", GROUP, w->name, "COUNT", count, "BLOCK", "200", "STREAMS",
                            streams[0], streams[1], streams[2], streams[3], ">", ">", ">", ">"};
      /* EXISTS rides along in the same round trip: no SMISMEMBER while nobody cancels */
      redisAppendCommand(w->b.c, "EXISTS %s:cancel", w->b.prefix);
      redisAppendCommandArgv(w->b.c, (int)OSC_ARRAY_LEN(argv), argv, NULL);
      redisReply *ex = NULL;
      if (redisGetReply(w->b.c, (void **)&ex) != REDIS_OK || redisGetReply(w->b.c, (void **)&r) != REDIS_OK) {
        rc = OSC_EUNAVAIL;
        if (r) freeReplyObject(r);
        r = NULL;
      } else {
        any_cancel = !(ex && ex->type == REDIS_REPLY_INTEGER && ex->integer == 0);
      }
      if (ex) freeReplyObject(ex);
    }
    if (rc == OSC_OK && r->type == REDIS_REPLY_ERROR && strstr(r->str, "NOGROUP")) {
      ensure_groups(&w->b, w->b.c);
    } else if (rc == OSC_OK && r->type == REDIS_REPLY_ARRAY) {
      size_t total = 0;
      for (size_t s = 0; s < r->elements; s++) total += r->element[s]->element[1]->elements;
      msg *ms = calloc(total ? total : 1, sizeof *ms);
      size_t n = 0;
      /* streams come back in the order asked: highest priority first */
      for (size_t s = 0; ms && s < r->elements; s++) {
        redisReply *sr = r->element[s];
        int prio = 0;
        const char *name = sr->element[0]->str;
        const char *last = name ? strrchr(name, ':') : NULL;
        if (last) prio = atoi(last + 1);
        for (size_t i = 0; i < sr->element[1]->elements; i++) parse_entry(sr->element[1]->element[i], prio, &ms[n++]);
      }
      rc = ms ? run_batch(w, ms, n, any_cancel) : OSC_ENOMEM;
      for (size_t i = 0; ms && i < n; i++) free(ms[i].err);
      free(ms);
    }
    if (r) freeReplyObject(r);
    if (rc == OSC_EUNAVAIL) {
      OSC_WARN("tasks", "worker %s: connection lost (%s); reconnecting", w->name, w->b.c ? w->b.c->errstr : "");
      if (w->b.c) redisFree(w->b.c);
      w->b.c = NULL;
      osc_sleep_ms(200);
    }
  }
  if (w->b.c) redisFree(w->b.c);
  w->b.c = NULL;
  return NULL;
}

int osc_tasks_worker_run(osc_tasks *tp, const osc_tasks_broker_options *bo, const osc_tasks_worker_options *wo,
                         const volatile int *stop) {
  if (!tp || !bo || !stop) return osc_seterr(OSC_EINVAL, "tasks worker: processor, broker options and stop flag are required");
  osc_tasks_broker base;
  memset(&base, 0, sizeof base);
  int rc = setup(&base, bo);
  if (rc) return rc;
  rc = connect_ctx(&base, &base.c);
  if (rc) return rc;
  ensure_groups(&base, base.c);
  redisFree(base.c);
  base.c = NULL;
  int nthreads = wo && wo->threads > 0 ? wo->threads : 2;
  wctx *ws = calloc((size_t)nthreads, sizeof *ws);
  pthread_t *th = calloc((size_t)nthreads, sizeof *th);
  if (!ws || !th) {
    free(ws);
    free(th);
    return OSC_ENOMEM;
  }
  char host[64] = "host";
  gethostname(host, sizeof host - 1);
  int started = 0;
  for (int i = 0; i < nthreads; i++) {
    ws[i].tp = tp;
    ws[i].b = base;
    ws[i].b.o.prefix = ws[i].b.prefix;
    ws[i].wo = wo;
    ws[i].stop = stop;
    snprintf(ws[i].name, sizeof ws[i].name, "%s-%d-%d", wo && wo->name ? wo->name : host, (int)getpid(), i);
    if (pthread_create(&th[i], NULL, worker_thread, &ws[i]) == 0) started++;
    else break;
  }
  OSC_INFO("tasks", "broker workers: %d threads on %s:%d (prefix %s, visibility %lld ms)", started, base.host,
           base.port, base.prefix, (long long)base.o.visibility_ms);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  free(ws);
  free(th);
  return started == nthreads ? OSC_OK : osc_seterr(OSC_ENOMEM, "tasks worker: could not start every thread");
}
