/*
 * nlp/lang_eld.c - the ELD language detector (npm `eld`, Nito-ELD, Apache-2.0)
 * reproduced in C over its "large" n-gram database (60 languages).
 *
 * scripts/deps/nlp.sh converts the database once, with node, from the
 * package's JavaScript module into $R/lang/eld-large.txt: a header line
 * "eld <version> <type> <codes...>" and one line per n-gram,
 * "<hex bytes>\t<lang>:<score> ...".  The n-grams are UTF-8 byte strings of at
 * most 6 bytes, so each is packed with its length into one uint64 key of an
 * open-addressing table; the values are runs in one array of (lang, score).
 *
 * Scoring follows eld's languageDetector.js: the first 1000 UTF-16 units;
 * every run of non-letters (letters: general category L in the BMP) becomes a
 * space unless the run ends with an apostrophe (' ` U+2019), which is kept;
 * lower case; words cut after ~350 bytes; from each word 4-byte n-grams with a
 * 3-byte stride, a leading space on the first and a trailing space on the last;
 * each distinct n-gram adds (score + 53) to its languages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define ELD_BASE_SCORE 53
#define ELD_CUT_AFTER 350
#define ELD_CUT_ENFORCE 380
#define ELD_MAX_UNITS 1000

static uint64_t eld_key(const unsigned char *b, size_t n) {
  uint64_t k = (uint64_t)n << 56;
  for (size_t i = 0; i < n; i++) k |= (uint64_t)b[i] << (8 * i);
  return k;
}

static size_t eld_slot(uint64_t k, size_t mask) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (size_t)k & mask;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void nlp__eld_release(nlp_eld *e) {
  if (!e) return;
  free(e->keys);
  free(e->vals);
  free(e->pairs);
  memset(e, 0, sizeof *e);
}

static int eld_parse(nlp_eld *e, char *d, size_t len) {
  char *end = d + len, *p = d;
  char *nl = memchr(p, '\n', (size_t)(end - p));
  if (!nl || strncmp(p, "eld\t", 4)) return OSC_EINVAL;
  *nl = 0;
  /* header: eld \t version \t type \t codes */
  char *save = NULL, *tok = strtok_r(p, "\t", &save);
  tok = strtok_r(NULL, "\t", &save);
  if (tok) snprintf(e->version, sizeof e->version, "%s", tok);
  tok = strtok_r(NULL, "\t", &save);
  tok = strtok_r(NULL, "\t", &save);
  for (char *s2 = NULL, *c = tok ? strtok_r(tok, " ", &s2) : NULL; c; c = strtok_r(NULL, " ", &s2)) {
    if (e->nlangs >= NLP_ELD_MAX_LANGS) return OSC_EINVAL;
    snprintf(e->codes[e->nlangs++], sizeof e->codes[0], "%s", !strcmp(c, "no") ? "nb" : c);
  }
  if (!e->nlangs) return OSC_EINVAL;
  p = nl + 1;
  size_t lines = 0, pairs = 0;
  for (char *q = p; q < end; q++) {
    if (*q == '\n') lines++;
    if (*q == ':') pairs++;
  }
  size_t cap = 1024;
  while (cap < lines * 2) cap <<= 1;
  e->mask = cap - 1;
  e->keys = calloc(cap, sizeof *e->keys);
  e->vals = calloc(cap, sizeof *e->vals);
  e->pairs = malloc((pairs + 1) * sizeof *e->pairs);
  if (!e->keys || !e->vals || !e->pairs) return OSC_ENOMEM;
  while (p < end) {
    nl = memchr(p, '\n', (size_t)(end - p));
    char *le = nl ? nl : end;
    char *tab = memchr(p, '\t', (size_t)(le - p));
    if (!tab || (tab - p) % 2 || tab - p > 12 || tab == p) return OSC_EINVAL;
    unsigned char kb[6];
    size_t kn = (size_t)(tab - p) / 2;
    for (size_t i = 0; i < kn; i++) {
      int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
      if (hi < 0 || lo < 0) return OSC_EINVAL;
      kb[i] = (unsigned char)(hi << 4 | lo);
    }
    size_t start = e->npairs;
    for (char *q = tab + 1; q < le;) {
      char *x;
      long l = strtol(q, &x, 10);
      if (x == q || *x != ':') return OSC_EINVAL;
      long s = strtol(x + 1, &q, 10);
      if (l < 0 || (size_t)l >= e->nlangs || s < 0 || s > 255 || e->npairs >= pairs) return OSC_EINVAL;
      e->pairs[e->npairs++] = (uint16_t)((unsigned)l << 8 | (unsigned)s);
      while (q < le && *q == ' ') q++;
    }
    size_t cnt = e->npairs - start;
    if (cnt > 255 || start >= (1u << 24)) return OSC_EINVAL;
    uint64_t k = eld_key(kb, kn);
    size_t sl = eld_slot(k, e->mask);
    while (e->keys[sl] && e->keys[sl] != k) sl = (sl + 1) & e->mask;
    e->keys[sl] = k;
    e->vals[sl] = (uint32_t)(start << 8 | cnt);
    e->nngrams++;
    p = le + 1;
  }
  return OSC_OK;
}

