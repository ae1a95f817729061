/*
 * tasks/processor.c - the in-process task processor.
 *
 * Design:
 *   - One pool per task type.  A pool has four FIFO rings (one per
 *     priority) of items {fn, arg} under the pool mutex; a job is an item
 *     with fn == NULL and arg = its record.  Workers pop function tasks in
 *     small batches (depth / workers, at most 64) and jobs one at a time, so
 *     a burst of tiny tasks costs one lock round per batch while long jobs
 *     spread over every worker.
 *   - Aging: pick() serves the highest non-empty level, except that a lower
 *     level passed over aging_quota times in a row is served next.  So the
 *     head of LOW starts within aging_quota dispatches.
 *   - Idle workers: one at a time spins briefly (a few microseconds) before
 *     sleeping on the condition variable, which keeps submit-to-start
 *     latency low on an idle pool without burning a core when idle.  A
 *     producer signals only when a worker sleeps.
 *   - Records (jobs) live in a hash map by id under tp->mu; every state
 *     change of a record happens under tp->mu.  Cancel of a pending job just
 *     marks it: the worker that pops it sees the status and skips it.
 *   - The timer thread (every 10 ms): releases due retries, the watchdog
 *     (a thread job past its deadline is marked TIMEOUT, its cancel flag set,
 *     its worker abandoned and replaced), autoscaling, throughput samples and
 *     retention purges.
 *   - Lock order: tp->mu, then a pool's mu.  Never the other way.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "tasks/internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

#define NPRIO OSC_TASK_PRIORITY_COUNT
#define NTYPE OSC_TASK_TYPE_COUNT
#define SAMPLES 4096

typedef struct item {
  osc_tasks_fn fn; /* NULL: arg is a task_rec */
  void *arg;
} item;

typedef struct ring {
  item *buf;
  size_t cap, head, tail; /* cap is a power of two; count = tail - head */
} ring;

typedef struct worker {
  struct pool *pool;
  atomic_bool abandoned;
} worker;

typedef struct pool {
  osc_tasks *tp;
  int type;
  pthread_mutex_t mu;
  pthread_cond_t cv, exit_cv;
  ring q[NPRIO];
  int64_t depth;
  int starve[NPRIO];
  atomic_llong qcount; /* mirror of depth for spinners */
  int workers;         /* live, not abandoned */
  int alive;           /* threads alive, abandoned included */
  int sleeping;
  atomic_int spinning;
  atomic_ullong spin_seen_ns; /* the spinner's last check-in: a stale one was preempted */
  atomic_ullong no_spin_until_ns; /* after a preempted spinner, idle workers sleep at once for a while */
  int active;
  int min, max;
  bool stopping;
  uint64_t last_resize_ms;
  uint64_t scale_ups, scale_downs, replaced;
  atomic_ullong fn_done;
  double util_ewma;
} pool;

typedef struct smap_ent {
  const char *key;
  task_rec *val;
  struct smap_ent *next;
} smap_ent;

typedef struct smap {
  smap_ent **b;
  size_t nb, n;
} smap;

struct osc_tasks {
  osc_tasks_options o;
  pthread_mutex_t mu;
  pthread_cond_t done_cv, timer_cv;
  pool pools[NTYPE];
  task_kind *kinds;
  smap byid, byidem;
  task_rec *running; /* list head */
  task_rec *fin_head, *fin_tail;
  task_rec *parked;
  task_rec *dead;
  size_t ndead;
  /* delayed retries: binary min-heap by due_mono_ms */
  task_rec **delayed;
  size_t ndelayed, capdelayed;
  int64_t pending_jobs; /* queued or delayed or parked, not final */
  int64_t running_jobs;
  bool closing, abort_running, timer_stop;
  pthread_t timer;
  bool timer_started;
  osc_journal *journal;
  /* stats */
  uint64_t submitted, completed, failed, retried, timed_out, cancelled, dead_lettered, deduplicated;
  double wait_ms[SAMPLES], run_ms[SAMPLES];
  uint64_t nwait, nrun;
  uint64_t tp_mono[6], tp_done[6];
  int tp_i;
  double throughput;
  int64_t retained;
  osc_rng rng;
};

/* ---------------------------------------------------------------- names */

static const char *const prio_names[] = {"critical", "high", "normal", "low"};
static const char *const type_names[] = {"mixed", "cpu", "io", "memory"};
static const char *const status_names[] = {"pending", "running", "completed", "failed", "cancelled", "timeout"};

const char *osc_task_priority_name(osc_task_priority p) {
  return (unsigned)p < NPRIO ? prio_names[p] : "unknown";
}
const char *osc_task_type_name(osc_task_type t) { return (unsigned)t < NTYPE ? type_names[t] : "unknown"; }
const char *osc_task_status_name(osc_task_status s) { return (unsigned)s < 6 ? status_names[s] : "unknown"; }
bool osc_task_status_final(osc_task_status s) { return s >= OSC_TASK_COMPLETED; }

static int parse_name(const char *text, const char *const *names, int n, const char *what, const char *choices,
                      int *out) {
  if (!text) return osc_seterr(OSC_EINVAL, "%s: missing", what);
  for (int i = 0; i < n; i++)
    if (strcasecmp(text, names[i]) == 0) return *out = i, OSC_OK;
  if (text[0] >= '0' && text[0] < '0' + n && text[1] == '\0') return *out = text[0] - '0', OSC_OK;
  return osc_seterr(OSC_EINVAL, "%s: '%s' is not one of %s", what, text, choices);
}

int osc_task_priority_parse(const char *text, osc_task_priority *out) {
  int v = 0, rc = parse_name(text, prio_names, NPRIO, "priority", "critical|high|normal|low|0-3", &v);
  if (rc == OSC_OK) *out = (osc_task_priority)v;
  return rc;
}

int osc_task_type_parse(const char *text, osc_task_type *out) {
  static const char *const alt[] = {"mixed", "cpu_intensive", "io_intensive", "memory_intensive"};
  int v = 0;
  if (text)
    for (int i = 0; i < NTYPE; i++)
      if (strcasecmp(text, alt[i]) == 0) return *out = (osc_task_type)i, OSC_OK;
  int rc = parse_name(text, type_names, NTYPE, "task_type", "mixed|cpu|io|memory", &v);
  if (rc == OSC_OK) *out = (osc_task_type)v;
  return rc;
}

int osc_task_status_parse(const char *text, osc_task_status *out) {
  int v = 0;
  if (text && text[0] >= '0' && text[0] <= '9')
    return osc_seterr(OSC_EINVAL, "status: '%s' is not one of pending|running|completed|failed|cancelled|timeout", text);
  int rc = parse_name(text, status_names, 6, "status", "pending|running|completed|failed|cancelled|timeout", &v);
  if (rc == OSC_OK) *out = (osc_task_status)v;
  return rc;
}

int64_t osc_tasks_backoff_ms(int64_t base_ms, int64_t cap_ms, int attempt, uint64_t random) {
  if (base_ms <= 0 || cap_ms <= 0) return 0;
  if (attempt < 1) attempt = 1;
  int64_t ceiling = cap_ms;
  if (attempt - 1 < 62 && base_ms <= (INT64_MAX >> (attempt - 1))) {
    int64_t v = base_ms << (attempt - 1);
    if (v < ceiling) ceiling = v;
  }
  return (int64_t)(random % ((uint64_t)ceiling + 1));
}

/* ---------------------------------------------------------------- clocks */

static uint64_t mono_ms(osc_tasks *tp) { return tp->o.clock_ms ? tp->o.clock_ms(tp->o.hook_ud) : osc_now_ms(); }

/* ---------------------------------------------------------------- string map */

static uint64_t shash(const char *k) { return osc_hash64(k, strlen(k), 0x7a5c); }

