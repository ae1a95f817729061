/*
 * tests/tasks/test_tasks_redis.c - distributed mode: a real redis-server,
 * two real `oscontent worker` processes; the one running a job is killed
 * with SIGKILL mid-task, the other reclaims it (XAUTOCLAIM after the
 * visibility timeout) and completes it.  Also the delivery cap sending a
 * message to the dead-letter stream, and the CLI submit/wait path.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
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

static pid_t start_worker(const osc_test_redis *r, const char *dir, const char *name, const char *max_deliv) {
  char log[512];
  snprintf(log, sizeof log, "%s/%s.log", dir, name);
  char md[64];
  snprintf(md, sizeof md, "tasks.max_deliveries=%s", max_deliv);
  char *const argv[] = {(char *)osc_test_bin(), "--data-dir", (char *)dir, "--set", "tasks.default_timeout=1s", "--set",
                        md, "worker", "--broker", (char *)r->url, "--threads", "1", "--name", (char *)name, "--no-services", NULL};
  return osc_test_spawn(argv, log);
}

static int wait_status(osc_tasks_broker *b, const char *id, const char *want, int timeout_ms, osc_task_info *out) {
  uint64_t end = osc_now_ms() + (uint64_t)timeout_ms;
  for (;;) {
    int rc = osc_tasks_broker_status(b, id, out);
    if (rc == OSC_OK && strcmp(osc_task_status_name(out->status), want) == 0) return 0;
    if (rc == OSC_OK) osc_task_info_release(out);
    if (osc_now_ms() > end) return -1;
    osc_sleep_ms(20);
  }
}

static void test_reclaim_after_worker_kill(void **state) {
  (void)state;
  osc_test_redis r;
  assert_int_equal(osc_test_redis_start(&r), 0);
  char *dir = osc_test_tmpdir("tasks-redis");
  pid_t wa = start_worker(&r, dir, "wa", "5");
  pid_t wb = start_worker(&r, dir, "wb", "5");
  assert_true(wa > 0 && wb > 0);
  osc_tasks_broker_options bo = {.url = r.url, .task_timeout_ms = 1000};
  osc_tasks_broker *b = NULL;
  assert_int_equal(osc_tasks_broker_open(&bo, &b), OSC_OK);
  osc_sleep_ms(300); /* both consumers are reading */
  osc_task_submit s;
  osc_task_submit_init(&s, "sleep");
  s.payload = "{\"ms\": 700}";
  s.payload_len = strlen(s.payload);
  s.payload_json = true;
  char ids[1][OSC_TASK_ID_LEN];
  assert_int_equal(osc_tasks_broker_submit(b, &s, 1, ids), OSC_OK);
  osc_task_info info;
  assert_int_equal(wait_status(b, ids[0], "running", 10000, &info), 0);
  osc_task_info_release(&info);
  /* a queued or running job has no record of its own: the stream entry and its pending entry are its state */
  char cmd[256];
  int ec;
  snprintf(cmd, sizeof cmd, "redis-cli -p %d EXISTS osc:tasks:job:%s", r.port, ids[0]);
  char *rec = osc_test_sh(cmd, &ec);
  assert_int_equal(atoi(rec), 0);
  free(rec);
  /* who runs it? the consumer holding the pending entry; its name carries the worker name and pid */
  snprintf(cmd, sizeof cmd, "redis-cli -p %d XPENDING osc:tasks:q:2 workers - + 10", r.port);
  char *who = osc_test_sh(cmd, &ec);
  assert_non_null(who);
  bool a_runs = strstr(who, "wa-") != NULL;
  assert_true(a_runs != (strstr(who, "wb-") != NULL));
  free(who);
  pid_t victim = a_runs ? wa : wb, survivor = a_runs ? wb : wa;
  assert_true(osc_test_kill(victim, SIGKILL, 5000) >= 0);
  /* visibility = 2 x task timeout = 2 s; the survivor reclaims and completes it */
  assert_int_equal(wait_status(b, ids[0], "completed", 15000, &info), 0);
  assert_true(info.attempts >= 2);
  assert_true(info.created_ms > 0 && info.started_ms >= info.created_ms && info.completed_ms >= info.started_ms);
  assert_string_equal(info.result, "{\"slept_ms\":700}");
  osc_task_info_release(&info);
  snprintf(cmd, sizeof cmd, "redis-cli -p %d GET osc:tasks:job:%s", r.port, ids[0]);
  who = osc_test_sh(cmd, &ec);
  assert_non_null(strstr(who, a_runs ? "\"worker\":\"wb-" : "\"worker\":\"wa-"));
  free(who);
  /* nothing left pending; the TTL is set */
  snprintf(cmd, sizeof cmd, "redis-cli -p %d XPENDING osc:tasks:q:2 workers | head -1", r.port);
  char *pend = osc_test_sh(cmd, &ec);
  assert_int_equal(atoi(pend), 0);
  free(pend);
  snprintf(cmd, sizeof cmd, "redis-cli -p %d PTTL osc:tasks:job:%s", r.port, ids[0]);
  char *ttl = osc_test_sh(cmd, &ec);
  assert_true(atoll(ttl) > 0);
  free(ttl);
  /* the CLI path: submit to the broker and wait for the result */
  snprintf(cmd, sizeof cmd, "%s --json tasks submit echo --data '{\"hi\":1}' --broker %s --wait 10s", osc_test_bin(),
           r.url);
  char *out = osc_test_sh(cmd, &ec);
  assert_int_equal(ec, 0);
  assert_non_null(strstr(out, "\"status\":\"completed\""));
  assert_non_null(strstr(out, "\"result\":{\"hi\":1}"));
  free(out);
  /* stats */
  char *text = NULL;
  assert_int_equal(osc_tasks_broker_stats_json(b, &text), OSC_OK);
  assert_non_null(strstr(text, "\"dead\":0"));
  free(text);
  osc_tasks_broker_close(b);
  assert_true(osc_test_kill(survivor, SIGTERM, 10000) >= 0);
  osc_test_redis_stop(&r);
  osc_test_tmpdir_free(dir);
}

