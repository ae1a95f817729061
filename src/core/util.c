/*
 * core/util.c - hashing, random numbers, strings, files, paths, CPU count.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "oscontent/error.h"

/* ---- hashing: a wyhash-like 64-bit mix, read with memcpy (no alignment needs) ---- */

static inline uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static inline uint64_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline uint64_t mum(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t osc_hash64(const void *key, size_t len, uint64_t seed) {
  static const uint64_t s0 = 0xa0761d6478bd642full, s1 = 0xe7037ed1a0b428dbull, s2 = 0x8ebc6af09c88c6e3ull;
  const uint8_t *p = key;
  seed ^= s0;
  uint64_t a, b;
  if (len <= 16) {
    if (len >= 4) {
      a = (rd32(p) << 32) | rd32(p + ((len >> 3) << 2));
      b = (rd32(p + len - 4) << 32) | rd32(p + len - 4 - ((len >> 3) << 2));
    } else if (len > 0) {
      a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = len;
    if (i > 48) {
      uint64_t see1 = seed, see2 = seed;
      do {
        seed = mum(rd64(p) ^ s1, rd64(p + 8) ^ seed);
        see1 = mum(rd64(p + 16) ^ s2, rd64(p + 24) ^ see1);
        see2 = mum(rd64(p + 32) ^ s0, rd64(p + 40) ^ see2);
        p += 48;
        i -= 48;
      } while (i > 48);
      seed ^= see1 ^ see2;
    }
    while (i > 16) {
      seed = mum(rd64(p) ^ s1, rd64(p + 8) ^ seed);
      i -= 16;
      p += 16;
    }
    a = rd64(p + i - 16);
    b = rd64(p + i - 8);
  }
  return mum(s1 ^ len, mum(a ^ s1, b ^ seed));
}

/* ---- random ---- */

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void osc_rng_seed(osc_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) {
    seed += 0x9e3779b97f4a7c15ull;
    r->s[i] = osc_mix64(seed);
  }
}

uint64_t osc_rng_next(osc_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double osc_rng_double(osc_rng *r) { return (double)(osc_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t osc_rng_below(osc_rng *r, uint64_t n) {
  return (uint64_t)(((__uint128_t)osc_rng_next(r) * n) >> 64);
}

osc_rng *osc_rng_thread(void) {
  static _Thread_local osc_rng rng;
  static _Thread_local int seeded;
  if (!seeded) {
    uint64_t seed;
    if (osc_random_bytes(&seed, sizeof seed) != OSC_OK) seed = (uint64_t)(uintptr_t)&rng ^ (uint64_t)getpid();
    osc_rng_seed(&rng, seed);
    seeded = 1;
  }
  return &rng;
}

int osc_random_bytes(void *buf, size_t n) {
  uint8_t *p = buf;
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return osc_seterr(OSC_EIO, "getrandom: %s", strerror(errno));
    }
    p += got;
    n -= (size_t)got;
  }
  return OSC_OK;
}

void osc_random_hex(char *out, size_t hex_len) {
  static const char hex[] = "0123456789abcdef";
  osc_rng *r = osc_rng_thread();
  for (size_t i = 0; i < hex_len; i++) out[i] = hex[osc_rng_next(r) & 15];
  out[hex_len] = '\0';
}

/* ---- strings ---- */

char *osc_strdup(const char *s) { return s ? strdup(s) : NULL; }
char *osc_strndup(const char *s, size_t n) { return s ? strndup(s, n) : NULL; }

char *osc_asprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *out = NULL;
  if (vasprintf(&out, fmt, ap) < 0) out = NULL;
  va_end(ap);
  return out;
}

bool osc_str_has_prefix(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

bool osc_str_has_suffix(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

char *osc_str_trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
  return s;
}

/* ---- files and paths ---- */

int osc_mkdir_p(const char *path, unsigned mode) {
  char *tmp = strdup(path);
  if (!tmp) return osc_seterr(OSC_ENOMEM, "mkdir_p: out of memory");
  int rc = OSC_OK;
  for (char *p = tmp + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST) {
        rc = osc_seterr(OSC_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
        break;
      }
      *p = saved;
      if (saved == '\0') break;
    }
  }
  free(tmp);
  if (rc == OSC_OK) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
      rc = osc_seterr(OSC_EIO, "%s exists and is not a directory", path);
  }
  return rc;
}

