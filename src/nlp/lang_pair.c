/*
 * nlp/lang_pair.c - word-list specialist for Norwegian Bokmål (nb) against
 * Nynorsk (nn), the two written standards that no character model here
 * separates well (both share most n-grams; eld knows only "no").
 *
 * The Debian package hunspell-no ships the two spelling dictionaries
 * (/usr/share/hunspell/{nb,nn}_NO.dic, ISO-8859-1, one "word/flags" a line;
 * about 330k and 230k forms).  A word that is in one dictionary and not the
 * other is a vote for that standard ("ikkje", "eg", "kva" against "jeg",
 * "hva"); scripts/deps/nlp.sh writes those words once, lower-cased, UTF-8 and
 * in byte order, to $R/lang/no-words.txt, which is searched in place (one
 * buffer, one offset a word).  Affix rules are not expanded (the dictionaries
 * already list most inflected forms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

int nlp__load_norwegian(osc_nlp *nlp) {
  char *path = osc_asprintf("%s/lang/no-words.txt", nlp->resource_dir);
  if (!path) return OSC_ENOMEM;
  nlp_resource *r = nlp__res_add(nlp, "hunspell_no_words", "hunspell-no (Debian; word lists written by scripts/deps/nlp.sh)",
                                 path, "apt-get install -y --no-install-recommends hunspell-no && bash scripts/deps/nlp.sh");
  nlp__pkg_version_dpkg("hunspell-no", r->version, sizeof r->version);
  char *d = NULL;
  size_t len = 0;
  int rc = osc_read_file(path, 64u << 20, &d, &len);
  free(path);
  if (rc) return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  size_t lines = 0;
  for (size_t i = 0; i < len; i++) lines += d[i] == '\n';
  uint32_t *off = malloc((lines + 1) * sizeof *off);
  if (!off || len >= UINT32_MAX) {
    free(d);
    free(off);
    return off ? OSC_ENOENT : OSC_ENOMEM;
  }
  /* "nb\tword" lines in byte order of the word: keep offsets of the words, NUL-terminated in place; the
   * standard is the byte before the tab ('b' or 'n') */
  size_t n = 0;
  for (size_t i = 0; i + 3 < len;) {
    char *nl = memchr(d + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - d) : len;
    if (e > i + 3 && d[i] == 'n' && (d[i + 1] == 'b' || d[i + 1] == 'n') && d[i + 2] == '\t') {
      off[n++] = (uint32_t)(i + 3);
      if (nl) *nl = 0;
    }
    i = e + 1;
  }
  if (!n) {
    free(d);
    free(off);
    return OSC_ENOENT;
  }
  nlp->no_buf = d;
  nlp->no_off = off;
  nlp->no_n = n;
  r->entries = n;
  r->loaded = true;
  nlp->have_no_words = true;
  return OSC_OK;
}

void nlp__norwegian_release(osc_nlp *nlp) {
  free(nlp->no_buf);
  free(nlp->no_off);
  nlp->no_buf = NULL;
  nlp->no_off = NULL;
  nlp->no_n = 0;
}

/* 1 nb, 2 nn, 0 absent: binary search over the sorted words */
static int no_lookup(const osc_nlp *nlp, const char *w, size_t wl) {
  size_t lo = 0, hi = nlp->no_n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *k = nlp->no_buf + nlp->no_off[mid];
    size_t kl = strlen(k);
    int c = memcmp(k, w, kl < wl ? kl : wl);
    if (c == 0) c = kl < wl ? -1 : kl > wl;
    if (c == 0) return k[-2] == 'b' ? 1 : 2;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

int nlp__norwegian_votes(const osc_nlp *nlp, const char *text, size_t len, int *nb, int *nn) {
  *nb = *nn = 0;
  if (!nlp->have_no_words) return 0;
  char w[256];
  size_t i = 0;
  while (i < len) {
    /* one word: a run of letters (and inner hyphens) */
    size_t wl = 0;
    bool ok = true;
    while (i < len) {
      utf8proc_int32_t cp;
      utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
      if (a <= 0) {
        i++;
        break;
      }
      utf8proc_category_t c = utf8proc_category(cp);
      bool letter = c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
      if (!letter && !(cp == '-' && wl)) {
        i += (size_t)a;
        break;
      }
      i += (size_t)a;
      if (wl + 4 >= sizeof w) ok = false;
      else wl += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)w + wl);
    }
    if (!wl || !ok) continue;
    int which = no_lookup(nlp, w, wl);
    if (which == 1) (*nb)++;
    else if (which == 2) (*nn)++;
  }
  return *nb + *nn;
}
