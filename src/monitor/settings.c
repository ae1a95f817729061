/*
 * monitor/settings.c - monitor.* settings.
 */
#include "oscontent/config.h"

const osc_setting_def osc__settings_monitor[] = {
    {"monitor.enabled", OSC_SETTING_BOOL, "true", 0, 0, NULL, "Run the performance monitor inside `oscontent serve`."},
    {"monitor.interval_ms", OSC_SETTING_DURATION, "1000", 10, 3600000, NULL,
     "Sampling period of the system and process collectors."},
    {"monitor.storage", OSC_SETTING_BOOL, "true", 0, 0, NULL,
     "Keep history in SQLite under data_dir/monitor/metrics.db (off = memory only)."},
    {"monitor.raw_retention", OSC_SETTING_DURATION, "6h", 60000, 3.2e10, NULL,
     "How long raw (one per tick) points are kept."},
    {"monitor.minute_retention", OSC_SETTING_DURATION, "7d", 60000, 3.2e10, NULL,
     "How long the 1-minute min/max/avg/count tier is kept."},
    {"monitor.hour_retention", OSC_SETTING_DURATION, "400d", 60000, 3.2e11, NULL,
     "How long the 1-hour min/max/avg/count tier is kept."},
    {"monitor.ring_points", OSC_SETTING_INT, "3600", 16, 1000000, NULL,
     "Recent points kept in memory per series (fast queries and statistics)."},
    {"monitor.chunk_points", OSC_SETTING_INT, "120", 8, 4096, NULL,
     "Ticks packed into one compressed chunk row per series."},
    {"monitor.top_k", OSC_SETTING_INT, "20", 0, 1000, NULL,
     "Process groups (by name) exposed, busiest first; 0 switches the process collector off."},
    {"monitor.process_interval", OSC_SETTING_DURATION, "5s", 1000, 3600000, NULL, "Period of the process table scan."},
    {"monitor.webhook_url", OSC_SETTING_STRING, "", 0, 0, NULL,
     "POST each fired or resolved alert as JSON to this URL; empty = none."},
    {"monitor.alert_rules", OSC_SETTING_STRING, "default", 0, 0, NULL,
     "Alert rules 'METRIC LEVEL=THRESHOLD[/CLEAR]... [for=DUR] [clear_for=DUR]; ...', 'default' or 'none'."},
    {"monitor.proc_root", OSC_SETTING_STRING, "/proc", 0, 0, NULL, "Where procfs is mounted (containers, tests)."},
    {"monitor.sys_root", OSC_SETTING_STRING, "/sys", 0, 0, NULL, "Where sysfs is mounted (containers, tests)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};