static int smap_put(smap *m, const char *key, task_rec *v) {
  if (m->n + 1 > m->nb) {
    size_t nb = m->nb ? m->nb * 2 : 256;
    smap_ent **b = calloc(nb, sizeof *b);
    if (!b) return OSC_ENOMEM;
    for (size_t i = 0; i < m->nb; i++) {
      for (smap_ent *e = m->b[i], *nx; e; e = nx) {
        nx = e->next;
        size_t h = shash(e->key) & (nb - 1);
        e->next = b[h];
        b[h] = e;
      }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
  }
  smap_ent *e = malloc(sizeof *e);
  if (!e) return OSC_ENOMEM;
  size_t h = shash(key) & (m->nb - 1);
  e->key = key;
  e->val = v;
  e->next = m->b[h];
  m->b[h] = e;
  m->n++;
  return OSC_OK;
}

static task_rec *smap_get(const smap *m, const char *key) {
  if (!m->nb) return NULL;
  for (smap_ent *e = m->b[shash(key) & (m->nb - 1)]; e; e = e->next)
    if (strcmp(e->key, key) == 0) return e->val;
  return NULL;
}

static void smap_del(smap *m, const char *key) {
  if (!m->nb) return;
  for (smap_ent **pp = &m->b[shash(key) & (m->nb - 1)]; *pp; pp = &(*pp)->next) {
    if (strcmp((*pp)->key, key) == 0) {
      smap_ent *e = *pp;
      *pp = e->next;
      free(e);
      m->n--;
      return;
    }
  }
}

static void smap_release(smap *m) {
  for (size_t i = 0; i < m->nb; i++)
    for (smap_ent *e = m->b[i], *nx; e; e = nx) nx = e->next, free(e);
  free(m->b);
  memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- records */

static void rec_unref(task_rec *r) {
  if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
  free(r->error);
  free(r->result);
  free(r->payload);
  free(r->idem);
  free(r);
}

static void new_id(char *out) {
  uint8_t b[16];
  osc_rng *r = osc_rng_thread();
  uint64_t a = osc_rng_next(r), c = osc_rng_next(r);
  memcpy(b, &a, 8);
  memcpy(b + 8, &c, 8);
  b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
  snprintf(out, OSC_TASK_ID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
           b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void fill_row(const task_rec *r, journal_row *row) {
  memset(row, 0, sizeof *row);
  row->id = r->id;
  row->kind = r->kind_name;
  row->error = r->error;
  row->idem = r->idem;
  row->status = (int)r->status;
  row->priority = (int)r->priority;
  row->type = (int)r->type;
  row->attempts = r->attempts;
  row->max_attempts = r->max_attempts;
  row->created_ms = r->created_ms;
  row->started_ms = r->started_ms;
  row->completed_ms = r->completed_ms;
  row->timeout_ms = r->timeout_ms;
  row->payload = r->payload;
  row->payload_len = r->payload_len;
  row->payload_json = r->payload_json;
  row->result = r->result;
  row->result_len = r->result_len;
  row->result_json = r->result_json;
}

static void journal_rec(osc_tasks *tp, task_rec *r) {
  if (!r->durable || !tp->journal) return;
  journal_row row;
  fill_row(r, &row);
  osc__journal_update(tp->journal, &row);
}

/* ---------------------------------------------------------------- rings */

static int ring_push(ring *q, item it) {
  if (q->tail - q->head == q->cap) {
    size_t nc = q->cap ? q->cap * 2 : 256;
    item *nb = malloc(nc * sizeof *nb);
    if (!nb) return OSC_ENOMEM;
    size_t n = q->tail - q->head;
    for (size_t i = 0; i < n; i++) nb[i] = q->buf[(q->head + i) & (q->cap - 1)];
    free(q->buf);
    q->buf = nb;
    q->cap = nc;
    q->head = 0;
    q->tail = n;
  }
  q->buf[q->tail++ & (q->cap - 1)] = it;
  return OSC_OK;
}

static inline bool ring_empty(const ring *q) { return q->head == q->tail; }

/* Picks the level to serve next (see the file comment); -1 when empty. */
static int pick(pool *p, int quota) {
  int h = -1;
  for (int l = 0; l < NPRIO; l++)
    if (!ring_empty(&p->q[l])) {
      h = l;
      break;
    }
  if (h < 0) return -1;
  int chosen = h;
  for (int l = NPRIO - 1; l > h; l--)
    if (!ring_empty(&p->q[l]) && p->starve[l] >= quota) {
      chosen = l;
      break;
    }
  for (int l = chosen + 1; l < NPRIO; l++)
    if (!ring_empty(&p->q[l])) p->starve[l]++;
  p->starve[chosen] = 0;
  return chosen;
}

/* ---------------------------------------------------------------- pools */

static void *worker_main(void *arg);

/* Starts one worker; pool->mu held. */
static int pool_spawn(pool *p) {
  worker *w = calloc(1, sizeof *w);
  if (!w) return OSC_ENOMEM;
  w->pool = p;
  atomic_init(&w->abandoned, false);
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  pthread_t th;
  int e = pthread_create(&th, &at, worker_main, w);
  pthread_attr_destroy(&at);
  if (e) {
    free(w);
    return osc_seterr(OSC_ENOMEM, "tasks: cannot start a worker thread: %s", strerror(e));
  }
  p->workers++;
  p->alive++;
  return OSC_OK;
}

/* A spinning worker picks a lone task up without a futex round trip; a
 * second queued task, no spinner, or a spinner that has not checked in for
 * 5 us (preempted on a busy machine) wakes a sleeper instead. */
static bool should_wake(pool *p) {
  if (atomic_load_explicit(&p->spinning, memory_order_relaxed) == 0 || p->depth > 1) return true;
  uint64_t now = osc_now_ns();
  if (now - atomic_load_explicit(&p->spin_seen_ns, memory_order_relaxed) <= 5000) return false;
  /* The machine is oversubscribed: spinning only loses the wake-up
   * preference a sleeping thread gets.  Sleep-only for the next 100 ms. */
  atomic_store_explicit(&p->no_spin_until_ns, now + 100000000ull, memory_order_relaxed);
  return true;
}

/* Pushes an item; pool->mu held.  *wake: a sleeping worker must be signalled. */
static int pool_push_nowake(pool *p, int prio, item it, bool *wake) {
  *wake = false;
  int rc = ring_push(&p->q[prio], it);
  if (rc) return rc;
  p->depth++;
  atomic_store_explicit(&p->qcount, p->depth, memory_order_release);
  *wake = p->sleeping > 0 && should_wake(p);
  return OSC_OK;
}

/* Pushes an item and wakes a worker if needed; pool->mu held. */
static int pool_push_locked(pool *p, int prio, item it) {
  bool wake;
  int rc = pool_push_nowake(p, prio, it, &wake);
  if (wake) pthread_cond_signal(&p->cv);
  return rc;
}

static void run_job(osc_tasks *tp, worker *w, task_rec *r);

static void *worker_main(void *arg) {
  worker *w = arg;
  pool *p = w->pool;
  osc_tasks *tp = p->tp;
  item batch[64];
  uint64_t idle_since = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    if (atomic_load(&w->abandoned)) break;
    if (p->depth > 0) {
      int n = 0;
      int64_t want = p->depth / (p->workers > 0 ? p->workers : 1);
      if (want < 1) want = 1;
      if (want > 64) want = 64;
      while (n < want) {
        int l = pick(p, tp->o.aging_quota);
        if (l < 0) break;
        ring *q = &p->q[l];
        item it = q->buf[q->head & (q->cap - 1)];
        if (it.fn == NULL && n > 0) break; /* jobs go one at a time */
        q->head++;
        p->depth--;
        batch[n++] = it;
        if (it.fn == NULL) break;
      }
      atomic_store_explicit(&p->qcount, p->depth, memory_order_release);
      p->active++;
      pthread_mutex_unlock(&p->mu);
      int fns = 0;
      for (int i = 0; i < n; i++) {
        if (batch[i].fn) {
          batch[i].fn(batch[i].arg);
          fns++;
        } else {
          run_job(tp, w, batch[i].arg);
        }
      }
      if (fns) atomic_fetch_add_explicit(&p->fn_done, (unsigned long long)fns, memory_order_relaxed);
      pthread_mutex_lock(&p->mu);
      p->active--;
      idle_since = 0;
      continue;
    }
    if (p->stopping) break;
    uint64_t now = osc_now_ms();
    if (!idle_since) idle_since = now;
    if (!tp->o.no_autoscale && p->workers > p->min && now - idle_since >= (uint64_t)tp->o.idle_shrink_ms &&
        now - p->last_resize_ms >= (uint64_t)tp->o.scale_cooldown_ms) {
      p->last_resize_ms = now;
      p->scale_downs++;
      break;
    }
    /* One idle worker spins for a short while before sleeping. */
    int zero = 0;
    if (osc_now_ns() >= atomic_load_explicit(&p->no_spin_until_ns, memory_order_relaxed) &&
        atomic_compare_exchange_strong(&p->spinning, &zero, 1)) {
      pthread_mutex_unlock(&p->mu);
      /* a few microseconds of pause: catches back-to-back submits without a futex round trip */
      atomic_store_explicit(&p->spin_seen_ns, osc_now_ns(), memory_order_relaxed);
      for (int i = 0; i < 4000 && atomic_load_explicit(&p->qcount, memory_order_acquire) == 0; i++) {
        CPU_RELAX();
        if ((i & 31) == 31) atomic_store_explicit(&p->spin_seen_ns, osc_now_ns(), memory_order_relaxed);
      }
      pthread_mutex_lock(&p->mu);
      atomic_store(&p->spinning, 0);
      if (p->depth > 0 || p->stopping) continue;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wait_ms = tp->o.no_autoscale ? 1000 : OSC_MIN(tp->o.idle_shrink_ms, 1000);
    if (wait_ms < 5) wait_ms = 5;
    ts.tv_sec += wait_ms / 1000;
    ts.tv_nsec += (wait_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    p->sleeping++;
    pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    p->sleeping--;
  }
  if (!atomic_load(&w->abandoned)) p->workers--;
  p->alive--;
  pthread_cond_broadcast(&p->exit_cv);
  pthread_mutex_unlock(&p->mu);
  free(w);
  return NULL;
}

/* ---------------------------------------------------------------- job life */

static void sample(double *ring_, uint64_t *n, double v) { ring_[(*n)++ % SAMPLES] = v; }

static void running_unlink(osc_tasks *tp, task_rec *r) {
  if (!r->in_running) return;
  if (r->run_prev) r->run_prev->run_next = r->run_next;
  else tp->running = r->run_next;
  if (r->run_next) r->run_next->run_prev = r->run_prev;
  r->run_prev = r->run_next = NULL;
  r->in_running = false;
  tp->running_jobs--;
}

/* A record reached a final status; tp->mu held. */
static void finalize(osc_tasks *tp, task_rec *r, osc_task_status st) {
  r->status = st;
  r->completed_ms = osc_wall_ms();
  r->done_mono_ms = osc_now_ms();
  r->next_attempt_ms = 0;
  if (r->in_idem) {
    smap_del(&tp->byidem, r->idem);
    r->in_idem = false;
  }
  switch (st) {
  case OSC_TASK_COMPLETED: tp->completed++; break;
  case OSC_TASK_FAILED: tp->failed++; break;
  case OSC_TASK_CANCELLED: tp->cancelled++; break;
  case OSC_TASK_TIMEOUT: tp->timed_out++; break;
  default: break;
  }
  if (st == OSC_TASK_COMPLETED) atomic_store(&r->progress_ppm, 1000000u);
  if (st == OSC_TASK_FAILED) {
    r->in_dead = true;
    r->dead_next = tp->dead;
    tp->dead = r;
    tp->ndead++;
    tp->dead_lettered++;
    atomic_fetch_add(&r->refs, 1);
  }
  r->fin_next = NULL;
  if (tp->fin_tail) tp->fin_tail->fin_next = r;
  else tp->fin_head = r;
  tp->fin_tail = r;
  if (tp->abort_running && r->durable && st == OSC_TASK_CANCELLED && r->attempts > 0) {
    /* Stopped by shutdown: leave it pending in the journal to resume. */
    r->status = OSC_TASK_PENDING;
    journal_rec(tp, r);
    r->status = st;
  } else {
    journal_rec(tp, r);
  }
  pthread_cond_broadcast(&tp->done_cv);
}

static int enqueue_locked(osc_tasks *tp, task_rec *r) {
  pool *p = &tp->pools[r->type];
  r->queued_mono_ms = osc_now_ms();
  pthread_mutex_lock(&p->mu);
  atomic_fetch_add(&r->refs, 1);
  int rc = pool_push_locked(p, (int)r->priority, (item){NULL, r});
  pthread_mutex_unlock(&p->mu);
  if (rc) atomic_fetch_sub(&r->refs, 1);
  else r->in_queue = true;
  return rc;
}

static void heap_push(osc_tasks *tp, task_rec *r) {
  if (tp->ndelayed == tp->capdelayed) {
    size_t nc = tp->capdelayed ? tp->capdelayed * 2 : 64;
    task_rec **nb = realloc(tp->delayed, nc * sizeof *nb);
    if (!nb) { /* cannot delay: run now */
      enqueue_locked(tp, r);
      return;
    }
    tp->delayed = nb;
    tp->capdelayed = nc;
  }
  size_t i = tp->ndelayed++;
  while (i > 0) {
    size_t pa = (i - 1) / 2;
    if (tp->delayed[pa]->due_mono_ms <= r->due_mono_ms) break;
    tp->delayed[i] = tp->delayed[pa];
    i = pa;
  }
  tp->delayed[i] = r;
}

static task_rec *heap_pop(osc_tasks *tp) {
  task_rec *top = tp->delayed[0];
  task_rec *last = tp->delayed[--tp->ndelayed];
  size_t i = 0, n = tp->ndelayed;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && tp->delayed[c + 1]->due_mono_ms < tp->delayed[c]->due_mono_ms) c++;
    if (last->due_mono_ms <= tp->delayed[c]->due_mono_ms) break;
    tp->delayed[i] = tp->delayed[c];
    i = c;
  }
  if (n) tp->delayed[i] = last;
  return top;
}

static bool default_retry(int err) {
  switch (err) {
  case OSC_EINVAL: case OSC_EPARSE: case OSC_ENOENT: case OSC_EPERM: case OSC_EUNSUPPORTED: case OSC_ETOOBIG:
  case OSC_ECANCELED: case OSC_ETIMEDOUT:
    return false;
  default: return true;
  }
}

static void run_job(osc_tasks *tp, worker *w, task_rec *r) {
  pthread_mutex_lock(&tp->mu);
  r->in_queue = false;
  if (r->status != OSC_TASK_PENDING || atomic_load(&r->cancel)) {
    if (r->status == OSC_TASK_PENDING) { /* cancelled between marking and popping */
      tp->pending_jobs--;
      finalize(tp, r, OSC_TASK_CANCELLED);
    }
    pthread_mutex_unlock(&tp->mu);
    rec_unref(r);
    return;
  }
  task_kind *k = r->kind;
  r->status = OSC_TASK_RUNNING;
  r->attempts++;
  r->started_ms = osc_wall_ms();
  r->started_mono_ns = osc_now_ns();
  r->next_attempt_ms = 0;
  uint64_t now = mono_ms(tp);
  r->deadline_mono_ms = r->timeout_ms > 0 ? now + (uint64_t)r->timeout_ms : 0;
  r->worker = w;
  r->run_prev = NULL;
  r->run_next = tp->running;
  if (tp->running) tp->running->run_prev = r;
  tp->running = r;
  r->in_running = true;
  tp->pending_jobs--;
  tp->running_jobs++;
  sample(tp->wait_ms, &tp->nwait, (double)(osc_now_ms() - r->queued_mono_ms));
  free(r->error);
  r->error = NULL;
  r->error_code = 0;
  journal_rec(tp, r);
  uint64_t deadline_real = r->timeout_ms > 0 ? osc_now_ms() + (uint64_t)r->timeout_ms : 0;
  pthread_mutex_unlock(&tp->mu);

  osc_task_ctx ctx = {.rec = r, .id = r->id, .payload = r->payload, .payload_len = r->payload_len,
                      .attempt = r->attempts, .cancel = &r->cancel, .progress_ppm = &r->progress_ppm,
                      .pipe_fd = -1};
  osc_buf_init(&ctx.result);
  int rc;
  if (r->isolated) {
    rc = osc__isolate_run(k, r, deadline_real, tp->o.kill_grace_ms, &r->cancel, &r->progress_ppm, &ctx.result,
                          &ctx.result_json, &ctx.err);
  } else {
    rc = k->fn(&ctx, k->ud);
  }
  double run_ms = (double)(osc_now_ns() - r->started_mono_ns) / 1e6;

  pthread_mutex_lock(&tp->mu);
  running_unlink(tp, r);
  r->worker = NULL;
  sample(tp->run_ms, &tp->nrun, run_ms);
  if (r->status != OSC_TASK_RUNNING) {
    /* The watchdog already marked it (timeout); drop what it produced. */
  } else if (rc == OSC_OK && !(atomic_load(&r->cancel) && ctx.result.oom)) {
    free(r->result);
    size_t len = 0;
    r->result = ctx.result.len ? osc_buf_detach(&ctx.result, &len) : NULL;
    r->result_len = len;
    r->result_json = ctx.result_json;
    finalize(tp, r, OSC_TASK_COMPLETED);
  } else {
    if (rc == OSC_OK) rc = OSC_ENOMEM;
    free(r->error);
    r->error = ctx.err ? ctx.err : osc_strdup(osc_strerror(rc));
    ctx.err = NULL;
    r->error_code = rc;
    bool cancelled = atomic_load(&r->cancel);
    if (rc == OSC_ETIMEDOUT && r->isolated && !cancelled) {
      finalize(tp, r, OSC_TASK_TIMEOUT);
    } else if (cancelled) {
      finalize(tp, r, OSC_TASK_CANCELLED);
    } else {
      bool retry = r->attempts < r->max_attempts &&
                   (k->o.retry_on ? k->o.retry_on(rc, r->error, k->o.retry_ud) : default_retry(rc)) && !tp->closing;
      if (retry) {
        int64_t base = k->o.backoff_base_ms > 0 ? k->o.backoff_base_ms : tp->o.backoff_base_ms;
        int64_t cap = k->o.backoff_cap_ms > 0 ? k->o.backoff_cap_ms : tp->o.backoff_cap_ms;
        uint64_t rnd = tp->o.random_u64 ? tp->o.random_u64(tp->o.hook_ud) : osc_rng_next(&tp->rng);
        int64_t d = osc_tasks_backoff_ms(base, cap, r->attempts, rnd);
        r->status = OSC_TASK_PENDING;
        r->due_mono_ms = mono_ms(tp) + (uint64_t)d;
        r->next_attempt_ms = osc_wall_ms() + d;
        tp->retried++;
        tp->pending_jobs++;
        atomic_fetch_add(&r->refs, 1);
        heap_push(tp, r);
        journal_rec(tp, r);
        pthread_cond_signal(&tp->timer_cv);
      } else {
        finalize(tp, r, OSC_TASK_FAILED);
      }
    }
  }
  pthread_mutex_unlock(&tp->mu);
  osc_buf_release(&ctx.result);
  free(ctx.err);
  rec_unref(r);
}

/* ---------------------------------------------------------------- timer thread */

static void autoscale(osc_tasks *tp, pool *p, uint64_t now) {
  pthread_mutex_lock(&p->mu);
  double util = p->workers > 0 ? (double)p->active / p->workers : 1.0;
  p->util_ewma = p->util_ewma * 0.9 + util * 0.1;
  if (!tp->o.no_autoscale && !p->stopping && p->workers < p->max &&
      now - p->last_resize_ms >= (uint64_t)tp->o.scale_cooldown_ms &&
      (p->depth > (int64_t)tp->o.scale_depth_factor * p->workers || (p->util_ewma > 0.8 && p->depth > 0))) {
    int grow = p->depth > (int64_t)tp->o.scale_depth_factor * p->workers ? OSC_MAX(1, (p->max - p->workers) / 2) : 1;
    for (int i = 0; i < grow && p->workers < p->max; i++)
      if (pool_spawn(p) == OSC_OK) p->scale_ups++;
    p->last_resize_ms = now;
  }
  pthread_mutex_unlock(&p->mu);
}

static void *timer_main(void *arg) {
  osc_tasks *tp = arg;
  uint64_t last_scale = 0, last_purge = 0, last_tp = 0;
  pthread_mutex_lock(&tp->mu);
  while (!tp->timer_stop) {
    uint64_t now = mono_ms(tp);
    /* due retries */
    while (tp->ndelayed && tp->delayed[0]->due_mono_ms <= now) {
      task_rec *r = heap_pop(tp);
      if (r->status == OSC_TASK_PENDING) enqueue_locked(tp, r);
      rec_unref(r);
    }
    /* watchdog: soft timeouts of thread jobs */
    for (task_rec *r = tp->running, *nx; r; r = nx) {
      nx = r->run_next;
      if (r->isolated || !r->deadline_mono_ms || now < r->deadline_mono_ms || r->status != OSC_TASK_RUNNING) continue;
      atomic_store(&r->cancel, true);
      free(r->error);
      r->error = osc_asprintf("timed out after %lld ms (soft: the thread was told to stop and its slot replaced)",
                              (long long)r->timeout_ms);
      r->error_code = OSC_ETIMEDOUT;
      r->timed_out_by_watchdog = true;
      running_unlink(tp, r);
      if (r->worker) {
        pool *p = r->worker->pool;
        pthread_mutex_lock(&p->mu);
        atomic_store(&r->worker->abandoned, true);
        p->workers--;
        p->replaced++;
        if (!p->stopping) pool_spawn(p);
        pthread_mutex_unlock(&p->mu);
      }
      finalize(tp, r, OSC_TASK_TIMEOUT);
    }
    uint64_t real = osc_now_ms();
    if (real - last_scale >= 100) {
      last_scale = real;
      for (int t = 0; t < NTYPE; t++) autoscale(tp, &tp->pools[t], real);
    }
    if (real - last_tp >= 1000) {
      last_tp = real;
      int i = tp->tp_i++ % 6;
      tp->tp_mono[i] = real;
      tp->tp_done[i] = tp->completed + tp->failed + tp->cancelled + tp->timed_out;
      int oldest = tp->tp_i >= 6 ? tp->tp_i % 6 : 0;
      if (tp->tp_mono[i] > tp->tp_mono[oldest])
        tp->throughput = (double)(tp->tp_done[i] - tp->tp_done[oldest]) * 1000.0 /
                         (double)(tp->tp_mono[i] - tp->tp_mono[oldest]);
    }
    if (real - last_purge >= 1000 || tp->o.retention_ms < 1000) {
      last_purge = real;
      bool purged = false;
      while (tp->fin_head && real - tp->fin_head->done_mono_ms >= (uint64_t)tp->o.retention_ms) {
        task_rec *r = tp->fin_head;
        tp->fin_head = r->fin_next;
        if (!tp->fin_head) tp->fin_tail = NULL;
        if (smap_get(&tp->byid, r->id) == r) smap_del(&tp->byid, r->id);
        tp->retained--;
        purged = true;
        rec_unref(r);
      }
      /* dead letters follow the same retention */
      task_rec **pp = &tp->dead;
      while (*pp) {
        task_rec *r = *pp;
        if (real - r->done_mono_ms >= (uint64_t)tp->o.retention_ms) {
          *pp = r->dead_next;
          tp->ndead--;
          rec_unref(r);
        } else {
          pp = &r->dead_next;
        }
      }
      if (purged && tp->journal) osc__journal_purge(tp->journal, osc_wall_ms() - tp->o.retention_ms);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 10 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&tp->timer_cv, &tp->mu, &ts);
  }
  pthread_mutex_unlock(&tp->mu);
  return NULL;
}

/* ---------------------------------------------------------------- open / close */

static int resolve_defaults(osc_tasks_options *o) {
  int cpus = osc_cpu_count();
  static const int def_min[NTYPE] = {1, 1, 2, 1};
  int def_max[NTYPE] = {cpus, cpus, OSC_MAX(8, 4 * cpus), 2};
  for (int t = 0; t < NTYPE; t++) {
    osc_tasks_pool_options *p = &o->pools[t];
    if (p->max_workers < 0 || p->max_workers > 1024)
      return osc_seterr(OSC_EINVAL, "tasks.%s.max_workers: %d is outside 1..1024", type_names[t], p->max_workers);
    if (p->min_workers < 0 || p->min_workers > 1024)
      return osc_seterr(OSC_EINVAL, "tasks.%s.min_workers: %d is outside 1..1024", type_names[t], p->min_workers);
    if (!p->max_workers) p->max_workers = OSC_MAX(def_max[t], p->min_workers);
    if (!p->min_workers) p->min_workers = OSC_MIN(def_min[t], p->max_workers);
    if (p->min_workers > p->max_workers)
      return osc_seterr(OSC_EINVAL, "tasks.%s.min_workers: %d is above max_workers %d", type_names[t],
                        p->min_workers, p->max_workers);
  }
#define DEF(f, v) \
  if (!o->f) o->f = (v)
  DEF(scale_depth_factor, 2);
  DEF(scale_cooldown_ms, 1000);
  DEF(idle_shrink_ms, 10000);
  DEF(aging_quota, 16);
  DEF(default_timeout_ms, 300000);
  DEF(max_attempts, 3);
  DEF(backoff_base_ms, 100);
  DEF(backoff_cap_ms, 30000);
  DEF(kill_grace_ms, 2000);
  DEF(max_pending, 100000);
  DEF(retention_ms, 3600000);
  DEF(shutdown_timeout_ms, 10000);
#undef DEF
  if (o->scale_depth_factor < 1) return osc_seterr(OSC_EINVAL, "scale_depth_factor: %d is below 1", o->scale_depth_factor);
  if (o->aging_quota < 1) return osc_seterr(OSC_EINVAL, "aging_quota: %d is below 1", o->aging_quota);
  if (o->max_attempts < 1 || o->max_attempts > 100)
    return osc_seterr(OSC_EINVAL, "max_attempts: %d is outside 1..100", o->max_attempts);
  if (o->default_timeout_ms < 0) return osc_seterr(OSC_EINVAL, "default_timeout_ms: %lld is below 0", (long long)o->default_timeout_ms);
  if (o->backoff_base_ms < 0 || o->backoff_cap_ms < 0 || o->kill_grace_ms < 0 || o->max_pending < 0 ||
      o->retention_ms < 0 || o->shutdown_timeout_ms < 0 || o->scale_cooldown_ms < 0 || o->idle_shrink_ms < 0)
    return osc_seterr(OSC_EINVAL, "tasks options: durations and limits must not be negative");
  return OSC_OK;
}

static void load_row(void *ud, const journal_row *row);

int osc_tasks_open(const osc_tasks_options *opts, osc_tasks **out) {
  *out = NULL;
  osc_tasks *tp = calloc(1, sizeof *tp);
  if (!tp) return osc_seterr(OSC_ENOMEM, "tasks: out of memory");
  if (opts) tp->o = *opts;
  int rc = resolve_defaults(&tp->o);
  if (rc) {
    free(tp);
    return rc;
  }
  tp->o.journal_path = NULL;
  osc_rng_seed(&tp->rng, osc_now_ns() ^ (uint64_t)getpid());
  pthread_mutex_init(&tp->mu, NULL);
  pthread_cond_init(&tp->done_cv, NULL);
  pthread_cond_init(&tp->timer_cv, NULL);
  if (opts && opts->journal_path) {
    rc = osc__journal_open(opts->journal_path, opts->journal_sync_normal, &tp->journal);
    if (rc) goto fail_sync;
  }
  for (int t = 0; t < NTYPE; t++) {
    pool *p = &tp->pools[t];
    p->tp = tp;
    p->type = t;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_cond_init(&p->exit_cv, NULL);
    p->min = tp->o.pools[t].min_workers;
    p->max = tp->o.pools[t].max_workers;
    int start = tp->o.no_autoscale ? p->max : p->min;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < start && rc == OSC_OK; i++) rc = pool_spawn(p);
    pthread_mutex_unlock(&p->mu);
    if (rc) goto fail;
  }
  if (!tp->o.no_builtin_kinds && (rc = osc__tasks_register_builtins(tp)) != OSC_OK) goto fail;
  if (tp->journal) {
    pthread_mutex_lock(&tp->mu);
    rc = osc__journal_load(tp->journal, load_row, tp);
    pthread_mutex_unlock(&tp->mu);
    if (rc) goto fail;
  }
  if (pthread_create(&tp->timer, NULL, timer_main, tp) != 0) {
    rc = osc_seterr(OSC_ENOMEM, "tasks: cannot start the timer thread");
    goto fail;
  }
  tp->timer_started = true;
  *out = tp;
  return OSC_OK;
fail:
  osc_tasks_close(tp);
  return rc;
fail_sync:
  pthread_mutex_destroy(&tp->mu);
  pthread_cond_destroy(&tp->done_cv);
  pthread_cond_destroy(&tp->timer_cv);
  free(tp);
  return rc;
}

static void stop_pools(osc_tasks *tp, uint64_t deadline) {
  for (int t = 0; t < NTYPE; t++) {
    pool *p = &tp->pools[t];
    if (!p->tp) continue;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    while (p->alive > 0 && osc_now_ms() < deadline) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += 20 * 1000000L;
      if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
      pthread_cond_broadcast(&p->cv);
      pthread_cond_timedwait(&p->exit_cv, &p->mu, &ts);
    }
    pthread_mutex_unlock(&p->mu);
  }
}

void osc_tasks_close(osc_tasks *tp) {
  if (!tp) return;
  pthread_mutex_lock(&tp->mu);
  tp->closing = true;
  /* 1. drain: queued and running jobs get up to shutdown_timeout_ms */
  uint64_t end = osc_now_ms() + (uint64_t)tp->o.shutdown_timeout_ms;
  for (;;) {
    int64_t queued = 0;
    for (int t = 0; t < NTYPE; t++) {
      pool *p = &tp->pools[t];
      if (!p->tp) continue;
      pthread_mutex_lock(&p->mu);
      queued += p->depth + p->active;
      pthread_mutex_unlock(&p->mu);
    }
    if ((queued == 0 && tp->running_jobs == 0) || osc_now_ms() >= end) break;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 10 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&tp->done_cv, &tp->mu, &ts);
  }
  /* 2. cancel what still runs; pending durable jobs stay in the journal */
  tp->abort_running = true;
  for (task_rec *r = tp->running; r; r = r->run_next) atomic_store(&r->cancel, true);
  pthread_mutex_unlock(&tp->mu);
  /* 3. stop the workers; queued items are dropped below */
  for (int t = 0; t < NTYPE; t++) {
    pool *p = &tp->pools[t];
    if (!p->tp) continue;
    pthread_mutex_lock(&p->mu);
    for (int l = 0; l < NPRIO; l++) { /* pending jobs are not run: drop queue items now */
      ring *q = &p->q[l];
      size_t keep = q->head;
      for (size_t i = q->head; i != q->tail; i++) {
        item it = q->buf[i & (q->cap - 1)];
        if (it.fn) q->buf[keep++ & (q->cap - 1)] = it; /* function tasks still run */
        else rec_unref(it.arg);
      }
      p->depth -= (int64_t)(q->tail - keep);
      q->tail = keep;
    }
    atomic_store(&p->qcount, p->depth);
    pthread_mutex_unlock(&p->mu);
  }
  stop_pools(tp, osc_now_ms() + (uint64_t)tp->o.kill_grace_ms + 5000);
  bool stuck = false;
  for (int t = 0; t < NTYPE; t++) {
    pool *p = &tp->pools[t];
    if (!p->tp) continue;
    pthread_mutex_lock(&p->mu);
    if (p->alive > 0) stuck = true;
    pthread_mutex_unlock(&p->mu);
  }
  if (tp->timer_started) {
    pthread_mutex_lock(&tp->mu);
    tp->timer_stop = true;
    pthread_cond_broadcast(&tp->timer_cv);
    pthread_mutex_unlock(&tp->mu);
    pthread_join(tp->timer, NULL);
  }
  if (tp->journal) osc__journal_close(tp->journal);
  tp->journal = NULL;
  if (stuck) {
    /* A thread job ignored its cancel flag: freeing now would pull memory
     * from under it.  Leak the processor instead (logged). */
    OSC_WARN("tasks", "close: a job thread did not stop; leaving the processor allocated");
    return;
  }
  for (int t = 0; t < NTYPE; t++) {
    pool *p = &tp->pools[t];
    if (!p->tp) continue;
    for (int l = 0; l < NPRIO; l++) free(p->q[l].buf);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    pthread_cond_destroy(&p->exit_cv);
  }
  for (size_t i = 0; i < tp->ndelayed; i++) rec_unref(tp->delayed[i]);
  free(tp->delayed);
  for (task_rec *r = tp->dead, *nx; r; r = nx) nx = r->dead_next, rec_unref(r);
  for (task_rec *r = tp->parked, *nx; r; r = nx) nx = r->park_next, rec_unref(r);
  /* every record in byid holds one reference */
  for (size_t i = 0; i < tp->byid.nb; i++)
    for (smap_ent *e = tp->byid.b[i]; e; e = e->next) rec_unref(e->val);
  smap_release(&tp->byid);
  smap_release(&tp->byidem);
  for (task_kind *k = tp->kinds, *nx; k; k = nx) {
    nx = k->next;
    free(k->summary);
    free(k);
  }
  pthread_mutex_destroy(&tp->mu);
  pthread_cond_destroy(&tp->done_cv);
  pthread_cond_destroy(&tp->timer_cv);
  free(tp);
}

