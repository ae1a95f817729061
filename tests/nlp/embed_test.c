/*
 * tests/nlp/embed_test.c - the USE-lite port against the package's own JS
 * runtime: token ids and 512-d vectors of tests/nlp/golden/embed_golden.json
 * (made once by make_golden.mjs), plus cosine and nearest-neighbour helpers,
 * missing and corrupt model files, empty, 1 MB and invalid UTF-8 texts, and
 * one embedder used by many threads at once.
 * Uses the real model installed by scripts/install-deps.sh.
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/util.h"
#include "nlp/embed.h"
#include "oscontent/error.h"
#include "testutil.h"

#define D OSC_NLP_EMBED_DIM

static osc_nlp_embedder *E;
static char *MODEL_DIR;
static json_t *GOLDEN;

static int setup(void **state) {
  (void)state;
  if (osc__nlp_embed_model_dir(NULL, &MODEL_DIR)) {
    fprintf(stderr, "embed tests need the model: %s\n", osc_errmsg());
    return -1;
  }
  if (osc__nlp_embedder_open(MODEL_DIR, &E)) {
    fprintf(stderr, "osc__nlp_embedder_open(%s): %s\n", MODEL_DIR, osc_errmsg());
    return -1;
  }
  const char *src = getenv("OSC_SOURCE_DIR");
  char *path = osc_asprintf("%s/tests/nlp/golden/embed_golden.json", src ? src : ".");
  json_error_t je;
  GOLDEN = json_load_file(path, JSON_ALLOW_NUL, &je); /* one golden text holds a NUL */
  if (!GOLDEN) fprintf(stderr, "%s: %s\n", path, je.text);
  free(path);
  return GOLDEN ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  osc__nlp_embedder_close(E);
  free(MODEL_DIR);
  json_decref(GOLDEN);
  return 0;
}

static void embed1(const char *t, size_t len, float *out) {
  int rc = osc__nlp_embed(E, &t, &len, 1, out);
  if (rc) fail_msg("embed: %s", osc_errmsg());
}

static float norm(const float *v) {
  double s = 0;
  for (int i = 0; i < D; i++) s += (double)v[i] * v[i];
  return (float)sqrt(s);
}

/* ---- golden: tokenizer ---- */
static void check_ids(json_t *item) {
  json_t *jt = json_object_get(item, "text");
  const char *t = json_string_value(jt);
  size_t len = json_string_length(jt);
  json_t *gids = json_object_get(item, "ids");
  int32_t *ids = NULL;
  size_t n = 0;
  assert_int_equal(osc__nlp_embed_tokenize(E, t, len, &ids, &n), OSC_OK);
  if (n != json_array_size(gids)) fail_msg("[%s]: %zu ids, JS has %zu", t, n, json_array_size(gids));
  for (size_t k = 0; k < n; k++)
    if (ids[k] != json_integer_value(json_array_get(gids, k)))
      fail_msg("[%s]: id %zu is %d, JS has %lld", t, k, ids[k], (long long)json_integer_value(json_array_get(gids, k)));
  free(ids);
}

static void test_golden_tokens(void **state) {
  (void)state;
  json_t *v = json_object_get(GOLDEN, "vectors"), *t = json_object_get(GOLDEN, "tokens");
  assert_true(json_array_size(v) >= 20);
  assert_true(json_array_size(t) >= 10);
  for (size_t i = 0; i < json_array_size(v); i++) check_ids(json_array_get(v, i));
  for (size_t i = 0; i < json_array_size(t); i++) check_ids(json_array_get(t, i));
}