int osc_rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? OSC_OK : osc_seterr(OSC_EIO, "stat %s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) return osc_seterr(OSC_EIO, "opendir %s: %s", path, strerror(errno));
    struct dirent *e;
    int rc = OSC_OK;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char *child = osc_path_join(path, e->d_name);
      if (!child) {
        rc = OSC_ENOMEM;
        break;
      }
      int r = osc_rm_rf(child);
      free(child);
      if (r) rc = r;
    }
    closedir(d);
    if (rmdir(path) != 0 && rc == OSC_OK) rc = osc_seterr(OSC_EIO, "rmdir %s: %s", path, strerror(errno));
    return rc;
  }
  if (unlink(path) != 0) return osc_seterr(OSC_EIO, "unlink %s: %s", path, strerror(errno));
  return OSC_OK;
}

int osc_read_file(const char *path, size_t max_bytes, char **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return osc_seterr(e == ENOENT ? OSC_ENOENT : OSC_EIO, "cannot open %s: %s", path, strerror(e));
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  int rc = OSC_OK;
  if (!buf) {
    rc = osc_seterr(OSC_ENOMEM, "read %s: out of memory", path);
    goto out;
  }
  for (;;) {
    if (n == cap) {
      if (cap >= max_bytes) {
        rc = osc_seterr(OSC_ETOOBIG, "%s is larger than %zu bytes", path, max_bytes);
        goto out;
      }
      cap *= 2;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        rc = osc_seterr(OSC_ENOMEM, "read %s: out of memory", path);
        goto out;
      }
      buf = nb;
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0) {
      if (errno == EINTR) continue;
      rc = osc_seterr(OSC_EIO, "read %s: %s", path, strerror(errno));
      goto out;
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  if (n > max_bytes) {
    rc = osc_seterr(OSC_ETOOBIG, "%s is larger than %zu bytes", path, max_bytes);
    goto out;
  }
  buf[n] = '\0';
  *out = buf;
  if (len) *len = n;
  buf = NULL;
out:
  free(buf);
  close(fd);
  return rc;
}

/* Writes straight into an existing special file (a FIFO, /dev/null, a
 * terminal): renaming over it would replace the device node itself. */
static int write_special(const char *path, const void *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return osc_seterr(OSC_EIO, "cannot open %s: %s", path, strerror(errno));
  const char *p = data;
  int rc = OSC_OK;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      rc = osc_seterr(OSC_EIO, "write %s: %s", path, strerror(errno));
      break;
    }
    p += w;
    len -= (size_t)w;
  }
  close(fd);
  return rc;
}

int osc_write_file_atomic(const char *path, const void *data, size_t len) {
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return osc_seterr(OSC_EINVAL, "%s is a directory", path);
    return write_special(path, data, len);
  }
  char *tmp = osc_asprintf("%s.tmp.%d", path, (int)getpid());
  if (!tmp) return osc_seterr(OSC_ENOMEM, "write %s: out of memory", path);
  int rc = OSC_OK;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    rc = osc_seterr(errno == ENOSPC ? OSC_ENOSPC : OSC_EIO, "cannot create %s: %s", tmp, strerror(errno));
    goto out;
  }
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      rc = osc_seterr(errno == ENOSPC ? OSC_ENOSPC : OSC_EIO, "write %s: %s", tmp, strerror(errno));
      break;
    }
    p += w;
    len -= (size_t)w;
  }
  if (rc == OSC_OK && fsync(fd) != 0) rc = osc_seterr(OSC_EIO, "fsync %s: %s", tmp, strerror(errno));
  close(fd);
  if (rc == OSC_OK && rename(tmp, path) != 0) rc = osc_seterr(OSC_EIO, "rename %s: %s", path, strerror(errno));
  if (rc != OSC_OK) unlink(tmp);
out:
  free(tmp);
  return rc;
}

char *osc_path_join(const char *a, const char *b) {
  size_t la = strlen(a);
  while (la > 1 && a[la - 1] == '/') la--;
  while (*b == '/') b++;
  if (la == 1 && a[0] == '/') return osc_asprintf("/%s", b); /* root: no double slash */
  return osc_asprintf("%.*s/%s", (int)la, a, b);
}

bool osc_path_is_safe_relative(const char *rel) {
  if (!rel || !*rel || rel[0] == '/') return false;
  const char *p = rel;
  while (*p) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.')) return false;
    if (!slash) break;
    p = slash + 1;
  }
  return true;
}

int osc_cpu_count(void) {
  int n = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n <= 0) n = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0) n = 1;
  FILE *fp = fopen("/sys/fs/cgroup/cpu.max", "r");
  if (fp) {
    char quota[32];
    long period = 0;
    if (fscanf(fp, "%31s %ld", quota, &period) == 2 && strcmp(quota, "max") != 0 && period > 0) {
      long q = atol(quota);
      int lim = (int)((q + period - 1) / period);
      if (lim >= 1 && lim < n) n = lim;
    }
    fclose(fp);
  }
  return n;
}