/* ---------------------------------------------------------------- kinds */

static task_kind *find_kind(osc_tasks *tp, const char *name) {
  for (task_kind *k = tp->kinds; k; k = k->next)
    if (strcmp(k->name, name) == 0) return k;
  return NULL;
}

static bool valid_kind_name(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 63) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

static void apply_kind(osc_tasks *tp, task_rec *r, task_kind *k) {
  r->kind = k;
  r->isolated = k->o.isolated;
}

int osc_tasks_register(osc_tasks *tp, const char *name, osc_task_fn fn, void *ud, const osc_task_kind_options *opts) {
  if (!tp || !fn) return osc_seterr(OSC_EINVAL, "tasks register: processor and function are required");
  if (!valid_kind_name(name))
    return osc_seterr(OSC_EINVAL, "tasks register: kind name '%s' must be 1..63 characters of [a-z0-9._-]",
                      name ? name : "");
  osc_task_kind_options o = {0};
  if (opts) o = *opts;
  if ((unsigned)o.type >= NTYPE) return osc_seterr(OSC_EINVAL, "kind %s: type %d is not a task type", name, o.type);
  if (o.max_attempts < 0 || o.max_attempts > 100)
    return osc_seterr(OSC_EINVAL, "kind %s: max_attempts %d is outside 1..100", name, o.max_attempts);
  if (o.timeout_ms < -1) return osc_seterr(OSC_EINVAL, "kind %s: timeout_ms %lld is below -1", name, (long long)o.timeout_ms);
  if (o.durable && !tp->journal)
    OSC_DEBUG("tasks", "kind %s is durable but the processor has no journal: its jobs are kept in memory only", name);
  task_kind *k = calloc(1, sizeof *k);
  if (!k) return OSC_ENOMEM;
  snprintf(k->name, sizeof k->name, "%s", name);
  k->fn = fn;
  k->ud = ud;
  k->o = o;
  k->summary = osc_strdup(o.summary);
  k->o.summary = k->summary;
  pthread_mutex_lock(&tp->mu);
  if (find_kind(tp, name)) {
    pthread_mutex_unlock(&tp->mu);
    free(k->summary);
    free(k);
    return osc_seterr(OSC_EEXIST, "tasks register: kind '%s' is already registered", name);
  }
  k->next = tp->kinds;
  tp->kinds = k;
  /* parked durable jobs of this kind start now */
  for (task_rec **pp = &tp->parked; *pp;) {
    task_rec *r = *pp;
    if (strcmp(r->kind_name, name) == 0) {
      *pp = r->park_next;
      apply_kind(tp, r, k);
      if (r->status == OSC_TASK_PENDING && enqueue_locked(tp, r) != OSC_OK)
        OSC_ERROR("tasks", "job %s could not be queued (out of memory)", r->id);
      rec_unref(r);
    } else {
      pp = &r->park_next;
    }
  }
  pthread_mutex_unlock(&tp->mu);
  return OSC_OK;
}

