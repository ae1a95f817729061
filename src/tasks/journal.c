/*
 * tasks/journal.c - the durable-job journal: one SQLite database in WAL mode.
 *
 * One journal thread owns the connection.  Callers queue operations; the
 * thread takes everything queued and applies it in one transaction (group
 * commit).  Inserts (new durable jobs) wait for their commit, so a submit
 * returns only once the job is on disk; status updates do not wait: losing
 * the last few on a crash only means a job runs again (at-least-once).
 * Non-durable jobs never touch this file, so the in-memory path keeps its
 * speed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "tasks/internal.h"

typedef struct jop {
  int kind; /* 0 insert, 1 update, 2 purge */
  char *id, *kname, *error, *idem;
  int status, priority, type, attempts, max_attempts;
  int64_t created_ms, started_ms, completed_ms, timeout_ms, purge_before;
  void *payload, *result;
  size_t payload_len, result_len;
  bool payload_json, result_json;
  uint64_t seq;
  struct jop *next;
} jop;

struct osc_journal {
  sqlite3 *db;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv, done_cv;
  jop *head, *tail;
  uint64_t next_seq, committed_seq;
  int lock_fd;
  int last_rc;
  char last_err[256];
  bool stop;
};

static const char *const SCHEMA =
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id TEXT PRIMARY KEY, kind TEXT NOT NULL, status INTEGER NOT NULL, priority INTEGER NOT NULL,"
    " type INTEGER NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, started_ms INTEGER, completed_ms INTEGER, timeout_ms INTEGER,"
    " payload BLOB, payload_json INTEGER, result BLOB, result_json INTEGER, error TEXT, idem TEXT);"
    "CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, completed_ms);";

static void *dupb(const void *p, size_t n) {
  if (!p || !n) return NULL;
  void *c = malloc(n);
  if (c) memcpy(c, p, n);
  return c;
}

static jop *op_from_row(int kind, const journal_row *r) {
  jop *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->kind = kind;
  o->id = osc_strdup(r->id);
  o->kname = osc_strdup(r->kind);
  o->error = osc_strdup(r->error);
  o->idem = osc_strdup(r->idem);
  o->status = r->status;
  o->priority = r->priority;
  o->type = r->type;
  o->attempts = r->attempts;
  o->max_attempts = r->max_attempts;
  o->created_ms = r->created_ms;
  o->started_ms = r->started_ms;
  o->completed_ms = r->completed_ms;
  o->timeout_ms = r->timeout_ms;
  if (kind == 0) {
    o->payload = dupb(r->payload, r->payload_len);
    o->payload_len = o->payload ? r->payload_len : 0;
  }
  o->payload_json = r->payload_json;
  if (kind == 1) {
    o->result = dupb(r->result, r->result_len);
    o->result_len = o->result ? r->result_len : 0;
  }
  o->result_json = r->result_json;
  return o;
}

static void op_free(jop *o) {
  free(o->id);
  free(o->kname);
  free(o->error);
  free(o->idem);
  free(o->payload);
  free(o->result);
  free(o);
}

