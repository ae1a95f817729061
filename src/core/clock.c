/*
 * core/clock.c - clocks.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "core/clock.h"

static uint64_t ts_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t osc_now_ns(void) { return ts_ns(CLOCK_MONOTONIC); }
uint64_t osc_now_ms(void) { return ts_ns(CLOCK_MONOTONIC) / 1000000ull; }
int64_t osc_wall_ms(void) { return (int64_t)(ts_ns(CLOCK_REALTIME) / 1000000ull); }
double osc_wall_s(void) { return (double)ts_ns(CLOCK_REALTIME) / 1e9; }
uint64_t osc_thread_cpu_ns(void) { return ts_ns(CLOCK_THREAD_CPUTIME_ID); }
uint64_t osc_process_cpu_ns(void) { return ts_ns(CLOCK_PROCESS_CPUTIME_ID); }

void osc_sleep_ms(uint64_t ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

void osc_iso8601(int64_t wall_ms, char *buf, size_t len) {
  time_t secs = (time_t)(wall_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
}