bool osc_tasks_has_kind(osc_tasks *tp, const char *name) {
  if (!tp || !name) return false;
  pthread_mutex_lock(&tp->mu);
  bool r = find_kind(tp, name) != NULL;
  pthread_mutex_unlock(&tp->mu);
  return r;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static char *kind_names_locked(osc_tasks *tp) {
  size_t n = 0;
  for (task_kind *k = tp->kinds; k; k = k->next) n++;
  const char **v = calloc(n + 1, sizeof *v);
  if (!v) return NULL;
  n = 0;
  for (task_kind *k = tp->kinds; k; k = k->next) v[n++] = k->name;
  qsort(v, n, sizeof *v, cmp_str);
  osc_buf b = OSC_BUF_INIT;
  for (size_t i = 0; i < n; i++) osc_buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
  free(v);
  return osc_buf_detach(&b, NULL);
}

char *osc_tasks_kind_names(osc_tasks *tp) {
  pthread_mutex_lock(&tp->mu);
  char *s = kind_names_locked(tp);
  pthread_mutex_unlock(&tp->mu);
  return s;
}

/* ---------------------------------------------------------------- submit */

void osc_task_submit_init(osc_task_submit *s, const char *kind) {
  memset(s, 0, sizeof *s);
  s->kind = kind;
  s->priority = OSC_TASK_PRIORITY_NORMAL;
  s->type = -1;
}

static int build_rec(osc_tasks *tp, const osc_task_submit *s, task_kind *k, task_rec **out) {
  if ((unsigned)s->priority >= NPRIO) return osc_seterr(OSC_EINVAL, "priority: %d is outside 0..3", (int)s->priority);
  if (s->type < -1 || s->type >= NTYPE) return osc_seterr(OSC_EINVAL, "type: %d is not a task type", s->type);
  if (s->timeout_ms < 0) return osc_seterr(OSC_EINVAL, "timeout_ms: %lld is below 0", (long long)s->timeout_ms);
  if (s->max_attempts < 0 || s->max_attempts > 100)
    return osc_seterr(OSC_EINVAL, "max_attempts: %d is outside 1..100", s->max_attempts);
  if (s->idempotency_key && (!*s->idempotency_key || strlen(s->idempotency_key) > 255))
    return osc_seterr(OSC_EINVAL, "idempotency_key: must be 1..255 bytes");
  task_rec *r = calloc(1, sizeof *r);
  if (!r) return OSC_ENOMEM;
  atomic_init(&r->refs, 1);
  new_id(r->id);
  snprintf(r->kind_name, sizeof r->kind_name, "%s", s->kind);
  r->status = OSC_TASK_PENDING;
  r->priority = s->priority;
  r->type = s->type >= 0 ? (osc_task_type)s->type : k->o.type;
  r->created_ms = osc_wall_ms();
  r->max_attempts = s->max_attempts ? s->max_attempts : k->o.max_attempts ? k->o.max_attempts : tp->o.max_attempts;
  int64_t to = s->timeout_ms ? s->timeout_ms : k->o.timeout_ms;
  r->timeout_ms = to == 0 ? tp->o.default_timeout_ms : to < 0 ? 0 : to;
  r->durable = s->durable == OSC_TASK_DURABLE_YES || (s->durable == OSC_TASK_DURABLE_DEFAULT && k->o.durable);
  if (!tp->journal) r->durable = false;
  apply_kind(tp, r, k);
  if (s->payload_len) {
    r->payload = malloc(s->payload_len + 1);
    if (!r->payload) goto oom;
    memcpy(r->payload, s->payload, s->payload_len);
    ((char *)r->payload)[s->payload_len] = '\0';
    r->payload_len = s->payload_len;
  }
  r->payload_json = s->payload_json;
  if (s->idempotency_key && !(r->idem = osc_strdup(s->idempotency_key))) goto oom;
  *out = r;
  return OSC_OK;
oom:
  rec_unref(r);
  return OSC_ENOMEM;
}

static int submit_impl(osc_tasks *tp, const osc_task_submit *s, size_t n, char (*ids)[OSC_TASK_ID_LEN], bool *dups) {
  if (!tp || (!s && n)) return osc_seterr(OSC_EINVAL, "tasks submit: processor and jobs are required");
  if (n == 0) return OSC_OK;
  task_rec **recs = calloc(n, sizeof *recs);
  journal_row *rows = calloc(n, sizeof *rows);
  int rc = OSC_OK;
  if (!recs || !rows) {
    rc = OSC_ENOMEM;
    goto out;
  }
  pthread_mutex_lock(&tp->mu);
  if (tp->closing) {
    pthread_mutex_unlock(&tp->mu);
    rc = osc_seterr(OSC_ECLOSED, "tasks: the processor is shutting down");
    goto out;
  }
  if (tp->pending_jobs + (int64_t)n > tp->o.max_pending) {
    pthread_mutex_unlock(&tp->mu);
    rc = osc_seterr(OSC_EBUSY, "tasks: %lld jobs are pending (max_pending %lld); try again later",
                    (long long)tp->pending_jobs, (long long)tp->o.max_pending);
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    task_kind *k = s[i].kind ? find_kind(tp, s[i].kind) : NULL;
    if (!k) {
      char *names = kind_names_locked(tp);
      rc = osc_seterr(OSC_EINVAL, "kind: '%s' is not a registered task kind (known: %s)", s[i].kind ? s[i].kind : "",
                      names ? names : "");
      free(names);
      break;
    }
    if (s[i].idempotency_key) {
      task_rec *ex = smap_get(&tp->byidem, s[i].idempotency_key);
      for (size_t j = 0; !ex && j < i; j++)
        if (recs[j] && recs[j]->idem && strcmp(recs[j]->idem, s[i].idempotency_key) == 0) ex = recs[j];
      if (ex) {
        memcpy(ids[i], ex->id, OSC_TASK_ID_LEN);
        dups[i] = true;
        continue;
      }
    }
    if ((rc = build_rec(tp, &s[i], k, &recs[i])) != OSC_OK) break;
  }
  if (rc) {
    pthread_mutex_unlock(&tp->mu);
    goto out;
  }
  /* durable rows first: if the journal fails nothing is accepted */
  size_t nrows = 0;
  for (size_t i = 0; i < n; i++)
    if (recs[i] && recs[i]->durable) fill_row(recs[i], &rows[nrows++]);
  if (nrows) {
    /* the journal commit waits on its own thread; do not hold tp->mu across it */
    pthread_mutex_unlock(&tp->mu);
    rc = osc__journal_insert(tp->journal, rows, nrows);
    pthread_mutex_lock(&tp->mu);
    if (rc) {
      pthread_mutex_unlock(&tp->mu);
      goto out;
    }
  }
  for (size_t i = 0; i < n; i++) {
    task_rec *r = recs[i];
    if (!r) {
      tp->deduplicated++;
      continue;
    }
    if (smap_put(&tp->byid, r->id, r) != OSC_OK) {
      rc = OSC_ENOMEM;
      break;
    }
    recs[i] = NULL;
    tp->retained++;
    if (r->idem) {
      if (smap_get(&tp->byidem, r->idem)) { /* raced with another submit while the journal committed */
        r->idem[0] = '\0';
      } else if (smap_put(&tp->byidem, r->idem, r) == OSC_OK) {
        r->in_idem = true;
      }
    }
    memcpy(ids[i], r->id, OSC_TASK_ID_LEN);
    tp->submitted++;
    tp->pending_jobs++;
    if (enqueue_locked(tp, r) != OSC_OK) {
      free(r->error);
      r->error = osc_strdup("out of memory while queueing");
      tp->pending_jobs--;
      finalize(tp, r, OSC_TASK_FAILED);
    }
  }
  pthread_mutex_unlock(&tp->mu);
out:
  if (recs)
    for (size_t i = 0; i < n; i++) rec_unref(recs[i]);
  free(recs);
  free(rows);
  return rc;
}

int osc_tasks_submit_batch(osc_tasks *tp, const osc_task_submit *s, size_t n, char (*ids)[OSC_TASK_ID_LEN]) {
  bool *dups = calloc(n ? n : 1, sizeof *dups);
  if (!dups) return OSC_ENOMEM;
  int rc = submit_impl(tp, s, n, ids, dups);
  free(dups);
  return rc;
}

int osc_tasks_submit(osc_tasks *tp, const osc_task_submit *s, char *id_out, bool *dup) {
  char ids[1][OSC_TASK_ID_LEN] = {{0}};
  if (!s) return osc_seterr(OSC_EINVAL, "tasks submit: job is required");
  bool was_dup = false;
  int rc = submit_impl(tp, s, 1, ids, &was_dup);
  if (rc == OSC_OK) {
    if (id_out) memcpy(id_out, ids[0], OSC_TASK_ID_LEN);
    if (dup) *dup = was_dup;
  }
  return rc;
}

/* Durable jobs found in the journal at open; tp->mu held. */
static void load_row(void *ud, const journal_row *row) {
  osc_tasks *tp = ud;
  task_rec *r = calloc(1, sizeof *r);
  if (!r) return;
  atomic_init(&r->refs, 1);
  snprintf(r->id, sizeof r->id, "%s", row->id);
  snprintf(r->kind_name, sizeof r->kind_name, "%s", row->kind);
  r->priority = (unsigned)row->priority < NPRIO ? (osc_task_priority)row->priority : OSC_TASK_PRIORITY_NORMAL;
  r->type = (unsigned)row->type < NTYPE ? (osc_task_type)row->type : OSC_TASK_TYPE_MIXED;
  r->created_ms = row->created_ms;
  r->attempts = row->attempts;
  r->max_attempts = row->max_attempts > 0 ? row->max_attempts : tp->o.max_attempts;
  r->timeout_ms = row->timeout_ms;
  r->durable = true;
  r->status = OSC_TASK_PENDING;
  if (row->payload_len) {
    r->payload = malloc(row->payload_len + 1);
    if (r->payload) {
      memcpy(r->payload, row->payload, row->payload_len);
      ((char *)r->payload)[row->payload_len] = '\0';
      r->payload_len = row->payload_len;
    }
  }
  r->payload_json = row->payload_json;
  if (row->error) r->error = osc_strdup(row->error);
  if (row->idem && *row->idem) r->idem = osc_strdup(row->idem);
  if (smap_put(&tp->byid, r->id, r) != OSC_OK) {
    rec_unref(r);
    return;
  }
  tp->retained++;
  tp->submitted++;
  if (row->status == OSC_TASK_RUNNING && r->attempts >= r->max_attempts) {
    free(r->error);
    r->error = osc_asprintf("interrupted by a process stop during its last attempt (%d of %d)", r->attempts,
                            r->max_attempts);
    r->error_code = OSC_EINTERNAL;
    finalize(tp, r, OSC_TASK_FAILED);
    return;
  }
  if (r->idem && smap_put(&tp->byidem, r->idem, r) == OSC_OK) r->in_idem = true;
  tp->pending_jobs++;
  task_kind *k = find_kind(tp, r->kind_name);
  if (k) {
    apply_kind(tp, r, k);
    enqueue_locked(tp, r);
  } else {
    atomic_fetch_add(&r->refs, 1);
    r->park_next = tp->parked;
    tp->parked = r;
  }
  OSC_INFO("tasks", "resuming durable job %s (%s, %s, attempt %d done)", r->id, r->kind_name,
           row->status == OSC_TASK_RUNNING ? "interrupted" : "pending", r->attempts);
}

/* ---------------------------------------------------------------- queries */

static void *dup_bytes(const void *p, size_t n) {
  if (!p) return NULL;
  char *c = malloc(n + 1);
  if (c) {
    memcpy(c, p, n);
    c[n] = '\0';
  }
  return c;
}

/* The record's fields without result/payload copies (used for listings). */
static void snapshot_light(const task_rec *r, osc_task_info *o) {
  memset(o, 0, sizeof *o);
  memcpy(o->id, r->id, OSC_TASK_ID_LEN);
  snprintf(o->kind, sizeof o->kind, "%s", r->kind_name);
  o->status = r->status;
  o->priority = r->priority;
  o->type = r->type;
  o->created_ms = r->created_ms;
  o->started_ms = r->started_ms;
  o->completed_ms = r->completed_ms;
  o->next_attempt_ms = r->next_attempt_ms;
  o->attempts = r->attempts;
  o->max_attempts = r->max_attempts;
  o->progress = atomic_load(&r->progress_ppm) / 1e6;
  o->durable = r->durable;
  o->isolated = r->isolated;
  o->cancel_requested = atomic_load(&r->cancel);
  o->error = osc_strdup(r->error);
  o->error_code = r->error_code;
}

static void snapshot(const task_rec *r, osc_task_info *o) {
  snapshot_light(r, o);
  o->result = dup_bytes(r->result, r->result_len);
  o->result_len = o->result ? r->result_len : 0;
  o->result_json = r->result_json;
  o->payload = dup_bytes(r->payload, r->payload_len);
  o->payload_len = o->payload ? r->payload_len : 0;
  o->payload_json = r->payload_json;
  o->idempotency_key = osc_strdup(r->idem);
}

void osc_task_info_release(osc_task_info *info) {
  if (!info) return;
  free(info->error);
  free(info->result);
  free(info->payload);
  free(info->idempotency_key);
  info->error = NULL;
  info->result = info->payload = NULL;
  info->idempotency_key = NULL;
}

int osc_tasks_status(osc_tasks *tp, const char *id, osc_task_info *out) {
  if (!tp || !id) return osc_seterr(OSC_EINVAL, "tasks status: id is required");
  pthread_mutex_lock(&tp->mu);
  task_rec *r = smap_get(&tp->byid, id);
  if (r && out) snapshot(r, out);
  pthread_mutex_unlock(&tp->mu);
  return r ? OSC_OK : osc_seterr(OSC_ENOENT, "task %s: not found (unknown id, or purged after retention)", id);
}

int osc_tasks_wait(osc_tasks *tp, const char *id, int64_t timeout_ms, osc_task_info *out) {
  if (!tp || !id) return osc_seterr(OSC_EINVAL, "tasks wait: id is required");
  uint64_t end = timeout_ms < 0 ? UINT64_MAX : osc_now_ms() + (uint64_t)timeout_ms;
  pthread_mutex_lock(&tp->mu);
  task_rec *r = smap_get(&tp->byid, id);
  if (!r) {
    pthread_mutex_unlock(&tp->mu);
    return osc_seterr(OSC_ENOENT, "task %s: not found (unknown id, or purged after retention)", id);
  }
  atomic_fetch_add(&r->refs, 1);
  int rc = OSC_OK;
  while (!osc_task_status_final(r->status)) {
    uint64_t now = osc_now_ms();
    if (now >= end) {
      rc = osc_seterr(OSC_ETIMEDOUT, "task %s: still %s after %lld ms", id, osc_task_status_name(r->status),
                      (long long)timeout_ms);
      break;
    }
    uint64_t step = OSC_MIN(end - now, 200);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(step / 1000);
    ts.tv_nsec += (long)(step % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&tp->done_cv, &tp->mu, &ts);
  }
  if (out) snapshot(r, out);
  pthread_mutex_unlock(&tp->mu);
  rec_unref(r);
  return rc;
}

int osc_tasks_cancel(osc_tasks *tp, const char *id) {
  if (!tp || !id) return osc_seterr(OSC_EINVAL, "tasks cancel: id is required");
  pthread_mutex_lock(&tp->mu);
  task_rec *r = smap_get(&tp->byid, id);
  int rc = OSC_OK;
  if (!r) {
    rc = osc_seterr(OSC_ENOENT, "task %s: not found", id);
  } else if (osc_task_status_final(r->status)) {
    rc = osc_seterr(OSC_ESTATE, "task %s: already %s", id, osc_task_status_name(r->status));
  } else {
    atomic_store(&r->cancel, true);
    if (r->status == OSC_TASK_PENDING) {
      /* queued, delayed or parked: final now; the queue entry is skipped when popped */
      tp->pending_jobs--;
      free(r->error);
      r->error = osc_strdup("cancelled before it started");
      r->error_code = OSC_ECANCELED;
      finalize(tp, r, OSC_TASK_CANCELLED);
    }
  }
  pthread_mutex_unlock(&tp->mu);
  return rc;
}

static int cmp_created_desc(const void *a, const void *b) {
  const osc_task_info *x = a, *y = b;
  return x->created_ms < y->created_ms ? 1 : x->created_ms > y->created_ms ? -1 : strcmp(x->id, y->id);
}

int osc_tasks_list(osc_tasks *tp, const osc_tasks_filter *f, osc_task_info **out, size_t *n) {
  osc_tasks_filter all = OSC_TASKS_FILTER_ALL;
  if (!f) f = &all;
  *out = NULL;
  *n = 0;
  size_t limit = f->limit ? f->limit : 1000;
  pthread_mutex_lock(&tp->mu);
  size_t cap = tp->byid.n;
  osc_task_info *v = calloc(cap ? cap : 1, sizeof *v);
  if (!v) {
    pthread_mutex_unlock(&tp->mu);
    return OSC_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < tp->byid.nb; i++)
    for (smap_ent *e = tp->byid.b[i]; e; e = e->next) {
      task_rec *r = e->val;
      if (f->status >= 0 && (int)r->status != f->status) continue;
      if (f->priority >= 0 && (int)r->priority != f->priority) continue;
      if (f->type >= 0 && (int)r->type != f->type) continue;
      if (f->kind && strcmp(f->kind, r->kind_name) != 0) continue;
      snapshot_light(r, &v[k++]); /* no result/payload copies for listing */
    }
  pthread_mutex_unlock(&tp->mu);
  qsort(v, k, sizeof *v, cmp_created_desc);
  for (size_t i = limit; i < k; i++) osc_task_info_release(&v[i]);
  *out = v;
  *n = OSC_MIN(k, limit);
  return OSC_OK;
}

void osc_tasks_list_free(osc_task_info *list, size_t n) {
  if (!list) return;
  for (size_t i = 0; i < n; i++) osc_task_info_release(&list[i]);
  free(list);
}

int osc_tasks_dead_letters(osc_tasks *tp, size_t limit, osc_task_info **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!limit) limit = 1000;
  pthread_mutex_lock(&tp->mu);
  osc_task_info *v = calloc(tp->ndead ? tp->ndead : 1, sizeof *v);
  if (!v) {
    pthread_mutex_unlock(&tp->mu);
    return OSC_ENOMEM;
  }
  size_t k = 0;
  for (task_rec *r = tp->dead; r && k < limit; r = r->dead_next) snapshot(r, &v[k++]);
  pthread_mutex_unlock(&tp->mu);
  *out = v;
  *n = k;
  return OSC_OK;
}

