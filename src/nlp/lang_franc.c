/*
 * nlp/lang_franc.c - franc's trigram distance (npm `franc-all`, MIT) in C, over
 * the Latin and Cyrillic profiles of the languages oscontent answers with.
 *
 * franc-all ships 300 ranked trigrams per language from the Universal
 * Declaration of Human Rights; scripts/deps/nlp.sh writes them once to
 * $R/lang/franc.txt ("<script>\t<iso639-3>\t<tri|tri|...>").  Only the languages of
 * FRANC_LANGS are loaded: franc is the specialist for languages the other
 * models lack (Bantu languages, Maori, Esperanto, Irish, Latin, Kazakh,
 * Mongolian, ...), and a candidate set limited to the languages the detector
 * supports is what keeps it from answering with one of 400 UDHR languages.
 *
 * Text handling follows trigram-utils: U+0021..U+0040 become spaces, white
 * space collapses, lower case, one space of padding; each distinct trigram
 * with count c adds |c - rank - 1| when the profile has it, else 300.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define FRANC_MAX_DIFF 300
#define FRANC_MAX_CHARS 384 /* franc reads 2048; the first 384 characters identify a language as well, for a fifth of the cost */

/* iso639-3 as franc names it -> iso639-1 */
static const char *const FRANC_LANGS[][2] = {
    {"afr", "af"}, {"azj", "az"}, {"bel", "be"}, {"bos", "bs"}, {"bul", "bg"}, {"cat", "ca"}, {"ces", "cs"},
    {"cym", "cy"}, {"dan", "da"}, {"deu", "de"}, {"eng", "en"}, {"epo", "eo"}, {"spa", "es"}, {"ekk", "et"},
    {"eus", "eu"}, {"fin", "fi"}, {"fra", "fr"}, {"gle", "ga"}, {"hrv", "hr"}, {"hun", "hu"}, {"ind", "id"},
    {"isl", "is"}, {"ita", "it"}, {"kaz", "kk"}, {"lat", "la"}, {"lug", "lg"}, {"lit", "lt"}, {"lvs", "lv"},
    {"mri", "mi"}, {"mkd", "mk"}, {"khk", "mn"}, {"zlm", "ms"}, {"nob", "nb"}, {"nld", "nl"}, {"nno", "nn"},
    {"pol", "pl"}, {"por", "pt"}, {"ron", "ro"}, {"rus", "ru"}, {"slk", "sk"}, {"slv", "sl"}, {"sna", "sn"},
    {"som", "so"}, {"als", "sq"}, {"srp", "sr"}, {"sot", "st"}, {"swe", "sv"}, {"swh", "sw"}, {"tgl", "tl"},
    {"tsn", "tn"}, {"tur", "tr"}, {"tso", "ts"}, {"ukr", "uk"}, {"vie", "vi"}, {"xho", "xh"}, {"yor", "yo"},
    {"zul", "zu"}};

void nlp__franc_release(nlp_franc *f) {
  if (!f) return;
  free(f->keys);
  free(f->vals);
  free(f->pairs);
  memset(f, 0, sizeof *f);
}

static const char *franc_code(const char *iso3) {
  for (size_t i = 0; i < OSC_ARRAY_LEN(FRANC_LANGS); i++)
    if (!strcmp(FRANC_LANGS[i][0], iso3)) return FRANC_LANGS[i][1];
  return NULL;
}

/* three code points (21 bits each) in one key; 0 is never a key (a trigram has no NUL) */
static uint64_t tri_key(const int32_t *c) {
  return (uint64_t)(uint32_t)c[0] << 42 | (uint64_t)(uint32_t)c[1] << 21 | (uint64_t)(uint32_t)c[2];
}

static size_t tri_slot(uint64_t k, size_t mask) {
  k ^= k >> 31;
  k *= 0x9e3779b97f4a7c15ULL;
  k ^= k >> 29;
  return (size_t)k & mask;
}

typedef struct franc_ent {
  uint64_t key;
  uint16_t lang, rank;
} franc_ent;

static int cmp_ent(const void *a, const void *b) {
  const franc_ent *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  if (x->lang != y->lang) return x->lang < y->lang ? -1 : 1;
  return (x->rank > y->rank) - (x->rank < y->rank);
}

