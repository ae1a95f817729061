/*
 * tasks/broker.c - distributed mode on Redis Streams (hiredis 0.14).
 *
 * Keys (prefix P, default "osc:tasks"):
 *   P:q:0 .. P:q:3   one stream per priority, consumer group "workers"; the
 *                    entry {kind, meta, payload} is the whole state of a queued job
 *   P:dead           dead-letter stream (delivery cap reached, unknown kind)
 *   P:job:<id>       the outcome: JSON {status, kind, priority, attempts, times,
 *                    worker, error, result}, SET ... PX result_ttl once per job
 *   P:cancel         set of ids asked to cancel (checked with one SMISMEMBER per batch)
 *
 * A job id is a UUIDv8 that carries the priority and the stream entry id, so
 * submit is one pipelined XADD per job and nothing else; status reads the
 * outcome record, else the entry (XRANGE: pending) and the pending entries
 * list (XPENDING: running, by whom, delivery count).  A worker thread reads
 * all four streams in one XREADGROUP (highest priority first), drops jobs in
 * P:cancel, runs the rest on the local processor (so timeouts, isolation and
 * retries apply), then pipelines each outcome record, one XACK per stream and
 * the next XREADGROUP in one round trip (the record always precedes its ack).
 * Messages of a worker that died stay pending; any worker reclaims those idle
 * longer than the visibility timeout (at least 2x the task timeout) with
 * XAUTOCLAIM, and moves a message delivered more than max_deliveries times to
 * P:dead.
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

/* Job ids of brokered jobs are UUIDv8 (RFC 9562 custom layout) that carry the
 * stream and entry id, so a queued job needs no record of its own:
 *   mmmmmmmm-mmmm-8ppp-Vsss-ssssssssssss
 * m = entry id milliseconds (48 bits), p = priority (stream P:q:p),
 * V = variant 10 + the top 14 bits of the 62-bit sequence, s = the rest. */
static void encode_id(int prio, unsigned long long ms, unsigned long long seq, char *out) {
  snprintf(out, OSC_TASK_ID_LEN, "%08llx-%04llx-8%03x-%04llx-%012llx", (ms >> 16) & 0xffffffffull, ms & 0xffffull,
           (unsigned)prio, 0x8000ull | ((seq >> 48) & 0x3fffull), seq & 0xffffffffffffull);
}

static bool sid_to_id(int prio, const char *sid, char *out) {
  unsigned long long ms, seq;
  char tail;
  if (!sid || sscanf(sid, "%llu-%llu%c", &ms, &seq, &tail) != 2 || ms >> 48 || seq >> 62) return false;
  encode_id(prio, ms, seq, out);
  return true;
}

/* The stream (priority) and entry id of a broker id; false for other ids. */
static bool id_to_sid(const char *id, int *prio, char *sid, size_t sl) {
  if (strlen(id) != 36) return false;
  for (int i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) return false;
  }
  if (id[14] != '8' || !strchr("89ab", id[19])) return false;
  unsigned long long g1 = strtoull(id, NULL, 16), g2 = strtoull(id + 9, NULL, 16), g3 = strtoull(id + 15, NULL, 16),
                     g4 = strtoull(id + 19, NULL, 16), g5 = strtoull(id + 24, NULL, 16);
  if (g3 >= OSC_TASK_PRIORITY_COUNT) return false;
  *prio = (int)g3;
  snprintf(sid, sl, "%llu-%llu", (g1 << 16) | g2, ((g4 & 0x3fffull) << 48) | g5);
  return true;
}

