/*
 * tests/nlp/test_nlp_speed.c - the parts reworked for speed keep their
 * behaviour: the arena and hash map, the tokenizer's token buffer, the
 * analyze JSON written without jansson (escapes, reals, shape), the entity
 * word lists, summary counting, resource loading (order, timing, the
 * embeddings switch), and the nlp CLI options.  Hand-written
 * cases only.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nlp/nlp_internal.h"
#include "oscontent/error.h"
#include "oscontent/nlp.h"
#include "testutil.h"

#include "nlp_fixture.h"

static json_t *analyze(const char *t, osc_nlp_analysis type, char **raw) {
  char *j = NULL;
  assert_int_equal(osc_nlp_analyze_json(E, t, strlen(t), type, OSC_NLP_NO_CACHE, &j, NULL), OSC_OK);
  json_error_t err;
  json_t *o = json_loads(j, 0, &err);
  if (!o) fail_msg("analyze JSON does not parse (%s): %s", err.text, j);
  if (raw)
    *raw = j;
  else
    free(j);
  return o;
}

static void test_map_arena(void **st) {
  (void)st;
  nlp_arena a = {0};
  nlp_map m = {0};
  m.arena = &a;
  assert_int_equal(nlp_map_init(&m, &a, 4), OSC_OK);
  char k[64];
  for (int i = 0; i < 5000; i++) {
    /* short keys, keys longer than 16 bytes and keys that differ only in the last byte */
    int n = snprintf(k, sizeof k, i % 3 ? "w%d" : "a-rather-long-key-number-%d", i);
    bool created = false;
    nlp_map_ent *e = nlp_map_put(&m, k, (size_t)n, &created);
    assert_non_null(e);
    assert_true(created);
    e->i = i;
  }
  assert_int_equal(m.count, 5000);
  for (int i = 0; i < 5000; i++) {
    int n = snprintf(k, sizeof k, i % 3 ? "w%d" : "a-rather-long-key-number-%d", i);
    const nlp_map_ent *e = nlp_map_get(&m, k, (size_t)n);
    assert_non_null(e);
    assert_int_equal(e->i, i);
    assert_int_equal(e->klen, n);
    assert_memory_equal(e->k, k, (size_t)n);
    bool created = true;
    assert_ptr_equal(nlp_map_put(&m, k, (size_t)n, &created), e);
    assert_false(created);
  }
  assert_null(nlp_map_get(&m, "w1x", 3));
  assert_null(nlp_map_get(&m, "w", 1));
  assert_null(nlp_map_get(&m, "a-rather-long-key-number-", 25));
  /* the arena: small blocks first, 16-byte alignment, and allocations larger than any block */
  for (size_t n = 1; n < 3000; n += 37) {
    char *p = nlp_arena_alloc(&a, n);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    memset(p, 0x5a, n);
  }
  char *big = nlp_arena_alloc(&a, 3u << 20);
  assert_non_null(big);
  memset(big, 1, 3u << 20);
  char *after = nlp_arena_strndup(&a, "tail", 4);
  assert_string_equal(after, "tail");
  nlp_map_release(&m);
  nlp_arena_release(&a);
  assert_int_equal(a.bytes, 0);
}

static void test_tokens_grow(void **st) {
  (void)st;
  /* one-letter words: twice as many tokens as the first allocation holds */
  size_t words = 3000;
  char *t = malloc(words * 2 + 1);
  for (size_t i = 0; i < words; i++) t[2 * i] = 'a', t[2 * i + 1] = ' ';
  t[words * 2] = 0;
  nlp_toks k = {0};
  assert_int_equal(nlp_tokenize(t, words * 2, &k), OSC_OK);
  assert_int_equal(k.n, words);
  for (size_t i = 0; i < k.n; i++) {
    assert_int_equal(k.v[i].s, 2 * i);
    assert_int_equal(k.v[i].e, 2 * i + 1);
    assert_int_equal(k.v[i].kind, TK_WORD);
  }
  /* the buffer is reused by a second call */
  assert_int_equal(nlp_tokenize("Hi there.", 9, &k), OSC_OK);
  assert_int_equal(k.n, 3);
  nlp_toks_release(&k);
  free(t);
}