/* ---- golden: vectors ---- */
static void test_golden_vectors(void **state) {
  (void)state;
  json_t *arr = json_object_get(GOLDEN, "vectors");
  size_t n = json_array_size(arr);
  const char **texts = calloc(n, sizeof *texts);
  size_t *lens = calloc(n, sizeof *lens);
  float *out = calloc(n * D, sizeof *out), *ref = calloc(D, sizeof *ref);
  assert_non_null(texts);
  for (size_t i = 0; i < n; i++) {
    json_t *jt = json_object_get(json_array_get(arr, i), "text");
    texts[i] = json_string_value(jt);
    lens[i] = json_string_length(jt);
  }
  assert_int_equal(osc__nlp_embed(E, texts, lens, n, out), OSC_OK);
  double worst = 2, maxdiff = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *gv = json_object_get(json_array_get(arr, i), "vec");
    assert_int_equal(json_array_size(gv), D);
    for (int k = 0; k < D; k++) ref[k] = (float)json_number_value(json_array_get(gv, k));
    float c = osc__nlp_cosine(out + i * D, ref, D);
    if (!(c >= 0.999f)) fail_msg("golden %zu [%.40s]: cosine %.6f < 0.999 vs the JS runtime", i, texts[i], c);
    double ab = 0, aa = 0, bb = 0; /* in double, for the report */
    for (int k = 0; k < D; k++) {
      ab += (double)out[i * D + k] * ref[k];
      aa += (double)out[i * D + k] * out[i * D + k];
      bb += (double)ref[k] * ref[k];
      double df = fabs((double)out[i * D + k] - ref[k]);
      if (df > maxdiff) maxdiff = df;
    }
    if (ab / sqrt(aa * bb) < worst) worst = ab / sqrt(aa * bb);
    assert_true(fabsf(norm(out + i * D) - 1.0f) < 1e-4f);
  }
  printf("golden vectors: %zu texts, worst cosine vs JS %.9f, largest component difference %.2g\n", n, worst, maxdiff);
  free(texts), free(lens), free(out), free(ref);
}

/* ---- batch order, single calls, parallel calls agree ---- */
static void test_batch_consistency(void **state) {
  (void)state;
  const char *t[] = {"A man is playing a guitar.", "", "Kids are playing soccer in the park.",
                     "The cat sat on the mat.", "Stocks rallied after the report."};
  const size_t n = sizeof t / sizeof *t;
  float *batch = calloc(n * D, sizeof *batch), *par = calloc(n * 40 * D, sizeof *par), one[D];
  assert_int_equal(osc__nlp_embed(E, t, NULL, n, batch), OSC_OK);
  for (size_t i = 0; i < n; i++) {
    embed1(t[i], strlen(t[i]), one);
    assert_true(osc__nlp_cosine(one, batch + i * D, D) > 0.99999f);
  }
  const char *many[5 * 40];
  for (size_t i = 0; i < 5 * 40; i++) many[i] = t[i % n];
  assert_int_equal(osc__nlp_embed_parallel(E, many, NULL, n * 40, par, 2), OSC_OK);
  for (size_t i = 0; i < n * 40; i++) assert_true(osc__nlp_cosine(par + i * D, batch + (i % n) * D, D) > 0.99999f);
  free(batch), free(par);
}

/* ---- cosine and nearest neighbours ---- */
static void test_cosine_nearest(void **state) {
  (void)state;
  float a[4] = {1, 0, 0, 0}, b[4] = {0, 2, 0, 0}, c[4] = {3, 0, 0, 0}, z[4] = {0};
  assert_true(fabsf(osc__nlp_cosine(a, b, 4)) < 1e-7f);
  assert_true(fabsf(osc__nlp_cosine(a, c, 4) - 1.0f) < 1e-7f);
  assert_true(osc__nlp_cosine(a, z, 4) == 0.0f);
  float neg[4] = {-1, 0, 0, 0};
  assert_true(fabsf(osc__nlp_cosine(a, neg, 4) + 1.0f) < 1e-7f);

  float vecs[5][4] = {{0, 1, 0, 0}, {1, 1, 0, 0}, {1, 0, 0, 0}, {-1, 0, 0, 0}, {1, 0.1f, 0, 0}};
  size_t idx[3];
  float sc[3];
  assert_int_equal(osc__nlp_nearest(a, &vecs[0][0], 5, 4, 3, idx, sc), 3);
  assert_int_equal(idx[0], 2);
  assert_int_equal(idx[1], 4);
  assert_int_equal(idx[2], 1);
  assert_true(sc[0] >= sc[1] && sc[1] >= sc[2]);
  assert_int_equal(osc__nlp_nearest(a, &vecs[0][0], 2, 4, 5, idx, NULL), 2); /* k > n */
  assert_int_equal(osc__nlp_nearest(a, &vecs[0][0], 0, 4, 3, idx, sc), 0);

  /* Semantics: paraphrases are nearest. */
  const char *cand[] = {"The weather is sunny today.", "What is your age?", "I bought a new car.",
                        "A man is slicing a tomato."};
  float cv[4 * D], q[D];
  assert_int_equal(osc__nlp_embed(E, cand, NULL, 4, cv), OSC_OK);
  embed1("How old are you?", 16, q);
  assert_int_equal(osc__nlp_nearest(q, cv, 4, D, 1, idx, sc), 1);
  assert_int_equal(idx[0], 1);
  embed1("Someone is cutting a tomato.", 28, q);
  assert_int_equal(osc__nlp_nearest(q, cv, 4, D, 1, idx, sc), 1);
  assert_int_equal(idx[0], 3);
}