static int franc_parse(nlp_franc *f, char *d) {
  char *save = NULL;
  char *line = strtok_r(d, "\n", &save);
  if (!line || strncmp(line, "franc-all\t", 10)) return OSC_EINVAL;
  snprintf(f->version, sizeof f->version, "%s", line + 10);
  size_t cap = 0, n = 0;
  franc_ent *ents = NULL;
  int rc = OSC_OK;
  for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2) {
      rc = OSC_EINVAL;
      goto out;
    }
    *t1 = *t2 = 0;
    int script = !strcmp(line, "Latin") ? 0 : !strcmp(line, "Cyrillic") ? 1 : -1;
    const char *code = franc_code(t1 + 1);
    if (script < 0 || !code || f->nlangs >= NLP_FRANC_MAX_LANGS) continue;
    /* Bosnian is answered in Latin script, Serbian in Cyrillic (as eld and the test data write them) */
    if ((script == 1 && !strcmp(code, "bs")) || (script == 0 && !strcmp(code, "sr"))) continue;
    size_t l = f->nlangs++;
    snprintf(f->codes[l], sizeof f->codes[0], "%s", code);
    f->script[l] = (uint8_t)script;
    uint16_t rank = 0;
    for (char *s = t2 + 1; *s; rank++) {
      char *bar = strchr(s, '|');
      size_t len = bar ? (size_t)(bar - s) : strlen(s);
      int32_t c[3];
      int k = 0;
      for (size_t i = 0; i < len && k < 3;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (a <= 0) break;
        c[k++] = cp;
        i += (size_t)a;
      }
      if (k == 3 && rank < 512) {
        if (n == cap) {
          cap = cap ? cap * 2 : 1 << 14;
          franc_ent *x = realloc(ents, cap * sizeof *ents);
          if (!x) {
            rc = OSC_ENOMEM;
            goto out;
          }
          ents = x;
        }
        ents[n++] = (franc_ent){tri_key(c), (uint16_t)l, rank};
      }
      s += len + (bar ? 1 : 0);
    }
  }
  if (!f->nlangs || !n) {
    rc = OSC_EINVAL;
    goto out;
  }
  qsort(ents, n, sizeof *ents, cmp_ent);
  size_t tcap = 1024;
  while (tcap < n) tcap <<= 1; /* distinct keys <= n: load <= 1/2 */
  tcap <<= 1;
  f->mask = tcap - 1;
  f->keys = calloc(tcap, sizeof *f->keys);
  f->vals = calloc(tcap, sizeof *f->vals);
  f->pairs = malloc(n * sizeof *f->pairs);
  if (!f->keys || !f->vals || !f->pairs) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n;) {
    size_t j = i, start = f->npairs;
    for (; j < n && ents[j].key == ents[i].key; j++) {
      /* a trigram listed twice in one profile keeps its first (lowest) rank */
      if (j > i && ents[j].lang == ents[j - 1].lang) continue;
      f->pairs[f->npairs++] = (uint16_t)(ents[j].lang << 9 | ents[j].rank);
    }
    size_t sl = tri_slot(ents[i].key, f->mask);
    while (f->keys[sl]) sl = (sl + 1) & f->mask;
    f->keys[sl] = ents[i].key;
    f->vals[sl] = (uint32_t)(start << 8 | (f->npairs - start));
    f->ntri++;
    i = j;
  }
out:
  free(ents);
  return rc;
}

int nlp__load_franc(osc_nlp *nlp) {
  char *path = osc_asprintf("%s/lang/franc.txt", nlp->resource_dir);
  if (!path) return OSC_ENOMEM;
  nlp_resource *r = nlp__res_add(nlp, "franc_trigrams", "franc-all 7.2.0 (npm, converted by scripts/deps/nlp.sh)",
                                 path, "bash scripts/deps/nlp.sh (npm install franc-all@7.2.0, then node converts it)");
  char *d = NULL;
  size_t len = 0;
  int rc = osc_read_file(path, 16u << 20, &d, &len);
  free(path);
  if (rc) return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  rc = franc_parse(&nlp->franc, d);
  free(d);
  if (rc) {
    nlp__franc_release(&nlp->franc);
    return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  }
  snprintf(r->version, sizeof r->version, "%s", nlp->franc.version);
  r->entries = nlp->franc.nlangs;
  r->loaded = true;
  return OSC_OK;
}

int nlp__franc_distance(const nlp_franc *f, const char *text, size_t len, int script, double *dist) {
  for (size_t l = 0; l < f->nlangs; l++) dist[l] = 0;
  if (!f->keys) return 0;
  /* cleaned, padded code points of the first FRANC_MAX_CHARS characters */
  int32_t cps[FRANC_MAX_CHARS + 3];
  size_t n = 0, chars = 0;
  cps[n++] = ' ';
  for (size_t i = 0; i < len && chars < FRANC_MAX_CHARS;) {
    utf8proc_int32_t cp;
    if (!nlp__next_cp(text, len, &i, &cp)) continue;
    chars++;
    bool space = (cp >= 0x21 && cp <= 0x40) || cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 ||
                 cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
                 cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
    if (space) {
      if (cps[n - 1] != ' ') cps[n++] = ' ';
      continue;
    }
    cps[n++] = utf8proc_tolower(cp);
  }
  if (cps[n - 1] != ' ') cps[n++] = ' ';
  if (n < 3) return 0;
  /* trigram counts in a small open-addressing table */
  enum { TCAP = 1024 }; /* > 2 * (FRANC_MAX_CHARS + 2) */
  uint64_t tk[TCAP];
  uint32_t tc[TCAP];
  memset(tk, 0, sizeof tk);
  int distinct = 0;
  for (size_t i = 0; i + 2 < n; i++) {
    uint64_t k = tri_key(cps + i);
    size_t sl = tri_slot(k, TCAP - 1);
    while (tk[sl] && tk[sl] != k) sl = (sl + 1) & (TCAP - 1);
    if (!tk[sl]) {
      tk[sl] = k;
      tc[sl] = 0;
      distinct++;
    }
    tc[sl]++;
  }
  /* d_l = sum over distinct trigrams of (in profile ? |count - rank - 1| : 300)
   *     = 300 * distinct - sum over the profile's trigrams of (300 - |count - rank - 1|) */
  double gain[NLP_FRANC_MAX_LANGS] = {0};
  for (size_t s = 0; s < TCAP; s++) {
    if (!tk[s]) continue;
    size_t sl = tri_slot(tk[s], f->mask);
    while (f->keys[sl] && f->keys[sl] != tk[s]) sl = (sl + 1) & f->mask;
    if (!f->keys[sl]) continue;
    uint32_t v = f->vals[sl];
    const uint16_t *pp = f->pairs + (v >> 8);
    for (uint32_t q = 0; q < (v & 255); q++) {
      double diff = (double)tc[s] - (double)(pp[q] & 511) - 1.0;
      gain[pp[q] >> 9] += FRANC_MAX_DIFF - (diff < 0 ? -diff : diff);
    }
  }
  for (size_t l = 0; l < f->nlangs; l++)
    dist[l] = f->script[l] == script ? (double)FRANC_MAX_DIFF * distinct - gain[l] : 0;
  return distinct;
}
