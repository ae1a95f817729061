/*
 * tests/tasks/test_tasks_core.c - the in-process processor: priorities,
 * aging, FIFO, backoff (injected clock and RNG), timeouts (thread and
 * isolated), crashes, cancel in every state, idempotency, autoscaling,
 * shutdown drain, journal resume, the fast lane and stats.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/tasks.h"
#include "testutil.h"

/* ---- helper kinds ---- */
static atomic_int g_gate;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_order[256][16];
static int g_norder;
static atomic_int g_runs;

static int k_gate(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  while (!atomic_load(&g_gate) && !osc_task_cancelled(ctx)) osc_sleep_ms(1);
  return OSC_OK;
}

static int k_record(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  size_t n;
  const char *p = osc_task_payload(ctx, &n);
  pthread_mutex_lock(&g_mu);
  if (g_norder < 256) snprintf(g_order[g_norder++], 16, "%.*s", (int)n, p);
  pthread_mutex_unlock(&g_mu);
  atomic_fetch_add(&g_runs, 1);
  return OSC_OK;
}

static int k_fail(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  atomic_fetch_add(&g_runs, 1);
  osc_task_set_error(ctx, "transient failure %d", osc_task_attempt(ctx));
  return OSC_EIO;
}

static int k_stubborn(osc_task_ctx *ctx, void *ud) { /* ignores cancellation for a while */
  (void)ctx;
  (void)ud;
  osc_sleep_ms(1500);
  atomic_fetch_add(&g_runs, 1);
  return OSC_OK;
}

static int k_hang(osc_task_ctx *ctx, void *ud) {
  (void)ctx;
  (void)ud;
  for (;;) pause(); /* SIGTERM is caught by the isolation layer; only SIGKILL ends this */
  return OSC_OK;
}

static int k_crash(osc_task_ctx *ctx, void *ud) {
  (void)ctx;
  (void)ud;
  raise(SIGSEGV);
  return OSC_OK;
}

static int k_answer(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  osc_task_progress(ctx, 0.5);
  return osc_task_set_result(ctx, "{\"answer\":42}", 13, true);
}

static osc_tasks *open_tp(osc_tasks_options *o) {
  osc_tasks *tp = NULL;
  int rc = osc_tasks_open(o, &tp);
  if (rc) fprintf(stderr, "open: %s\n", osc_errmsg());
  assert_int_equal(rc, OSC_OK);
  assert_int_equal(osc_tasks_register(tp, "gate", k_gate, NULL, NULL), OSC_OK);
  assert_int_equal(osc_tasks_register(tp, "record", k_record, NULL, NULL), OSC_OK);
  return tp;
}

static void one_worker(osc_tasks_options *o) {
  memset(o, 0, sizeof *o);
  for (int t = 0; t < OSC_TASK_TYPE_COUNT; t++) o->pools[t].min_workers = o->pools[t].max_workers = 1;
  o->no_autoscale = true;
}

static void submit(osc_tasks *tp, const char *kind, const char *payload, osc_task_priority prio, char *id) {
  osc_task_submit s;
  osc_task_submit_init(&s, kind);
  s.payload = payload;
  s.payload_len = payload ? strlen(payload) : 0;
  s.priority = prio;
  char tmp[OSC_TASK_ID_LEN];
  int rc = osc_tasks_submit(tp, &s, id ? id : tmp, NULL);
  if (rc) fprintf(stderr, "submit: %s\n", osc_errmsg());
  assert_int_equal(rc, OSC_OK);
}

static void wait_final(osc_tasks *tp, const char *id, osc_task_status want) {
  osc_task_info info;
  assert_int_equal(osc_tasks_wait(tp, id, 20000, &info), OSC_OK);
  if (info.status != want)
    fprintf(stderr, "job %s: %s (%s), wanted %s\n", id, osc_task_status_name(info.status), info.error ? info.error : "",
            osc_task_status_name(want));
  assert_int_equal(info.status, want);
  osc_task_info_release(&info);
}

static void reset_order(void) {
  pthread_mutex_lock(&g_mu);
  g_norder = 0;
  pthread_mutex_unlock(&g_mu);
  atomic_store(&g_runs, 0);
  atomic_store(&g_gate, 0);
}

/* ---- tests ---- */

