/*
 * core/settings.c - settings of the core and of the HTTP server.
 */
#include "oscontent/config.h"

const osc_setting_def osc__settings_core[] = {
    {"data_dir", OSC_SETTING_STRING, "data", 0, 0, NULL,
     "Directory under which every component keeps its files (created on demand)."},
    {"log.level", OSC_SETTING_ENUM, "info", 0, 0, "trace|debug|info|warn|error|off", "Minimum level of log lines."},
    {"log.format", OSC_SETTING_ENUM, "text", 0, 0, "text|json", "Log line format on stderr: text or JSON lines."},
    {"redis_url", OSC_SETTING_STRING, "", 0, 0, NULL,
     "Redis URL (redis://[:password@]host:port[/db]) for the L2 cache and the task broker; empty = no Redis. "
     "REDIS_URL is honoured."},
    {"server.host", OSC_SETTING_STRING, "127.0.0.1", 0, 0, NULL,
     "Address to listen on; 0.0.0.0 or :: binds every interface and must be asked for."},
    {"server.port", OSC_SETTING_INT, "8000", 0, 65535, NULL, "TCP port; 0 picks a free port."},
    {"server.port_file", OSC_SETTING_STRING, "", 0, 0, NULL, "Write the port actually bound to this file."},
    {"server.threads", OSC_SETTING_INT, "0", 0, 1024, NULL, "HTTP worker threads; 0 = usable CPUs (at least 2)."},
    {"server.max_body_bytes", OSC_SETTING_BYTES, "1MiB", 1024, 1073741824.0, NULL,
     "Largest request body accepted; larger gets 413."},
    {"server.max_connections", OSC_SETTING_INT, "4096", 1, 1000000, NULL, "Most concurrent connections."},
    {"server.connection_timeout", OSC_SETTING_DURATION, "30s", 1000, 3600000, NULL,
     "Idle or slow client connections are closed after this long."},
    {"server.shutdown_timeout", OSC_SETTING_DURATION, "30s", 0, 3600000, NULL,
     "On SIGTERM, how long in-flight requests may take to finish."},
    {"server.debug_routes", OSC_SETTING_BOOL, "false", 0, 0, NULL,
     "Enable test-only routes (GET /debug/sleep); never in production."},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};
