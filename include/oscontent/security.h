/*
 * oscontent/security.h - API keys, rate limiting and the audit log.
 *
 * API keys: `osc_<id>_<secret>` where id is 12 hex characters (public, used
 * in logs and the audit trail) and secret is 32 random bytes in hex.  Only a
 * salted keyed BLAKE2b-256 digest of the secret is stored (libsodium
 * crypto_generichash keyed with a per-key 16-byte salt); verification
 * compares digests in constant time.  Secrets are random 256-bit values, so
 * a fast keyed hash is as strong as a slow password hash here and keeps
 * authentication off the hot path's profile.  The store is a JSON file
 * rewritten atomically (temp + fsync + rename) on every change.
 *
 * Rate limiting: token buckets keyed by (class, who) where who is a key id or
 * a client address; buckets live in a sharded hash table, idle ones are
 * dropped lazily.
 *
 * Audit log: one JSON object per line, appended with O_APPEND (whole lines,
 * one write each), rotated by size to <path>.1 ... <path>.N.
 *
 * Thread safety: every handle is safe to share between threads.
 */
#ifndef OSCONTENT_SECURITY_H
#define OSCONTENT_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum osc_scope {
  OSC_SCOPE_NONE = 0,
  OSC_SCOPE_READ = 1,
  OSC_SCOPE_WRITE = 2,
  OSC_SCOPE_ADMIN = 3
} osc_scope;

/** "read"/"write"/"admin" -> scope; OSC_EINVAL otherwise. */
OSC_API int osc_scope_parse(const char *text, osc_scope *out);
OSC_API const char *osc_scope_name(osc_scope scope);

/* ---- API keys ---- */

typedef struct osc_keys osc_keys;

typedef struct osc_key_info {
  char id[16];       /* 12 hex chars */
  char name[64];
  osc_scope scope;
  int64_t created_ms;
  int64_t revoked_ms; /* 0 = active */
  int64_t last_used_ms;
} osc_key_info;

/**
 * Opens (creating if absent) the key store at @p path.
 * @return OSC_OK, OSC_EIO, OSC_ECORRUPT (unparseable store; detail says where), OSC_ENOMEM.
 */
OSC_API int osc_keys_open(const char *path, osc_keys **out);
OSC_API void osc_keys_close(osc_keys *ks);

/**
 * Creates a key.  @p key_out (>= 96 bytes) receives the full key, which is
 * shown once and never stored.  @return OSC_OK, OSC_EINVAL (name empty,
 * longer than 63 bytes or not printable), OSC_EIO.
 */
OSC_API int osc_keys_create(osc_keys *ks, const char *name, osc_scope scope, char *key_out, size_t key_out_len,
                            osc_key_info *info);

/** Revokes a key by id.  @return OSC_OK, OSC_ENOENT, OSC_EIO. */
OSC_API int osc_keys_revoke(osc_keys *ks, const char *id);

/** Copies up to @p cap keys into @p out; returns the total count (may exceed cap). */
OSC_API size_t osc_keys_list(osc_keys *ks, osc_key_info *out, size_t cap);

/** Number of active keys. */
OSC_API size_t osc_keys_active(osc_keys *ks);

/**
 * Verifies a presented key.  @return OSC_OK (info filled), OSC_EAUTH (unknown,
 * malformed, wrong secret or revoked; the detail says which without leaking
 * the secret).
 */
OSC_API int osc_keys_verify(osc_keys *ks, const char *presented, size_t len, osc_key_info *info);

/* ---- rate limiting ---- */

typedef struct osc_ratelimit osc_ratelimit;

typedef struct osc_rate_class {
  const char *name;  /* "read", "write", "heavy" */
  double rate_per_s; /* tokens added per second; <= 0 disables the class */
  double burst;      /* bucket size */
} osc_rate_class;

typedef struct osc_rate_result {
  bool allowed;
  int64_t limit;           /* burst */
  int64_t remaining;       /* whole tokens left */
  double reset_s;          /* seconds until the bucket is full again */
  double retry_after_s;    /* seconds until one token is available (when refused) */
} osc_rate_result;

/** @p classes is copied; at most 8 classes. */
OSC_API int osc_ratelimit_new(const osc_rate_class *classes, size_t n, osc_ratelimit **out);
OSC_API void osc_ratelimit_free(osc_ratelimit *rl);

/**
 * Takes one token for @p who in @p class_name at monotonic time @p now_ns.
 * An unknown or disabled class always allows.  Never fails.
 */
OSC_API void osc_ratelimit_take(osc_ratelimit *rl, const char *class_name, const char *who, uint64_t now_ns,
                                osc_rate_result *res);

/* ---- audit log ---- */

typedef struct osc_audit osc_audit;

typedef struct osc_audit_event {
  const char *key_id;     /* NULL = anonymous */
  const char *addr;
  const char *method;
  const char *route;      /* route name or path */
  const char *path;
  int status;
  const char *request_id;
  const char *event;      /* "request" | "auth_failure" | ... */
  const char *detail;     /* optional */
} osc_audit_event;

/**
 * Opens the audit log for appending.  @p max_bytes rotates when exceeded
 * (0 = never), keeping @p keep old files.  @return OSC_OK, OSC_EIO.
 */
OSC_API int osc_audit_open(const char *path, uint64_t max_bytes, int keep, osc_audit **out);
OSC_API void osc_audit_close(osc_audit *a);
/** Appends one event as a JSON line (time in ISO 8601 UTC).  @return OSC_OK, OSC_EIO, OSC_ENOSPC. */
OSC_API int osc_audit_write(osc_audit *a, const osc_audit_event *ev);

#ifdef __cplusplus
}
#endif
#endif