static void test_priority_order_and_fifo(void **state) {
  (void)state;
  reset_order();
  osc_tasks_options o;
  one_worker(&o);
  osc_tasks *tp = open_tp(&o);
  char gate[OSC_TASK_ID_LEN], last[OSC_TASK_ID_LEN];
  submit(tp, "gate", NULL, OSC_TASK_PRIORITY_CRITICAL, gate);
  osc_sleep_ms(30); /* the gate job is running: everything else queues */
  const char *tags[] = {"L1", "N1", "H1", "C1", "L2", "N2", "H2", "C2", "N3", "H3"};
  const osc_task_priority pr[] = {3, 2, 1, 0, 3, 2, 1, 0, 2, 1};
  for (int i = 0; i < 10; i++) submit(tp, "record", tags[i], pr[i], last);
  atomic_store(&g_gate, 1);
  wait_final(tp, gate, OSC_TASK_COMPLETED);
  while (atomic_load(&g_runs) < 10) osc_sleep_ms(2);
  const char *want[] = {"C1", "C2", "H1", "H2", "H3", "N1", "N2", "N3", "L1", "L2"};
  for (int i = 0; i < 10; i++) assert_string_equal(g_order[i], want[i]);
  osc_tasks_close(tp);
}

static void test_aging_bounds_low_wait(void **state) {
  (void)state;
  reset_order();
  osc_tasks_options o;
  one_worker(&o);
  o.aging_quota = 4;
  osc_tasks *tp = open_tp(&o);
  char gate[OSC_TASK_ID_LEN];
  submit(tp, "gate", NULL, OSC_TASK_PRIORITY_CRITICAL, gate);
  osc_sleep_ms(30);
  submit(tp, "record", "LOW", OSC_TASK_PRIORITY_LOW, NULL);
  for (int i = 0; i < 40; i++) submit(tp, "record", "HIGH", OSC_TASK_PRIORITY_HIGH, NULL);
  atomic_store(&g_gate, 1);
  while (atomic_load(&g_runs) < 41) osc_sleep_ms(2);
  int pos = -1;
  for (int i = 0; i < 41; i++)
    if (strcmp(g_order[i], "LOW") == 0) pos = i;
  /* sustained HIGH load: LOW still starts after at most aging_quota HIGH dispatches */
  assert_true(pos >= 0 && pos <= 4);
  osc_tasks_close(tp);
}

static void test_backoff_bounds(void **state) {
  (void)state;
  osc_rng r;
  osc_rng_seed(&r, 7);
  for (int attempt = 1; attempt <= 20; attempt++) {
    int64_t ceiling = OSC_MIN((int64_t)30000, (int64_t)100 << OSC_MIN(attempt - 1, 40));
    int64_t mx = 0;
    for (int i = 0; i < 2000; i++) {
      int64_t d = osc_tasks_backoff_ms(100, 30000, attempt, osc_rng_next(&r));
      assert_true(d >= 0 && d <= ceiling);
      if (d > mx) mx = d;
    }
    assert_true(mx >= ceiling / 2); /* full jitter spreads over the whole range */
  }
  assert_int_equal(osc_tasks_backoff_ms(100, 30000, 3, 400), 400);
  assert_int_equal(osc_tasks_backoff_ms(100, 30000, 3, 401), 0);
  assert_int_equal(osc_tasks_backoff_ms(100, 30000, 1000, UINT64_MAX), (int64_t)(UINT64_MAX % 30001));
}

static atomic_ullong g_fake_ms;
static uint64_t fake_clock(void *ud) {
  (void)ud;
  return atomic_load(&g_fake_ms);
}
static uint64_t fixed_random(void *ud) {
  (void)ud;
  return 777;
}

