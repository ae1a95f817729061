/* tests/video/test_narration.c - phrase splitting, espeak-ng narration timed with the captions,
 * fitting the speech into the duration; concurrent narrations are serialised safely. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "video/video_internal.h"

static void free_phrases(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static void test_split(void **st) {
  (void)st;
  char **v = NULL;
  size_t n = 0;
  assert_int_equal(osc__video_split_phrases("Hello world. How are you?  Fine!", 10, &v, &n), OSC_OK);
  assert_int_equal(n, 3);
  assert_string_equal(v[0], "Hello world.");
  assert_string_equal(v[1], "How are you?");
  assert_string_equal(v[2], "Fine!");
  free_phrases(v, n);
  assert_int_equal(osc__video_split_phrases("one two three four five six seven eight nine ten eleven twelve", 5, &v, &n),
                   OSC_OK);
  assert_int_equal(n, 3);
  for (size_t i = 0; i < n; i++) assert_true(strlen(v[i]) > 0);
  free_phrases(v, n);
  assert_int_equal(osc__video_split_phrases("   \n\t ", 10, &v, &n), OSC_OK);
  assert_int_equal(n, 0);
  free_phrases(v, n);
  assert_int_equal(osc__video_split_phrases("Version 1.5 is out", 10, &v, &n), OSC_OK);
  assert_int_equal(n, 1); /* a dot inside a number does not end a sentence */
  free_phrases(v, n);
}

static void check_timeline(const osc__narration *nr, double dur) {
  for (size_t i = 0; i < nr->ncaps; i++) {
    assert_true(nr->caps[i].start_s >= 0);
    assert_true(nr->caps[i].end_s > nr->caps[i].start_s);
    assert_true(nr->caps[i].end_s <= dur + 1e-9);
    if (i) assert_true(nr->caps[i].start_s >= nr->caps[i - 1].end_s - 1e-9);
  }
}

static void test_narrate(void **st) {
  (void)st;
  osc__narration nr;
  const char *text = "A calm sea at sunset. The waves roll in slowly. Birds fly home.";
  assert_int_equal(osc__video_narrate(text, "en", 6.0, true, &nr), OSC_OK);
  assert_int_equal(nr.ncaps, 3);
  assert_int_equal(nr.nsamples, (size_t)(6.0 * nr.rate + 0.5));
  check_timeline(&nr, 6.0);
  /* speech is audible inside each caption's window */
  for (size_t i = 0; i < nr.ncaps; i++) {
    size_t a = (size_t)(nr.caps[i].start_s * nr.rate), b = (size_t)(nr.caps[i].end_s * nr.rate);
    int peak = 0;
    for (size_t k = a; k < b && k < nr.nsamples; k++) peak = abs(nr.pcm[k]) > peak ? abs(nr.pcm[k]) : peak;
    assert_true(peak > 1000);
  }
  assert_true(nr.speech_s > 1.0 && nr.speech_s < 6.0);
  osc__video_narration_release(&nr);
}

static void test_too_long_is_fitted(void **st) {
  (void)st;
  osc__narration nr;
  const char *text =
      "This is a very long narration. It has many sentences. Far too many for two seconds. "
      "It keeps going and going. Nobody could say all of this in time. Still more words here.";
  assert_int_equal(osc__video_narrate(text, "en", 2.0, true, &nr), OSC_OK);
  assert_true(nr.ncaps >= 1 && nr.ncaps < 6);
  assert_int_equal(nr.nsamples, (size_t)(2.0 * nr.rate + 0.5));
  check_timeline(&nr, 2.0);
  osc__video_narration_release(&nr);
}

static void test_no_audio_and_errors(void **st) {
  (void)st;
  osc__narration nr;
  assert_int_equal(osc__video_narrate("Timing only.", "en", 3.0, false, &nr), OSC_OK);
  assert_null(nr.pcm);
  assert_int_equal(nr.ncaps, 1);
  osc__video_narration_release(&nr);
  assert_int_equal(osc__video_narrate("Bonjour", "xx-nonexistent", 3.0, true, &nr), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "language"));
  assert_int_equal(osc__video_narrate("", "en", 3.0, true, &nr), OSC_OK); /* silence */
  assert_int_equal(nr.ncaps, 0);
  osc__video_narration_release(&nr);
  assert_int_equal(osc__video_narrate("\xd8\xba\xd8\xb1\xd9\x88\xd8\xa8", "ar", 2.0, true, &nr), OSC_OK);
  osc__video_narration_release(&nr);
}

static void *narrate_thread(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    osc__narration nr;
    if (osc__video_narrate("Threads take turns with espeak.", "en", 2.0, true, &nr) != OSC_OK) return (void *)1;
    osc__video_narration_release(&nr);
  }
  return NULL;
}

static void test_concurrent(void **st) {
  (void)st;
  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, narrate_thread, NULL);
  for (int i = 0; i < 3; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_null(r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_split), cmocka_unit_test(test_narrate),
                                     cmocka_unit_test(test_too_long_is_fitted),
                                     cmocka_unit_test(test_no_audio_and_errors), cmocka_unit_test(test_concurrent)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
