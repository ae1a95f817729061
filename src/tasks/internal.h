/*
 * tasks/internal.h - shared internals of the task processor (not installed).
 */
#ifndef OSC_TASKS_INTERNAL_H
#define OSC_TASKS_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "oscontent/tasks.h"

typedef struct task_kind {
  char name[64];
  osc_task_fn fn;
  void *ud;
  osc_task_kind_options o;
  char *summary;
  struct task_kind *next;
} task_kind;

typedef struct task_rec task_rec;
struct task_rec {
  char id[OSC_TASK_ID_LEN];
  char kind_name[64];
  task_kind *kind;         /* NULL while parked (kind not registered yet) */
  atomic_int refs;
  /* Fields below are guarded by tp->mu unless noted. */
  osc_task_status status;
  osc_task_priority priority;
  osc_task_type type;
  int64_t created_ms, started_ms, completed_ms, next_attempt_ms;
  uint64_t queued_mono_ms, started_mono_ns, deadline_mono_ms, done_mono_ms, due_mono_ms;
  int attempts, max_attempts;
  int64_t timeout_ms;
  bool durable, isolated, in_queue, in_running, in_idem, in_dead, timed_out_by_watchdog;
  atomic_bool cancel;      /* polled by the job without the lock */
  atomic_uint progress_ppm;/* progress in millionths, lock-free */
  char *error;
  int error_code;
  void *result;
  size_t result_len;
  bool result_json;
  void *payload;
  size_t payload_len;
  bool payload_json;
  char *idem;
  struct worker *worker;   /* thread running it (thread jobs) */
  task_rec *run_prev, *run_next;  /* running list */
  task_rec *fin_next;             /* finished FIFO (retention) */
  task_rec *park_next;            /* parked list */
  task_rec *dead_next;            /* dead-letter list (newest first) */
};

/* ---- journal (journal.c) ---- */
typedef struct osc_journal osc_journal;
typedef struct journal_row {
  const char *id, *kind, *error, *idem;
  int status, priority, type, attempts, max_attempts;
  int64_t created_ms, started_ms, completed_ms, timeout_ms;
  const void *payload;
  size_t payload_len;
  bool payload_json;
  const void *result;
  size_t result_len;
  bool result_json;
} journal_row;

int osc__journal_open(const char *path, bool sync_normal, osc_journal **out);
void osc__journal_close(osc_journal *j);
/** Inserts rows in one transaction and waits for the commit. */
int osc__journal_insert(osc_journal *j, const journal_row *rows, size_t n);
/** Queues a status update (applied by the journal thread in the next group commit). */
void osc__journal_update(osc_journal *j, const journal_row *row);
/** Deletes finished rows completed before @p wall_ms (queued). */
void osc__journal_purge(osc_journal *j, int64_t before_wall_ms);
/** Calls fn for each job still pending or running. */
int osc__journal_load(osc_journal *j, void (*fn)(void *ud, const journal_row *row), void *ud);
/** Waits until every queued update is committed. */
void osc__journal_flush(osc_journal *j);

/* ---- process isolation (isolate.c) ---- */
/**
 * Runs one attempt of @p k in a forked child.  Polls @p cancel and the
 * deadline (mono ms, 0 = none); on either sends SIGTERM, then SIGKILL after
 * grace_ms.  Fills result/err.  Returns the job's code, OSC_ETIMEDOUT on a
 * hard timeout, OSC_ECANCELED, or OSC_EINTERNAL for a crash.
 */
int osc__isolate_run(task_kind *k, task_rec *rec, uint64_t deadline_mono_ms, int64_t grace_ms, atomic_bool *cancel,
                     atomic_uint *progress_ppm, osc_buf *result, bool *result_json, char **err);

/* ---- the job context ---- */
struct osc_task_ctx {
  task_rec *rec;
  const char *id;
  const void *payload;
  size_t payload_len;
  int attempt;
  atomic_bool *cancel;
  atomic_uint *progress_ppm;
  volatile sig_atomic_t *sig_cancel; /* isolated child: set by SIGTERM */
  int pipe_fd;                       /* isolated child: progress goes to the parent; -1 otherwise */
  osc_buf result;
  bool result_json;
  char *err;
};

/* ---- built-in kinds (kinds.c) ---- */
int osc__tasks_register_builtins(osc_tasks *tp);

#endif
