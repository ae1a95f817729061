/*
 * tasks/settings.c - the tasks.* settings and their mapping to options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/tasks.h"

const osc_setting_def osc__settings_tasks[] = {
    {"tasks.aging_quota", OSC_SETTING_INT, "16", 1, 1000000, NULL,
     "A lower priority level passed over this many dispatches in a row is served next (starvation bound)."},
    {"tasks.autoscale", OSC_SETTING_BOOL, "true", 0, 0, NULL,
     "Grow pools on queue depth or utilisation, shrink idle workers after idle_shrink; off = pools fixed at max."},
    {"tasks.backoff_base", OSC_SETTING_DURATION, "100ms", 1, 3600000, NULL,
     "Retry backoff base: delay = random(0, min(cap, base * 2^(attempt-1)))."},
    {"tasks.backoff_cap", OSC_SETTING_DURATION, "30s", 1, 86400000, NULL, "Retry backoff cap."},
    {"tasks.broker", OSC_SETTING_ENUM, "none", 0, 0, "none|redis",
     "Where `serve` submits jobs: none = its local pools, redis = Redis Streams at redis_url (run `oscontent worker`)."},
    {"tasks.broker_prefix", OSC_SETTING_STRING, "osc:tasks", 0, 0, NULL, "Key prefix of the broker's streams and result hashes."},
    {"tasks.cpu.max_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "CPU pool maximum; 0 = usable cores (cgroup-aware)."},
    {"tasks.cpu.min_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "CPU pool minimum; 0 = 1."},
    {"tasks.default_timeout", OSC_SETTING_DURATION, "300s", 0, 604800000, NULL,
     "Per-attempt timeout of jobs whose kind sets none; 0 = none."},
    {"tasks.idle_shrink", OSC_SETTING_DURATION, "10s", 10, 86400000, NULL,
     "A worker idle this long exits while its pool is above min_workers."},
    {"tasks.io.max_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "IO pool maximum; 0 = 4 x cores (at least 8)."},
    {"tasks.io.min_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "IO pool minimum; 0 = 2."},
    {"tasks.journal", OSC_SETTING_BOOL, "true", 0, 0, NULL,
     "Keep durable jobs in a SQLite journal under data_dir (tasks/journal.db) and resume them after a restart."},
    {"tasks.journal_sync", OSC_SETTING_ENUM, "full", 0, 0, "full|normal",
     "full: a submitted durable job survives power loss; normal: it survives a process crash (faster)."},
    {"tasks.kill_grace", OSC_SETTING_DURATION, "2s", 0, 600000, NULL,
     "An isolated job being cancelled or timed out gets SIGTERM, then SIGKILL after this long."},
    {"tasks.max_attempts", OSC_SETTING_INT, "3", 1, 100, NULL, "Attempts per job (first run included) unless its kind says."},
    {"tasks.max_deliveries", OSC_SETTING_INT, "5", 1, 1000, NULL,
     "Broker: a message delivered this many times goes to the dead-letter stream."},
    {"tasks.max_pending", OSC_SETTING_INT, "100000", 1, 100000000, NULL, "Jobs queued at once before submit answers busy."},
    {"tasks.memory.max_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "MEMORY pool maximum (limited concurrency); 0 = 2."},
    {"tasks.memory.min_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "MEMORY pool minimum; 0 = 1."},
    {"tasks.mixed.max_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "MIXED pool maximum; 0 = usable cores."},
    {"tasks.mixed.min_workers", OSC_SETTING_INT, "0", 0, 1024, NULL, "MIXED pool minimum; 0 = 1."},
    {"tasks.result_ttl", OSC_SETTING_DURATION, "1d", 1000, 2592000000.0, NULL, "Broker: results are kept in Redis this long."},
    {"tasks.retention", OSC_SETTING_DURATION, "1h", 0, 2592000000.0, NULL,
     "Finished jobs (and dead letters) are kept this long, then purged from memory and the journal."},
    {"tasks.scale_cooldown", OSC_SETTING_DURATION, "1s", 0, 3600000, NULL, "No two resizes of a pool closer than this."},
    {"tasks.scale_depth_factor", OSC_SETTING_INT, "2", 1, 1000, NULL, "A pool grows when queued > factor x workers."},
    {"tasks.shutdown_timeout", OSC_SETTING_DURATION, "10s", 0, 3600000, NULL,
     "On shutdown, queued and running jobs get this long to finish; durable ones left over resume next start."},
    {"tasks.visibility_timeout", OSC_SETTING_DURATION, "0", 0, 604800000, NULL,
     "Broker: an unacknowledged message idle this long is reclaimed; 0 = 2 x default_timeout (never less)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

int osc_tasks_options_from_config(const osc_config *cfg, osc_tasks_options *o, char **owned_path) {
  memset(o, 0, sizeof *o);
  *owned_path = NULL;
  static const char *const names[] = {"mixed", "cpu", "io", "memory"};
  for (int t = 0; t < OSC_TASK_TYPE_COUNT; t++) {
    char k[64];
    snprintf(k, sizeof k, "tasks.%s.min_workers", names[t]);
    o->pools[t].min_workers = (int)osc_config_int(cfg, k);
    snprintf(k, sizeof k, "tasks.%s.max_workers", names[t]);
    o->pools[t].max_workers = (int)osc_config_int(cfg, k);
  }
  o->no_autoscale = !osc_config_bool(cfg, "tasks.autoscale");
  o->scale_depth_factor = (int)osc_config_int(cfg, "tasks.scale_depth_factor");
  o->scale_cooldown_ms = osc_config_int(cfg, "tasks.scale_cooldown");
  o->idle_shrink_ms = osc_config_int(cfg, "tasks.idle_shrink");
  o->aging_quota = (int)osc_config_int(cfg, "tasks.aging_quota");
  o->default_timeout_ms = osc_config_int(cfg, "tasks.default_timeout");
  if (o->default_timeout_ms == 0) o->default_timeout_ms = 0x7fffffffffffLL; /* "none" */
  o->max_attempts = (int)osc_config_int(cfg, "tasks.max_attempts");
  o->backoff_base_ms = osc_config_int(cfg, "tasks.backoff_base");
  o->backoff_cap_ms = osc_config_int(cfg, "tasks.backoff_cap");
  o->kill_grace_ms = osc_config_int(cfg, "tasks.kill_grace");
  if (o->kill_grace_ms == 0) o->kill_grace_ms = 1;
  o->max_pending = osc_config_int(cfg, "tasks.max_pending");
  o->retention_ms = osc_config_int(cfg, "tasks.retention");
  if (o->retention_ms == 0) o->retention_ms = 1;
  o->shutdown_timeout_ms = osc_config_int(cfg, "tasks.shutdown_timeout");
  if (o->shutdown_timeout_ms == 0) o->shutdown_timeout_ms = 1;
  o->journal_sync_normal = strcmp(osc_config_str(cfg, "tasks.journal_sync"), "normal") == 0;
  if (osc_config_bool(cfg, "tasks.journal")) {
    char *dir = NULL;
    int rc = osc_config_data_path(cfg, "tasks", true, &dir);
    if (rc) return rc;
    *owned_path = osc_path_join(dir, "journal.db");
    free(dir);
    if (!*owned_path) return OSC_ENOMEM;
    o->journal_path = *owned_path;
  }
  return OSC_OK;
}

int osc_tasks_broker_options_from_config(const osc_config *cfg, osc_tasks_broker_options *o) {
  memset(o, 0, sizeof *o);
  o->url = osc_config_str(cfg, "redis_url");
  if (!o->url || !*o->url)
    return osc_seterr(OSC_EINVAL, "tasks broker: redis_url is empty (set REDIS_URL, --set redis_url=... or --broker)");
  o->prefix = osc_config_str(cfg, "tasks.broker_prefix");
  o->max_deliveries = (int)osc_config_int(cfg, "tasks.max_deliveries");
  o->result_ttl_ms = osc_config_int(cfg, "tasks.result_ttl");
  o->task_timeout_ms = osc_config_int(cfg, "tasks.default_timeout");
  o->visibility_ms = osc_config_int(cfg, "tasks.visibility_timeout");
  return OSC_OK;
}