static void test_delivery_cap_dead_letters(void **state) {
  (void)state;
  osc_test_redis r;
  assert_int_equal(osc_test_redis_start(&r), 0);
  char *dir = osc_test_tmpdir("tasks-redis2");
  pid_t w1 = start_worker(&r, dir, "w1", "1");
  assert_true(w1 > 0);
  osc_tasks_broker_options bo = {.url = r.url, .task_timeout_ms = 1000};
  osc_tasks_broker *b = NULL;
  assert_int_equal(osc_tasks_broker_open(&bo, &b), OSC_OK);
  osc_sleep_ms(300);
  osc_task_submit s;
  osc_task_submit_init(&s, "sleep");
  s.payload = "{\"ms\": 900}";
  s.payload_len = strlen(s.payload);
  char ids[1][OSC_TASK_ID_LEN];
  assert_int_equal(osc_tasks_broker_submit(b, &s, 1, ids), OSC_OK);
  osc_task_info info;
  assert_int_equal(wait_status(b, ids[0], "running", 10000, &info), 0);
  osc_task_info_release(&info);
  assert_true(osc_test_kill(w1, SIGKILL, 5000) >= 0);
  /* delivered once already; max_deliveries=1: the next claim dead-letters it */
  pid_t w2 = start_worker(&r, dir, "w2", "1");
  assert_int_equal(wait_status(b, ids[0], "failed", 15000, &info), 0);
  assert_non_null(strstr(info.error, "delivered 2 times"));
  osc_task_info_release(&info);
  char *text = NULL;
  assert_int_equal(osc_tasks_broker_stats_json(b, &text), OSC_OK);
  assert_non_null(strstr(text, "\"dead\":1"));
  free(text);
  osc_tasks_broker_close(b);
  assert_true(osc_test_kill(w2, SIGTERM, 10000) >= 0);
  osc_test_redis_stop(&r);
  osc_test_tmpdir_free(dir);
}