static int apply(osc_journal *j, sqlite3_stmt *ins, sqlite3_stmt *upd, sqlite3_stmt *pur, jop *o) {
  sqlite3_stmt *s;
  if (o->kind == 0) {
    s = ins;
    sqlite3_bind_text(s, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, o->kname, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, o->status);
    sqlite3_bind_int(s, 4, o->priority);
    sqlite3_bind_int(s, 5, o->type);
    sqlite3_bind_int(s, 6, o->attempts);
    sqlite3_bind_int(s, 7, o->max_attempts);
    sqlite3_bind_int64(s, 8, o->created_ms);
    sqlite3_bind_int64(s, 9, o->timeout_ms);
    if (o->payload) sqlite3_bind_blob(s, 10, o->payload, (int)o->payload_len, SQLITE_STATIC);
    else sqlite3_bind_null(s, 10);
    sqlite3_bind_int(s, 11, o->payload_json);
    if (o->idem) sqlite3_bind_text(s, 12, o->idem, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 12);
  } else if (o->kind == 1) {
    s = upd;
    sqlite3_bind_int(s, 1, o->status);
    sqlite3_bind_int(s, 2, o->attempts);
    sqlite3_bind_int64(s, 3, o->started_ms);
    sqlite3_bind_int64(s, 4, o->completed_ms);
    if (o->result) sqlite3_bind_blob(s, 5, o->result, (int)o->result_len, SQLITE_STATIC);
    else sqlite3_bind_null(s, 5);
    sqlite3_bind_int(s, 6, o->result_json);
    if (o->error) sqlite3_bind_text(s, 7, o->error, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 7);
    sqlite3_bind_text(s, 8, o->id, -1, SQLITE_STATIC);
  } else {
    s = pur;
    sqlite3_bind_int64(s, 1, o->purge_before);
  }
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  (void)j;
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void *journal_main(void *arg) {
  osc_journal *j = arg;
  sqlite3_stmt *ins = NULL, *upd = NULL, *pur = NULL;
  sqlite3_prepare_v2(j->db,
                     "INSERT OR REPLACE INTO jobs(id,kind,status,priority,type,attempts,max_attempts,created_ms,"
                     "timeout_ms,payload,payload_json,idem) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                     -1, &ins, NULL);
  sqlite3_prepare_v2(j->db,
                     "UPDATE jobs SET status=?,attempts=?,started_ms=?,completed_ms=?,result=?,result_json=?,error=? "
                     "WHERE id=?",
                     -1, &upd, NULL);
  sqlite3_prepare_v2(j->db, "DELETE FROM jobs WHERE status>=2 AND completed_ms<?", -1, &pur, NULL);
  pthread_mutex_lock(&j->mu);
  for (;;) {
    while (!j->head && !j->stop) pthread_cond_wait(&j->cv, &j->mu);
    if (!j->head && j->stop) break;
    jop *list = j->head;
    j->head = j->tail = NULL;
    pthread_mutex_unlock(&j->mu);
    uint64_t maxseq = 0;
    int rc = sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (jop *o = list; o && rc == SQLITE_OK; o = o->next) {
      int r = apply(j, ins, upd, pur, o);
      if (r != SQLITE_OK && o->kind == 0) rc = r;
    }
    if (rc == SQLITE_OK) rc = sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL);
    char em[256];
    snprintf(em, sizeof em, "%s", sqlite3_errmsg(j->db)); /* before ROLLBACK replaces it */
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(j->db)) sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
    for (jop *o = list, *nx; o; o = nx) {
      nx = o->next;
      if (o->seq > maxseq) maxseq = o->seq;
      op_free(o);
    }
    pthread_mutex_lock(&j->mu);
    j->last_rc = rc;
    if (rc != SQLITE_OK) {
      snprintf(j->last_err, sizeof j->last_err, "%s", em);
      OSC_ERROR("tasks", "journal commit failed: %s", em);
    }
    j->committed_seq = maxseq;
    pthread_cond_broadcast(&j->done_cv);
  }
  pthread_mutex_unlock(&j->mu);
  sqlite3_finalize(ins);
  sqlite3_finalize(upd);
  sqlite3_finalize(pur);
  return NULL;
}

int osc__journal_open(const char *path, bool sync_normal, osc_journal **out) {
  *out = NULL;
  osc_journal *j = calloc(1, sizeof *j);
  if (!j) return OSC_ENOMEM;
  /* one processor per journal: a second one would resume the same jobs */
  char *lp = osc_asprintf("%s.lock", path);
  j->lock_fd = lp ? open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
  free(lp);
  if (j->lock_fd < 0 || flock(j->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int busy = j->lock_fd >= 0 && errno == EWOULDBLOCK;
    if (j->lock_fd >= 0) close(j->lock_fd);
    free(j);
    return busy ? osc_seterr(OSC_EBUSY, "tasks journal %s: another process (a running `oscontent serve`?) owns it; "
                                        "submit through its HTTP API or the broker", path)
                : osc_seterr(OSC_EIO, "tasks journal %s: cannot create its lock file", path);
  }
  int rc = sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK) {
    int e = osc_seterr(OSC_EIO, "tasks journal %s: cannot open: %s", path,
                       j->db ? sqlite3_errmsg(j->db) : sqlite3_errstr(rc));
    sqlite3_close(j->db);
    close(j->lock_fd);
    free(j);
    return e;
  }
  sqlite3_busy_timeout(j->db, 5000);
  char *em = NULL;
  char pragmas[160];
  snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;",
           sync_normal ? "NORMAL" : "FULL");
  if (sqlite3_exec(j->db, pragmas, NULL, NULL, &em) != SQLITE_OK ||
      sqlite3_exec(j->db, SCHEMA, NULL, NULL, &em) != SQLITE_OK) {
    int e = osc_seterr(sqlite3_errcode(j->db) == SQLITE_NOTADB || sqlite3_errcode(j->db) == SQLITE_CORRUPT
                           ? OSC_ECORRUPT
                           : OSC_EIO,
                       "tasks journal %s: %s", path, em ? em : "setup failed");
    sqlite3_free(em);
    sqlite3_close(j->db);
    close(j->lock_fd);
    free(j);
    return e;
  }
  pthread_mutex_init(&j->mu, NULL);
  pthread_cond_init(&j->cv, NULL);
  pthread_cond_init(&j->done_cv, NULL);
  if (pthread_create(&j->th, NULL, journal_main, j) != 0) {
    sqlite3_close(j->db);
    close(j->lock_fd);
    free(j);
    return osc_seterr(OSC_ENOMEM, "tasks journal: cannot start its thread");
  }
  *out = j;
  return OSC_OK;
}