static void test_analyze_json_escapes(void **st) {
  (void)st;
  /* two sentences: the summary is the whole (trimmed) text, so it must come back byte for byte */
  const char *t =
      "  Say \"hi\" to C:\\temp\\new and\ttab\x01\x1f\x7f \xc3\xa9t\xc3\xa9 \xe2\x80\xa8 ok.\n"
      "The \"second\" one \\ ends here.\r\n";
  json_t *o = analyze(t, OSC_NLP_FULL, NULL);
  const char *sum = json_string_value(json_object_get(o, "summary"));
  assert_non_null(sum);
  size_t tl = strlen(t);
  assert_int_equal(strlen(sum), tl - 4); /* two leading spaces, trailing \r\n */
  assert_memory_equal(sum, t + 2, tl - 4);
  json_decref(o);
  char *raw = NULL;
  o = analyze("A\x01", OSC_NLP_FULL, &raw);
  assert_non_null(strstr(raw, "\"summary\":\"A\\u0001\""));
  free(raw);
  json_decref(o);
}

static void test_analyze_json_shape(void **st) {
  (void)st;
  char *raw = NULL;
  json_t *o = analyze("The train leaves at noon from the central station. It is on time.", OSC_NLP_FULL, &raw);
  /* keys in the documented order, compact separators, reals always with a '.' or an exponent */
  const char *order[] = {"{\"sentiment\":{\"label\":",
                         "\"entities\":[",
                         "\"keywords\":[",
                         "\"keyword_scores\":[",
                         "\"summary\":",
                         "\"statistics\":{\"chars\":",
                         "\"embeddings\":null,\"language\":",
                         "\"language_detail\":{\"language\":",
                         "\"confidence\":",
                         "\"analysis_type\":\"full\"}"};
  const char *at = raw;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    const char *p = strstr(at, order[i]);
    if (!p) fail_msg("%s missing or out of order in %s", order[i], raw);
    at = p;
  }
  assert_non_null(strstr(raw, "\"compound\":0.0,"));
  assert_null(strstr(raw, ": "));
  json_t *stt = json_object_get(o, "statistics");
  assert_int_equal(json_integer_value(json_object_get(stt, "sentences")), 2);
  assert_int_equal(json_integer_value(json_object_get(stt, "words")), 13);
  assert_true(json_is_real(json_object_get(stt, "avg_words_per_sentence")));
  assert_true(fabs(json_real_value(json_object_get(stt, "avg_words_per_sentence")) - 6.5) < 1e-9);
  double c = json_real_value(json_object_get(o, "confidence"));
  assert_true(c > 0 && c <= 1);
  free(raw);
  json_decref(o);
  /* the partial types keep the same keys with empty values */
  o = analyze("Great news from Paris today!", OSC_NLP_ENTITIES, &raw);
  assert_non_null(strstr(raw, "{\"sentiment\":{},\"entities\":[{\"text\":\"Paris\",\"label\":\"LOCATION\""));
  assert_non_null(strstr(raw,
                         "\"keywords\":[],\"keyword_scores\":[],\"summary\":\"\",\"embeddings\":null,"
                         "\"language\":\"\",\"confidence\":"));
  assert_non_null(strstr(raw, "\"analysis_type\":\"entities\"}"));
  free(raw);
  json_decref(o);
}

static bool has_ent(const osc_nlp_entity *e, size_t n, const char *text, osc_nlp_entity_type type) {
  for (size_t i = 0; i < n; i++)
    if (e[i].type == type && !strcmp(e[i].text, text)) return true;
  return false;
}

