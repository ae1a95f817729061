/*
 * tests/nlp/test_nlp_http.c - every /nlp route against the real
 * `oscontent serve`, with good and bad input, and the CLI end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

static osc_test_server S;

static int setup(void **st) {
  (void)st;
  memset(&S, 0, sizeof S);
  const char *env[] = {"OSC_NLP_EMBEDDINGS=false", NULL};
  return osc_test_server_start(&S, NULL, env) == 0 ? 0 : -1;
}
static int teardown(void **st) {
  (void)st;
  osc_test_server_stop(&S);
  return 0;
}

static osc_test_resp post(const char *path, const char *body) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", S.base, path);
  const char *h[] = {"Content-Type: application/json", NULL};
  osc_test_resp r;
  memset(&r, 0, sizeof r);
  assert_int_equal(osc_test_http("POST", url, body, body ? strlen(body) : 0, h, &r), 0);
  return r;
}

static void test_analyze(void **st) {
  (void)st;
  osc_test_resp r = post("/nlp/analyze", "{\"text\":\"Barack Obama loved his visit to Berlin. Great city!\"}");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"sentiment\""));
  assert_non_null(strstr(r.body, "\"Barack Obama\""));
  assert_non_null(strstr(r.body, "\"language\":\"en\""));
  assert_non_null(strstr(r.body, "\"confidence\""));
  osc_test_resp_free(&r);
  r = post("/nlp/analyze", "{\"text\":\"I hate rain.\",\"analysis_type\":\"sentiment\"}");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "negative"));
  assert_non_null(strstr(r.body, "\"entities\":[]"));
  osc_test_resp_free(&r);
  /* bad input */
  r = post("/nlp/analyze", "{\"analysis_type\":\"full\"}");
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body, "text"));
  assert_non_null(strstr(r.body, "OSC_EINVAL"));
  osc_test_resp_free(&r);
  r = post("/nlp/analyze", "{\"text\":\"x\",\"analysis_type\":\"bogus\"}");
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body, "analysis_type"));
  osc_test_resp_free(&r);
  r = post("/nlp/analyze", "{\"text\":42}");
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);
  r = post("/nlp/analyze", "{not json");
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);
}

static void test_batch(void **st) {
  (void)st;
  osc_test_resp r = post("/nlp/batch-analyze", "[\"Good morning!\", \"Terrible service.\", \"Neutral text here.\"]");
  assert_int_equal(r.status, 200);
  const char *a = strstr(r.body, "positive"), *b = strstr(r.body, "negative");
  assert_non_null(a);
  assert_non_null(b);
  assert_true(a < b); /* input order */
  assert_non_null(strstr(r.body, "\"total_texts\":3"));
  osc_test_resp_free(&r);
  r = post("/nlp/batch-analyze", "[\"ok\", 5]");
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body, "texts[1]"));
  osc_test_resp_free(&r);
  r = post("/nlp/batch-analyze", "{\"a\":1}");
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);
}

/* The nlp.batch task kind: submitted through the task processor's route, result = batch response. */
static void test_batch_task(void **st) {
  (void)st;
#ifdef OSC_HAVE_TASKS
  osc_test_resp r = post("/tasks/submit",
                         "{\"kind\":\"nlp.batch\",\"data\":{\"texts\":[\"I love it!\",\"I hate it.\"],"
                         "\"analysis_type\":\"sentiment\"}}");
  assert_int_equal(r.status, 202);
  const char *p = strstr(r.body, "\"task_id\":\"");
  assert_non_null(p);
  p += strlen("\"task_id\":\"");
  char path[160];
  int idl = (int)(strchr(p, '"') - p);
  snprintf(path, sizeof path, "/tasks/%.*s", idl, p);
  osc_test_resp_free(&r);
  bool done = false;
  for (int i = 0; i < 200 && !done; i++) {
    osc_test_resp g;
    memset(&g, 0, sizeof g);
    char url[512];
    snprintf(url, sizeof url, "%s%s", S.base, path);
    assert_int_equal(osc_test_http("GET", url, NULL, 0, NULL, &g), 0);
    assert_int_equal(g.status, 200);
    if (strstr(g.body, "\"status\":\"completed\"") || strstr(g.body, "\"status\":\"succeeded\"") ||
        strstr(g.body, "\"status\":\"success\"")) {
      const char *a = strstr(g.body, "positive"), *b = strstr(g.body, "negative");
      assert_non_null(a);
      assert_non_null(b);
      assert_true(a < b);
      assert_non_null(strstr(g.body, "\"total_texts\":2"));
      done = true;
    } else {
      assert_null(strstr(g.body, "\"status\":\"failed\""));
      usleep(20000);
    }
    osc_test_resp_free(&g);
  }
  assert_true(done);
  /* a bad payload fails the job with a reason, never the server */
  r = post("/tasks/submit", "{\"kind\":\"nlp.batch\",\"data\":{\"texts\":[1]},\"max_attempts\":1}");
  assert_int_equal(r.status, 202);
  osc_test_resp_free(&r);
#else
  skip();
#endif
}