/* ---------------------------------------------------------------- fast lane */

int osc_tasks_run_batch(osc_tasks *tp, osc_task_type type, osc_task_priority priority, osc_tasks_fn fn,
                        void *const *args, size_t n) {
  if (!tp || !fn || (unsigned)type >= NTYPE || (unsigned)priority >= NPRIO)
    return osc_seterr(OSC_EINVAL, "tasks run: processor, function, type and priority are required");
  pool *p = &tp->pools[type];
  pthread_mutex_lock(&p->mu);
  if (p->stopping) {
    pthread_mutex_unlock(&p->mu);
    return osc_seterr(OSC_ECLOSED, "tasks: shutting down");
  }
  ring *q = &p->q[priority];
  int rc = OSC_OK;
  for (size_t i = 0; i < n; i++) {
    if (q->tail - q->head == q->cap) {
      if ((rc = ring_push(q, (item){fn, args ? args[i] : NULL})) != OSC_OK) break;
    } else {
      q->buf[q->tail++ & (q->cap - 1)] = (item){fn, args ? args[i] : NULL};
    }
    p->depth++;
  }
  atomic_store_explicit(&p->qcount, p->depth, memory_order_release);
  int wake = p->sleeping > 0 ? (n > 1 ? 2 : should_wake(p)) : 0;
  pthread_mutex_unlock(&p->mu);
  /* Signalled after the unlock: the woken worker does not block on the mutex
   * the submitter still holds (a worker checks the queue under the mutex
   * before it sleeps, so no wake-up is lost). */
  if (wake == 2) pthread_cond_broadcast(&p->cv);
  else if (wake)
    pthread_cond_signal(&p->cv);
  return rc;
}