int osc_tasks_broker_submit(osc_tasks_broker *b, const osc_task_submit *s, size_t n, char (*ids)[OSC_TASK_ID_LEN]) {
  if (!b || (!s && n)) return osc_seterr(OSC_EINVAL, "broker submit: jobs are required");
  for (size_t i = 0; i < n; i++) {
    if (!s[i].kind || !*s[i].kind) return osc_seterr(OSC_EINVAL, "kind: required");
    if (strlen(s[i].kind) >= 64) return osc_seterr(OSC_EINVAL, "kind: longer than 63 bytes");
    if ((unsigned)s[i].priority >= OSC_TASK_PRIORITY_COUNT)
      return osc_seterr(OSC_EINVAL, "priority: %d is outside 0..3", (int)s[i].priority);
  }
  /* One XADD per job, all pipelined: the entry is the job's whole queued state
   * (the id comes from the entry id; status reads it back with XRANGE/XPENDING). */
  long long now = (long long)osc_wall_ms();
  char maxlen[32];
  snprintf(maxlen, sizeof maxlen, "%lld", (long long)b->o.maxlen);
  for (size_t i = 0; i < n; i++) {
    char stream[160], meta[96];
    snprintf(stream, sizeof stream, "%s:q:%d", b->prefix, (int)s[i].priority);
    /* meta: payload_json timeout_ms max_attempts created_ms */
    snprintf(meta, sizeof meta, "%d %lld %d %lld", s[i].payload_json ? 1 : 0, (long long)s[i].timeout_ms,
             s[i].max_attempts, now);
    const char *pl = s[i].payload ? (const char *)s[i].payload : "";
    const char *xa[] = {"XADD", stream, "MAXLEN", "~", maxlen, "*", "kind", s[i].kind, "meta", meta, "payload", pl};
    size_t xl[OSC_ARRAY_LEN(xa)];
    for (size_t k = 0; k < OSC_ARRAY_LEN(xa); k++) xl[k] = strlen(xa[k]);
    xl[11] = s[i].payload ? s[i].payload_len : 0;
    redisAppendCommandArgv(b->c, (int)OSC_ARRAY_LEN(xa), xa, xl);
  }
  int rc = OSC_OK;
  for (size_t i = 0; i < n; i++) {
    redisReply *r = NULL;
    if (redisGetReply(b->c, (void **)&r) != REDIS_OK)
      return osc_seterr(OSC_EUNAVAIL, "broker: connection lost: %s", b->c->errstr);
    ids[i][0] = '\0';
    if (r && r->type == REDIS_REPLY_STRING) {
      if (!sid_to_id((int)s[i].priority, r->str, ids[i]) && rc == OSC_OK)
        rc = osc_seterr(OSC_EPROTO, "broker: unexpected stream entry id '%s'", r->str);
    } else if (rc == OSC_OK) {
      rc = osc_seterr(OSC_EPROTO, "broker: XADD: %s", r && r->str ? r->str : "no reply");
    }
    freeReplyObject(r);
  }
  return rc;
}

/* meta field of an entry: "payload_json timeout_ms max_attempts created_ms" */
static void parse_meta(const char *v, bool *pj, int64_t *timeout_ms, int *max_attempts, int64_t *created_ms) {
  int p = 0, a = 0;
  long long t = 0, c = 0;
  if (v && sscanf(v, "%d %lld %d %lld", &p, &t, &a, &c) == 4) {
    *pj = p == 1;
    *timeout_ms = t;
    *max_attempts = a;
    *created_ms = c;
  }
}

static const char *fval(redisReply *fields, const char *name, size_t *len) {
  for (size_t i = 0; fields && i + 1 < fields->elements; i += 2)
    if (fields->element[i]->str && strcmp(fields->element[i]->str, name) == 0) {
      if (len) *len = fields->element[i + 1]->len;
      return fields->element[i + 1]->str;
    }
  return NULL;
}

/* A job with no outcome record yet: pending in its stream, or running when a
 * consumer holds it (the pending entries list says who and how often). */
