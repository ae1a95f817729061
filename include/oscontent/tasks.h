/*
 * oscontent/tasks.h - the task processor: priority queues, worker pools per
 * task type, retries with backoff, timeouts, process isolation, autoscaling,
 * durable jobs (SQLite journal) and a Redis Streams broker for distributed
 * workers.
 *
 * Two lanes share the same pools and priority queues:
 *   - Jobs: a registered *kind* (by name) plus a payload.  Each job has a
 *     record (id, status, times, attempts, result, progress) that can be
 *     waited on, listed, cancelled, retried, journaled and sent to Redis.
 *   - Function tasks (osc_tasks_run): a bare function pointer and argument,
 *     no record, no id.  This is the fast lane (millions per second), for
 *     fan-out inside one process.
 *
 * Priorities run CRITICAL > HIGH > NORMAL > LOW, FIFO within a level.  Aging:
 * a lower level whose head has been passed over `aging_quota` times in a row
 * is served next, so the head of LOW starts after at most aging_quota
 * dispatches of higher levels (docs/tasks.md states the bound in time).
 *
 * Delivery: a job runs at least once; a job that was running when the
 * process died runs again after restart, with the interrupted attempt
 * counted.
 *
 * Thread safety: an osc_tasks handle is shared: every function may be called
 * from any thread, including from inside a running task.  osc_tasks_close()
 * must be called once, by the owner, after other callers are done.  An
 * osc_task_ctx belongs to the one task call it was passed to.
 */
#ifndef OSCONTENT_TASKS_H
#define OSCONTENT_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"
#include "oscontent/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct osc_tasks osc_tasks;
typedef struct osc_task_ctx osc_task_ctx;

/** Priority levels; a lower value runs first (the original's numbering). */
typedef enum osc_task_priority {
  OSC_TASK_PRIORITY_CRITICAL = 0,
  OSC_TASK_PRIORITY_HIGH = 1,
  OSC_TASK_PRIORITY_NORMAL = 2,
  OSC_TASK_PRIORITY_LOW = 3
} osc_task_priority;
#define OSC_TASK_PRIORITY_COUNT 4

/** Task types; each routes to its own pool. */
typedef enum osc_task_type {
  OSC_TASK_TYPE_MIXED = 0,  /* default */
  OSC_TASK_TYPE_CPU = 1,    /* threads = usable cores (cgroup-aware) */
  OSC_TASK_TYPE_IO = 2,     /* a larger pool */
  OSC_TASK_TYPE_MEMORY = 3  /* limited concurrency */
} osc_task_type;
#define OSC_TASK_TYPE_COUNT 4

typedef enum osc_task_status {
  OSC_TASK_PENDING = 0,   /* queued, waiting for a retry, or waiting for its kind to be registered */
  OSC_TASK_RUNNING = 1,
  OSC_TASK_COMPLETED = 2,
  OSC_TASK_FAILED = 3,    /* attempts exhausted or a permanent error: on the dead-letter list */
  OSC_TASK_CANCELLED = 4,
  OSC_TASK_TIMEOUT = 5
} osc_task_status;

/* ---- names ---- */
/** "critical", "high", "normal", "low"; static storage. */
OSC_API const char *osc_task_priority_name(osc_task_priority p);
/** "mixed", "cpu", "io", "memory". */
OSC_API const char *osc_task_type_name(osc_task_type t);
/** "pending", "running", "completed", "failed", "cancelled", "timeout". */
OSC_API const char *osc_task_status_name(osc_task_status s);
/** Parses a name or the digit 0-3; also the original's "cpu_intensive" etc. OSC_OK or OSC_EINVAL. */
OSC_API int osc_task_priority_parse(const char *text, osc_task_priority *out);
OSC_API int osc_task_type_parse(const char *text, osc_task_type *out);
OSC_API int osc_task_status_parse(const char *text, osc_task_status *out);
/** True for completed, failed, cancelled and timeout. */
OSC_API bool osc_task_status_final(osc_task_status s);

/* ---- the processor ---- */

/** Per-pool sizing.  All zero = defaults from the type (see osc_tasks_options). */
typedef struct osc_tasks_pool_options {
  int min_workers; /* default: CPU/MIXED 1, IO 2, MEMORY 1; range 1..max_workers */
  int max_workers; /* default: CPU/MIXED usable cores, IO 4x cores (at least 8), MEMORY 2; 1..1024 */
} osc_tasks_pool_options;