int osc_tasks_run(osc_tasks *tp, osc_task_type type, osc_task_priority priority, osc_tasks_fn fn, void *arg) {
  if (!tp || !fn || (unsigned)type >= NTYPE || (unsigned)priority >= NPRIO)
    return osc_seterr(OSC_EINVAL, "tasks run: processor, function, type and priority are required");
  pool *p = &tp->pools[type];
  pthread_mutex_lock(&p->mu);
  if (p->stopping) {
    pthread_mutex_unlock(&p->mu);
    return osc_seterr(OSC_ECLOSED, "tasks: shutting down");
  }
  bool wake;
  int rc = pool_push_nowake(p, (int)priority, (item){fn, arg}, &wake);
  pthread_mutex_unlock(&p->mu);
  if (wake) pthread_cond_signal(&p->cv); /* after the unlock: see osc_tasks_run_batch */
  return rc;
}

/* ---------------------------------------------------------------- stats */

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void pct(const double *src, uint64_t count, double *p50, double *p99) {
  size_t n = (size_t)OSC_MIN(count, (uint64_t)SAMPLES);
  *p50 = *p99 = 0;
  if (!n) return;
  double *v = malloc(n * sizeof *v);
  if (!v) return;
  memcpy(v, src, n * sizeof *v);
  qsort(v, n, sizeof *v, cmp_dbl);
  *p50 = v[n / 2];
  *p99 = v[OSC_MIN(n - 1, (size_t)((double)n * 0.99))];
  free(v);
}

