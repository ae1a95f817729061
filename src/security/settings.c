/*
 * security/settings.c - settings of authentication, rate limits, CORS,
 * audit and response compression.
 */
#include "oscontent/config.h"

const osc_setting_def osc__settings_security[] = {
    {"security.auth", OSC_SETTING_ENUM, "auto", 0, 0, "auto|on|off",
     "API key authentication: on, off (allowed only when listening on loopback), or auto = on unless the server "
     "listens on loopback with no keys created."},
    {"security.keys_file", OSC_SETTING_STRING, "keys.json", 0, 0, NULL,
     "Key store, relative to data_dir (salted keyed BLAKE2b digests only)."},
    {"security.rate_read", OSC_SETTING_DOUBLE, "200", 0, 1e9, NULL,
     "Read requests per second per key or client address (0 = unlimited)."},
    {"security.rate_read_burst", OSC_SETTING_DOUBLE, "400", 1, 1e9, NULL, "Burst size for read requests."},
    {"security.rate_write", OSC_SETTING_DOUBLE, "50", 0, 1e9, NULL,
     "Mutating requests per second per key or client address (0 = unlimited)."},
    {"security.rate_write_burst", OSC_SETTING_DOUBLE, "100", 1, 1e9, NULL, "Burst size for mutating requests."},
    {"security.rate_heavy", OSC_SETTING_DOUBLE, "2", 0, 1e9, NULL,
     "Heavy jobs (video generation) per second per key or client address (0 = unlimited)."},
    {"security.rate_heavy_burst", OSC_SETTING_DOUBLE, "10", 1, 1e9, NULL, "Burst size for heavy jobs."},
    {"security.cors_origins", OSC_SETTING_STRING, "", 0, 0, NULL,
     "Comma-separated origins allowed by CORS; empty = same-origin only; '*' = any origin, without credentials."},
    {"security.audit_file", OSC_SETTING_STRING, "audit.log", 0, 0, NULL, "Audit log, relative to data_dir."},
    {"security.audit_max_bytes", OSC_SETTING_BYTES, "64MiB", 4096, 1e12, NULL, "Rotate the audit log above this size."},
    {"security.audit_keep", OSC_SETTING_INT, "5", 1, 100, NULL, "Rotated audit logs kept."},
    {"security.compress_min_bytes", OSC_SETTING_BYTES, "1KiB", 0, 1e9, NULL,
     "Compress responses (brotli or gzip, as accepted) at least this large; 0 = never."},
    {"security.tls_cert", OSC_SETTING_STRING, "", 0, 0, NULL, "PEM certificate file; with tls_key enables HTTPS."},
    {"security.tls_key", OSC_SETTING_STRING, "", 0, 0, NULL, "PEM private key file."},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};