static uint64_t enqueue(osc_journal *j, jop **ops, size_t n) {
  pthread_mutex_lock(&j->mu);
  uint64_t seq = 0;
  for (size_t i = 0; i < n; i++) {
    if (!ops[i]) continue;
    ops[i]->seq = seq = ++j->next_seq;
    if (j->tail) j->tail->next = ops[i];
    else j->head = ops[i];
    j->tail = ops[i];
  }
  pthread_cond_signal(&j->cv);
  pthread_mutex_unlock(&j->mu);
  return seq;
}

int osc__journal_insert(osc_journal *j, const journal_row *rows, size_t n) {
  jop **ops = calloc(n, sizeof *ops);
  if (!ops) return OSC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if (!(ops[i] = op_from_row(0, &rows[i]))) {
      for (size_t k = 0; k < i; k++) op_free(ops[k]);
      free(ops);
      return OSC_ENOMEM;
    }
  }
  uint64_t seq = enqueue(j, ops, n);
  free(ops);
  pthread_mutex_lock(&j->mu);
  while (j->committed_seq < seq) pthread_cond_wait(&j->done_cv, &j->mu);
  int rc = j->last_rc;
  char msg[256];
  snprintf(msg, sizeof msg, "%s", j->last_err);
  pthread_mutex_unlock(&j->mu);
  /* A failed group commit fails every insert in it (conservative). */
  if ((rc & 0xff) == SQLITE_FULL) return osc_seterr(OSC_ENOSPC, "tasks journal: disk full: %s", msg);
  if (rc != SQLITE_OK) return osc_seterr(OSC_EIO, "tasks journal: commit failed: %s", msg);
  return OSC_OK;
}

void osc__journal_update(osc_journal *j, const journal_row *row) {
  jop *o = op_from_row(1, row);
  if (!o) {
    OSC_ERROR("tasks", "journal: out of memory; status of %s not recorded", row->id);
    return;
  }
  enqueue(j, &o, 1);
}

void osc__journal_purge(osc_journal *j, int64_t before_wall_ms) {
  jop *o = calloc(1, sizeof *o);
  if (!o) return;
  o->kind = 2;
  o->purge_before = before_wall_ms;
  enqueue(j, &o, 1);
}

void osc__journal_flush(osc_journal *j) {
  pthread_mutex_lock(&j->mu);
  uint64_t seq = j->next_seq;
  while (j->committed_seq < seq) pthread_cond_wait(&j->done_cv, &j->mu);
  pthread_mutex_unlock(&j->mu);
}

int osc__journal_load(osc_journal *j, void (*fn)(void *ud, const journal_row *row), void *ud) {
  sqlite3_stmt *s = NULL;
  /* not under j->mu: fn may queue updates (the connection is FULLMUTEX) */
  int rc = sqlite3_prepare_v2(j->db,
                              "SELECT id,kind,status,priority,type,attempts,max_attempts,created_ms,timeout_ms,"
                              "payload,payload_json,error,idem FROM jobs WHERE status<=1 ORDER BY created_ms",
                              -1, &s, NULL);
  if (rc != SQLITE_OK) {
    return osc_seterr(OSC_ECORRUPT, "tasks journal: cannot read jobs: %s", sqlite3_errmsg(j->db));
  }
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    journal_row r;
    memset(&r, 0, sizeof r);
    r.id = (const char *)sqlite3_column_text(s, 0);
    r.kind = (const char *)sqlite3_column_text(s, 1);
    r.status = sqlite3_column_int(s, 2);
    r.priority = sqlite3_column_int(s, 3);
    r.type = sqlite3_column_int(s, 4);
    r.attempts = sqlite3_column_int(s, 5);
    r.max_attempts = sqlite3_column_int(s, 6);
    r.created_ms = sqlite3_column_int64(s, 7);
    r.timeout_ms = sqlite3_column_int64(s, 8);
    r.payload = sqlite3_column_blob(s, 9);
    r.payload_len = (size_t)sqlite3_column_bytes(s, 9);
    r.payload_json = sqlite3_column_int(s, 10) != 0;
    r.error = (const char *)sqlite3_column_text(s, 11);
    r.idem = (const char *)sqlite3_column_text(s, 12);
    if (!r.id || !r.kind) continue;
    fn(ud, &r);
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? OSC_OK : osc_seterr(OSC_ECORRUPT, "tasks journal: read failed: %s", sqlite3_errmsg(j->db));
}

