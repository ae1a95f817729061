/*
 * security/keys.c - API key store.
 *
 * Format on disk (JSON, rewritten atomically):
 *   {"version":1,"keys":[{"id":"...","name":"...","scope":"read","created_ms":...,
 *     "revoked_ms":0,"salt":"<32 hex>","hash":"<64 hex>"}]}
 * Lookups go by id (the part of the key before the secret), then the digest
 * of the secret keyed with the entry's salt is compared in constant time.
 * An unknown id still computes one digest so timing does not tell ids apart.
 */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/security.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define SECRET_LEN 32

typedef struct key_entry {
  osc_key_info info;
  uint8_t salt[SALT_LEN];
  uint8_t hash[HASH_LEN];
} key_entry;

struct osc_keys {
  pthread_mutex_t mu;
  char *path;
  key_entry *keys;
  size_t n, cap;
};

int osc_scope_parse(const char *text, osc_scope *out) {
  static const char *const names[] = {"none", "read", "write", "admin"};
  for (int i = 1; i <= 3; i++)
    if (text && strcmp(text, names[i]) == 0) return *out = (osc_scope)i, OSC_OK;
  return osc_seterr(OSC_EINVAL, "scope '%s': expected read, write or admin", text ? text : "");
}

const char *osc_scope_name(osc_scope scope) {
  switch (scope) {
    case OSC_SCOPE_READ: return "read";
    case OSC_SCOPE_WRITE: return "write";
    case OSC_SCOPE_ADMIN: return "admin";
    default: return "none";
  }
}

static void hexenc(const uint8_t *p, size_t n, char *out) {
  sodium_bin2hex(out, n * 2 + 1, p, n);
}

static bool hexdec(const char *s, uint8_t *out, size_t n) {
  size_t got = 0;
  return s && strlen(s) == n * 2 && sodium_hex2bin(out, n, s, n * 2, NULL, &got, NULL) == 0 && got == n;
}

static void digest(const uint8_t salt[SALT_LEN], const uint8_t *secret, size_t len, uint8_t out[HASH_LEN]) {
  crypto_generichash(out, HASH_LEN, secret, len, salt, SALT_LEN);
}

static int save(osc_keys *ks) {
  json_t *arr = json_array();
  for (size_t i = 0; i < ks->n; i++) {
    key_entry *k = &ks->keys[i];
    char salt[SALT_LEN * 2 + 1], hash[HASH_LEN * 2 + 1];
    hexenc(k->salt, SALT_LEN, salt);
    hexenc(k->hash, HASH_LEN, hash);
    json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "id", k->info.id, "name", k->info.name,
                                         "scope", osc_scope_name(k->info.scope), "created_ms",
                                         (json_int_t)k->info.created_ms, "revoked_ms", (json_int_t)k->info.revoked_ms,
                                         "last_used_ms", (json_int_t)k->info.last_used_ms, "salt", salt, "hash", hash));
  }
  json_t *doc = json_pack("{s:i,s:o}", "version", 1, "keys", arr);
  char *text = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
  json_decref(doc);
  if (!text) return osc_seterr(OSC_ENOMEM, "keys: out of memory");
  int rc = osc_write_file_atomic(ks->path, text, strlen(text));
  free(text);
  return rc;
}

static int load(osc_keys *ks) {
  char *text = NULL;
  size_t len = 0;
  int rc = osc_read_file(ks->path, 64u << 20, &text, &len);
  if (rc == OSC_ENOENT) return OSC_OK;
  if (rc) return rc;
  json_t *doc = NULL;
  rc = osc_json_parse(text, len, false, &doc);
  free(text);
  if (rc) return osc_seterr(OSC_ECORRUPT, "key store %s: %s", ks->path, osc_errmsg());
  json_t *arr = json_object_get(doc, "keys");
  size_t i;
  json_t *v;
  rc = OSC_OK;
  json_array_foreach(arr, i, v) {
    key_entry k;
    memset(&k, 0, sizeof k);
    const char *id = json_string_value(json_object_get(v, "id"));
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *scope = json_string_value(json_object_get(v, "scope"));
    if (!id || strlen(id) != 12 || !name || osc_scope_parse(scope, &k.info.scope) ||
        !hexdec(json_string_value(json_object_get(v, "salt")), k.salt, SALT_LEN) ||
        !hexdec(json_string_value(json_object_get(v, "hash")), k.hash, HASH_LEN)) {
      rc = osc_seterr(OSC_ECORRUPT, "key store %s: entry %zu is malformed", ks->path, i);
      break;
    }
    snprintf(k.info.id, sizeof k.info.id, "%s", id);
    snprintf(k.info.name, sizeof k.info.name, "%s", name);
    k.info.created_ms = json_integer_value(json_object_get(v, "created_ms"));
    k.info.revoked_ms = json_integer_value(json_object_get(v, "revoked_ms"));
    k.info.last_used_ms = json_integer_value(json_object_get(v, "last_used_ms"));
    if (ks->n == ks->cap) {
      size_t cap = ks->cap ? ks->cap * 2 : 8;
      key_entry *nk = realloc(ks->keys, cap * sizeof *nk);
      if (!nk) {
        rc = osc_seterr(OSC_ENOMEM, "keys: out of memory");
        break;
      }
      ks->keys = nk;
      ks->cap = cap;
    }
    ks->keys[ks->n++] = k;
  }
  json_decref(doc);
  return rc;
}

