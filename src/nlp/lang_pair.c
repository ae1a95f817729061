/*
 * nlp/lang_pair.c - word-list specialist for Norwegian Bokmål (nb) against
 * Nynorsk (nn), the two written standards that no character model here
 * separates well (both share most n-grams; eld knows only "no").
 *
 * The Debian package hunspell-no ships the two spelling dictionaries
 * (/usr/share/hunspell/{nb,nn}_NO.dic, ISO-8859-1, one "word/flags" a line;
 * about 330k and 230k forms).  A word that is in one dictionary and not the
 * other is a vote for that standard ("ikkje", "eg", "kva", "frå" against
 * "ikke", "jeg", "hva", "fra"); only such words are kept.  The words are
 * matched as written, lower-cased; affix rules are not expanded (the
 * dictionaries already list most inflected forms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define HUNSPELL_DIR "/usr/share/hunspell"

/* ISO-8859-1 -> lower-case UTF-8 (the dictionaries are Latin-1); returns the length or 0 */
static size_t latin1_lower_utf8(const char *s, size_t n, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    int32_t cp = utf8proc_tolower((unsigned char)s[i]);
    if (o + 4 >= cap) return 0;
    o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
  }
  return o;
}

static int load_dic(nlp_map *m, const char *path, int bit, uint64_t *bytes) {
  char *d = NULL;
  size_t len = 0;
  int rc = osc_read_file(path, 64u << 20, &d, &len);
  if (rc) return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  *bytes += len;
  char *p = memchr(d, '\n', len); /* first line: the entry count */
  char *end = d + len;
  for (p = p ? p + 1 : end; p < end;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *le = nl ? nl : end;
    size_t n = 0;
    while (p + n < le && p[n] != '/' && p[n] != '\t' && p[n] != ' ' && p[n] != '\r') n++;
    char w[256];
    size_t wl = n ? latin1_lower_utf8(p, n, w, sizeof w) : 0;
    if (wl) {
      bool created;
      nlp_map_ent *e = nlp_map_put(m, w, wl, &created);
      if (!e) {
        free(d);
        return OSC_ENOMEM;
      }
      if (created) e->i = 0;
      e->i |= bit;
    }
    p = le + 1;
  }
  free(d);
  return OSC_OK;
}

int nlp__load_norwegian(osc_nlp *nlp) {
  nlp_resource *r = nlp__res_add(nlp, "hunspell_no", "hunspell-no (Debian)", HUNSPELL_DIR "/nn_NO.dic",
                                 "apt-get install -y --no-install-recommends hunspell-no");
  r->bytes = 0;
  nlp_map all;
  nlp_arena tmp = {0};
  if (nlp_map_init(&all, &tmp, 1 << 20)) return OSC_ENOMEM;
  int rc = load_dic(&all, HUNSPELL_DIR "/nb_NO.dic", 1, &r->bytes);
  if (rc == OSC_OK) rc = load_dic(&all, HUNSPELL_DIR "/nn_NO.dic", 2, &r->bytes);
  if (rc == OSC_OK) {
    /* keep the words of one standard only, in the engine's arena */
    size_t keep = 0;
    for (size_t i = 0; i < all.cap; i++)
      if (all.ents[i].h && all.ents[i].i != 3) keep++;
    rc = nlp_map_init(&nlp->no_words, &nlp->arena, keep + 16) ? OSC_ENOMEM : OSC_OK;
    for (size_t i = 0; rc == OSC_OK && i < all.cap; i++) {
      const nlp_map_ent *e = &all.ents[i];
      if (!e->h || e->i == 3) continue;
      bool created;
      nlp_map_ent *x = nlp_map_put(&nlp->no_words, e->k, e->klen, &created);
      if (!x) rc = OSC_ENOMEM;
      else x->i = e->i;
    }
    if (rc == OSC_OK) {
      r->entries = nlp->no_words.count;
      r->loaded = true;
      nlp->have_no_words = true;
    }
  }
  nlp_map_release(&all);
  nlp_arena_release(&tmp);
  return rc;
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
    const nlp_map_ent *e = nlp_map_get(&nlp->no_words, w, wl);
    if (!e) continue;
    if (e->i == 1) (*nb)++;
    else if (e->i == 2) (*nn)++;
  }
  return *nb + *nn;
}