static int status_from_stream(const char *id, int prio, redisReply *xr, redisReply *xp, osc_task_info *out) {
  if (!xr || xr->type != REDIS_REPLY_ARRAY || xr->elements != 1 || xr->element[0]->elements < 2 ||
      xr->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
    return osc_seterr(OSC_ENOENT, "task %s: not found in the broker (unknown id, trimmed, or its result expired)", id);
  redisReply *f = xr->element[0]->element[1];
  memset(out, 0, sizeof *out);
  snprintf(out->id, sizeof out->id, "%s", id);
  const char *k = fval(f, "kind", NULL);
  if (k) snprintf(out->kind, sizeof out->kind, "%s", k);
  out->priority = (osc_task_priority)prio;
  bool pj = false;
  int64_t timeout = 0;
  parse_meta(fval(f, "meta", NULL), &pj, &timeout, &out->max_attempts, &out->created_ms);
  out->status = OSC_TASK_PENDING;
  if (xp && xp->type == REDIS_REPLY_ARRAY && xp->elements == 1 && xp->element[0]->type == REDIS_REPLY_ARRAY &&
      xp->element[0]->elements >= 4) {
    redisReply *e = xp->element[0];
    out->status = OSC_TASK_RUNNING;
    out->started_ms = osc_wall_ms() - (int64_t)e->element[2]->integer; /* last delivery */
    out->attempts = (int)e->element[3]->integer;
  }
  return OSC_OK;
}

int osc_tasks_broker_status(osc_tasks_broker *b, const char *id, osc_task_info *out) {
  int prio = 0;
  char sid[48];
  bool streamed = id_to_sid(id, &prio, sid, sizeof sid);
  /* Order matters: the worker writes the outcome record before its XACK, so a
   * record missing at the GET (sent last) means the XPENDING before it saw the
   * job still queued or held, never already acknowledged. */
  if (streamed) {
    redisAppendCommand(b->c, "XRANGE %s:q:%d %s %s", b->prefix, prio, sid, sid);
    redisAppendCommand(b->c, "XPENDING %s:q:%d " GROUP " %s %s 1", b->prefix, prio, sid, sid);
  }
  redisAppendCommand(b->c, "GET %s:job:%s", b->prefix, id);
  redisAppendCommand(b->c, "SISMEMBER %s:cancel %s", b->prefix, id);
  redisReply *rs[4] = {0};
  int nr = streamed ? 4 : 2;
  for (int i = 0; i < nr; i++) {
    if (redisGetReply(b->c, (void **)&rs[i]) != REDIS_OK) {
      for (int k = 0; k < i; k++) freeReplyObject(rs[k]);
      return osc_seterr(OSC_EUNAVAIL, "broker: connection lost: %s", b->c->errstr);
    }
  }
  redisReply *r = rs[nr - 2], *cr = rs[nr - 1];
  int rc = OSC_OK;
  json_t *v = NULL;
  if (r->type != REDIS_REPLY_STRING || osc_json_parse(r->str, r->len, false, &v) != OSC_OK || !json_is_object(v)) {
    json_decref(v);
    v = NULL;
    if (streamed) rc = status_from_stream(id, prio, rs[0], rs[1], out);
    else rc = osc_seterr(OSC_ENOENT, "task %s: not found in the broker (unknown id, or its result expired)", id);
  } else {
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
  }
  if (rc == OSC_OK) out->cancel_requested = cr->type == REDIS_REPLY_INTEGER && cr->integer == 1;
  json_decref(v);
  for (int i = 0; i < nr; i++) freeReplyObject(rs[i]);
  return rc;
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
  size_t unread; /* replies of pipelined outcome writes not read yet */
  int rc;
} wctx;

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
  if ((v = fval(f, "id", NULL))) snprintf(m->id, sizeof m->id, "%s", v); /* entries of older versions */
  else sid_to_id(prio, m->sid, m->id);
  if ((v = fval(f, "kind", NULL))) snprintf(m->kind, sizeof m->kind, "%s", v);
  m->payload = fval(f, "payload", &m->payload_len);
  if ((v = fval(f, "meta", NULL))) {
    parse_meta(v, &m->pj, &m->timeout_ms, &m->max_attempts, &m->created_ms);
  } else {
    if ((v = fval(f, "pj", NULL))) m->pj = *v == '1';
    if ((v = fval(f, "timeout", NULL))) m->timeout_ms = atoll(v);
    if ((v = fval(f, "attempts", NULL))) m->max_attempts = atoi(v);
    if ((v = fval(f, "created", NULL))) m->created_ms = atoll(v);
  }
  if (!m->id[0] || !m->kind[0]) m->skip = true;
}

static bool stopped(const volatile int *stop) { return __atomic_load_n((const int *)stop, __ATOMIC_RELAXED) != 0; }

/* Reads the replies of pipelined writes. */
static int drain(wctx *w) {
  for (; w->unread > 0; w->unread--) {
    redisReply *r = NULL;
    if (redisGetReply(w->b.c, (void **)&r) != REDIS_OK) {
      w->unread = 0;
      return OSC_EUNAVAIL;
    }
    if (r && r->type == REDIS_REPLY_ERROR) OSC_WARN("tasks", "worker %s: broker write failed: %s", w->name, r->str);
    freeReplyObject(r);
  }
  return OSC_OK;
}

/* Runs a batch of messages and queues (pipelines, without reading the
 * replies) each outcome record followed by the XACKs: a record always
 * precedes its ack, which status relies on. */