static void test_qa(void **st) {
  (void)st;
  osc_test_resp r = post("/nlp/qa?question=When%20was%20it%20built%3F&context=The%20bridge%20was%20built%20in%201932.", NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"answer\":\"1932\""));
  assert_non_null(strstr(r.body, "\"start\""));
  osc_test_resp_free(&r);
  r = post("/nlp/qa", "{\"question\":\"Who founded the company?\",\"context\":\"The company was founded by Henry Ford in Detroit.\"}");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Henry Ford"));
  osc_test_resp_free(&r);
  r = post("/nlp/qa", "{\"question\":\"Who?\"}");
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body, "context"));
  osc_test_resp_free(&r);
}

static void test_embed_similarity(void **st) {
  (void)st;
  /* embeddings are disabled in this server: a clear 503 */
  osc_test_resp r = post("/nlp/embed", "{\"text\":\"hello\"}");
  assert_int_equal(r.status, 503);
  assert_non_null(strstr(r.body, "OSC_EUNAVAIL"));
  osc_test_resp_free(&r);
  r = post("/nlp/similarity", "{\"text1\":\"a\",\"text2\":\"b\"}");
  assert_int_equal(r.status, 503);
  osc_test_resp_free(&r);
  r = post("/nlp/similarity", "{\"text1\":\"a\"}");
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);
  r = post("/nlp/embed", "[1]");
  assert_int_equal(r.status, 400);
  osc_test_resp_free(&r);
}

static void test_resources_stats_cli(void **st) {
  (void)st;
  char url[512];
  snprintf(url, sizeof url, "%s/nlp/resources", S.base);
  osc_test_resp r;
  assert_int_equal(osc_test_http("GET", url, NULL, 0, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "vader_lexicon"));
  osc_test_resp_free(&r);
  snprintf(url, sizeof url, "%s/nlp/stats", S.base);
  assert_int_equal(osc_test_http("GET", url, NULL, 0, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "stage_ms"));
  osc_test_resp_free(&r);
  char cmd[1024];
  int code = -1;
  snprintf(cmd, sizeof cmd, "printf 'good\\nbad\\n' | %s nlp sentiment --jsonl -", osc_test_bin());
  char *out = osc_test_sh(cmd, &code);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "positive"));
  assert_non_null(strstr(out, "negative"));
  free(out);
  snprintf(cmd, sizeof cmd, "printf 'bad \\377' | %s nlp sentiment - 2>&1", osc_test_bin());
  out = osc_test_sh(cmd, &code);
  assert_int_equal(code, 2);
  assert_non_null(strstr(out, "invalid UTF-8"));
  free(out);
  snprintf(cmd, sizeof cmd, "%s nlp lang 'Ceci est une phrase en français.'", osc_test_bin());
  out = osc_test_sh(cmd, &code);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "\"fr\""));
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_analyze), cmocka_unit_test(test_batch), cmocka_unit_test(test_batch_task), cmocka_unit_test(test_qa),
      cmocka_unit_test(test_embed_similarity), cmocka_unit_test(test_resources_stats_cli)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