/* ---- missing and corrupt model files ---- */
static void expect_open_error(const char *dir, int code, const char *needle) {
  osc_nlp_embedder *e = (osc_nlp_embedder *)1;
  int rc = osc__nlp_embedder_open(dir, &e);
  if (rc != code) fail_msg("open(%s): %s (%s), expected %s", dir, osc_err_name(rc), osc_errmsg(), osc_err_name(code));
  assert_null(e);
  if (needle && !strstr(osc_errmsg(), needle)) fail_msg("open(%s): message [%s] lacks [%s]", dir, osc_errmsg(), needle);
}

static void copy_file(const char *from, const char *to, size_t max) {
  char *data = NULL;
  size_t len = 0;
  assert_int_equal(osc_read_file(from, 64u << 20, &data, &len), OSC_OK);
  if (len > max) len = max;
  assert_int_equal(osc_write_file_atomic(to, data, len), OSC_OK);
  free(data);
}

static void test_missing_and_corrupt(void **state) {
  (void)state;
  char *tmp = osc_test_tmpdir("embed");
  assert_non_null(tmp);
  /* No such directory, and a resource root without the package. */
  char *nodir = osc_path_join(tmp, "nope");
  expect_open_error(nodir, OSC_ENOENT, OSC_NLP_EMBED_PACKAGE);
  char *md = (char *)1;
  assert_int_equal(osc__nlp_embed_model_dir(tmp, &md), OSC_ENOENT);
  assert_null(md);
  assert_non_null(strstr(osc_errmsg(), OSC_NLP_EMBED_PACKAGE));
  assert_non_null(strstr(osc_errmsg(), "install-deps.sh"));
  /* An empty directory: model.json is missing, named with the package. */
  expect_open_error(tmp, OSC_ENOENT, "install-deps.sh");
  /* model.json that is not JSON. */
  char *mj = osc_path_join(tmp, "model.json"), *vj = osc_path_join(tmp, "vocab.json");
  assert_int_equal(osc_write_file_atomic(mj, "{not json", 9), OSC_OK);
  expect_open_error(tmp, OSC_ECORRUPT, "model.json");
  /* The real model.json and vocab.json but no shards: missing shard named. */
  char *src_mj = osc_path_join(MODEL_DIR, "model.json"), *src_vj = osc_path_join(MODEL_DIR, "vocab.json");
  copy_file(src_mj, mj, SIZE_MAX);
  copy_file(src_vj, vj, SIZE_MAX);
  expect_open_error(tmp, OSC_ENOENT, "group1-shard1of7");
  /* All shards, the last one truncated: the size check catches it. */
  for (int i = 1; i <= 7; i++) {
    char name[64];
    snprintf(name, sizeof name, "group1-shard%dof7", i);
    char *from = osc_path_join(MODEL_DIR, name), *to = osc_path_join(tmp, name);
    copy_file(from, to, i == 7 ? 1000 : SIZE_MAX);
    free(from), free(to);
  }
  expect_open_error(tmp, OSC_ECORRUPT, "shards");
  /* A vocabulary that is not a list of [piece, score]. */
  copy_file(src_mj, mj, SIZE_MAX);
  assert_int_equal(osc_write_file_atomic(vj, "{\"a\": 1}", 8), OSC_OK);
  expect_open_error(tmp, OSC_ECORRUPT, "vocab.json");
  /* Bad arguments. */
  osc_nlp_embedder *e = NULL;
  assert_int_equal(osc__nlp_embedder_open(NULL, &e), OSC_EINVAL);
  assert_int_equal(osc__nlp_embedder_open(MODEL_DIR, NULL), OSC_EINVAL);
  free(src_mj), free(src_vj), free(mj), free(vj), free(nodir);
  osc_test_tmpdir_free(tmp);
}

