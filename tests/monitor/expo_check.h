/* tests/monitor/expo_check.h - semantic checks of an exposition that promtool does not make. */
#ifndef OSC_TEST_EXPO_CHECK_H
#define OSC_TEST_EXPO_CHECK_H
#include <stdbool.h>
#include <stddef.h>
/**
 * Checks: LF endings with a final LF, no CR; one HELP and one TYPE per family,
 * TYPE before samples; families contiguous; series unique; names valid; no
 * timestamps; histogram buckets cumulative with +Inf == _count; for
 * OpenMetrics, ends with "# EOF" and has no blank lines.  Returns NULL when
 * fine, else a static message naming the line.
 */
const char *osc_expo_check(const char *text, size_t len, bool openmetrics);
/** Runs promtool check metrics on text; returns its exit code and puts non-allowed lint lines in bad (may be NULL). */
int osc_expo_promtool(const char *text, size_t len, char *bad, size_t badlen);
#endif
