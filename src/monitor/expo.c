/*
 * monitor/expo.c - the exposition writer: a set of metric families built by
 * the collectors and the registry, rendered as Prometheus text 0.0.4 or
 * OpenMetrics 1.0.
 *
 * The writer, not its callers, enforces the rules that hand-written exporters
 * get wrong (monitor_anchors.md section 6): one HELP and one TYPE per family,
 * families contiguous (a re-opened family gets its samples appended to the
 * first occurrence), unique series (a duplicate is dropped), names sanitized,
 * label values escaped and made valid UTF-8, HELP escaped, values printed as
 * exact integers or shortest round-trip doubles with NaN/+Inf/-Inf, canonical
 * le values, LF line ends and no timestamps.
 *
 * Storage: one arena (osc_buf) holds every string; families and samples are
 * arrays of offsets; each family chains its samples; an open-addressing table
 * of 64-bit hashes of (family, suffix, labels) finds duplicates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"

typedef struct fam {
  size_t name, help; /* arena offsets */
  osc__mtype type;
  int first, last; /* sample chain */
  size_t nsamples;
} fam;

typedef struct sample {
  size_t suffix, labels; /* arena offsets; labels is the escaped `a="b",c="d"` text */
  double v;
  int next;
} sample;

struct osc__mset {
  osc_buf arena;
  fam *fams;
  size_t nfams, capfams;
  sample *samples;
  size_t nsamples, capsamples;
  int cur;
  uint64_t *hset; /* 0 = empty */
  int *hidx;
  size_t hcap;
  uint64_t *fset; /* family name hashes -> index */
  int *fidx;
  size_t fcap;
};

osc__mset *osc__mset_new(void) {
  osc__mset *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  osc_buf_init(&s->arena);
  s->cur = -1;
  return s;
}

void osc__mset_free(osc__mset *s) {
  if (!s) return;
  osc_buf_release(&s->arena);
  free(s->fams);
  free(s->samples);
  free(s->hset);
  free(s->hidx);
  free(s->fset);
  free(s->fidx);
  free(s);
}

void osc__mset_reset(osc__mset *s) {
  osc_buf_reset(&s->arena);
  s->nfams = 0;
  s->nsamples = 0;
  s->cur = -1;
  if (s->hset) memset(s->hset, 0, s->hcap * sizeof(uint64_t));
  if (s->fset) memset(s->fset, 0, s->fcap * sizeof(uint64_t));
}

size_t osc__mset_nseries(const osc__mset *s) { return s->nsamples; }
size_t osc__mset_nfamilies(const osc__mset *s) { return s->nfams; }

static size_t arena_put(osc__mset *s, const char *p, size_t n) {
  size_t off = s->arena.len;
  osc_buf_append(&s->arena, p, n);
  osc_buf_putc(&s->arena, '\0');
  return off;
}

static const char *A(const osc__mset *s, size_t off) { return s->arena.data + off; }

void osc__expo_sanitize_name(char *p) {
  for (char *c = p; *c; c++) {
    bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' || *c == ':' ||
              (*c >= '0' && *c <= '9' && c != p);
    if (!ok) *c = '_';
  }
}

static bool label_name_ok(const char *p) {
  if (!*p || (*p >= '0' && *p <= '9')) return false;
  for (; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
      return false;
  return true;
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

static void escape(osc_buf *b, const char *s, size_t n, bool quote) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c == '\\') {
      osc_buf_append(b, "\\\\", 2);
      i++;
    } else if (c == '\n') {
      osc_buf_append(b, "\\n", 2);
      i++;
    } else if (c == '"' && quote) {
      osc_buf_append(b, "\\\"", 2);
      i++;
    } else if (c == '\r' || c == 0) {
      osc_buf_putc(b, ' ');
      i++;
    } else {
      size_t l = utf8_len(p + i, n - i);
      if (l == 0) {
        osc_buf_append(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
        i++;
      } else {
        osc_buf_append(b, p + i, l);
        i += l;
      }
    }
  }
}

void osc__expo_escape_label(osc_buf *b, const char *s, size_t n) { escape(b, s, n, true); }
void osc__expo_escape_help(osc_buf *b, const char *s) { escape(b, s, strlen(s), false); }

