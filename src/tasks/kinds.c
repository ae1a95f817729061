/*
 * tasks/kinds.c - the built-in kinds "echo" and "sleep" (tests and demos).
 *
 * echo:  the result is the payload (JSON stays JSON).
 * sleep: payload {"ms": N} (or a bare number of milliseconds, at most one
 *        hour); sleeps in 10 ms steps, reports progress and stops early with
 *        OSC_ECANCELED when cancelled or timed out.  {"fail": true} makes the
 *        attempt fail with OSC_EIO after sleeping (to watch retries).
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "oscontent/error.h"
#include "tasks/internal.h"

static int kind_echo(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  size_t n;
  const void *p = osc_task_payload(ctx, &n);
  return osc_task_set_result(ctx, p, n, ctx->rec ? ctx->rec->payload_json : false);
}

static int kind_sleep(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  size_t n;
  const char *p = osc_task_payload(ctx, &n);
  int64_t ms = 0;
  bool fail = false;
  if (p && n) {
    json_t *v = NULL;
    if (osc_json_parse(p, n, false, &v) != OSC_OK) {
      osc_task_set_error(ctx, "sleep: payload is not JSON: %s", osc_errmsg());
      return OSC_EINVAL;
    }
    if (json_is_integer(v)) {
      ms = json_integer_value(v);
    } else if (json_is_object(v)) {
      if (osc_json_get_int(v, "ms", true, 0, 3600000, &ms) != OSC_OK ||
          osc_json_get_bool(v, "fail", false, &fail) != OSC_OK) {
        osc_task_set_error(ctx, "sleep: %s", osc_errmsg());
        json_decref(v);
        return OSC_EINVAL;
      }
    } else {
      json_decref(v);
      osc_task_set_error(ctx, "sleep: payload must be {\"ms\": N} or a number");
      return OSC_EINVAL;
    }
    json_decref(v);
  }
  if (ms < 0 || ms > 3600000) {
    osc_task_set_error(ctx, "sleep: ms %lld is outside 0..3600000", (long long)ms);
    return OSC_EINVAL;
  }
  uint64_t start = osc_now_ms(), end = start + (uint64_t)ms;
  for (;;) {
    if (osc_task_cancelled(ctx)) {
      osc_task_set_error(ctx, "sleep: stopped after %llu of %lld ms", (unsigned long long)(osc_now_ms() - start),
                         (long long)ms);
      return OSC_ECANCELED;
    }
    uint64_t now = osc_now_ms();
    if (now >= end) break;
    osc_task_progress(ctx, ms ? (double)(now - start) / (double)ms : 1.0);
    osc_sleep_ms((end - now < 10 ? end - now : 10));
  }
  if (fail) {
    osc_task_set_error(ctx, "sleep: failing on request (attempt %d)", osc_task_attempt(ctx));
    return OSC_EIO;
  }
  char buf[64];
  int len = snprintf(buf, sizeof buf, "{\"slept_ms\":%lld}", (long long)ms);
  return osc_task_set_result(ctx, buf, (size_t)len, true);
}

int osc__tasks_register_builtins(osc_tasks *tp) {
  osc_task_kind_options eo = {.type = OSC_TASK_TYPE_MIXED, .durable = true, .summary = "returns its payload"};
  int rc = osc_tasks_register(tp, "echo", kind_echo, NULL, &eo);
  if (rc) return rc;
  osc_task_kind_options so = {.type = OSC_TASK_TYPE_IO, .durable = true,
                              .summary = "sleeps {\"ms\": N} in 10 ms steps; polls cancellation"};
  return osc_tasks_register(tp, "sleep", kind_sleep, NULL, &so);
}