int osc_keys_open(const char *path, osc_keys **out) {
  if (sodium_init() < 0) return osc_seterr(OSC_EINTERNAL, "libsodium failed to initialise");
  osc_keys *ks = calloc(1, sizeof *ks);
  if (!ks) return osc_seterr(OSC_ENOMEM, "keys: out of memory");
  pthread_mutex_init(&ks->mu, NULL);
  ks->path = osc_strdup(path);
  int rc = ks->path ? load(ks) : osc_seterr(OSC_ENOMEM, "keys: out of memory");
  if (rc) {
    osc_keys_close(ks);
    return rc;
  }
  *out = ks;
  return OSC_OK;
}

void osc_keys_close(osc_keys *ks) {
  if (!ks) return;
  pthread_mutex_destroy(&ks->mu);
  free(ks->keys);
  free(ks->path);
  free(ks);
}

static bool printable_name(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > 63) return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) return false;
  return true;
}

int osc_keys_create(osc_keys *ks, const char *name, osc_scope scope, char *key_out, size_t key_out_len,
                    osc_key_info *info) {
  if (!name || !printable_name(name))
    return osc_seterr(OSC_EINVAL, "name: expected 1 to 63 printable characters");
  if (scope < OSC_SCOPE_READ || scope > OSC_SCOPE_ADMIN) return osc_seterr(OSC_EINVAL, "scope: expected read, write or admin");
  if (key_out_len < 96) return osc_seterr(OSC_EINVAL, "key buffer too small");
  key_entry k;
  memset(&k, 0, sizeof k);
  uint8_t idb[6], secret[SECRET_LEN];
  randombytes_buf(idb, sizeof idb);
  randombytes_buf(secret, sizeof secret);
  randombytes_buf(k.salt, SALT_LEN);
  hexenc(idb, sizeof idb, k.info.id);
  char secret_hex[SECRET_LEN * 2 + 1];
  hexenc(secret, SECRET_LEN, secret_hex);
  digest(k.salt, (const uint8_t *)secret_hex, strlen(secret_hex), k.hash);
  snprintf(k.info.name, sizeof k.info.name, "%s", name);
  k.info.scope = scope;
  k.info.created_ms = osc_wall_ms();
  pthread_mutex_lock(&ks->mu);
  int rc = OSC_OK;
  if (ks->n == ks->cap) {
    size_t cap = ks->cap ? ks->cap * 2 : 8;
    key_entry *nk = realloc(ks->keys, cap * sizeof *nk);
    if (!nk) {
      rc = osc_seterr(OSC_ENOMEM, "keys: out of memory");
      goto out;
    }
    ks->keys = nk;
    ks->cap = cap;
  }
  ks->keys[ks->n++] = k;
  rc = save(ks);
  if (rc) {
    ks->n--;
    goto out;
  }
  snprintf(key_out, key_out_len, "osc_%s_%s", k.info.id, secret_hex);
  if (info) *info = k.info;
out:
  pthread_mutex_unlock(&ks->mu);
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(secret_hex, sizeof secret_hex);
  return rc;
}

int osc_keys_revoke(osc_keys *ks, const char *id) {
  pthread_mutex_lock(&ks->mu);
  int rc = osc_seterr(OSC_ENOENT, "no key with id '%s'", id ? id : "");
  for (size_t i = 0; id && i < ks->n; i++) {
    if (strcmp(ks->keys[i].info.id, id) == 0) {
      int64_t old = ks->keys[i].info.revoked_ms;
      if (!old) ks->keys[i].info.revoked_ms = osc_wall_ms();
      rc = save(ks);
      if (rc) ks->keys[i].info.revoked_ms = old;
      break;
    }
  }
  pthread_mutex_unlock(&ks->mu);
  return rc;
}

size_t osc_keys_list(osc_keys *ks, osc_key_info *out, size_t cap) {
  pthread_mutex_lock(&ks->mu);
  size_t n = ks->n;
  for (size_t i = 0; i < n && i < cap; i++) out[i] = ks->keys[i].info;
  pthread_mutex_unlock(&ks->mu);
  return n;
}

size_t osc_keys_active(osc_keys *ks) {
  pthread_mutex_lock(&ks->mu);
  size_t n = 0;
  for (size_t i = 0; i < ks->n; i++) n += ks->keys[i].info.revoked_ms == 0;
  pthread_mutex_unlock(&ks->mu);
  return n;
}

int osc_keys_verify(osc_keys *ks, const char *presented, size_t len, osc_key_info *info) {
  /* osc_ + 12 hex + _ + 64 hex */
  if (!presented || len != 4 + 12 + 1 + SECRET_LEN * 2 || memcmp(presented, "osc_", 4) != 0 || presented[16] != '_')
    return osc_seterr(OSC_EAUTH, "malformed API key");
  char id[13];
  memcpy(id, presented + 4, 12);
  id[12] = '\0';
  const uint8_t *secret = (const uint8_t *)presented + 17;
  static const uint8_t dummy_salt[SALT_LEN] = {0};
  uint8_t h[HASH_LEN];
  pthread_mutex_lock(&ks->mu);
  key_entry *found = NULL;
  for (size_t i = 0; i < ks->n; i++)
    if (memcmp(ks->keys[i].info.id, id, 12) == 0) found = &ks->keys[i];
  digest(found ? found->salt : dummy_salt, secret, SECRET_LEN * 2, h);
  int rc;
  if (!found || sodium_memcmp(h, found->hash, HASH_LEN) != 0) {
    rc = osc_seterr(OSC_EAUTH, "invalid API key");
  } else if (found->info.revoked_ms) {
    rc = osc_seterr(OSC_EAUTH, "API key %s was revoked", found->info.id);
  } else {
    found->info.last_used_ms = osc_wall_ms();
    if (info) *info = found->info;
    rc = OSC_OK;
  }
  pthread_mutex_unlock(&ks->mu);
  return rc;
}