/** Options for osc_tasks_open.  All zero means defaults. */
typedef struct osc_tasks_options {
  osc_tasks_pool_options pools[OSC_TASK_TYPE_COUNT]; /* indexed by osc_task_type */
  bool no_autoscale;          /* default false: pools grow and shrink between min and max; true = fixed at max */
  int scale_depth_factor;     /* grow when queued > factor * workers; default 2, 1..1000 */
  int64_t scale_cooldown_ms;  /* no two resizes of a pool closer than this; default 1000, 0..3600000 */
  int64_t idle_shrink_ms;     /* a worker idle this long exits (pool above min); default 10000 */
  int aging_quota;            /* a passed-over level is served after this many dispatches; default 16, 1..1000000 */
  int64_t default_timeout_ms; /* per-attempt timeout of jobs; default 300000; 0 = none */
  int max_attempts;           /* default 3, 1..100 */
  int64_t backoff_base_ms;    /* default 100 */
  int64_t backoff_cap_ms;     /* default 30000 */
  int64_t kill_grace_ms;      /* isolated job: SIGTERM, then SIGKILL after this; default 2000 */
  int64_t max_pending;        /* jobs queued at once before submit says OSC_EBUSY; default 100000 */
  int64_t retention_ms;       /* finished jobs are kept this long, then purged; default 3600000 */
  int64_t shutdown_timeout_ms;/* close(): drain queued jobs for up to this long; default 10000 */
  const char *journal_path;   /* SQLite journal for durable jobs; NULL = no journal (durable jobs are EINVAL) */
  bool journal_sync_normal;   /* default false: synchronous=FULL (survives power loss); true = NORMAL (survives kill -9) */
  bool no_builtin_kinds;      /* default false: registers "echo" and "sleep" */
  /* Test hooks: an injectable clock (milliseconds, monotonic) and random
   * source for backoff.  NULL = the real ones. */
  uint64_t (*clock_ms)(void *ud);
  uint64_t (*random_u64)(void *ud);
  void *hook_ud;
} osc_tasks_options;

/**
 * Opens a processor and starts its pools and its timer thread.  With a
 * journal, durable jobs that were pending or running when the last process
 * stopped are loaded; each starts as soon as its kind is registered.
 * @return OSC_OK, OSC_EINVAL (bad option; detail names it), OSC_ENOMEM,
 *         OSC_EIO (journal cannot be opened), OSC_ECORRUPT.
 */
OSC_API int osc_tasks_open(const osc_tasks_options *opts, osc_tasks **out);

/**
 * Fills options from the `tasks.*` settings (and the journal path under
 * data_dir when tasks.journal is on).  *journal_path is malloc'd into
 * *owned_path (free it after osc_tasks_open).
 */
OSC_API int osc_tasks_options_from_config(const osc_config *cfg, osc_tasks_options *opts, char **owned_path);

/**
 * Graceful shutdown: stops intake (submit says OSC_ECLOSED), lets queued
 * jobs run for up to shutdown_timeout_ms, cancels what is still running
 * (isolated jobs get SIGTERM then SIGKILL), and leaves durable jobs that did
 * not finish in the journal as pending, to resume on the next open.
 * Accepts NULL.
 */
OSC_API void osc_tasks_close(osc_tasks *tp);

/* ---- kinds ---- */

/**
 * A job's body.  Return OSC_OK (with an optional result set through the
 * context) or an osc_err (with an optional message via osc_task_set_error).
 * Runs on a pool thread, or in a forked process for isolated kinds.
 */
typedef int (*osc_task_fn)(osc_task_ctx *ctx, void *ud);

/** Decides whether an error is worth a retry. */
typedef bool (*osc_task_retry_fn)(int err, const char *msg, void *ud);

typedef struct osc_task_kind_options {
  osc_task_type type;        /* default MIXED */
  bool isolated;             /* run each attempt in a forked process (crash/hang = that job only) */
  bool durable;              /* journal every job of this kind (needs a journal) */
  int64_t timeout_ms;        /* per attempt; 0 = the processor default; -1 = none */
  int max_attempts;          /* 0 = the processor default */
  int64_t backoff_base_ms;   /* 0 = processor default */
  int64_t backoff_cap_ms;    /* 0 = processor default */
  osc_task_retry_fn retry_on;/* NULL = retry every error except OSC_EINVAL, OSC_EPARSE, OSC_ENOENT,
                                OSC_EPERM, OSC_EUNSUPPORTED, OSC_ETOOBIG, OSC_ECANCELED */
  void *retry_ud;
  const char *summary;       /* one line, copied; for `tasks kinds` and the 400 on unknown kinds */
} osc_task_kind_options;