void osc__expo_fmt_value(char *buf, size_t len, double v) {
  if (isnan(v)) {
    snprintf(buf, len, "NaN");
  } else if (isinf(v)) {
    snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
  } else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    snprintf(buf, len, "%lld", (long long)v);
  } else {
    for (int prec = 15; prec <= 17; prec++) {
      snprintf(buf, len, "%.*g", prec, v);
      if (strtod(buf, NULL) == v) return;
    }
  }
}

void osc__expo_fmt_le(char *buf, size_t len, double v) {
  if (isinf(v)) {
    snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (isnan(v)) {
    snprintf(buf, len, "NaN");
    return;
  }
  /* OpenMetrics canonical: shortest round trip, always with a '.' or an exponent. */
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  if (!strpbrk(buf, ".e")) {
    size_t l = strlen(buf);
    if (l + 3 <= len) memcpy(buf + l, ".0", 3);
  }
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return OSC_OK;
  size_t nc = *cap ? *cap * 2 : 64;
  while (nc < need) nc *= 2;
  void *q = realloc(*p, nc * elem);
  if (!q) return OSC_ENOMEM;
  *p = q;
  *cap = nc;
  return OSC_OK;
}

/* Open-addressing table of (hash -> index); h != 0. */
static int htab_find_or_put(uint64_t **keys, int **vals, size_t *cap, size_t count, uint64_t h, int idx,
                            int *found) {
  if (h == 0) h = 1;
  if ((count + 1) * 2 > *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    uint64_t *nk = calloc(nc, sizeof(uint64_t));
    int *nv = calloc(nc, sizeof(int));
    if (!nk || !nv) {
      free(nk);
      free(nv);
      return OSC_ENOMEM;
    }
    for (size_t i = 0; i < *cap; i++) {
      if (!(*keys)[i]) continue;
      size_t j = (*keys)[i] & (nc - 1);
      while (nk[j]) j = (j + 1) & (nc - 1);
      nk[j] = (*keys)[i];
      nv[j] = (*vals)[i];
    }
    free(*keys);
    free(*vals);
    *keys = nk;
    *vals = nv;
    *cap = nc;
  }
  size_t j = h & (*cap - 1);
  while ((*keys)[j]) {
    if ((*keys)[j] == h) {
      *found = (*vals)[j];
      return OSC_OK;
    }
    j = (j + 1) & (*cap - 1);
  }
  (*keys)[j] = h;
  (*vals)[j] = idx;
  *found = -1;
  return OSC_OK;
}

int osc__mset_family(osc__mset *s, const char *name, const char *help, osc__mtype type) {
  char nm[256];
  snprintf(nm, sizeof nm, "%s", name);
  osc__expo_sanitize_name(nm);
  uint64_t h = osc_hash64(nm, strlen(nm), 0x6d6574726963ULL);
  int found = -1;
  if (htab_find_or_put(&s->fset, &s->fidx, &s->fcap, s->nfams, h, (int)s->nfams, &found)) return OSC_ENOMEM;
  if (found >= 0) {
    s->cur = found;
    return OSC_OK;
  }
  if (grow((void **)&s->fams, &s->capfams, s->nfams + 1, sizeof(fam))) return OSC_ENOMEM;
  fam *f = &s->fams[s->nfams];
  f->name = arena_put(s, nm, strlen(nm));
  size_t hoff = s->arena.len;
  osc__expo_escape_help(&s->arena, help ? help : nm);
  osc_buf_putc(&s->arena, '\0');
  f->help = hoff;
  f->type = type;
  f->first = f->last = -1;
  f->nsamples = 0;
  s->cur = (int)s->nfams++;
  return s->arena.oom ? OSC_ENOMEM : OSC_OK;
}

int osc__mset_add(osc__mset *s, const char *suffix, const char *const *labels, double v) {
  if (s->cur < 0) return OSC_ESTATE;
  size_t loff = s->arena.len;
  for (int i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
    if (!label_name_ok(labels[i])) continue;
    if (s->arena.len > loff) osc_buf_putc(&s->arena, ',');
    osc_buf_puts(&s->arena, labels[i]);
    osc_buf_append(&s->arena, "=\"", 2);
    osc__expo_escape_label(&s->arena, labels[i + 1], strlen(labels[i + 1]));
    osc_buf_putc(&s->arena, '"');
  }
  size_t llen = s->arena.len - loff;
  osc_buf_putc(&s->arena, '\0');
  size_t soff = arena_put(s, suffix ? suffix : "", suffix ? strlen(suffix) : 0);
  if (s->arena.oom) return OSC_ENOMEM;
  uint64_t h = osc_hash64(A(s, loff), llen, (uint64_t)s->cur * 0x9E3779B97F4A7C15ULL + 1);
  h = osc_hash64(A(s, soff), strlen(A(s, soff)), h);
  int found = -1;
  if (htab_find_or_put(&s->hset, &s->hidx, &s->hcap, s->nsamples, h, (int)s->nsamples, &found)) return OSC_ENOMEM;
  if (found >= 0) {
    s->arena.len = loff; /* drop the strings */
    s->arena.data[loff] = '\0';
    return OSC_EEXIST;
  }
  if (grow((void **)&s->samples, &s->capsamples, s->nsamples + 1, sizeof(sample))) return OSC_ENOMEM;
  sample *sp = &s->samples[s->nsamples];
  sp->suffix = soff;
  sp->labels = loff;
  sp->v = v;
  sp->next = -1;
  fam *f = &s->fams[s->cur];
  if (f->last >= 0) s->samples[f->last].next = (int)s->nsamples;
  else f->first = (int)s->nsamples;
  f->last = (int)s->nsamples;
  f->nsamples++;
  s->nsamples++;
  return OSC_OK;
}

static const char *type_name(osc__mtype t, bool om) {
  switch (t) {
    case OSC__MT_COUNTER: return "counter";
    case OSC__MT_HISTOGRAM: return "histogram";
    case OSC__MT_GAUGE: return "gauge";
    default: return om ? "unknown" : "untyped";
  }
}

int osc__mset_render(const osc__mset *s, osc_expo_format f, osc_buf *out) {
  bool om = f == OSC_EXPO_OPENMETRICS;
  char val[64];
  for (size_t i = 0; i < s->nfams; i++) {
    const fam *fm = &s->fams[i];
    if (fm->nsamples == 0) continue;
    const char *name = A(s, fm->name);
    size_t nlen = strlen(name);
    osc__mtype type = fm->type;
    size_t famlen = nlen;
    if (om && type == OSC__MT_COUNTER) {
      /* OpenMetrics: the family is named without _total, samples keep it.
       * A counter whose name lacks _total is exposed as unknown instead of renamed. */
      if (nlen > 6 && strcmp(name + nlen - 6, "_total") == 0) famlen = nlen - 6;
      else type = OSC__MT_UNTYPED;
    }
    osc_buf_puts(out, "# HELP ");
    osc_buf_append(out, name, famlen);
    osc_buf_putc(out, ' ');
    osc_buf_puts(out, A(s, fm->help));
    osc_buf_puts(out, "\n# TYPE ");
    osc_buf_append(out, name, famlen);
    osc_buf_putc(out, ' ');
    osc_buf_puts(out, type_name(type, om));
    osc_buf_putc(out, '\n');
    for (int j = fm->first; j >= 0; j = s->samples[j].next) {
      const sample *sp = &s->samples[j];
      osc_buf_append(out, name, nlen);
      osc_buf_puts(out, A(s, sp->suffix));
      const char *lb = A(s, sp->labels);
      if (*lb) {
        osc_buf_putc(out, '{');
        osc_buf_puts(out, lb);
        osc_buf_putc(out, '}');
      }
      osc_buf_putc(out, ' ');
      osc__expo_fmt_value(val, sizeof val, sp->v);
      osc_buf_puts(out, val);
      osc_buf_putc(out, '\n');
    }
  }
  return out->oom ? OSC_ENOMEM : OSC_OK;
}

const char *osc_expo_content_type(osc_expo_format f) {
  return f == OSC_EXPO_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                   : "text/plain; version=0.0.4; charset=utf-8";
}

osc_expo_format osc_expo_negotiate(const char *accept) {
  if (!accept) return OSC_EXPO_TEXT;
  const char *p = strstr(accept, "application/openmetrics-text");
  if (!p) return OSC_EXPO_TEXT;
  /* Honour an explicit q=0 on the OpenMetrics entry. */
  const char *end = strchr(p, ',');
  const char *q = strstr(p, "q=0");
  if (q && (!end || q < end)) {
    const char *d = q + 3;
    if (*d != '.' || strspn(d + 1, "0") == strcspn(d + 1, ",; ")) return OSC_EXPO_TEXT;
  }
  return OSC_EXPO_OPENMETRICS;
}