static void test_retry_backoff_injected_clock(void **state) {
  (void)state;
  reset_order();
  atomic_store(&g_fake_ms, 1000000);
  osc_tasks_options o = {0};
  o.clock_ms = fake_clock;
  o.random_u64 = fixed_random;
  o.backoff_base_ms = 1000;
  o.backoff_cap_ms = 5000;
  osc_tasks *tp = open_tp(&o);
  osc_task_kind_options ko = {.max_attempts = 3};
  assert_int_equal(osc_tasks_register(tp, "flaky", k_fail, NULL, &ko), OSC_OK);
  char id[OSC_TASK_ID_LEN];
  int64_t t0 = osc_wall_ms();
  submit(tp, "flaky", NULL, OSC_TASK_PRIORITY_NORMAL, id);
  while (atomic_load(&g_runs) < 1) osc_sleep_ms(1);
  osc_sleep_ms(50);
  osc_task_info info;
  assert_int_equal(osc_tasks_status(tp, id, &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_PENDING);
  assert_int_equal(info.attempts, 1);
  /* delay = 777 % (min(5000, 1000 * 2^0) + 1) = 777 ms */
  assert_true(info.next_attempt_ms >= t0 + 777 - 5 && info.next_attempt_ms <= osc_wall_ms() + 777);
  assert_string_equal(info.error, "transient failure 1");
  osc_task_info_release(&info);
  atomic_fetch_add(&g_fake_ms, 776);
  osc_sleep_ms(100);
  assert_int_equal(atomic_load(&g_runs), 1); /* not yet due on the injected clock */
  atomic_fetch_add(&g_fake_ms, 1);
  while (atomic_load(&g_runs) < 2) osc_sleep_ms(1);
  /* second delay: 777 % (2000 + 1) = 777 again; third attempt then dead letter */
  osc_sleep_ms(30);
  atomic_fetch_add(&g_fake_ms, 777);
  wait_final(tp, id, OSC_TASK_FAILED);
  assert_int_equal(atomic_load(&g_runs), 3);
  osc_task_info *dl;
  size_t n;
  assert_int_equal(osc_tasks_dead_letters(tp, 10, &dl, &n), OSC_OK);
  assert_int_equal(n, 1);
  assert_string_equal(dl[0].id, id);
  assert_string_equal(dl[0].error, "transient failure 3");
  assert_int_equal(dl[0].error_code, OSC_EIO);
  osc_tasks_list_free(dl, n);
  osc_tasks_stats st;
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.retried, 2);
  assert_int_equal(st.dead_lettered, 1);
  assert_int_equal(st.failed, 1);
  osc_tasks_close(tp);
}

static void test_thread_timeout_frees_slot(void **state) {
  (void)state;
  reset_order();
  osc_tasks_options o;
  one_worker(&o);
  osc_tasks *tp = open_tp(&o);
  osc_task_kind_options ko = {.timeout_ms = 100};
  assert_int_equal(osc_tasks_register(tp, "stubborn", k_stubborn, NULL, &ko), OSC_OK);
  char id[OSC_TASK_ID_LEN], id2[OSC_TASK_ID_LEN];
  uint64_t t0 = osc_now_ms();
  submit(tp, "stubborn", NULL, OSC_TASK_PRIORITY_NORMAL, id);
  submit(tp, "record", "after", OSC_TASK_PRIORITY_NORMAL, id2);
  wait_final(tp, id, OSC_TASK_TIMEOUT);
  uint64_t t_timeout = osc_now_ms() - t0;
  assert_true(t_timeout < 1200); /* marked long before the job returns */
  /* the slot was freed: a replacement worker runs the next job while the stuck one still sleeps */
  wait_final(tp, id2, OSC_TASK_COMPLETED);
  assert_true(osc_now_ms() - t0 < 1300);
  osc_tasks_stats st;
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.timed_out, 1);
  assert_int_equal(st.pools[OSC_TASK_TYPE_MIXED].replaced, 1);
  assert_int_equal(st.pools[OSC_TASK_TYPE_MIXED].workers, 1);
  osc_task_info info;
  osc_tasks_status(tp, id, &info);
  assert_non_null(strstr(info.error, "timed out"));
  osc_task_info_release(&info);
  /* sleep polls cancellation: times out and its thread stops promptly */
  osc_task_submit s;
  osc_task_submit_init(&s, "sleep");
  s.payload = "{\"ms\": 5000}";
  s.payload_len = strlen(s.payload);
  s.timeout_ms = 100;
  assert_int_equal(osc_tasks_submit(tp, &s, id, NULL), OSC_OK);
  wait_final(tp, id, OSC_TASK_TIMEOUT);
  while (atomic_load(&g_runs) < 2) osc_sleep_ms(5); /* the stubborn thread finishes (result dropped) */
  osc_tasks_close(tp);
}