/**
 * Registers a kind by name (1..63 chars of [a-z0-9._-]).  May be called at
 * any time after open; durable jobs of that kind waiting since the last run
 * start now.  @p ud is borrowed and must outlive the processor.
 * @return OSC_OK, OSC_EINVAL (bad name or options), OSC_EEXIST, OSC_ENOMEM.
 */
OSC_API int osc_tasks_register(osc_tasks *tp, const char *name, osc_task_fn fn, void *ud,
                               const osc_task_kind_options *opts);

/** True if @p name is registered. */
OSC_API bool osc_tasks_has_kind(osc_tasks *tp, const char *name);

/** Sorted, comma-separated names of the registered kinds (malloc'd). */
OSC_API char *osc_tasks_kind_names(osc_tasks *tp);

/* ---- jobs ---- */

typedef enum osc_task_durability {
  OSC_TASK_DURABLE_DEFAULT = 0, /* the kind decides */
  OSC_TASK_DURABLE_YES = 1,
  OSC_TASK_DURABLE_NO = 2
} osc_task_durability;

typedef struct osc_task_submit {
  const char *kind;           /* required, registered */
  const void *payload;        /* copied; may be NULL */
  size_t payload_len;
  bool payload_json;          /* payload is JSON text (shown as JSON by the CLI and routes) */
  osc_task_priority priority; /* default (0) is CRITICAL: set it; osc_task_submit_init gives NORMAL */
  int type;                   /* -1 = the kind's type; else an osc_task_type */
  const char *idempotency_key;/* optional: a duplicate while queued or running returns the existing id */
  int64_t timeout_ms;         /* 0 = the kind's */
  int max_attempts;           /* 0 = the kind's */
  osc_task_durability durable;
} osc_task_submit;

/** Sets defaults: priority NORMAL, type -1 (the kind's). */
OSC_API void osc_task_submit_init(osc_task_submit *s, const char *kind);

/** Length of a task id buffer: 36 characters (UUID form) plus NUL. */
#define OSC_TASK_ID_LEN 37

/**
 * Submits one job.  @p id_out (OSC_TASK_ID_LEN bytes) gets the job id, or
 * the existing job's id when the idempotency key matches a queued or running
 * job (then @p dup, if not NULL, is set true).  A durable job is in the
 * journal when this returns.
 * @return OSC_OK, OSC_EINVAL (unknown kind: detail lists the known ones; bad
 *         field), OSC_EBUSY (max_pending reached), OSC_ECLOSED (shutting
 *         down), OSC_EIO (journal write failed), OSC_ENOMEM.
 */
OSC_API int osc_tasks_submit(osc_tasks *tp, const osc_task_submit *s, char *id_out, bool *dup);

/**
 * Submits @p n jobs at once (one journal transaction for durable ones).
 * On error nothing was submitted.  ids is an array of n OSC_TASK_ID_LEN buffers.
 */
OSC_API int osc_tasks_submit_batch(osc_tasks *tp, const osc_task_submit *s, size_t n, char (*ids)[OSC_TASK_ID_LEN]);

/** A snapshot of one job.  Owned by the caller; release with osc_task_info_release. */
typedef struct osc_task_info {
  char id[OSC_TASK_ID_LEN];
  char kind[64];
  osc_task_status status;
  osc_task_priority priority;
  osc_task_type type;
  int64_t created_ms, started_ms, completed_ms; /* wall clock ms since the epoch; 0 = not yet */
  int64_t next_attempt_ms;                      /* wall ms of the next retry while waiting for one; else 0 */
  int attempts, max_attempts;
  double progress;                              /* 0..1 */
  bool durable, isolated, cancel_requested;
  char *error;                                  /* last error text, or NULL */
  int error_code;                               /* last osc_err, 0 = none */
  void *result;                                 /* NUL-terminated copy, or NULL */
  size_t result_len;
  bool result_json;
  void *payload;                                /* NUL-terminated copy, or NULL */
  size_t payload_len;
  bool payload_json;
  char *idempotency_key;
} osc_task_info;

OSC_API void osc_task_info_release(osc_task_info *info);

