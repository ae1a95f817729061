/*
 * tests/nlp/test_nlp_qa.c - extractive QA on hand-written cases: answer
 * types, the noun-phrase candidates, the side of the question's verb,
 * lists for plural questions, definitions, reasons, name remnants, offsets
 * and bad input.  (The SQuAD development set is only used by `nlp eval`.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "oscontent/nlp.h"

#include "nlp_fixture.h"

/* the answer to q over ctx (malloc'd); asserts the offsets point at it */
static char *ask(const char *q, const char *ctx) {
  osc_nlp_answer a;
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), ctx, strlen(ctx), &a), OSC_OK);
  char *r = strdup(a.answer);
  if (a.found) {
    assert_true(a.end > a.start);
    assert_true(a.confidence > 0 && a.confidence < 1);
  }
  osc_nlp_answer_release(&a);
  return r;
}

static void expect(const char *q, const char *ctx, const char *want) {
  char *got = ask(q, ctx);
  if (strcmp(got, want)) fprintf(stderr, "Q: %s\n  want \"%s\", got \"%s\"\n", q, want, got);
  assert_string_equal(got, want);
  free(got);
}

static void test_types(void **st) {
  (void)st;
  const char *ctx = "The Harbour Bridge opened in March 1932 after eight years of work. "
                    "It cost 6.25 million pounds and carries 160,000 vehicles a day. "
                    "The bridge was designed by John Bradfield and built by Dorman Long.";
  expect("When did the Harbour Bridge open?", ctx, "March 1932");
  expect("How many vehicles does the bridge carry a day?", ctx, "160,000");
  expect("Who designed the bridge?", ctx, "John Bradfield");
}

static void test_verb_side(void **st) {
  (void)st;
  /* object question: the answer follows the verb; subject question: it precedes it */
  const char *ctx = "After a long review in 2004, the regional council recommended a tunnel under the river.";
  expect("What did the regional council recommend?", ctx, "tunnel");
  const char *c2 = "Westfield Engineering supplied the turbines for the new dam.";
  expect("Which firm supplied the turbines?", c2, "Westfield Engineering");
}

static void test_name_remnant(void **st) {
  (void)st;
  /* "Who" is the rest of the name "Doctor Who" that the question names: never an answer */
  expect("Who created Doctor Who?", "Doctor Who was created by Sydney Newman at the BBC.", "Sydney Newman");
}

static void test_plural_list(void **st) {
  (void)st;
  const char *ctx = "The 1999 film starred Anna Smith, Tom Brown and Lee Park, and was shot in Spain.";
  expect("Which actors starred in the 1999 film?", ctx, "Anna Smith, Tom Brown and Lee Park");
}

static void test_head_noun_and_definition(void **st) {
  (void)st;
  expect("What kind of forest is the Amazon?", "The Amazon is a moist broadleaf forest in South America.",
         "moist broadleaf forest");
  expect("What is a stromule?", "A stromule is a thin tubule that extends from the plastid. Plastids are organelles.",
         "thin tubule that extends from the plastid"); /* leading articles are dropped */
}

static void test_quoted_title(void **st) {
  (void)st;
  expect("What was the memoir called?",
         "In 1991 Goldenson wrote the memoir \"Beating the Odds: The Untold Story\" about his years at the network.",
         "Beating the Odds: The Untold Story");
}

static void test_reason(void **st) {
  (void)st;
  expect("Why did the old bridge close?", "The old bridge closed in 1990 because its cables had corroded.",
         "cables had corroded");
}

static void test_no_question_words(void **st) {
  (void)st;
  /* an answer never repeats a content word of the question */
  static const char *const qs[] = {"What did the river carry?", "What is the river?", "Which river is long?",
                                   "Who saw the river?", "Where is the river?"};
  const char *ctx = "The river is long. The river carried silt to the delta near Cairo.";
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    char *got = ask(qs[i], ctx);
    assert_null(strstr(got, "river"));
    free(got);
  }
}

static void test_offsets_and_bad_input(void **st) {
  (void)st;
  /* offsets count code points: "Zürich" has 6 */
  const char *ctx = "Zürich hosts the ETH. The ETH was founded in 1855.";
  osc_nlp_answer a;
  const char *q = "When was the ETH founded?";
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), ctx, strlen(ctx), &a), OSC_OK);
  assert_string_equal(a.answer, "1855");
  assert_int_equal(a.start, 45);
  assert_int_equal(a.end, 49);
  osc_nlp_answer_release(&a);
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), ctx, strlen(ctx), NULL), OSC_EINVAL);
  assert_int_equal(osc_nlp_qa(E, "\xff?", 2, ctx, strlen(ctx), &a), OSC_EINVAL);
  osc_nlp_answer_release(&a);
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), "ab\xc3", 3, &a), OSC_EINVAL);
  osc_nlp_answer_release(&a);
  /* no question word in the context: not found */
  assert_int_equal(osc_nlp_qa(E, "Who won?", 8, "Bananas are yellow.", 19, &a), OSC_OK);
  assert_false(a.found);
  assert_string_equal(a.answer, "");
  osc_nlp_answer_release(&a);
  /* punctuation only, one huge sentence of nouns (more chunks than the per-sentence table), stray symbols */
  assert_int_equal(osc_nlp_qa(E, "?!", 2, ctx, strlen(ctx), &a), OSC_OK);
  assert_false(a.found);
  osc_nlp_answer_release(&a);
  size_t n = 0, cap = 64 * 1024;
  char *big = malloc(cap);
  assert_non_null(big);
  for (int i = 0; n + 64 < cap; i++) n += (size_t)snprintf(big + n, cap - n, "tower %d, bridge of stone and ", i);
  n += (size_t)snprintf(big + n, cap - n, "$ %% ( ) \" the tower.");
  q = "What is the tower made of?";
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), big, n, &a), OSC_OK);
  osc_nlp_answer_release(&a);
  free(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types),         cmocka_unit_test(test_verb_side),
      cmocka_unit_test(test_name_remnant),  cmocka_unit_test(test_plural_list),
      cmocka_unit_test(test_head_noun_and_definition), cmocka_unit_test(test_reason),
      cmocka_unit_test(test_quoted_title),
      cmocka_unit_test(test_no_question_words), cmocka_unit_test(test_offsets_and_bad_input),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
