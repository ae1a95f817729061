/*
 * tests/nlp/test_nlp_ner.c - the context pass of named entities (ner_org.c)
 * on hand-written sentences: teams by scores, "v"/"beat" and schedules,
 * role and cue nouns, countries that stay LOCATION, initials, titles inside
 * a span, the definite article, LOCATION + name joins, demonyms, events,
 * acronyms, headlines in capitals, inflected common words and function words.
 * Uses the real data packages installed by scripts/install-deps.sh.
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

/* The type given to the entity whose text is exactly `name` in `text`;
 * OSC_NLP_ENT__COUNT when there is none. */
static osc_nlp_entity_type type_of(const char *text, const char *name) {
  osc_nlp_entity *e = NULL;
  size_t n = 0;
  assert_int_equal(osc_nlp_entities(E, text, strlen(text), &e, &n), OSC_OK);
  osc_nlp_entity_type t = OSC_NLP_ENT__COUNT;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(e[i].text, name)) t = e[i].type;
  osc_nlp_entities_free(e, n);
  return t;
}

static void test_teams(void **st) {
  (void)st;
  /* a town followed by a score is a team */
  assert_int_equal(type_of("Leeds 3 Bristol 1", "Leeds"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Leeds 3 Bristol 1", "Bristol"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Hampshire beat Kent by six wickets .", "Hampshire"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Hampshire beat Kent by six wickets .", "Kent"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Fixtures : Leeds v Bristol .", "Bristol"), OSC_NLP_ENT_ORG);
  /* countries stay LOCATION (national teams) */
  assert_int_equal(type_of("Germany 2 Italy 1", "Germany"), OSC_NLP_ENT_LOCATION);
  assert_int_equal(type_of("Germany 2 Italy 1", "Italy"), OSC_NLP_ENT_LOCATION);
  /* schedules: the visitor is the team, the host the place */
  assert_int_equal(type_of("BOSTON AT TORONTO", "BOSTON"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("BOSTON AT TORONTO", "TORONTO"), OSC_NLP_ENT_LOCATION);
  /* a headline in capitals is cut into names; common words are dropped */
  const char *h = "SOCCER - LEEDS BEAT DERBY IN CUP REPLAY .";
  assert_int_equal(type_of(h, "LEEDS"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of(h, "DERBY"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of(h, "IN"), OSC_NLP_ENT__COUNT);
  assert_int_equal(type_of("TENNIS - GERMANY BEAT SPAIN IN FINAL .", "SPAIN"), OSC_NLP_ENT_LOCATION);
  /* a town as a place is untouched */
  assert_int_equal(type_of("She flew to Leeds on Monday .", "Leeds"), OSC_NLP_ENT_LOCATION);
}

static void test_org_contexts(void **st) {
  (void)st;
  assert_int_equal(type_of("Hartlepool striker Joe Bloggs scored twice .", "Hartlepool"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Hartlepool striker Joe Bloggs scored twice .", "Joe Bloggs"), OSC_NLP_ENT_PERSON);
  assert_int_equal(type_of("French club Auxerre signed him .", "Auxerre"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("French club Auxerre signed him .", "French"), OSC_NLP_ENT_MISC);
  /* one sense per text: the second mention follows the first */
  const char *t = "Shares in Zorblatt fell after a Zorblatt spokesman denied the report .";
  assert_int_equal(type_of(t, "Zorblatt"), OSC_NLP_ENT_ORG);
  osc_nlp_entity *e = NULL;
  size_t n = 0, orgs = 0;
  assert_int_equal(osc_nlp_entities(E, t, strlen(t), &e, &n), OSC_OK);
  for (size_t i = 0; i < n; i++) orgs += e[i].type == OSC_NLP_ENT_ORG;
  osc_nlp_entities_free(e, n);
  assert_int_equal(orgs, 2);
  /* a sponsor team after the rider's country in results */
  assert_int_equal(type_of("1. Jan Ullrich ( Germany ) Zentrix 4:05", "Zentrix"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("1. Jan Ullrich ( Germany ) Zentrix 4:05", "Jan Ullrich"), OSC_NLP_ENT_PERSON);
  /* names of people take no article */
  assert_int_equal(type_of("The Orioles won again on Tuesday .", "Orioles"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Later the San Diego Padres beat the Expos 6-0 .", "San Diego Padres"), OSC_NLP_ENT_ORG);
  /* an unknown all-capital acronym in running text */
  assert_int_equal(type_of("The ABCU said on Monday it would strike .", "ABCU"), OSC_NLP_ENT_ORG);
}

static void test_spans(void **st) {
  (void)st;
  assert_int_equal(type_of("J. Smith scored 45 runs .", "J. Smith"), OSC_NLP_ENT_PERSON);
  assert_int_equal(type_of("Foreign Minister Klaus Kinkel arrived in Bonn .", "Klaus Kinkel"), OSC_NLP_ENT_PERSON);
  assert_int_equal(type_of("Palestinian President Yasser Arafat spoke .", "Yasser Arafat"), OSC_NLP_ENT_PERSON);
  assert_int_equal(type_of("Palestinian President Yasser Arafat spoke .", "Palestinian"), OSC_NLP_ENT_MISC);
  assert_int_equal(type_of("Economist Joel Naroff said prices rose .", "Joel Naroff"), OSC_NLP_ENT_PERSON);
  assert_int_equal(type_of("Air France said on Monday .", "Air France"), OSC_NLP_ENT_ORG);
  assert_int_equal(type_of("Analysts expect the World Cup draw to help .", "World Cup"), OSC_NLP_ENT_MISC);
  assert_int_equal(type_of("The Canadians won the match .", "Canadians"), OSC_NLP_ENT_MISC);
  /* no entity: an inflected common word at the start, a lone pronoun */
  assert_int_equal(type_of("Results of the weekend games :", "Results"), OSC_NLP_ENT__COUNT);
  assert_int_equal(type_of("If I win , I will stay .", "I"), OSC_NLP_ENT__COUNT);
  assert_int_equal(type_of("Women 's 100 metres", "Women"), OSC_NLP_ENT__COUNT);
  assert_int_equal(type_of("Market-making began today .", "Market-making"), OSC_NLP_ENT__COUNT);
  assert_int_equal(type_of("Jean-Pierre Papin scored .", "Jean-Pierre Papin"), OSC_NLP_ENT_PERSON);
  /* bad input never crashes */
  osc_nlp_entity *e = NULL;
  size_t n = 0;
  const char *odd[] = {"J.", ". J. .", "( ) 1", "v", "AT", "the The THE", "Leeds (", "Leeds ( X", "b X 1"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    assert_int_equal(osc_nlp_entities(E, odd[i], strlen(odd[i]), &e, &n), OSC_OK);
    osc_nlp_entities_free(e, n);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_teams),
      cmocka_unit_test(test_org_contexts),
      cmocka_unit_test(test_spans),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
