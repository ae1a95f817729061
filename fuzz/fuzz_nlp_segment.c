/*
 * fuzz/fuzz_nlp_segment.c - UTF-8 validation, sentence and word
 * segmentation and VADER-style whitespace tokenisation on arbitrary bytes:
 * never crash, spans stay inside the input and ordered.
 */
#include <stdint.h>
#include <stdlib.h>

#include "oscontent/nlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *t = (const char *)data;
  if (osc_nlp_validate_utf8(t, size) != 0) return 0;
  size_t *s = NULL, *e = NULL, n = 0;
  if (osc_nlp_sentences(t, size, &s, &e, &n) == 0) {
    for (size_t i = 0; i < n; i++)
      if (s[i] > e[i] || e[i] > size || (i && s[i] < e[i - 1])) abort();
  }
  free(s);
  free(e);
  if (osc_nlp_words(t, size, &s, &e, &n) == 0) {
    for (size_t i = 0; i < n; i++)
      if (s[i] >= e[i] || e[i] > size || (i && s[i] < e[i - 1])) abort();
  }
  free(s);
  free(e);
  return 0;
}