/* ---- empty, NULL, 1 MB and invalid UTF-8 texts ---- */
static void test_edge_texts(void **state) {
  (void)state;
  float a[D], b[D];
  /* Empty: the graph's zero-token row, normalised tanh(bias); same as NULL/0. */
  embed1("", 0, a);
  const char *nul = NULL;
  size_t zero = 0;
  assert_int_equal(osc__nlp_embed(E, &nul, &zero, 1, b), OSC_OK);
  assert_memory_equal(a, b, sizeof a);
  assert_true(fabsf(norm(a) - 1.0f) < 1e-4f);
  size_t one = 1;
  assert_int_equal(osc__nlp_embed(E, &nul, &one, 1, b), OSC_EINVAL);
  assert_int_equal(osc__nlp_embed(NULL, &nul, &zero, 1, b), OSC_EINVAL);
  assert_int_equal(osc__nlp_embed(E, NULL, NULL, 0, NULL), OSC_OK); /* nothing to do */
  assert_int_equal(osc__nlp_embed_dim(), 512);
  assert_int_equal(osc__nlp_embed_max_tokens(E), 128);

  /* Invalid UTF-8: each bad byte is U+FFFD, the model's unknown token. */
  const char bad[] = "caf\xc3 \xff\xfe ok \xed\xa0\x80 end \xf0\x9f";
  const char repl[] =
      "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd ok \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end "
      "\xef\xbf\xbd\xef\xbf\xbd";
  int32_t *i1, *i2;
  size_t n1, n2;
  assert_int_equal(osc__nlp_embed_tokenize(E, bad, sizeof bad - 1, &i1, &n1), OSC_OK);
  assert_int_equal(osc__nlp_embed_tokenize(E, repl, sizeof repl - 1, &i2, &n2), OSC_OK);
  assert_int_equal(n1, n2);
  assert_memory_equal(i1, i2, n1 * sizeof *i1);
  bool has_unk = false;
  for (size_t k = 0; k < n1; k++) has_unk |= i1[k] == 0;
  assert_true(has_unk);
  free(i1), free(i2);
  embed1(bad, sizeof bad - 1, a);
  embed1(repl, sizeof repl - 1, b);
  assert_memory_equal(a, b, sizeof a);

  /* 1 MB: tokenised whole, the model reads the first 128 tokens. */
  const char *unit = "The committee met on Tuesday to discuss the budget. ";
  size_t ul = strlen(unit), big = 1u << 20;
  char *text = malloc(big);
  for (size_t k = 0; k < big; k++) text[k] = unit[k % ul];
  int32_t *ids;
  size_t n;
  assert_int_equal(osc__nlp_embed_tokenize(E, text, big, &ids, &n), OSC_OK);
  assert_true(n > 100000);
  free(ids);
  embed1(text, big, a);
  embed1(text, 20 * ul, b); /* 20 sentences are more than 128 tokens */
  assert_true(osc__nlp_cosine(a, b, D) > 0.9999f);
  assert_true(fabsf(norm(a) - 1.0f) < 1e-4f);
  free(text);
}

