/*
 * tests/nlp/nlp_fixture.h - the engine the NLP unit tests share: E, opened
 * once per cmocka group without the encoder (setup / teardown for
 * cmocka_run_group_tests).  Include it once, in a test program's .c file.
 */
#ifndef OSC_NLP_FIXTURE_H
#define OSC_NLP_FIXTURE_H

#include <stdio.h>

#include "oscontent/error.h"
#include "oscontent/nlp.h"

static osc_nlp *E;

static int setup(void **state) {
  (void)state;
  osc_nlp_options o = {0};
  o.no_embeddings = true;
  int rc = osc_nlp_open(&o, &E);
  if (rc) fprintf(stderr, "osc_nlp_open: %s\n", osc_errmsg());
  return rc;
}

static int teardown(void **state) {
  (void)state;
  osc_nlp_close(E);
  return 0;
}

#endif