static void test_isolated_hang_crash_and_result(void **state) {
  (void)state;
  osc_tasks_options o = {0};
  o.kill_grace_ms = 200;
  osc_tasks *tp = open_tp(&o);
  osc_task_kind_options hang = {.isolated = true, .timeout_ms = 200};
  osc_task_kind_options crash = {.isolated = true, .max_attempts = 1};
  osc_task_kind_options ans = {.isolated = true};
  assert_int_equal(osc_tasks_register(tp, "hang", k_hang, NULL, &hang), OSC_OK);
  assert_int_equal(osc_tasks_register(tp, "crash", k_crash, NULL, &crash), OSC_OK);
  assert_int_equal(osc_tasks_register(tp, "answer", k_answer, NULL, &ans), OSC_OK);
  char h[OSC_TASK_ID_LEN], c[OSC_TASK_ID_LEN], a[OSC_TASK_ID_LEN];
  uint64_t t0 = osc_now_ms();
  submit(tp, "hang", NULL, OSC_TASK_PRIORITY_NORMAL, h);
  submit(tp, "crash", NULL, OSC_TASK_PRIORITY_NORMAL, c);
  submit(tp, "answer", NULL, OSC_TASK_PRIORITY_NORMAL, a);
  osc_task_info info;
  assert_int_equal(osc_tasks_wait(tp, h, 10000, &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_TIMEOUT);
  assert_non_null(strstr(info.error, "SIGKILL")); /* ignored SIGTERM: killed after the grace */
  assert_true(osc_now_ms() - t0 >= 400);
  osc_task_info_release(&info);
  assert_int_equal(osc_tasks_wait(tp, c, 10000, &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_FAILED);
  assert_non_null(strstr(info.error, "signal 11"));
  osc_task_info_release(&info);
  assert_int_equal(osc_tasks_wait(tp, a, 10000, &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_COMPLETED);
  assert_string_equal(info.result, "{\"answer\":42}");
  assert_true(info.result_json);
  assert_true(info.isolated);
  osc_task_info_release(&info);
  osc_tasks_close(tp);
}

static void test_cancel_every_state(void **state) {
  (void)state;
  reset_order();
  osc_tasks_options o;
  one_worker(&o);
  o.pools[OSC_TASK_TYPE_IO].max_workers = 2;
  o.pools[OSC_TASK_TYPE_IO].min_workers = 2;
  o.kill_grace_ms = 300;
  o.backoff_base_ms = 60000;
  o.backoff_cap_ms = 60000;
  osc_tasks *tp = open_tp(&o);
  osc_task_kind_options iso = {.isolated = true, .type = OSC_TASK_TYPE_IO};
  assert_int_equal(osc_tasks_register(tp, "flaky", k_fail, NULL, NULL), OSC_OK);
  char gate[OSC_TASK_ID_LEN], pend[OSC_TASK_ID_LEN], run[OSC_TASK_ID_LEN], isor[OSC_TASK_ID_LEN],
      del[OSC_TASK_ID_LEN];
  /* pending: never runs */
  submit(tp, "gate", NULL, OSC_TASK_PRIORITY_NORMAL, gate);
  osc_sleep_ms(20);
  submit(tp, "record", "never", OSC_TASK_PRIORITY_NORMAL, pend);
  assert_int_equal(osc_tasks_cancel(tp, pend), OSC_OK);
  atomic_store(&g_gate, 1);
  wait_final(tp, gate, OSC_TASK_COMPLETED);
  wait_final(tp, pend, OSC_TASK_CANCELLED);
  osc_sleep_ms(30);
  assert_int_equal(atomic_load(&g_runs), 0);
  /* running thread job: the flag is seen */
  osc_task_submit s;
  osc_task_submit_init(&s, "sleep");
  s.payload = "{\"ms\": 10000}";
  s.payload_len = strlen(s.payload);
  assert_int_equal(osc_tasks_submit(tp, &s, run, NULL), OSC_OK);
  osc_sleep_ms(50);
  osc_task_info info;
  osc_tasks_status(tp, run, &info);
  assert_int_equal(info.status, OSC_TASK_RUNNING);
  osc_task_info_release(&info);
  uint64_t t0 = osc_now_ms();
  assert_int_equal(osc_tasks_cancel(tp, run), OSC_OK);
  wait_final(tp, run, OSC_TASK_CANCELLED);
  assert_true(osc_now_ms() - t0 < 1000);
  /* running isolated job: SIGTERM reaches it */
  assert_int_equal(osc_tasks_register(tp, "isleep", NULL, NULL, &iso), OSC_EINVAL);
  assert_int_equal(osc_tasks_register(tp, "hang", k_hang, NULL, &iso), OSC_OK);
  submit(tp, "hang", NULL, OSC_TASK_PRIORITY_NORMAL, isor);
  osc_sleep_ms(100);
  t0 = osc_now_ms();
  assert_int_equal(osc_tasks_cancel(tp, isor), OSC_OK);
  assert_int_equal(osc_tasks_wait(tp, isor, 10000, &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_CANCELLED);
  assert_true(osc_now_ms() - t0 >= 280); /* it ignores SIGTERM: SIGKILL after the grace */
  osc_task_info_release(&info);
  /* waiting for a retry: cancelled and never retried */
  submit(tp, "flaky", NULL, OSC_TASK_PRIORITY_NORMAL, del);
  while (atomic_load(&g_runs) < 1) osc_sleep_ms(2);
  osc_sleep_ms(20);
  osc_tasks_status(tp, del, &info);
  assert_int_equal(info.status, OSC_TASK_PENDING);
  assert_true(info.next_attempt_ms > 0);
  osc_task_info_release(&info);
  assert_int_equal(osc_tasks_cancel(tp, del), OSC_OK);
  wait_final(tp, del, OSC_TASK_CANCELLED);
  /* final and unknown */
  assert_int_equal(osc_tasks_cancel(tp, del), OSC_ESTATE);
  assert_int_equal(osc_tasks_cancel(tp, "nope"), OSC_ENOENT);
  osc_tasks_close(tp);
}

static void test_idempotency_keys(void **state) {
  (void)state;
  reset_order();
  osc_tasks_options o;
  one_worker(&o);
  osc_tasks *tp = open_tp(&o);
  char gate[OSC_TASK_ID_LEN], a[OSC_TASK_ID_LEN], b[OSC_TASK_ID_LEN], c[OSC_TASK_ID_LEN];
  submit(tp, "gate", NULL, OSC_TASK_PRIORITY_NORMAL, gate);
  osc_task_submit s;
  osc_task_submit_init(&s, "record");
  s.payload = "x";
  s.payload_len = 1;
  s.idempotency_key = "order-17";
  bool dup = true;
  assert_int_equal(osc_tasks_submit(tp, &s, a, &dup), OSC_OK);
  assert_false(dup);
  assert_int_equal(osc_tasks_submit(tp, &s, b, &dup), OSC_OK);
  assert_true(dup);
  assert_string_equal(a, b);
  atomic_store(&g_gate, 1);
  wait_final(tp, a, OSC_TASK_COMPLETED);
  assert_int_equal(atomic_load(&g_runs), 1);
  assert_int_equal(osc_tasks_submit(tp, &s, c, &dup), OSC_OK); /* finished: a new job */
  assert_false(dup);
  assert_string_not_equal(a, c);
  wait_final(tp, c, OSC_TASK_COMPLETED);
  osc_tasks_stats st;
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.deduplicated, 1);
  osc_tasks_close(tp);
}

static void test_autoscale_step_load(void **state) {
  (void)state;
  osc_tasks_options o = {0};
  o.pools[OSC_TASK_TYPE_IO].min_workers = 1;
  o.pools[OSC_TASK_TYPE_IO].max_workers = 4;
  o.scale_cooldown_ms = 50;
  o.idle_shrink_ms = 400;
  o.scale_depth_factor = 1;
  osc_tasks *tp = open_tp(&o);
  char ids[24][OSC_TASK_ID_LEN];
  osc_task_submit s[24];
  for (int i = 0; i < 24; i++) {
    osc_task_submit_init(&s[i], "sleep");
    s[i].payload = "{\"ms\": 60}";
    s[i].payload_len = strlen(s[i].payload);
  }
  assert_int_equal(osc_tasks_submit_batch(tp, s, 24, ids), OSC_OK);
  int peak = 0, prev = 0, drops_under_load = 0;
  osc_tasks_stats st;
  for (;;) {
    osc_tasks_stats_get(tp, &st);
    int w = st.pools[OSC_TASK_TYPE_IO].workers;
    if (w > peak) peak = w;
    if (st.pending > 0 && w < prev) drops_under_load++;
    prev = w;
    if (st.pending == 0 && st.running == 0) break;
    osc_sleep_ms(10);
  }
  assert_int_equal(peak, 4);
  assert_int_equal(drops_under_load, 0); /* no oscillation while loaded */
  assert_int_equal(st.pools[OSC_TASK_TYPE_IO].scale_downs, 0);
  /* idle: shrinks to min, one step per cooldown, and stays there */
  uint64_t end = osc_now_ms() + 5000;
  while (osc_now_ms() < end) {
    osc_tasks_stats_get(tp, &st);
    if (st.pools[OSC_TASK_TYPE_IO].workers == 1) break;
    osc_sleep_ms(20);
  }
  assert_int_equal(st.pools[OSC_TASK_TYPE_IO].workers, 1);
  uint64_t ups = st.pools[OSC_TASK_TYPE_IO].scale_ups;
  osc_sleep_ms(300);
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.pools[OSC_TASK_TYPE_IO].workers, 1);
  assert_int_equal(st.pools[OSC_TASK_TYPE_IO].scale_ups, ups);
  assert_int_equal(st.pools[OSC_TASK_TYPE_IO].scale_downs, 3);
  for (int i = 0; i < 24; i++) wait_final(tp, ids[i], OSC_TASK_COMPLETED);
  osc_tasks_close(tp);
}

static void test_shutdown_drains(void **state) {
  (void)state;
  reset_order();
  osc_tasks_options o;
  one_worker(&o);
  o.shutdown_timeout_ms = 10000;
  osc_tasks *tp = open_tp(&o);
  for (int i = 0; i < 20; i++) submit(tp, "record", "d", OSC_TASK_PRIORITY_LOW, NULL);
  osc_task_submit s;
  osc_task_submit_init(&s, "sleep");
  s.payload = "{\"ms\": 30}";
  s.payload_len = strlen(s.payload);
  for (int i = 0; i < 5; i++) assert_int_equal(osc_tasks_submit(tp, &s, (char[OSC_TASK_ID_LEN]){0}, NULL), OSC_OK);
  osc_tasks_close(tp); /* returns only after the queue drained */
  assert_int_equal(atomic_load(&g_runs), 20);
}

static void test_journal_resume(void **state) {
  (void)state;
  reset_order();
  char *dir = osc_test_tmpdir("tasksj");
  char *path = osc_path_join(dir, "journal.db");
  osc_tasks_options o;
  one_worker(&o);
  o.journal_path = path;
  o.shutdown_timeout_ms = 50;
  osc_tasks *tp = open_tp(&o);
  osc_task_kind_options d = {.durable = true};
  assert_int_equal(osc_tasks_register(tp, "keep", k_record, NULL, &d), OSC_OK);
  char gate[OSC_TASK_ID_LEN], ids[5][OSC_TASK_ID_LEN];
  submit(tp, "gate", NULL, OSC_TASK_PRIORITY_CRITICAL, gate);
  for (int i = 0; i < 5; i++) submit(tp, "keep", "k", OSC_TASK_PRIORITY_NORMAL, ids[i]);
  osc_tasks_close(tp); /* gate never opens: the durable jobs stay pending */
  assert_int_equal(atomic_load(&g_runs), 0);
  /* reopen: jobs are known at once, and run when their kind registers */
  tp = NULL;
  assert_int_equal(osc_tasks_open(&o, &tp), OSC_OK);
  osc_task_info info;
  assert_int_equal(osc_tasks_status(tp, ids[0], &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_PENDING);
  assert_true(info.durable);
  osc_task_info_release(&info);
  osc_tasks_stats st;
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.parked, 5);
  assert_int_equal(osc_tasks_register(tp, "keep", k_record, NULL, &d), OSC_OK);
  for (int i = 0; i < 5; i++) wait_final(tp, ids[i], OSC_TASK_COMPLETED);
  assert_int_equal(atomic_load(&g_runs), 5);
  osc_tasks_close(tp);
  /* third open: nothing left to resume */
  assert_int_equal(osc_tasks_open(&o, &tp), OSC_OK);
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.pending, 0);
  assert_int_equal(st.parked, 0);
  osc_tasks_close(tp);
  free(path);
  osc_test_tmpdir_free(dir);
}

static atomic_long g_fn_count;
static void fn_inc(void *arg) {
  (void)arg;
  atomic_fetch_add_explicit(&g_fn_count, 1, memory_order_relaxed);
}

static void test_fast_lane_and_errors(void **state) {
  (void)state;
  osc_tasks_options o = {0};
  o.pools[OSC_TASK_TYPE_CPU].min_workers = o.pools[OSC_TASK_TYPE_CPU].max_workers = 2;
  osc_tasks *tp = open_tp(&o);
  enum { N = 50000 };
  static void *args[1000];
  atomic_store(&g_fn_count, 0);
  for (int i = 0; i < N / 1000; i++)
    assert_int_equal(osc_tasks_run_batch(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_NORMAL, fn_inc, args, 1000), OSC_OK);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(osc_tasks_run(tp, OSC_TASK_TYPE_CPU, OSC_TASK_PRIORITY_HIGH, fn_inc, NULL), OSC_OK);
  while (atomic_load(&g_fn_count) < N + 1000) osc_sleep_ms(1);
  osc_tasks_stats st;
  osc_tasks_stats_get(tp, &st);
  assert_int_equal(st.pools[OSC_TASK_TYPE_CPU].fn_done, N + 1000);
  /* unknown kind: 400-style error listing the known kinds */
  osc_task_submit s;
  osc_task_submit_init(&s, "nope");
  char id[OSC_TASK_ID_LEN];
  assert_int_equal(osc_tasks_submit(tp, &s, id, NULL), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "echo, gate, record, sleep"));
  assert_int_equal(osc_tasks_register(tp, "Bad Name", k_record, NULL, NULL), OSC_EINVAL);
  assert_int_equal(osc_tasks_register(tp, "echo", k_record, NULL, NULL), OSC_EEXIST);
  assert_int_equal(osc_tasks_status(tp, "missing", NULL), OSC_ENOENT);
  /* echo round trip with JSON and list filters */
  osc_task_submit_init(&s, "echo");
  s.payload = "{\"a\":1}";
  s.payload_len = 7;
  s.payload_json = true;
  assert_int_equal(osc_tasks_submit(tp, &s, id, NULL), OSC_OK);
  osc_task_info info;
  assert_int_equal(osc_tasks_wait(tp, id, 5000, &info), OSC_OK);
  assert_int_equal(info.status, OSC_TASK_COMPLETED);
  assert_string_equal(info.result, "{\"a\":1}");
  assert_true(info.result_json);
  assert_true(info.progress == 1.0);
  assert_true(info.started_ms >= info.created_ms && info.completed_ms >= info.started_ms);
  osc_task_info_release(&info);
  osc_tasks_filter f = OSC_TASKS_FILTER_ALL;
  f.status = OSC_TASK_COMPLETED;
  f.kind = "echo";
  osc_task_info *list;
  size_t n;
  assert_int_equal(osc_tasks_list(tp, &f, &list, &n), OSC_OK);
  assert_int_equal(n, 1);
  assert_string_equal(list[0].id, id);
  osc_tasks_list_free(list, n);
  osc_tasks_stats_get(tp, &st);
  assert_true(st.completed >= 1);
  assert_true(st.run_p99_ms >= st.run_p50_ms);
  osc_tasks_close(tp);
  /* after close */
  osc_tasks_close(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_priority_order_and_fifo),   cmocka_unit_test(test_aging_bounds_low_wait),
      cmocka_unit_test(test_backoff_bounds),            cmocka_unit_test(test_retry_backoff_injected_clock),
      cmocka_unit_test(test_thread_timeout_frees_slot), cmocka_unit_test(test_isolated_hang_crash_and_result),
      cmocka_unit_test(test_cancel_every_state),        cmocka_unit_test(test_idempotency_keys),
      cmocka_unit_test(test_autoscale_step_load),       cmocka_unit_test(test_shutdown_drains),
      cmocka_unit_test(test_journal_resume),            cmocka_unit_test(test_fast_lane_and_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