/** @return OSC_OK or OSC_ENOENT (unknown or purged id). */
OSC_API int osc_tasks_status(osc_tasks *tp, const char *id, osc_task_info *out);

/**
 * Waits until the job is final or @p timeout_ms passes (-1 = forever) and
 * fills @p out when given.
 * @return OSC_OK (final; look at out->status), OSC_ETIMEDOUT (still not final),
 *         OSC_ENOENT.
 */
OSC_API int osc_tasks_wait(osc_tasks *tp, const char *id, int64_t timeout_ms, osc_task_info *out);

/**
 * Cancels a job: a pending one never runs; a running thread job sees
 * osc_task_cancelled() return true; a running isolated job gets SIGTERM,
 * then SIGKILL after kill_grace_ms.
 * @return OSC_OK (cancelled or cancellation requested), OSC_ENOENT,
 *         OSC_ESTATE (already final; detail names the status).
 */
OSC_API int osc_tasks_cancel(osc_tasks *tp, const char *id);

typedef struct osc_tasks_filter {
  int status;          /* -1 = any, else an osc_task_status */
  int priority;        /* -1 = any */
  int type;            /* -1 = any */
  const char *kind;    /* NULL = any */
  size_t limit;        /* 0 = 1000 */
} osc_tasks_filter;
#define OSC_TASKS_FILTER_ALL {-1, -1, -1, NULL, 0}

/** Lists jobs, newest first.  *out is an array of *n infos; free with osc_tasks_list_free. */
OSC_API int osc_tasks_list(osc_tasks *tp, const osc_tasks_filter *f, osc_task_info **out, size_t *n);
OSC_API void osc_tasks_list_free(osc_task_info *list, size_t n);

/**
 * Reads durable jobs straight from a journal file (read-only; works while
 * another process owns it).  @p id NULL = every job matching @p f.
 * @return OSC_OK, OSC_ENOENT (no journal), OSC_ECORRUPT.
 */
OSC_API int osc_tasks_journal_read(const char *path, const osc_tasks_filter *f, const char *id, osc_task_info **out,
                                   size_t *n);

/** The dead-letter list: failed jobs with their last error, newest first. */
OSC_API int osc_tasks_dead_letters(osc_tasks *tp, size_t limit, osc_task_info **out, size_t *n);

/* ---- inside a job ---- */
OSC_API const char *osc_task_id(const osc_task_ctx *ctx);
OSC_API const void *osc_task_payload(const osc_task_ctx *ctx, size_t *len);
/** 1 on the first attempt. */
OSC_API int osc_task_attempt(const osc_task_ctx *ctx);
/** True once cancellation or the timeout was signalled; long jobs poll it and return OSC_ECANCELED. */
OSC_API bool osc_task_cancelled(const osc_task_ctx *ctx);
/** Reports progress in [0, 1] (clamped). */
OSC_API void osc_task_progress(osc_task_ctx *ctx, double fraction);
/** Sets the result (copied; replaces an earlier one).  OSC_OK or OSC_ENOMEM. */
OSC_API int osc_task_set_result(osc_task_ctx *ctx, const void *data, size_t len, bool json);
/** Sets the error text reported with a non-OK return. */
OSC_API void osc_task_set_error(osc_task_ctx *ctx, const char *fmt, ...) OSC_PRINTF(2, 3);

/* ---- the fast lane: function tasks ---- */
typedef void (*osc_tasks_fn)(void *arg);

/**
 * Queues fn(arg) on the pool of @p type at @p priority.  No record, no
 * retries, no timeout.  @return OSC_OK, OSC_ECLOSED, OSC_ENOMEM.
 */
OSC_API int osc_tasks_run(osc_tasks *tp, osc_task_type type, osc_task_priority priority, osc_tasks_fn fn, void *arg);
/** Queues fn(args[i]) for i < n under one lock. */
OSC_API int osc_tasks_run_batch(osc_tasks *tp, osc_task_type type, osc_task_priority priority, osc_tasks_fn fn,
                                void *const *args, size_t n);

/* ---- stats ---- */
typedef struct osc_tasks_pool_stats {
  int workers, active, idle, min_workers, max_workers;
  int64_t queued[OSC_TASK_PRIORITY_COUNT]; /* jobs and function tasks waiting, per priority */
  uint64_t scale_ups, scale_downs, replaced; /* replaced: workers abandoned to a timed-out thread job */
  uint64_t fn_done;                          /* function tasks run */
} osc_tasks_pool_stats;