/* `serve` with tasks.broker=redis submits to the streams; a worker runs the job; GET reads Redis. */
static void test_serve_submits_to_broker(void **state) {
  (void)state;
  osc_test_redis r;
  assert_int_equal(osc_test_redis_start(&r), 0);
  char *dir = osc_test_tmpdir("tasks-redis3");
  pid_t w = start_worker(&r, dir, "ws", "5");
  char url_set[96];
  snprintf(url_set, sizeof url_set, "redis_url=%s", r.url);
  const char *extra[] = {"--set", "tasks.broker=redis", "--set", url_set, NULL};
  osc_test_server s = {0};
  assert_int_equal(osc_test_server_start(&s, extra, NULL), 0);
  char url[256];
  snprintf(url, sizeof url, "%s/tasks/submit", s.base);
  const char *body = "{\"kind\":\"echo\",\"data\":{\"via\":\"redis\"},\"priority\":\"critical\"}";
  osc_test_resp resp;
  assert_int_equal(osc_test_http("POST", url, body, strlen(body), NULL, &resp), 0);
  assert_int_equal(resp.status, 202);
  assert_non_null(strstr(resp.body, "\"broker\":\"redis\""));
  char *p = strstr(resp.body, "\"task_id\":\"");
  assert_non_null(p);
  char id[OSC_TASK_ID_LEN];
  snprintf(id, sizeof id, "%.36s", p + 11);
  osc_test_resp_free(&resp);
  snprintf(url, sizeof url, "%s/tasks/%s", s.base, id);
  bool done = false;
  for (int i = 0; i < 500 && !done; i++) {
    assert_int_equal(osc_test_http("GET", url, NULL, 0, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    done = strstr(resp.body, "\"status\":\"completed\"") != NULL;
    if (done) assert_non_null(strstr(resp.body, "\"result\":{\"via\":\"redis\"}"));
    osc_test_resp_free(&resp);
    if (!done) osc_sleep_ms(20);
  }
  assert_true(done);
  /* unknown kind is still a 400 listing the known ones */
  snprintf(url, sizeof url, "%s/tasks/submit", s.base);
  assert_int_equal(osc_test_http("POST", url, "{\"kind\":\"zz\"}", 13, NULL, &resp), 0);
  assert_int_equal(resp.status, 400);
  assert_non_null(strstr(resp.body, "known: ") && strstr(resp.body, "echo") && strstr(resp.body, "sleep"));
  osc_test_resp_free(&resp);
  assert_int_equal(osc_test_server_stop(&s), 0);
  assert_true(osc_test_kill(w, SIGTERM, 10000) >= 0);
  osc_test_redis_stop(&r);
  osc_test_tmpdir_free(dir);
}

/* A queued job's state is its stream entry: pending with its kind and times, cancellable
 * before any worker runs; a batch keeps its order and priorities; ids are UUIDv8 and unique. */
static void test_queued_state_in_stream(void **state) {
  (void)state;
  osc_test_redis r;
  assert_int_equal(osc_test_redis_start(&r), 0);
  char *dir = osc_test_tmpdir("tasks-redis3");
  osc_tasks_broker_options bo = {.url = r.url, .task_timeout_ms = 1000};
  osc_tasks_broker *b = NULL;
  assert_int_equal(osc_tasks_broker_open(&bo, &b), OSC_OK);
  enum { N = 3 };
  osc_task_submit s[N];
  const char *payloads[N] = {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"};
  for (int i = 0; i < N; i++) {
    osc_task_submit_init(&s[i], "echo");
    s[i].payload = payloads[i];
    s[i].payload_len = strlen(payloads[i]);
    s[i].payload_json = true;
    s[i].priority = i == 2 ? OSC_TASK_PRIORITY_HIGH : OSC_TASK_PRIORITY_NORMAL;
  }
  char ids[N][OSC_TASK_ID_LEN];
  int64_t before = osc_wall_ms();
  assert_int_equal(osc_tasks_broker_submit(b, s, N, ids), OSC_OK);
  for (int i = 0; i < N; i++) {
    assert_int_equal(strlen(ids[i]), 36);
    assert_int_equal(ids[i][14], '8'); /* UUIDv8 */
    assert_non_null(strchr("89ab", ids[i][19]));
    for (int k = 0; k < i; k++) assert_string_not_equal(ids[i], ids[k]);
    osc_task_info info;
    assert_int_equal(osc_tasks_broker_status(b, ids[i], &info), OSC_OK);
    assert_string_equal(osc_task_status_name(info.status), "pending");
    assert_string_equal(info.kind, "echo");
    assert_int_equal(info.priority, s[i].priority);
    assert_true(info.created_ms >= before - 1000 && info.created_ms <= osc_wall_ms() + 1000);
    osc_task_info_release(&info);
  }
  /* an id of the right shape that was never issued, and a random UUIDv4: not found */
  osc_task_info info;
  char fake[OSC_TASK_ID_LEN];
  snprintf(fake, sizeof fake, "%.13s8002-8000-000000000001", ids[0]);
  assert_int_equal(osc_tasks_broker_status(b, fake, &info), OSC_ENOENT);
  assert_int_equal(osc_tasks_broker_status(b, "0b54d3a2-6a0f-4c9e-9a51-2f1f4b1c8e77", &info), OSC_ENOENT);
  /* cancel before any worker: the worker never runs it */
  assert_int_equal(osc_tasks_broker_cancel(b, ids[1]), OSC_OK);
  assert_int_equal(osc_tasks_broker_status(b, ids[1], &info), OSC_OK);
  assert_true(info.cancel_requested);
  osc_task_info_release(&info);
  pid_t w = start_worker(&r, dir, "w3", "5");
  assert_true(w > 0);
  assert_int_equal(wait_status(b, ids[0], "completed", 15000, &info), 0);
  assert_string_equal(info.result, "{\"a\":1}");
  assert_int_equal(info.attempts, 1);
  osc_task_info_release(&info);
  assert_int_equal(wait_status(b, ids[2], "completed", 15000, &info), 0);
  assert_string_equal(info.result, "{\"c\":3}");
  osc_task_info_release(&info);
  assert_int_equal(wait_status(b, ids[1], "cancelled", 15000, &info), 0);
  assert_null(info.result);
  osc_task_info_release(&info);
  /* a finished job cannot be cancelled */
  assert_int_equal(osc_tasks_broker_cancel(b, ids[0]), OSC_ESTATE);
  osc_tasks_broker_close(b);
  assert_true(osc_test_kill(w, SIGTERM, 10000) >= 0);
  osc_test_redis_stop(&r);
  osc_test_tmpdir_free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_reclaim_after_worker_kill),
                                     cmocka_unit_test(test_delivery_cap_dead_letters),
                                     cmocka_unit_test(test_queued_state_in_stream),
                                     cmocka_unit_test(test_serve_submits_to_broker)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