int osc_tasks_stats_get(osc_tasks *tp, osc_tasks_stats *s) {
  memset(s, 0, sizeof *s);
  double w[SAMPLES], r[SAMPLES];
  uint64_t nw, nr;
  pthread_mutex_lock(&tp->mu);
  s->submitted = tp->submitted;
  s->completed = tp->completed;
  s->failed = tp->failed;
  s->retried = tp->retried;
  s->timed_out = tp->timed_out;
  s->cancelled = tp->cancelled;
  s->dead_lettered = tp->dead_lettered;
  s->deduplicated = tp->deduplicated;
  s->running = tp->running_jobs;
  s->delayed = (int64_t)tp->ndelayed;
  for (task_rec *x = tp->parked; x; x = x->park_next) s->parked++;
  s->pending = tp->pending_jobs;
  s->throughput_per_s = tp->throughput;
  s->retained = tp->retained;
  nw = tp->nwait;
  nr = tp->nrun;
  memcpy(w, tp->wait_ms, sizeof w);
  memcpy(r, tp->run_ms, sizeof r);
  for (int t = 0; t < NTYPE; t++) {
    pool *p = &tp->pools[t];
    osc_tasks_pool_stats *ps = &s->pools[t];
    pthread_mutex_lock(&p->mu);
    ps->workers = p->workers;
    ps->active = p->active;
    ps->idle = p->workers - p->active > 0 ? p->workers - p->active : 0;
    ps->min_workers = p->min;
    ps->max_workers = p->max;
    for (int l = 0; l < NPRIO; l++) ps->queued[l] = (int64_t)(p->q[l].tail - p->q[l].head);
    ps->scale_ups = p->scale_ups;
    ps->scale_downs = p->scale_downs;
    ps->replaced = p->replaced;
    ps->fn_done = atomic_load(&p->fn_done);
    pthread_mutex_unlock(&p->mu);
  }
  pthread_mutex_unlock(&tp->mu);
  pct(w, nw, &s->wait_p50_ms, &s->wait_p99_ms);
  pct(r, nr, &s->run_p50_ms, &s->run_p99_ms);
  return OSC_OK;
}