typedef struct osc_tasks_stats {
  uint64_t submitted, completed, failed, retried, timed_out, cancelled, dead_lettered, deduplicated;
  int64_t pending, running, delayed, parked; /* delayed: waiting for a retry; parked: kind not registered yet */
  osc_tasks_pool_stats pools[OSC_TASK_TYPE_COUNT];
  double throughput_per_s;                   /* finished jobs per second over the last ~5 s */
  double wait_p50_ms, wait_p99_ms, run_p50_ms, run_p99_ms; /* over the last 4096 jobs */
  int64_t retained;                          /* records held (pending + running + finished within retention) */
} osc_tasks_stats;

OSC_API int osc_tasks_stats_get(osc_tasks *tp, osc_tasks_stats *out);

/** The full-jitter backoff: a uniform value in [0, min(cap, base * 2^(attempt-1))]. */
OSC_API int64_t osc_tasks_backoff_ms(int64_t base_ms, int64_t cap_ms, int attempt, uint64_t random);

/* ---- distributed mode: Redis Streams ---- */

typedef struct osc_tasks_broker osc_tasks_broker;

typedef struct osc_tasks_broker_options {
  const char *url;              /* redis://[:password@]host[:port][/db]; required */
  const char *prefix;           /* key prefix; default "osc:tasks" */
  int64_t visibility_ms;        /* a message unacked this long is reclaimed; default and minimum 2x the task timeout */
  int max_deliveries;           /* after this many deliveries a message goes to the dead stream; default 5 */
  int64_t result_ttl_ms;        /* results kept this long; default 86400000 */
  int64_t task_timeout_ms;      /* default timeout of brokered jobs; default 300000 */
  int64_t maxlen;               /* approximate stream cap (XADD MAXLEN ~); default 1000000 */
} osc_tasks_broker_options;

/** Connects (one connection, for submitting and reading status).  OSC_OK, OSC_EINVAL, OSC_EUNAVAIL. */
OSC_API int osc_tasks_broker_open(const osc_tasks_broker_options *opts, osc_tasks_broker **out);
OSC_API void osc_tasks_broker_close(osc_tasks_broker *b);
/** Fills broker options from settings (redis_url and tasks.broker_*). */
OSC_API int osc_tasks_broker_options_from_config(const osc_config *cfg, osc_tasks_broker_options *o);

/** XADDs jobs (pipelined, one round trip); ids as for osc_tasks_submit_batch.  Thread safety: per-handle. */
OSC_API int osc_tasks_broker_submit(osc_tasks_broker *b, const osc_task_submit *s, size_t n,
                                    char (*ids)[OSC_TASK_ID_LEN]);
/** Reads a job's status and result from Redis.  OSC_OK, OSC_ENOENT (unknown or expired), OSC_EUNAVAIL. */
OSC_API int osc_tasks_broker_status(osc_tasks_broker *b, const char *id, osc_task_info *out);
/** Asks workers to cancel a job (pending: it is skipped; running: cancelled).  OSC_OK, OSC_ENOENT, OSC_ESTATE. */
OSC_API int osc_tasks_broker_cancel(osc_tasks_broker *b, const char *id);
/** Stream lengths, pending counts and dead-letter count as JSON text (malloc'd). */
OSC_API int osc_tasks_broker_stats_json(osc_tasks_broker *b, char **out);

typedef struct osc_tasks_worker_options {
  int threads;      /* consumer connections; default 2 */
  int batch;        /* messages per XREADGROUP; default 16 */
  const char *name; /* consumer name prefix; default host-pid */
} osc_tasks_worker_options;

/**
 * Runs broker workers until *stop becomes true: reads messages with
 * XREADGROUP (highest priority stream first), runs them on @p tp's pools
 * (kinds registered there), stores results with a TTL, XACKs; reclaims
 * messages idle longer than the visibility timeout with XAUTOCLAIM and moves
 * those delivered max_deliveries times to the dead stream.
 * @return OSC_OK after a stop, OSC_EUNAVAIL (cannot connect), OSC_EINVAL.
 */
OSC_API int osc_tasks_worker_run(osc_tasks *tp, const osc_tasks_broker_options *bo, const osc_tasks_worker_options *wo,
                                 const volatile int *stop);

#ifdef __cplusplus
}
#endif
#endif