static void test_entity_lists(void **st) {
  (void)st;
  const char *t =
      "Mr. Smith paid $5 million on Monday, March 3, 2020 at 10:30 am; 15 percent of the first "
      "payments went to http://example.com/pay and www.example.org with three hundred dollars.";
  osc_nlp_entity *e = NULL;
  size_t n = 0;
  assert_int_equal(osc_nlp_entities(E, t, strlen(t), &e, &n), OSC_OK);
  assert_true(has_ent(e, n, "Smith", OSC_NLP_ENT_PERSON));
  assert_true(has_ent(e, n, "$5 million", OSC_NLP_ENT_MONEY));
  assert_true(has_ent(e, n, "Monday", OSC_NLP_ENT_DATE));
  assert_true(has_ent(e, n, "March 3, 2020", OSC_NLP_ENT_DATE));
  assert_true(has_ent(e, n, "10:30 am", OSC_NLP_ENT_TIME));
  assert_true(has_ent(e, n, "15 percent", OSC_NLP_ENT_PERCENT));
  assert_true(has_ent(e, n, "first", OSC_NLP_ENT_ORDINAL));
  assert_true(has_ent(e, n, "http://example.com/pay", OSC_NLP_ENT_URL));
  assert_true(has_ent(e, n, "www.example.org", OSC_NLP_ENT_URL));
  assert_true(has_ent(e, n, "three hundred dollars", OSC_NLP_ENT_MONEY));
  for (size_t i = 1; i < n; i++) assert_true(e[i - 1].start <= e[i].start);
  osc_nlp_entities_free(e, n);
  /* words that only look like list words are not matched ("Mayo" is not "may", "which" not "whichever") */
  t = "Whatsoever happened in Mayo stays.";
  assert_int_equal(osc_nlp_entities(E, t, strlen(t), &e, &n), OSC_OK);
  for (size_t i = 0; i < n; i++) assert_true(e[i].type != OSC_NLP_ENT_DATE);
  osc_nlp_entities_free(e, n);
}

static void test_summary_counts(void **st) {
  (void)st;
  /* "cats" and "fish" repeat; the sentences made of them win, in document order */
  const char *t =
      "Cats like fish. The weather was cold yesterday. Cats eat fish and cats chase fish. "
      "Trains run late. Some fish fear cats.";
  char *s = NULL;
  osc_nlp_text_stats stt;
  assert_int_equal(osc_nlp_summarize(E, t, strlen(t), 2, 0, &s, &stt), OSC_OK);
  assert_string_equal(s, "Cats eat fish and cats chase fish. Some fish fear cats.");
  assert_int_equal(stt.sentences, 5);
  assert_int_equal(stt.words, 22);
  free(s);
  /* ratio 0.2 of 5 sentences: one */
  assert_int_equal(osc_nlp_summarize(E, t, strlen(t), 0, 0.2, &s, &stt), OSC_OK);
  assert_string_equal(s, "Cats eat fish and cats chase fish.");
  free(s);
  /* no more sentences than wanted: the whole text; statistics still counted */
  assert_int_equal(osc_nlp_summarize(E, "One cat. Two cats.", 18, 3, 0, &s, &stt), OSC_OK);
  assert_string_equal(s, "One cat. Two cats.");
  assert_int_equal(stt.words, 4);
  assert_int_equal(stt.syllables, 4);
  free(s);
}

static void test_resources_load(void **st) {
  (void)st;
  char *j = NULL;
  assert_int_equal(osc_nlp_resources_json(E, &j), OSC_OK);
  json_t *a = json_loads(j, 0, NULL);
  free(j);
  assert_non_null(a);
  /* every resource has its load time; the core steps come in load order (others may sit between them) */
  const char *order[] = {"vader_lexicon",      "pattern_sentiment",     "stopwords",
                         "langdetect_profiles", "pattern_entities",     "iso_3166_countries",
                         "iso_3166_subdivisions", "wordnet",            "geonames_cities",
                         "pattern_frequency"};
  size_t want = sizeof order / sizeof order[0], next = 0;
  assert_true(json_array_size(a) >= want);
  for (size_t k = 0; k < json_array_size(a); k++) {
    json_t *r = json_array_get(a, k);
    const char *name = json_string_value(json_object_get(r, "name"));
    assert_non_null(name);
    assert_true(json_is_integer(json_object_get(r, "load_us")));
    assert_true(json_integer_value(json_object_get(r, "load_us")) >= 0);
    if (next < want && strcmp(name, order[next]) == 0) next++;
  }
  assert_int_equal(next, want);
  size_t i;
  json_t *r;
  json_array_foreach(a, i, r) {
    if (strcmp(json_string_value(json_object_get(r, "name")), "use_lite_embeddings")) continue;
    /* turned off by the setting: said so, and no install hint as for a missing package */
    assert_false(json_is_true(json_object_get(r, "loaded")));
    assert_string_equal(json_string_value(json_object_get(r, "disabled_by")), "nlp.embeddings=false");
    assert_null(json_object_get(r, "install"));
  }
  json_decref(a);
  /* require_all does not count a resource the settings turned off as missing; a second engine loads the
     same resources (versions, entries) and analyses the same way */
  osc_nlp_options o = {0};
  o.no_embeddings = true;
  o.require_all = true;
  o.threads = 1;
  osc_nlp *x = NULL;
  int rc = osc_nlp_open(&o, &x);
  if (rc) assert_null(strstr(osc_errmsg(), "use_lite_embeddings"));
  if (!rc) {
    char *r1 = NULL, *r2 = NULL;
    assert_int_equal(osc_nlp_resources_json(E, &r1), OSC_OK);
    assert_int_equal(osc_nlp_resources_json(x, &r2), OSC_OK);
    json_t *a1 = json_loads(r1, 0, NULL), *a2 = json_loads(r2, 0, NULL);
    assert_int_equal(json_array_size(a1), json_array_size(a2));
    for (size_t k = 0; k < json_array_size(a1); k++) {
      json_t *e1 = json_array_get(a1, k), *e2 = json_array_get(a2, k);
      const char *keys[] = {"name", "version", "loaded", "entries", "bytes"};
      for (size_t q = 0; q < 5; q++)
        assert_true(json_equal(json_object_get(e1, keys[q]), json_object_get(e2, keys[q])));
    }
    json_decref(a1);
    json_decref(a2);
    free(r1);
    free(r2);
  }
  if (!rc) {
    const char *t = "Angela Merkel met Emmanuel Macron in Paris on Friday.";
    char *j1 = NULL, *j2 = NULL;
    assert_int_equal(osc_nlp_analyze_json(E, t, strlen(t), OSC_NLP_FULL, OSC_NLP_NO_CACHE, &j1, NULL), OSC_OK);
    assert_int_equal(osc_nlp_analyze_json(x, t, strlen(t), OSC_NLP_FULL, OSC_NLP_NO_CACHE, &j2, NULL), OSC_OK);
    assert_string_equal(j1, j2);
    free(j1);
    free(j2);
  }
  osc_nlp_close(x);
}