void osc__journal_close(osc_journal *j) {
  if (!j) return;
  pthread_mutex_lock(&j->mu);
  j->stop = true;
  pthread_cond_signal(&j->cv);
  pthread_mutex_unlock(&j->mu);
  pthread_join(j->th, NULL);
  sqlite3_close(j->db);
  close(j->lock_fd);
  pthread_mutex_destroy(&j->mu);
  pthread_cond_destroy(&j->cv);
  pthread_cond_destroy(&j->done_cv);
  free(j);
}

/* Read-only view of a journal (for the CLI while a server owns it). */
int osc_tasks_journal_read(const char *path, const osc_tasks_filter *f, const char *id, osc_task_info **out,
                           size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return osc_seterr(OSC_ENOENT, "tasks journal %s: cannot open (no durable job was ever submitted here?)", path);
  }
  sqlite3_busy_timeout(db, 5000);
  osc_tasks_filter all = OSC_TASKS_FILTER_ALL;
  if (!f) f = &all;
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT id,kind,status,priority,type,attempts,max_attempts,created_ms,started_ms,"
                              "completed_ms,result,result_json,error,payload,payload_json FROM jobs WHERE (?1 IS NULL OR id=?1) "
                              "AND (?2<0 OR status=?2) AND (?3<0 OR priority=?3) AND (?4 IS NULL OR kind=?4) "
                              "ORDER BY created_ms DESC LIMIT ?5",
                              -1, &s, NULL);
  if (rc != SQLITE_OK) {
    int e = osc_seterr(OSC_ECORRUPT, "tasks journal %s: %s", path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return e;
  }
  if (id) sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, f->status);
  sqlite3_bind_int(s, 3, f->priority);
  if (f->kind) sqlite3_bind_text(s, 4, f->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 5, f->limit ? (int64_t)f->limit : 1000);
  size_t cap = 16, k = 0;
  osc_task_info *v = calloc(cap, sizeof *v);
  while (v && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (k == cap) {
      osc_task_info *nv = realloc(v, cap * 2 * sizeof *nv);
      if (!nv) break;
      v = nv;
      cap *= 2;
    }
    osc_task_info *o = &v[k++];
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(o->kind, sizeof o->kind, "%s", (const char *)sqlite3_column_text(s, 1));
    o->status = (osc_task_status)sqlite3_column_int(s, 2);
    o->priority = (osc_task_priority)sqlite3_column_int(s, 3);
    o->type = (osc_task_type)sqlite3_column_int(s, 4);
    o->attempts = sqlite3_column_int(s, 5);
    o->max_attempts = sqlite3_column_int(s, 6);
    o->created_ms = sqlite3_column_int64(s, 7);
    o->started_ms = sqlite3_column_int64(s, 8);
    o->completed_ms = sqlite3_column_int64(s, 9);
    o->durable = true;
    if (sqlite3_column_type(s, 10) != SQLITE_NULL) {
      size_t len = (size_t)sqlite3_column_bytes(s, 10);
      o->result = malloc(len + 1);
      if (o->result) {
        memcpy(o->result, sqlite3_column_blob(s, 10), len);
        ((char *)o->result)[len] = '\0';
        o->result_len = len;
      }
    }
    o->result_json = sqlite3_column_int(s, 11) != 0;
    o->error = osc_strdup((const char *)sqlite3_column_text(s, 12));
    if (o->status == OSC_TASK_COMPLETED) o->progress = 1.0;
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (!v) return OSC_ENOMEM;
  *out = v;
  *n = k;
  return OSC_OK;
}
