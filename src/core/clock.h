/*
 * core/clock.h - clocks and small time helpers (internal).
 */
#ifndef OSC_CORE_CLOCK_H
#define OSC_CORE_CLOCK_H

#include <stdint.h>
#include "oscontent/common.h"

/** Monotonic nanoseconds (CLOCK_MONOTONIC). */
OSC_API uint64_t osc_now_ns(void);
/** Monotonic milliseconds. */
OSC_API uint64_t osc_now_ms(void);
/** Wall-clock milliseconds since the Unix epoch (CLOCK_REALTIME). */
OSC_API int64_t osc_wall_ms(void);
/** Wall-clock seconds since the epoch as a double. */
OSC_API double osc_wall_s(void);
/** Per-thread CPU time in nanoseconds. */
OSC_API uint64_t osc_thread_cpu_ns(void);
/** Process CPU time in nanoseconds. */
OSC_API uint64_t osc_process_cpu_ns(void);
/** Sleeps for @p ms milliseconds (restarts on EINTR). */
OSC_API void osc_sleep_ms(uint64_t ms);
/** Formats @p wall_ms as ISO 8601 UTC ("2026-11-27T17:09:24.123Z") into buf (>= 32 bytes). */
OSC_API void osc_iso8601(int64_t wall_ms, char *buf, size_t len);

#endif