/* ---- random bytes: any input embeds to a unit vector ---- */
static void test_random_bytes(void **state) {
  (void)state;
  enum { N = 200 };
  osc_rng rng;
  osc_rng_seed(&rng, 42);
  char *texts[N];
  size_t lens[N];
  for (int i = 0; i < N; i++) {
    lens[i] = (size_t)osc_rng_below(&rng, 300);
    texts[i] = malloc(lens[i] + 1);
    for (size_t k = 0; k < lens[i]; k++) {
      /* Mostly ASCII and UTF-8 lead/continuation bytes, some anything. */
      uint64_t r = osc_rng_below(&rng, 10);
      texts[i][k] = (char)(r < 5   ? 'a' + osc_rng_below(&rng, 26)
                           : r < 6 ? ' '
                           : r < 8 ? 0x80 + osc_rng_below(&rng, 64)
                                   : osc_rng_below(&rng, 256));
    }
  }
  float *out = malloc((size_t)N * D * sizeof *out);
  assert_int_equal(osc__nlp_embed(E, (const char *const *)texts, lens, N, out), OSC_OK);
  for (int i = 0; i < N; i++) {
    if (!(fabsf(norm(out + (size_t)i * D) - 1.0f) < 1e-4f))
      fail_msg("random text %d: norm %f", i, norm(out + (size_t)i * D));
    int32_t *ids;
    size_t n;
    assert_int_equal(osc__nlp_embed_tokenize(E, texts[i], lens[i], &ids, &n), OSC_OK);
    for (size_t k = 0; k < n; k++) assert_true(ids[k] >= 0 && ids[k] < 8000);
    free(ids);
    free(texts[i]);
  }
  free(out);
}

/* ---- one embedder, many threads ---- */
typedef struct job {
  osc_nlp_embedder *e;
  const char **texts;
  size_t n;
  const float *ref;
  int bad;
} job;

static void *worker(void *arg) {
  job *j = arg;
  float *out = malloc(j->n * D * sizeof *out);
  for (int round = 0; round < 3 && out; round++) {
    if (osc__nlp_embed(j->e, j->texts, NULL, j->n, out)) {
      j->bad++;
      break;
    }
    for (size_t i = 0; i < j->n; i++)
      if (!(osc__nlp_cosine(out + i * D, j->ref + i * D, D) > 0.99999f)) j->bad++;
  }
  free(out);
  return NULL;
}

static void test_concurrent(void **state) {
  (void)state;
  enum { N = 24, T = 4 };
  const char *texts[N];
  char buf[N][96];
  for (int i = 0; i < N; i++) {
    snprintf(buf[i], sizeof buf[i], "Sentence %d is about topic %d and its %s details.", i, i % 5,
             i % 2 ? "finer" : "broad");
    texts[i] = buf[i];
  }
  float *ref = malloc(N * D * sizeof *ref);
  assert_int_equal(osc__nlp_embed(E, texts, NULL, N, ref), OSC_OK);
  /* A fresh embedder, so that the threads' first calls also race to build
   * its layer-0 tables. */
  osc_nlp_embedder *e2 = NULL;
  assert_int_equal(osc__nlp_embedder_open(MODEL_DIR, &e2), OSC_OK);
  pthread_t th[T];
  job jobs[T];
  for (int t = 0; t < T; t++) {
    jobs[t] = (job){.e = e2, .texts = texts + t * (N / T), .n = N / T, .ref = ref + (size_t)t * (N / T) * D};
    assert_int_equal(pthread_create(&th[t], NULL, worker, &jobs[t]), 0);
  }
  for (int t = 0; t < T; t++) {
    pthread_join(th[t], NULL);
    assert_int_equal(jobs[t].bad, 0);
  }
  osc__nlp_embedder_close(e2);
  float *par = malloc(N * D * sizeof *par);
  assert_int_equal(osc__nlp_embed_parallel(E, texts, NULL, N, par, 3), OSC_OK);
  for (int i = 0; i < N; i++) assert_true(osc__nlp_cosine(par + i * D, ref + i * D, D) > 0.99999f);
  free(ref), free(par);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_golden_tokens),       cmocka_unit_test(test_golden_vectors),
      cmocka_unit_test(test_batch_consistency),   cmocka_unit_test(test_cosine_nearest),
      cmocka_unit_test(test_missing_and_corrupt), cmocka_unit_test(test_edge_texts),
      cmocka_unit_test(test_random_bytes),        cmocka_unit_test(test_concurrent),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