int nlp__load_eld(osc_nlp *nlp) {
  char *path = osc_asprintf("%s/lang/eld-large.txt", nlp->resource_dir);
  if (!path) return OSC_ENOMEM;
  nlp_resource *r = nlp__res_add(nlp, "eld_ngrams", "eld 2.1.0 (npm, converted by scripts/deps/nlp.sh)", path,
                                 "bash scripts/deps/nlp.sh (npm install eld@2.1.0, then node converts it)");
  char *d = NULL;
  size_t len = 0;
  int rc = osc_read_file(path, 64u << 20, &d, &len);
  free(path);
  if (rc) return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  rc = eld_parse(&nlp->eld, d, len);
  free(d);
  if (rc) {
    nlp__eld_release(&nlp->eld);
    return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  }
  snprintf(r->version, sizeof r->version, "%s", nlp->eld.version);
  r->entries = nlp->eld.nngrams;
  r->loaded = true;
  return OSC_OK;
}

static bool eld_letter(int32_t cp) {
  if (cp < 0x80) return ((cp | 32) >= 'a' && (cp | 32) <= 'z');
  if (cp > 0xFFFF) return false; /* eld's letter class is the BMP part of \p{L} */
  utf8proc_category_t c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static bool eld_apostrophe(int32_t cp) { return cp == '\'' || cp == '`' || cp == 0x2019; }

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

size_t nlp__eld_score(const nlp_eld *e, const char *text, size_t len, double *scores) {
  for (size_t l = 0; l < e->nlangs; l++) scores[l] = 0;
  if (!e->keys) return 0;
  /* 1. separators -> one space, lower case; at most ELD_MAX_UNITS UTF-16 units.  A run of non-letters
   * becomes a space, except its trailing apostrophes, which stay (eld's regex has a lookbehind) */
  int32_t cps[ELD_CUT_ENFORCE + 16];
  int32_t apos[4];
  size_t n = 0, units = 0, napos = 0;
  bool sep = false; /* the current run has a non-apostrophe */
  for (size_t i = 0; i < len && units < ELD_MAX_UNITS && n + 6 < OSC_ARRAY_LEN(cps);) {
    utf8proc_int32_t cp;
    if (!nlp__next_cp(text, len, &i, &cp)) continue;
    units += cp > 0xFFFF ? 2 : 1;
    if (!eld_letter(cp)) {
      if (eld_apostrophe(cp)) {
        if (napos < OSC_ARRAY_LEN(apos)) apos[napos++] = cp;
      } else {
        sep = true;
        napos = 0;
      }
      continue;
    }
    if (sep && n && cps[n - 1] != ' ') cps[n++] = ' '; /* trimmed at the start */
    for (size_t k = 0; k < napos; k++) cps[n++] = apos[k];
    sep = false;
    napos = 0;
    cps[n++] = utf8proc_tolower(cp);
  }
  /* 2. UTF-8 words, cut after ELD_CUT_AFTER bytes at a space, ELD_CUT_ENFORCE anywhere */
  unsigned char buf[ELD_CUT_ENFORCE + 8];
  size_t nb = 0, count = 0;
  size_t ws[ELD_CUT_ENFORCE], we[ELD_CUT_ENFORCE], nw = 0;
  size_t cur = 0;
  bool inword = false;
  for (size_t i = 0; i < n; i++) {
    if (cps[i] == ' ') {
      if (inword) {
        ws[nw] = cur;
        we[nw++] = nb;
        inword = false;
      }
      if (count > ELD_CUT_AFTER) break;
      count++;
    } else {
      if (!inword) {
        cur = nb;
        inword = true;
      }
      utf8proc_ssize_t a = utf8proc_encode_char(cps[i], buf + nb);
      nb += (size_t)a;
      count += (size_t)a;
    }
    if (count > ELD_CUT_ENFORCE) break;
  }
  if (inword) {
    ws[nw] = cur;
    we[nw++] = nb;
  }
  /* 3. distinct n-grams */
  uint64_t grams[ELD_CUT_ENFORCE * 2 + 8];
  size_t ng = 0;
  unsigned char g[8];
  for (size_t w = 0; w < nw; w++) {
    const unsigned char *word = buf + ws[w];
    size_t wl = we[w] - ws[w], L = wl > 70 ? 70 : wl, j;
    for (j = 0; j + 4 < L; j += 3) {
      size_t o = 0;
      if (j == 0) g[o++] = ' ';
      memcpy(g + o, word + j, 4);
      grams[ng++] = eld_key(g, o + 4);
    }
    size_t from = L != 3 && L >= 4 ? L - 4 : 0, o = 0, take = wl - from;
    if (j == 0) g[o++] = ' ';
    if (o + take + 1 > 6) {
      /* the tail of a word over 70 bytes: longer than any key, it only counts as an n-gram */
      grams[ng++] = eld_key(word + from, 6) | (uint64_t)7 << 56;
      continue;
    }
    memcpy(g + o, word + from, take);
    o += take;
    g[o++] = ' ';
    grams[ng++] = eld_key(g, o);
  }
  qsort(grams, ng, sizeof *grams, cmp_u64);
  size_t distinct = 0;
  for (size_t i = 0; i < ng; i++) {
    if (i && grams[i] == grams[i - 1]) continue;
    distinct++;
    uint64_t k = grams[i];
    size_t sl = eld_slot(k, e->mask);
    while (e->keys[sl] && e->keys[sl] != k) sl = (sl + 1) & e->mask;
    if (!e->keys[sl]) continue;
    uint32_t v = e->vals[sl];
    const uint16_t *pp = e->pairs + (v >> 8);
    for (uint32_t c = 0; c < (v & 255); c++) scores[pp[c] >> 8] += (double)((pp[c] & 255) + ELD_BASE_SCORE);
  }
  return distinct;
}
