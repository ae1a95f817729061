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
#define FRANC_MAX_CHARS 2048

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
  nlp_map_release(&f->tri);
  free(f->ranks);
  memset(f, 0, sizeof *f);
}

static const char *franc_code(const char *iso3) {
  for (size_t i = 0; i < OSC_ARRAY_LEN(FRANC_LANGS); i++)
    if (!strcmp(FRANC_LANGS[i][0], iso3)) return FRANC_LANGS[i][1];
  return NULL;
}

static int franc_parse(osc_nlp *nlp, nlp_franc *f, char *d) {
  char *save = NULL;
  char *line = strtok_r(d, "\n", &save);
  if (!line || strncmp(line, "franc-all\t", 10)) return OSC_EINVAL;
  snprintf(f->version, sizeof f->version, "%s", line + 10);
  /* first pass: languages and trigram ids; the rank table is filled in a second pass */
  char *lines[NLP_FRANC_MAX_LANGS];
  for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2) return OSC_EINVAL;
    *t1 = *t2 = 0;
    int script = !strcmp(line, "Latin") ? 0 : !strcmp(line, "Cyrillic") ? 1 : -1;
    const char *code = franc_code(t1 + 1);
    if (script < 0 || !code || f->nlangs >= NLP_FRANC_MAX_LANGS) continue;
    /* Bosnian is answered in Latin script, Serbian in Cyrillic (as eld and the test data write them) */
    if ((script == 1 && !strcmp(code, "bs")) || (script == 0 && !strcmp(code, "sr"))) continue;
    snprintf(f->codes[f->nlangs], sizeof f->codes[0], "%s", code);
    f->script[f->nlangs] = (uint8_t)script;
    lines[f->nlangs++] = t2 + 1;
  }
  if (!f->nlangs) return OSC_EINVAL;
  if (nlp_map_init(&f->tri, &nlp->arena, 1 << 15)) return OSC_ENOMEM;
  for (size_t l = 0; l < f->nlangs; l++) {
    for (char *s = lines[l]; *s;) {
      char *bar = strchr(s, '|');
      size_t n = bar ? (size_t)(bar - s) : strlen(s);
      bool created;
      nlp_map_ent *e = nlp_map_put(&f->tri, s, n, &created);
      if (!e) return OSC_ENOMEM;
      if (created) e->i = (int32_t)(f->tri.count - 1);
      s += n + (bar ? 1 : 0);
    }
  }
  f->ranks = malloc(f->tri.count * f->nlangs * sizeof *f->ranks);
  if (!f->ranks) return OSC_ENOMEM;
  memset(f->ranks, 0xff, f->tri.count * f->nlangs * sizeof *f->ranks);
  for (size_t l = 0; l < f->nlangs; l++) {
    uint16_t rank = 0;
    for (char *s = lines[l]; *s; rank++) {
      char *bar = strchr(s, '|');
      size_t n = bar ? (size_t)(bar - s) : strlen(s);
      const nlp_map_ent *e = nlp_map_get(&f->tri, s, n);
      uint16_t *r = &f->ranks[(size_t)e->i * f->nlangs + l];
      if (*r == 0xffff) *r = rank;
      s += n + (bar ? 1 : 0);
    }
  }
  return OSC_OK;
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
  rc = franc_parse(nlp, &nlp->franc, d);
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

typedef struct franc_tri {
  char k[16];
  uint8_t n;
  uint32_t count;
} franc_tri;

static int cmp_tri(const void *a, const void *b) {
  const franc_tri *x = a, *y = b;
  if (x->n != y->n) return x->n < y->n ? -1 : 1;
  return memcmp(x->k, y->k, x->n);
}

int nlp__franc_distance(const nlp_franc *f, const char *text, size_t len, int script, double *dist) {
  for (size_t l = 0; l < f->nlangs; l++) dist[l] = 0;
  if (!f->ranks) return 0;
  /* cleaned, padded code points */
  size_t cap = (len < FRANC_MAX_CHARS ? len : FRANC_MAX_CHARS) + 3;
  int32_t *cps = malloc(cap * sizeof *cps);
  if (!cps) return -1;
  size_t n = 0, chars = 0;
  cps[n++] = ' ';
  for (size_t i = 0; i < len && chars < FRANC_MAX_CHARS;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
    if (a <= 0) {
      i++;
      continue;
    }
    i += (size_t)a;
    chars++;
    bool space = (cp >= 0x21 && cp <= 0x40) || cp == ' ' || (cp >= 0x09 && cp <= 0x0d) ||
                 utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS || cp == 0x2028 || cp == 0x2029;
    if (space) {
      if (cps[n - 1] != ' ') cps[n++] = ' ';
      continue;
    }
    cps[n++] = utf8proc_tolower(cp);
  }
  if (cps[n - 1] != ' ') cps[n++] = ' ';
  int ntri = n >= 3 ? (int)(n - 2) : 0;
  franc_tri *t = ntri ? malloc((size_t)ntri * sizeof *t) : NULL;
  if (ntri && !t) {
    free(cps);
    return -1;
  }
  for (int i = 0; i < ntri; i++) {
    size_t o = 0;
    for (int k = 0; k < 3; k++) o += (size_t)utf8proc_encode_char(cps[i + k], (utf8proc_uint8_t *)t[i].k + o);
    t[i].n = (uint8_t)o;
    t[i].count = 1;
  }
  free(cps);
  qsort(t, (size_t)ntri, sizeof *t, cmp_tri);
  int distinct = 0;
  for (int i = 0; i < ntri;) {
    int j = i + 1;
    while (j < ntri && !cmp_tri(&t[i], &t[j])) j++;
    uint32_t c = (uint32_t)(j - i);
    distinct++;
    const nlp_map_ent *e = nlp_map_get(&f->tri, t[i].k, t[i].n);
    const uint16_t *r = e ? f->ranks + (size_t)e->i * f->nlangs : NULL;
    for (size_t l = 0; l < f->nlangs; l++) {
      if (f->script[l] != script) continue;
      if (!r || r[l] == 0xffff) {
        dist[l] += FRANC_MAX_DIFF;
      } else {
        double d = (double)c - (double)r[l] - 1.0;
        dist[l] += d < 0 ? -d : d;
      }
    }
    i = j;
  }
  free(t);
  return distinct;
}