static int run_batch(wctx *w, msg *ms, size_t n, bool any_cancel) {
  redisContext *c = w->b.c;
  const char *pfx = w->b.prefix;
  int rc = drain(w);
  if (rc) return rc;
  /* 1. one SMISMEMBER tells which were cancelled (only while someone cancels) */
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
  /* 2. run on the local pools (timeouts, isolation and retries apply) */
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
  /* 3. wait for each; forward cancel requests every 500 ms; queue its outcome as soon as it is known */
  int64_t ttl = w->b.o.result_ttl_ms;
  for (size_t i = 0; i < n; i++) {
    long long deliv = ms[i].deliveries > 0 ? ms[i].deliveries : 1;
    if (ms[i].submitted) {
      osc_task_info info;
      int wrc;
      while ((wrc = osc_tasks_wait(w->tp, ms[i].local, 500, &info)) == OSC_ETIMEDOUT) {
        osc_task_info_release(&info);
        if (drain(w) != OSC_OK) return OSC_EUNAVAIL;
        for (size_t k = i; k < n; k++)
          if (ms[k].submitted) redisAppendCommand(c, "SISMEMBER %s:cancel %s", pfx, ms[k].id);
        for (size_t k = i; k < n; k++) {
          if (!ms[k].submitted) continue;
          redisReply *r = NULL;
          if (redisGetReply(c, (void **)&r) != REDIS_OK) return OSC_EUNAVAIL;
          if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) osc_tasks_cancel(w->tp, ms[k].local);
          freeReplyObject(r);
        }
      }
      jobrec jr = {.status = "failed", .kind = ms[i].kind, .priority = ms[i].prio, .worker = w->name,
                   .error = "lost by the local processor", .attempts = deliv, .created_ms = ms[i].created_ms,
                   .completed_ms = osc_wall_ms()};
      if (wrc == OSC_OK) {
        jr.status = osc_task_status_name(info.status);
        jr.error = info.error;
        jr.attempts = deliv + info.attempts - 1;
        jr.started_ms = info.started_ms;
        jr.result = info.result;
        jr.result_len = info.result_len;
        jr.result_json = info.result_json;
      }
      append_set(c, pfx, ms[i].id, &jr, ttl);
      w->unread++;
      if (wrc == OSC_OK && info.status == OSC_TASK_CANCELLED) {
        redisAppendCommand(c, "SREM %s:cancel %s", pfx, ms[i].id);
        w->unread++;
      }
      if (wrc == OSC_OK) osc_task_info_release(&info);
    } else if (ms[i].id[0]) {
      const bool cancelled = ms[i].err && strncmp(ms[i].err, "cancelled", 9) == 0;
      jobrec jr = {.status = cancelled ? "cancelled" : "failed", .kind = ms[i].kind, .priority = ms[i].prio,
                   .worker = w->name, .error = ms[i].err ? ms[i].err : "malformed message",
                   .attempts = cancelled ? 0 : deliv, .created_ms = ms[i].created_ms, .completed_ms = osc_wall_ms()};
      append_set(c, pfx, ms[i].id, &jr, ttl);
      w->unread++;
      if (cancelled) {
        redisAppendCommand(c, "SREM %s:cancel %s", pfx, ms[i].id);
      } else {
        redisAppendCommand(c, "XADD %s:dead * id %s kind %s reason %s", pfx, ms[i].id, ms[i].kind,
                           ms[i].err ? ms[i].err : "malformed message");
      }
      w->unread++;
    }
  }
  /* 4. one XACK per stream, after every record */
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
    w->unread++;
  }
  return OSC_OK;
}

/* XAUTOCLAIM of stuck messages; over-delivered ones go to the dead stream. */
static int reclaim(wctx *w) {
  redisContext *c = w->b.c;
  const char *pfx = w->b.prefix;
  for (int p = 0; p < OSC_TASK_PRIORITY_COUNT; p++) {
    int rc = drain(w);
    if (rc) return rc;
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
    rc = ms ? run_batch(w, ms, n, true) : OSC_ENOMEM;
    if (rc == OSC_OK) rc = drain(w);
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
      /* One round trip: the previous batch's records and XACKs, EXISTS (no
       * SMISMEMBER while nobody cancels) and the next read. */
      redisAppendCommand(w->b.c, "EXISTS %s:cancel", w->b.prefix);
      redisAppendCommandArgv(w->b.c, (int)OSC_ARRAY_LEN(argv), argv, NULL);
      redisReply *ex = NULL;
      if (drain(w) != OSC_OK || redisGetReply(w->b.c, (void **)&ex) != REDIS_OK ||
          redisGetReply(w->b.c, (void **)&r) != REDIS_OK) {
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
      w->unread = 0;
      osc_sleep_ms(200);
    }
  }
  if (w->b.c) {
    drain(w); /* the last batch's records and acks */
    redisFree(w->b.c);
  }
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