static char *sh(const char *args, int *code) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s --set nlp.embeddings=false %s 2>&1", osc_test_bin(), args);
  return osc_test_sh(cmd, code);
}

static void test_cli_options(void **st) {
  (void)st;
  int code = -1;
  char *out = sh("nlp keywords --help", &code);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "--top N"));
  free(out);
  out = sh("nlp keywords --top 2 'The quick brown fox jumps over the lazy dog near the river bank.'", &code);
  assert_int_equal(code, 0);
  json_t *j = strstr(out, "[\n") ? json_loads(strstr(out, "[\n"), 0, NULL) : NULL; /* after any log line */
  assert_non_null(j);
  assert_int_equal(json_array_size(j), 2);
  json_decref(j);
  free(out);
  out = sh("nlp keywords -n 0 'text'", &code);
  assert_int_equal(code, 2);
  assert_non_null(strstr(out, "--top"));
  free(out);
  out = sh("nlp keywords --top many 'text'", &code);
  assert_int_equal(code, 2);
  free(out);
  out = sh("nlp summarize --sentences 1 'Cats like fish. Trains run late. Cats eat fish.'", &code);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "\"summary\": \"Cats"));
  assert_null(strstr(out, "Trains"));
  free(out);
  out = sh("nlp summarize --ratio 1.5 'text'", &code);
  assert_int_equal(code, 2);
  assert_non_null(strstr(out, "--ratio"));
  free(out);
  out = sh("nlp analyze --type keywords 'Cats and dogs in Paris.'", &code);
  assert_int_equal(code, 0);
  assert_non_null(strstr(out, "\"analysis_type\": \"keywords\""));
  free(out);
  out = sh("nlp analyze -t nonsense 'text'", &code);
  assert_int_equal(code, 2);
  assert_non_null(strstr(out, "--type"));
  free(out);
  /* the embeddings switch is reported as a setting, not as a package to install */
  out = sh("nlp resources", &code);
  assert_int_equal(code, 0);
  if (strstr(out, "use_lite_embeddings")) {
    assert_non_null(strstr(out, "disabled by the setting nlp.embeddings=false"));
    assert_null(strstr(out, "install it with: disabled"));
  }
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_map_arena),
                                     cmocka_unit_test(test_tokens_grow),
                                     cmocka_unit_test(test_analyze_json_escapes),
                                     cmocka_unit_test(test_analyze_json_shape),
                                     cmocka_unit_test(test_entity_lists),
                                     cmocka_unit_test(test_summary_counts),
                                     cmocka_unit_test(test_resources_load),
                                     cmocka_unit_test(test_cli_options)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