/* ---------------------------------------------------------------- job context */

const char *osc_task_id(const osc_task_ctx *ctx) { return ctx->id; }
const void *osc_task_payload(const osc_task_ctx *ctx, size_t *len) {
  if (len) *len = ctx->payload_len;
  return ctx->payload;
}
int osc_task_attempt(const osc_task_ctx *ctx) { return ctx->attempt; }

bool osc_task_cancelled(const osc_task_ctx *ctx) {
  if (ctx->sig_cancel && *ctx->sig_cancel) return true;
  return ctx->cancel && atomic_load_explicit(ctx->cancel, memory_order_relaxed);
}

void osc_task_progress(osc_task_ctx *ctx, double f) {
  if (!(f >= 0)) f = 0;
  if (f > 1) f = 1;
  unsigned ppm = (unsigned)llround(f * 1e6);
  if (ctx->pipe_fd >= 0) {
    char msg[5] = {'P'};
    memcpy(msg + 1, &ppm, 4);
    ssize_t w = write(ctx->pipe_fd, msg, sizeof msg);
    (void)w;
  } else if (ctx->progress_ppm) {
    atomic_store_explicit(ctx->progress_ppm, ppm, memory_order_relaxed);
  }
}

int osc_task_set_result(osc_task_ctx *ctx, const void *data, size_t len, bool json) {
  osc_buf_reset(&ctx->result);
  ctx->result_json = json;
  if (len && osc_buf_append(&ctx->result, data, len) != OSC_OK) return OSC_ENOMEM;
  return OSC_OK;
}

void osc_task_set_error(osc_task_ctx *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  osc_buf b = OSC_BUF_INIT;
  osc_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  free(ctx->err);
  ctx->err = osc_buf_detach(&b, NULL);
}
